/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rules.c - libFuzzer target for the rules stage: the loader (YAML,
 * items, overrides, exceptions) plus the compiler (lexer, parser, macros,
 * lists, type checks, bytecode) and the listing.
 *
 * The first byte picks the mode: even = the input is a rules file; odd =
 * the input is a condition, compiled against a fixed set of macros and
 * lists. Either way rules_finish() and rules_free() must not crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

static const char base[] =
	"- list: shells\n  items: [bash, sh, \"zsh\"]\n"
	"- list: more\n  items: [shells, ash]\n"
	"- macro: spawned\n  condition: evt.type in (execve, execveat)\n"
	"- macro: sh\n  condition: spawned and proc.name in (more)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_engine *e;
	char *text;
	FILE *null;

	if (size < 1 || size > 65536)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	e = rules_new();
	if (!e) {
		free(text);
		return 0;
	}
	null = fopen("/dev/null", "w");
	if (data[0] & 1) {
		rules_load_text(e, "base.yaml", base);
		rules_finish(e);
		if (null)
			rules_dump(e, text, null);
	} else {
		rules_load_text(e, "fuzz.yaml", text);
		rules_finish(e);
		for (size_t i = 0; null && i < rules_count(e) && i < 4; i++)
			rules_dump(e, rules_get(e, i)->name, null);
		for (size_t i = 0; null && i < rules_diags(e)->n; i++)
			diag_print(&rules_diags(e)->v[i], null);
	}
	if (null)
		fclose(null);
	rules_free(e);
	free(text);
	return 0;
}
