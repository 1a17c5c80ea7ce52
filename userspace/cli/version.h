/* SPDX-License-Identifier: MIT */
#ifndef VIGIL_CLI_VERSION_H
#define VIGIL_CLI_VERSION_H
#define VIGIL_VERSION "0.1.0"
/* The Falco rules engine version whose language vigil implements; rule
 * files with a higher required_engine_version are refused. */
#define VIGIL_FALCO_ENGINE_VERSION "0.57.0"
#endif
