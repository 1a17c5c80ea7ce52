/* SPDX-License-Identifier: MIT */
/*
 * cmd_list.c - `vigil list rules|fields|events [-r FILE|DIR]... [--json]`.
 * rules: the loaded rules (the built-in defaults when no -r is given);
 * fields: the field table; events: the ABI event table.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/command.h"
#include "cli/run_embedded.h"
#include "event/event.h"
#include "fields/fields.h"
#include "rules/rules.h"

static int usage(void)
{
	fprintf(stderr, "usage: vigil list rules|fields|events [-r FILE|DIR]... [--json]\n");
	return 2;
}

static void emit(json_object *arr, json_object *o, bool json)
{
	if (json)
		json_object_array_add(arr, o);
	else
		json_object_put(o);
}

static int list_rules(struct rules_engine *e, bool json, bool loaded)
{
	json_object *arr = json_object_new_array();
	const struct diag_list *d;

	if (!loaded)
		for (unsigned i = 0; i < run_default_rules_n; i++)
			if (run_default_rules[i].name)
				rules_load_text(e, run_default_rules[i].name, run_default_rules[i].text);
	if (rules_finish(e)) {
		d = rules_diags(e);
		for (size_t i = 0; i < d->n; i++)
			if (d->v[i].sev == DIAG_ERROR)
				diag_print(&d->v[i], stderr);
	}
	for (size_t i = 0; i < rules_count(e); i++) {
		const struct rule_info *r = rules_get(e, i);
		json_object *o = json_object_new_object(), *tags = json_object_new_array();

		for (size_t t = 0; t < r->ntags; t++)
			json_object_array_add(tags, json_object_new_string(r->tags[t]));
		json_object_object_add(o, "name", json_object_new_string(r->name));
		json_object_object_add(o, "priority",
				       json_object_new_string(rule_priority_name(r->priority)));
		json_object_object_add(o, "source", json_object_new_string(r->source));
		json_object_object_add(o, "enabled", json_object_new_boolean(r->enabled));
		json_object_object_add(o, "compiled", json_object_new_boolean(r->compiled));
		json_object_object_add(o, "event_types", json_object_new_int64((int64_t)r->nevtypes));
		json_object_object_add(o, "tags", tags);
		json_object_object_add(o, "desc", json_object_new_string(r->desc ? r->desc : ""));
		if (!json)
			printf("%-50s %-13s %-8s %s\n", r->name, rule_priority_name(r->priority),
			       !r->compiled ? "error" : r->enabled ? "enabled" : "disabled",
			       r->file ? r->file : "");
		emit(arr, o, json);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return 0;
}

static int list_fields(bool json)
{
	json_object *arr = json_object_new_array();

	for (unsigned i = 0; i < field_count; i++) {
		const struct field_info *f = &field_table[i];
		json_object *o = json_object_new_object();
		char arg[32] = "";

		if (f->flags & FF_ARG_INDEX)
			strcpy(arg, "[N]");
		if (f->flags & FF_ARG_KEY)
			strcpy(arg, "[KEY]");
		if (f->flags & FF_ARG_DOTTED)
			strcpy(arg, ".NAME");
		json_object_object_add(o, "name", json_object_new_string(f->name));
		json_object_object_add(o, "type", json_object_new_string(field_type_name(f->type)));
		json_object_object_add(o, "arg", json_object_new_string(arg));
		json_object_object_add(o, "list", json_object_new_boolean(f->flags & FF_LIST));
		json_object_object_add(o, "desc", json_object_new_string(f->desc ? f->desc : ""));
		if (!json)
			printf("%-32s %-8s %s\n", f->name, field_type_name(f->type),
			       f->desc ? f->desc : "");
		emit(arr, o, json);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
	return 0;
}

static int list_events(bool json)
{
	static const char *const src[] = { "syscall", "sched", "user" };
	json_object *arr = json_object_new_array();

	for (unsigned t = 0; t < VIGIL_EVT_NR; t++) {
		const struct evt_info *ei = &evt_table[t];
		json_object *o = json_object_new_object(), *ps = json_object_new_array();
		char line[1024];
		size_t n = 0;

		line[0] = 0;
		for (unsigned p = 0; p < ei->nparams; p++) {
			json_object *po = json_object_new_object();

			json_object_object_add(po, "name", json_object_new_string(ei->params[p].name));
			json_object_array_add(ps, po);
			if (n < sizeof(line))
				n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", p ? " " : "",
						      ei->params[p].name);
		}
		json_object_object_add(o, "name", json_object_new_string(ei->name));
		json_object_object_add(o, "source", json_object_new_string(src[ei->source]));
		json_object_object_add(o, "syscall_nr", json_object_new_int(ei->syscall_nr));
		json_object_object_add(o, "params", ps);
		if (!json)
			printf("%-14s %-8s %s\n", ei->name, src[ei->source], line);
		emit(arr, o, json);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	const char *what = NULL;
	bool json = false, loaded = false;
	struct rules_engine *e;
	int rc;

	if (!(e = rules_new()))
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			struct stat sb;

			i++;
			loaded = true;
			if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
				rules_load_dir(e, argv[i]);
			else
				rules_load_file(e, argv[i]);
		} else if (!what && argv[i][0] != '-') {
			what = argv[i];
		} else {
			rules_free(e);
			return usage();
		}
	}
	if (!what)
		rc = usage();
	else if (!strcmp(what, "rules"))
		rc = list_rules(e, json, loaded);
	else if (!strcmp(what, "fields"))
		rc = list_fields(json);
	else if (!strcmp(what, "events"))
		rc = list_events(json);
	else
		rc = usage();
	rules_free(e);
	return rc;
}

VIGIL_COMMAND(list, cmd_list, "list rules|fields|events [-r FILE]... [--json]",
	      "list loaded rules, known fields, or event types")
