/* SPDX-License-Identifier: MIT */
/*
 * cmd_compile.c - `vigil compile --dump [-r FILE|DIR]... RULE|CONDITION`:
 * prints the bytecode listing of a loaded rule, or of a condition compiled
 * against the loaded macros and lists.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/command.h"
#include "rules/rules.h"

static int usage(void)
{
	fprintf(stderr, "usage: vigil compile --dump [-r FILE|DIR]... RULE|CONDITION\n");
	return 2;
}

static int cmd_compile(int argc, char **argv)
{
	const char *what = NULL;
	bool dump = false;
	struct rules_engine *e = rules_new();
	const struct diag_list *d;
	int rc = 0;

	if (!e)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dump")) {
			dump = true;
		} else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			struct stat sb;

			i++;
			if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
				rules_load_dir(e, argv[i]);
			else
				rules_load_file(e, argv[i]);
		} else if (argv[i][0] == '-' || what) {
			rules_free(e);
			return usage();
		} else {
			what = argv[i];
		}
	}
	if (!what || !dump) {
		rules_free(e);
		return usage();
	}
	rules_finish(e);
	d = rules_diags(e);
	size_t before = d->n;

	if (rules_dump(e, what, stdout) != 0)
		rc = 1;
	/* errors of the loaded files matter only when they broke what we dump;
	 * print those of the dump itself, and all errors when it failed */
	for (size_t i = rc ? 0 : before; i < d->n; i++)
		if (d->v[i].sev == DIAG_ERROR)
			diag_print(&d->v[i], stderr);
	rules_free(e);
	return rc;
}

VIGIL_COMMAND(compile, cmd_compile, "compile --dump [-r FILE]... RULE|CONDITION",
	      "print the bytecode listing of a rule or condition")
