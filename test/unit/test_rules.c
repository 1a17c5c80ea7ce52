/* SPDX-License-Identifier: MIT */
/*
 * test_rules.c - the rules stage through its API: priorities, the hash
 * set, what rules_eval() hands the alert stage (rule, priority, tags,
 * output, output fields), rule_matching first/all, a context reused over
 * many events (no stale cached field), loading errors and dumps. The
 * language itself is covered by test/rules (data-driven cases).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "rules/internal.h"
#include "rules/rules.h"
#include "state/state.h"

START_TEST(priorities)
{
	ck_assert_int_eq(rule_priority_parse("emergency"), RULE_PRIO_EMERGENCY);
	ck_assert_int_eq(rule_priority_parse("WARNING"), RULE_PRIO_WARNING);
	ck_assert_int_eq(rule_priority_parse("Informational"), RULE_PRIO_INFORMATIONAL);
	ck_assert_int_eq(rule_priority_parse("info"), RULE_PRIO_INFORMATIONAL);
	ck_assert_int_eq(rule_priority_parse("debug"), RULE_PRIO_DEBUG);
	ck_assert_int_eq(rule_priority_parse("loud"), -1);
	ck_assert_int_eq(rule_priority_parse(NULL), -1);
	for (int p = 0; p < RULE_PRIO_NR; p++)
		ck_assert_int_eq(rule_priority_parse(rule_priority_name((enum rule_priority)p)), p);
}
END_TEST

START_TEST(hashset_many)
{
	struct hashset *h = hashset_new(4);
	static char keys[20000][16];

	ck_assert_ptr_nonnull(h);
	for (int i = 0; i < 20000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		ck_assert(hashset_add(h, keys[i], (uint32_t)strlen(keys[i])));
	}
	ck_assert(hashset_add(h, keys[7], (uint32_t)strlen(keys[7])));	/* duplicate */
	ck_assert_uint_eq(h->n, 20000);
	for (int i = 0; i < 20000; i++)
		ck_assert(hashset_has(h, keys[i], (uint32_t)strlen(keys[i])));
	ck_assert(!hashset_has(h, "k20000", 6));
	ck_assert(!hashset_has(h, "k1", 1));	/* a prefix is not a member */
	ck_assert(!hashset_has(h, "", 0));
	hashset_free(h);
}
END_TEST

static const char rules_yaml[] =
	"- rule: open etc\n"
	"  desc: d\n"
	"  condition: evt.type = openat and evt.arg.name startswith /etc\n"
	"  output: \"opened %evt.arg.name res=%evt.rawres who=%proc.name\"\n"
	"  priority: CRITICAL\n"
	"  tags: [files, T1005]\n"
	"- rule: any open\n"
	"  desc: d\n"
	"  condition: evt.type in (open, openat)\n"
	"  output: any\n"
	"  priority: debug\n";

struct seen {
	int n;
	char rules[256];
	char output[256];
	char fields[512];
	int prio;
	size_t ntags;
	char tag1[32];
	char source[32];
};

static void on_match(const struct rule_match *m, void *arg)
{
	struct seen *s = arg;
	size_t l = strlen(s->rules);

	snprintf(s->rules + l, sizeof(s->rules) - l, "%s;", m->rule->name);
	if (s->n++)
		return;
	snprintf(s->output, sizeof(s->output), "%s", m->output);
	s->prio = (int)m->rule->priority;
	s->ntags = m->rule->ntags;
	snprintf(s->tag1, sizeof(s->tag1), "%s", m->rule->ntags > 1 ? m->rule->tags[1] : "");
	snprintf(s->source, sizeof(s->source), "%s", m->rule->source);
	for (size_t i = 0; i < m->noutfields; i++) {
		l = strlen(s->fields);
		snprintf(s->fields + l, sizeof(s->fields) - l, "%s=%s|", m->outfields[i].name,
			 m->outfields[i].value);
	}
}

static size_t mk_open(uint8_t *buf, size_t cap, const char *name, int64_t fd)
{
	struct evt_builder b;

	evt_build_begin(&b, buf, cap, VIGIL_EVT_OPENAT, 1, 77, 77);
	evt_build_u64(&b, (uint64_t)fd);	/* fd */
	evt_build_u64(&b, (uint64_t)-100);	/* dirfd */
	evt_build_str(&b, name);
	for (unsigned i = 3; i < VIGIL_NP_OPENAT; i++)
		evt_build_empty(&b, 0);
	return evt_build_end(&b);
}

static struct rules_engine *load(enum rules_matching m)
{
	struct rules_engine *e = rules_new();

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(rules_load_text(e, "t.yaml", rules_yaml), 0);
	ck_assert_int_eq(rules_finish(e), 0);
	rules_set_matching(e, m);
	return e;
}

