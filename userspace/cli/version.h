/* SPDX-License-Identifier: MIT */
#ifndef VIGIL_CLI_VERSION_H
#define VIGIL_CLI_VERSION_H
#define VIGIL_VERSION "0.1.0"
/* VIGIL_FALCO_ENGINE_VERSION: the rules stage owns it. */
#include "rules/engine_version.h"
#endif
