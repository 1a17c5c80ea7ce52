/* SPDX-License-Identifier: MIT */
/*
 * engine_version.h - the Falco rules-engine version whose language vigil
 * implements. Rule files whose required_engine_version is higher are
 * refused by the loader; `vigil version` prints it.
 */
#ifndef VIGIL_RULES_ENGINE_VERSION_H
#define VIGIL_RULES_ENGINE_VERSION_H
#define VIGIL_FALCO_ENGINE_VERSION "0.57.0"
#endif
