/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rules.c - libFuzzer target for the rules stage: the loader (YAML,
 * items, overrides, exceptions) plus the compiler (lexer, parser, macros,
 * lists, type checks, bytecode) and the listing.
 *
 * The first byte picks the mode: 0 = the input is a rules file; 1 = the
 * input is a condition, compiled against a fixed set of macros and lists;
 * 2 = the input is a raw event record, evaluated (state applied) against
 * a fixed rule set that uses every operator and transformer. Nothing may
 * crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "rules/rules.h"
#include "state/state.h"

static const char base[] =
	"- list: shells\n  items: [bash, sh, \"zsh\"]\n"
	"- list: more\n  items: [shells, ash]\n"
	"- macro: spawned\n  condition: evt.type in (execve, execveat)\n"
	"- macro: sh\n  condition: spawned and proc.name in (more)\n";

static const char eval_rules[] =
	"- list: shells\n  items: [bash, sh, zsh]\n"
	"- macro: spawned\n  condition: evt.type in (execve, execveat)\n"
	"- rule: r1\n  desc: d\n  priority: info\n"
	"  output: \"%proc.name %proc.aname[2] %fd.name %evt.args %container.label[app] %proc.env[HOME]\"\n"
	"  condition: spawned and proc.name in (shells) and not proc.pname glob '*sh'"
	" and tolower(proc.exepath) regex '^/(usr/)?bin/' or len(proc.cmdline) > 100\n"
	"- rule: r2\n  desc: d\n  priority: info\n  output: \"%fd.name %evt.arg.flags\"\n"
	"  condition: evt.type in (open, openat, openat2, creat) and (fd.name pmatch (/etc, /root)"
	" or basename(fd.name) iglob '*.PEM' or fd.name icontains shadow or fd.name endswith .key"
	" or evt.arg.flags contains O_TRUNC or evt.rawres < 0 or fd.nameraw startswith ../)\n"
	"- rule: r3\n  desc: d\n  priority: info\n  output: \"%fd.sip %fd.sport %fd.net\"\n"
	"  condition: evt.type in (connect, accept, accept4, sendto) and (fd.sip = 10.0.0.0/8"
	" or fd.sport in (22, 4444) or fd.net = 192.168.0.0/16 or fd.port intersects (53)"
	" or fd.sip != 127.0.0.1 and fd.rport >= 1024)\n"
	"- rule: r4\n  desc: d\n  priority: info\n  output: \"%evt.buffer %evt.type\"\n"
	"  condition: evt.type in (read, write, sendto) and (evt.buffer bcontains 7f454c46"
	" or evt.buffer bstartswith 2321 or evt.buffer contains GET or evt.buflen > 1000)\n"
	"- rule: r5\n  desc: d\n  priority: info\n  output: \"%proc.name\"\n"
	"  condition: evt.type != read and proc.name = val(proc.pname) and proc.pid exists"
	" and thread.tid != 0 and user.uid >= 0 and proc.duration > 0\n";

static struct rules_engine *ee;
static struct rules_ctx *ec;
static struct state *est;

static void on_match(const struct rule_match *m, void *arg)
{
	size_t *n = arg;

	*n += strlen(m->output) + m->noutfields;
}

static void eval_record(const uint8_t *data, size_t size)
{
	struct evt ev;
	size_t sink = 0;

	if (!ee) {
		struct state_cfg cfg = { .hostname = "fuzz" };
		char err[128];

		ee = rules_new();
		est = state_new(&cfg, err, sizeof(err));
		if (!ee || !est || rules_load_text(ee, "eval.yaml", eval_rules) ||
		    rules_finish(ee) || !(ec = rules_ctx_new(ee, est)))
			abort();	/* the fixed rule set must compile */
		rules_set_matching(ee, RULES_MATCH_ALL);
	}
	if (evt_decode(data, size, &ev) != EVT_OK)
		return;
	ev.num = 1;
	state_apply(est, &ev);
	rules_eval(ee, ec, &ev, on_match, &sink);
	state_apply_post(est, &ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_engine *e;
	char *text;
	FILE *null;

	if (size < 1 || size > 65536)
		return 0;
	if (data[0] % 3 == 2) {
		uint8_t *rec = malloc(size - 1 + 8);	/* aligned copy */

		if (rec) {
			memcpy(rec, data + 1, size - 1);
			eval_record(rec, size - 1);
			free(rec);
		}
		return 0;
	}
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
	if (data[0] % 3 == 1) {
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