START_TEST(eval_hands_over_the_match)
{
	struct rules_engine *e = load(RULES_MATCH_FIRST);
	struct rules_ctx *c = rules_ctx_new(e, NULL);
	uint8_t buf[4096];
	struct evt ev;
	struct seen s = { 0 };
	size_t len = mk_open(buf, sizeof(buf), "/etc/shadow", 5);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(evt_decode(buf, len, &ev), EVT_OK);
	ck_assert_int_eq(rules_eval(e, c, &ev, on_match, &s), 1);
	ck_assert_str_eq(s.rules, "open etc;");
	ck_assert_str_eq(s.output, "opened /etc/shadow res=5 who=<NA>");
	ck_assert_str_eq(s.fields, "evt.arg.name=/etc/shadow|evt.rawres=5|proc.name=<NA>|");
	ck_assert_int_eq(s.prio, RULE_PRIO_CRITICAL);
	ck_assert_uint_eq(s.ntags, 2);
	ck_assert_str_eq(s.tag1, "T1005");
	ck_assert_str_eq(s.source, "syscall");
	rules_ctx_free(c);
	rules_free(e);
}
END_TEST

START_TEST(matching_all_and_first)
{
	struct rules_engine *e = load(RULES_MATCH_ALL);
	struct rules_ctx *c = rules_ctx_new(e, NULL);
	uint8_t buf[4096];
	struct evt ev;
	struct seen s = { 0 };
	size_t len = mk_open(buf, sizeof(buf), "/etc/hosts", 3);

	ck_assert_int_eq(evt_decode(buf, len, &ev), EVT_OK);
	ck_assert_int_eq(rules_eval(e, c, &ev, on_match, &s), 2);
	ck_assert_str_eq(s.rules, "open etc;any open;");
	rules_set_matching(e, RULES_MATCH_FIRST);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(rules_eval(e, c, &ev, on_match, &s), 1);
	ck_assert_str_eq(s.rules, "open etc;");
	/* no callback: still counts */
	ck_assert_int_eq(rules_eval(e, c, &ev, NULL, NULL), 1);
	rules_ctx_free(c);
	rules_free(e);
}
END_TEST

START_TEST(context_reused_without_stale_values)
{
	struct rules_engine *e = load(RULES_MATCH_FIRST);
	struct rules_ctx *c = rules_ctx_new(e, NULL);
	uint8_t buf[4096];

	for (int i = 0; i < 2000; i++) {
		char name[64], want[128];
		struct evt ev;
		struct seen s = { 0 };
		size_t len;

		snprintf(name, sizeof(name), i % 3 ? "/etc/f%d" : "/var/f%d", i);
		len = mk_open(buf, sizeof(buf), name, i);
		ck_assert_int_eq(evt_decode(buf, len, &ev), EVT_OK);
		rules_eval(e, c, &ev, on_match, &s);
		ck_assert_int_eq(s.n, 1);
		if (i % 3) {
			snprintf(want, sizeof(want), "opened %s res=%d who=<NA>", name, i);
			ck_assert_str_eq(s.output, want);
		} else {
			ck_assert_str_eq(s.rules, "any open;");
		}
	}
	rules_ctx_free(c);
	rules_free(e);
}
END_TEST

START_TEST(event_types_without_rules_cost_nothing)
{
	struct rules_engine *e = load(RULES_MATCH_ALL);
	struct rules_ctx *c = rules_ctx_new(e, NULL);
	uint8_t buf[4096];
	struct evt_builder b;
	struct evt ev;
	size_t len;

	evt_build_begin(&b, buf, sizeof(buf), VIGIL_EVT_CLOSE, 1, 1, 1);
	evt_build_u64(&b, 0);
	evt_build_u64(&b, 3);
	len = evt_build_end(&b);
	ck_assert_int_eq(evt_decode(buf, len, &ev), EVT_OK);
	ck_assert_int_eq(rules_eval(e, c, &ev, on_match, NULL), 0);
	/* both rules are indexed for openat only (and open for one) */
	for (size_t i = 0; i < rules_count(e); i++) {
		const unsigned long long *bits = rules_evtypes(e, i);

		ck_assert(bits[VIGIL_EVT_OPENAT / 64] & (1ull << (VIGIL_EVT_OPENAT % 64)));
		ck_assert(!(bits[VIGIL_EVT_CLOSE / 64] & (1ull << (VIGIL_EVT_CLOSE % 64))));
	}
	ck_assert_uint_eq(rules_get(e, 0)->nevtypes, 1);
	ck_assert_uint_eq(rules_get(e, 1)->nevtypes, 2);
	rules_ctx_free(c);
	rules_free(e);
}
END_TEST

/* The VM's own substring search and its chained string tests (one field,
 * `or`ed) against a plain reference, over many short random values. */
static const char search_yaml[] =
	"- rule: c2\n  desc: d\n  condition: evt.type = openat and evt.arg.name contains \"ab\"\n"
	"  output: o\n  priority: info\n"
	"- rule: c5\n  desc: d\n  condition: evt.type = openat and evt.arg.name contains \"abcab\"\n"
	"  output: o\n  priority: info\n"
	"- rule: c9\n  desc: d\n  condition: evt.type = openat and evt.arg.name contains \"xyzxyzxyz\"\n"
	"  output: o\n  priority: info\n"
	"- rule: c1\n  desc: d\n  condition: evt.type = openat and evt.arg.name contains \"b\"\n"
	"  output: o\n  priority: info\n"
	"- rule: ch\n  desc: d\n  condition: evt.type = openat and (evt.arg.name endswith \".pm\"\n"
	"    or evt.arg.name startswith \"/x\" or evt.arg.name = \"/a\" or evt.arg.name contains \"zz\"\n"
	"    or evt.arg.name endswith \"b\")\n"
	"  output: o\n  priority: info\n";

