/* SPDX-License-Identifier: MIT */
/* run_embedded.c - lookups over the embedded rules (cli/run_embedded.h). */
#include <string.h>

#include "cli/run_embedded.h"

const struct run_embedded_file *run_profile_find(const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < run_profiles_n; i++) {
		const char *f = run_profiles[i].name;
		const char *base = f + strlen("profiles/");

		if (!strcmp(f, name) || !strcmp(base, name) ||
		    (!strncmp(base, name, n) && !strcmp(base + n, ".yaml")))
			return &run_profiles[i];
	}
	return NULL;
}
