/* SPDX-License-Identifier: MIT */
/*
 * cmd_validate.c - `vigil validate [--json] FILE|DIR...`: loads the files
 * in order (later ones override earlier ones, as `vigil run` would), compiles
 * every rule and prints errors and warnings GCC style (file:line:col, the
 * line, a caret) or as JSON. Exit 0 when valid, 1 when not, 2 on usage.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/command.h"
#include "rules/rules.h"

static json_object *diag_json(const struct diag *g)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "severity",
			       json_object_new_string(g->sev == DIAG_ERROR ? "error" : "warning"));
	json_object_object_add(o, "file", g->file ? json_object_new_string(g->file) : NULL);
	json_object_object_add(o, "line", json_object_new_int(g->line));
	json_object_object_add(o, "column", json_object_new_int(g->col));
	json_object_object_add(o, "message", json_object_new_string(g->msg));
	return o;
}

static int cmd_validate(int argc, char **argv)
{
	bool json = false;
	int nfiles = 0, rc;
	struct rules_engine *e;
	const struct diag_list *d;
	size_t enabled = 0, compiled = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "usage: vigil validate [--json] FILE|DIR...\n");
			return 2;
		} else
			nfiles++;
	}
	if (!nfiles) {
		fprintf(stderr, "usage: vigil validate [--json] FILE|DIR...\n");
		return 2;
	}
	e = rules_new();
	if (!e) {
		fprintf(stderr, "vigil validate: out of memory\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		struct stat sb;

		if (!strcmp(argv[i], "--json"))
			continue;
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			rules_load_dir(e, argv[i]);
		else
			rules_load_file(e, argv[i]);
	}
	rc = rules_finish(e) ? 1 : 0;
	d = rules_diags(e);
	for (size_t i = 0; i < rules_count(e); i++) {
		const struct rule_info *r = rules_get(e, i);

		compiled += r->compiled;
		enabled += r->compiled && r->enabled;
	}
	if (json) {
		json_object *o = json_object_new_object(), *errs = json_object_new_array(),
			    *warns = json_object_new_array();

		for (size_t i = 0; i < d->n; i++)
			json_object_array_add(d->v[i].sev == DIAG_ERROR ? errs : warns,
					      diag_json(&d->v[i]));
		json_object_object_add(o, "valid", json_object_new_boolean(rc == 0));
		json_object_object_add(o, "rules", json_object_new_int64((int64_t)rules_count(e)));
		json_object_object_add(o, "compiled", json_object_new_int64((int64_t)compiled));
		json_object_object_add(o, "enabled", json_object_new_int64((int64_t)enabled));
		json_object_object_add(o, "errors", errs);
		json_object_object_add(o, "warnings", warns);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		for (size_t i = 0; i < d->n; i++)
			diag_print(&d->v[i], stderr);
		printf("%s: %zu rules (%zu compiled, %zu enabled), %zu errors, %zu warnings\n",
		       rc ? "invalid" : "valid", rules_count(e), compiled, enabled, d->nerr,
		       d->nwarn);
	}
	rules_free(e);
	return rc;
}

VIGIL_COMMAND(validate, cmd_validate, "validate [--json] FILE|DIR...",
	      "check rule files: GCC-style errors and warnings, exit 0 if valid")