static bool has(const char *h, const char *n)
{
	return strstr(h, n) != NULL;
}

START_TEST(substring_search_and_chains)
{
	struct rules_engine *e = rules_new();
	static const char abc[] = "abcxyz/.pm";
	unsigned long long r = 12345;

	ck_assert_int_eq(rules_load_text(e, "s.yaml", search_yaml), 0);
	ck_assert_int_eq(rules_finish(e), 0);
	rules_set_matching(e, RULES_MATCH_ALL);
	struct rules_ctx *c = rules_ctx_new(e, NULL);

	for (int i = 0; i < 20000; i++) {
		char name[48], want[64] = "";
		uint8_t buf[4096];
		struct evt ev;
		struct seen s = { 0 };
		size_t n, len;

		r = r * 6364136223846793005ull + 1442695040888963407ull;
		n = (r >> 33) % 41;
		for (size_t k = 0; k < n; k++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			name[k] = abc[(r >> 33) % (sizeof(abc) - 1)];
		}
		name[n] = 0;
		if (has(name, "ab"))
			strcat(want, "c2;");
		if (has(name, "abcab"))
			strcat(want, "c5;");
		if (has(name, "xyzxyzxyz"))
			strcat(want, "c9;");
		if (has(name, "b"))
			strcat(want, "c1;");
		if ((n >= 3 && !strcmp(name + n - 3, ".pm")) || !strncmp(name, "/x", 2) ||
		    !strcmp(name, "/a") || has(name, "zz") || (n && name[n - 1] == 'b'))
			strcat(want, "ch;");
		len = mk_open(buf, sizeof(buf), name, 3);
		ck_assert_int_eq(evt_decode(buf, len, &ev), EVT_OK);
		rules_eval(e, c, &ev, on_match, &s);
		ck_assert_msg(!strcmp(s.rules, want), "'%s': got %s, want %s", name, s.rules, want);
	}
	rules_ctx_free(c);
	rules_free(e);
}
END_TEST

START_TEST(load_errors_are_diagnostics)
{
	struct rules_engine *e = rules_new();
	const struct diag_list *d = rules_diags(e);

	ck_assert_int_eq(rules_load_file(e, "/nonexistent/x.yaml"), 1);
	ck_assert_uint_eq(d->nerr, 1);
	ck_assert_str_eq(d->v[0].file, "/nonexistent/x.yaml");
	ck_assert_ptr_nonnull(strstr(d->v[0].msg, "cannot open"));
	ck_assert_int_eq(rules_load_dir(e, "/nonexistent-dir"), 1);
	ck_assert_int_eq(rules_finish(e), 2);
	/* after finish, loading is refused */
	ck_assert_int_eq(rules_load_text(e, "late.yaml", "- list: l\n  items: []\n"), 1);
	rules_free(e);
}
END_TEST

START_TEST(dump_condition_and_errors)
{
	struct rules_engine *e = rules_new();
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	rules_finish(e);
	ck_assert_int_eq(rules_dump(e, "evt.type = execve and proc.name = bash", f), 0);
	ck_assert_int_eq(rules_dump(e, "evt.type = = execve", f), -1);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "evttypes: execve\n"));
	ck_assert_ptr_nonnull(strstr(out, "  0001  eq          f0, k1\n"));
	ck_assert_uint_eq(rules_diags(e)->nerr, 1);
	ck_assert_int_eq(rules_diags(e)->v[0].col, 12);
	free(out);
	rules_free(e);
}
END_TEST

START_TEST(diag_print_gcc_style)
{
	struct diag_list d = { 0 };
	struct diag_loc loc = { "a.yaml", "- rule: x\n  condition: foo bar\n", 2, 18 };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	diag_add(&d, DIAG_ERROR, &loc, "bad %s", "thing");
	diag_print(&d.v[0], f);
	fclose(f);
	ck_assert_str_eq(out, "a.yaml:2:18: error: bad thing\n   condition: foo bar\n"
			      "                  ^\n");
	free(out);
	diag_list_free(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("api");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, priorities);
	tcase_add_test(tc, hashset_many);
	tcase_add_test(tc, eval_hands_over_the_match);
	tcase_add_test(tc, matching_all_and_first);
	tcase_add_test(tc, context_reused_without_stale_values);
	tcase_add_test(tc, event_types_without_rules_cost_nothing);
	tcase_add_test(tc, substring_search_and_chains);
	tcase_add_test(tc, load_errors_are_diagnostics);
	tcase_add_test(tc, dump_condition_and_errors);
	tcase_add_test(tc, diag_print_gcc_style);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
