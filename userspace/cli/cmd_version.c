/* SPDX-License-Identifier: MIT */
/* cmd_version.c - `vigil version`: engine, ABI and rule-language versions. */
#include <stdio.h>

#include "cli/command.h"
#include "vigil_abi.h"
#include "cli/version.h"

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("vigil %s\nabi %u\nfalco engine %s\n", VIGIL_VERSION,
	       VIGIL_ABI_VERSION, VIGIL_FALCO_ENGINE_VERSION);
	return 0;
}

VIGIL_COMMAND(version, cmd_version, "version", "print versions")
