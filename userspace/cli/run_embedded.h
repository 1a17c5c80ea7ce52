/* SPDX-License-Identifier: MIT */
/*
 * run_embedded.h - the default rules and profiles built into the binary.
 * The tables are generated at build time from rules/ by
 * scripts/embed-rules.sh (see userspace/Makefile), so `vigil run` works
 * with no file installed.
 */
#ifndef VIGIL_CLI_RUN_EMBEDDED_H
#define VIGIL_CLI_RUN_EMBEDDED_H

#include <stddef.h>

struct run_embedded_file {
	const char *name;	/* "10-shell.yaml", "profiles/prod.yaml" */
	const char *text;
	size_t len;
};

/* Both end with a { NULL } entry. */
extern const struct run_embedded_file run_default_rules[];
extern const unsigned run_default_rules_n;
extern const struct run_embedded_file run_profiles[];
extern const unsigned run_profiles_n;

/* Profile by name ("prod" or "profiles/prod.yaml"), NULL if none. */
const struct run_embedded_file *run_profile_find(const char *name);

#endif
