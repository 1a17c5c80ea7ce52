/* SPDX-License-Identifier: MIT */
/*
 * test_policy.c - noise control with an injected clock: exceptions (globs,
 * tags, expiry), one-off and weekly maintenance windows (across midnight, in
 * UTC, Europe/Berlin and America/New_York, summer and winter), scopes,
 * record-silenced mode, dedup with the follow-up count, the per-rule token
 * bucket, profile min priority and overrides, and the periodic summary.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/policy.h"
#include "alert/tz.h"
#include "config/config.h"

static struct alert mk(const char *rule, const char *image, const char *ns)
{
	static const char *tags[] = { "shell", "container" };
	struct alert a = { 0 };

	a.rule = rule;
	a.priority = ALERT_PRIO_WARNING;
	a.output = "out";
	a.hostname = "node-1";
	a.tags = tags;
	a.ntags = 2;
	a.ctx[ALERT_CTX_IMAGE] = image;
	a.ctx[ALERT_CTX_K8S_NS] = ns;
	a.ctx[ALERT_CTX_PROC_NAME] = "bash";
	return a;
}

static time_t T(const char *s)
{
	time_t t = config_parse_time(s);

	ck_assert_msg(t != (time_t)-1, "bad time %s", s);
	return t;
}

static enum policy_verdict decide(struct policy_conf *c, struct alert a, time_t now)
{
	char err[128];
	struct policy *p = policy_new(c, err, sizeof(err));
	enum policy_verdict v = policy_decide(p, &a, now);

	policy_free(p);
	return v;
}

START_TEST(exceptions_rule_image_expiry)
{
	struct policy_cond conds[] = { { "container.image", "registry.local/ci/*" },
				       { "k8s.ns.name", "ci-*" } };
	struct policy_exception e = { .name = "ci", .comment = "CI runs shells",
				      .rule = "Terminal shell*", .conds = conds, .nconds = 2,
				      .expires = T("2027-01-01") };
	struct policy_conf c = { .min_priority = -1, .exceptions = &e, .nexceptions = 1 };
	time_t now = T("2026-12-03T12:00:00Z");

	ck_assert_int_eq(decide(&c, mk("Terminal shell in container",
					"registry.local/ci/runner:1", "ci-main"), now),
			 POLICY_EXCEPTED);
	/* one condition fails -> not excepted */
	ck_assert_int_eq(decide(&c, mk("Terminal shell in container",
					"docker.io/nginx", "ci-main"), now), POLICY_PASS);
	ck_assert_int_eq(decide(&c, mk("Terminal shell in container",
					"registry.local/ci/runner:1", "prod"), now), POLICY_PASS);
	/* missing context value never matches a condition */
	ck_assert_int_eq(decide(&c, mk("Terminal shell in container", NULL, "ci-main"), now),
			 POLICY_PASS);
	/* other rule */
	ck_assert_int_eq(decide(&c, mk("Write below etc", "registry.local/ci/x", "ci-a"), now),
			 POLICY_PASS);
	/* expired */
	ck_assert_int_eq(decide(&c, mk("Terminal shell in container",
					"registry.local/ci/runner:1", "ci-main"),
				T("2027-01-01T00:00:00Z")), POLICY_PASS);
	ck_assert_int_eq(policy_conf_expired(&c, T("2026-12-31T23:59:59Z"), NULL, NULL), 0);
	ck_assert_int_eq(policy_conf_expired(&c, T("2027-01-02"), NULL, NULL), 1);
}
END_TEST

START_TEST(exceptions_by_tag_user)
{
	struct policy_cond conds[] = { { "user.name", "deploy" } };
	struct policy_exception e = { .name = "deploy", .comment = "c", .tag = "shell",
				      .conds = conds, .nconds = 1 };
	struct policy_conf c = { .min_priority = -1, .exceptions = &e, .nexceptions = 1 };
	struct alert a = mk("Any", NULL, NULL);

	a.ctx[ALERT_CTX_USER] = "deploy";
	ck_assert_int_eq(decide(&c, a, 0), POLICY_EXCEPTED);
	a.ctx[ALERT_CTX_USER] = "root";
	ck_assert_int_eq(decide(&c, a, 0), POLICY_PASS);
	a.ctx[ALERT_CTX_USER] = "deploy";
	a.ntags = 0;
	ck_assert_int_eq(decide(&c, a, 0), POLICY_PASS);
}
END_TEST

START_TEST(silence_oneoff_bounds)
{
	struct policy_silence s = { .name = "upgrade", .kind = POLICY_WINDOW_ONEOFF,
				    .from = T("2026-12-03T20:00:00Z"),
				    .until = T("2026-12-03T22:00:00Z"), .ns = "payments" };
	struct policy_conf c = { .min_priority = -1, .silences = &s, .nsilences = 1 };
	struct alert a = mk("R", NULL, "payments");

	ck_assert_int_eq(decide(&c, a, T("2026-12-03T19:59:59Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-12-03T20:00:00Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-03T21:59:59Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-03T22:00:00Z")), POLICY_PASS);
	/* out of scope namespace */
	ck_assert_int_eq(decide(&c, mk("R", NULL, "web"), T("2026-12-03T21:00:00Z")),
			 POLICY_PASS);
	/* an offset in the config time means the same instant */
	ck_assert_int_eq(T("2026-12-03T21:00:00+01:00"), T("2026-12-03T20:00:00Z"));
}
END_TEST

/* Friday 22:00 -> Saturday 02:00 local time. */
static struct policy_silence weekly(const char *tzname, char *err)
{
	struct policy_silence s = { .name = "nightly", .kind = POLICY_WINDOW_WEEKLY,
				    .days = 1u << 5, .start_min = 22 * 60, .end_min = 2 * 60 };

	if (tzname) {
		s.tz = tz_load(tzname, err, 256);
		ck_assert_msg(s.tz != NULL, "%s", err);
	}
	return s;
}

START_TEST(silence_weekly_midnight_utc)
{
	char err[256];
	struct policy_silence s = weekly(NULL, err);
	struct policy_conf c = { .min_priority = -1, .silences = &s, .nsilences = 1 };
	struct alert a = mk("R", NULL, NULL);

	/* 2026-12-04 is a Friday */
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T21:59:59Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T22:00:00Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T23:59:59Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T00:00:00Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T01:59:59Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T02:00:00Z")), POLICY_PASS);
	/* Saturday 22:00 is not a start day; Thursday night neither */
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T23:00:00Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-12-03T23:00:00Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T01:00:00Z")), POLICY_PASS);
	/* a window inside one day */
	s.start_min = 9 * 60;
	s.end_min = 17 * 60;
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T08:59:00Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T09:00:00Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T17:00:00Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T10:00:00Z")), POLICY_PASS);
}
END_TEST

START_TEST(silence_weekly_timezones)
{
	char err[256];
	struct policy_silence s = weekly("Europe/Berlin", err);
	struct policy_conf c = { .min_priority = -1, .silences = &s, .nsilences = 1 };
	struct alert a = mk("R", NULL, NULL);

	/* winter, CET = UTC+1: Fri 22:00 local = 21:00Z, Sat 02:00 = 01:00Z */
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T20:59:59Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T21:00:00Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T00:59:59Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T01:00:00Z")), POLICY_PASS);
	/* summer, CEST = UTC+2 (2026-07-03 is a Friday) */
	ck_assert_int_eq(decide(&c, a, T("2026-07-03T19:59:00Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-07-03T20:00:00Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-07-04T00:30:00Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-07-03T23:30:00Z")), POLICY_SILENCED);
	tz_free(s.tz);

	/* New York, EST = UTC-5: Fri 22:00 local = Sat 03:00Z; the UTC day differs */
	s = weekly("America/New_York", err);
	c.silences = &s;
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T02:59:00Z")), POLICY_PASS);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T03:00:00Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T06:59:00Z")), POLICY_SILENCED);
	ck_assert_int_eq(decide(&c, a, T("2026-12-05T07:00:00Z")), POLICY_PASS);
	/* Friday 22:00 UTC is only 17:00 in New York */
	ck_assert_int_eq(decide(&c, a, T("2026-12-04T22:00:00Z")), POLICY_PASS);
	tz_free(s.tz);
}
END_TEST

START_TEST(silence_scope_and_record)
{
	struct policy_silence s = { .name = "maint", .kind = POLICY_WINDOW_ONEOFF,
				    .from = 100, .until = 200, .rule = "Write below*",
				    .owner = "team-db", .host = "db-*" };
	struct policy_conf c = { .min_priority = -1, .silences = &s, .nsilences = 1,
				 .record_silenced = true };
	struct alert a = mk("Write below etc", NULL, NULL);
	char err[64];
	struct policy *p = policy_new(&c, err, sizeof(err));

	a.ctx[ALERT_CTX_OWNER] = "team-db";
	a.hostname = "db-3";
	ck_assert_int_eq(policy_decide(p, &a, 150), POLICY_SILENCED);
	ck_assert(a.silenced);
	a.silenced = false;
	a.hostname = "web-1";
	ck_assert_int_eq(policy_decide(p, &a, 150), POLICY_PASS);
	ck_assert(!a.silenced);
	a.hostname = "db-3";
	a.ctx[ALERT_CTX_OWNER] = "team-web";
	ck_assert_int_eq(policy_decide(p, &a, 150), POLICY_PASS);
	ck_assert_int_eq(policy_count(p, POLICY_SILENCED), 1);
	ck_assert_int_eq(policy_count(p, POLICY_PASS), 2);
	policy_free(p);
}
END_TEST

struct emitted {
	int n;
	uint64_t count[8];
	char rule[8][64];
	char out[512];
};

static void collect(const struct alert *a, void *arg)
{
	struct emitted *e = arg;

	if (e->n < 8) {
		e->count[e->n] = a->count;
		snprintf(e->rule[e->n], sizeof(e->rule[0]), "%s", a->rule);
		if (!strcmp(a->rule, "vigil suppression summary"))
			snprintf(e->out, sizeof(e->out), "%s", a->output);
	}
	e->n++;
}

START_TEST(dedup_window_count)
{
	char *keys[] = { "container.id", "proc.name" };
	struct policy_conf c = { .min_priority = -1, .dedup_window_s = 60,
				 .dedup_keys = keys, .ndedup_keys = 2 };
	char err[64];
	struct policy *p = policy_new(&c, err, sizeof(err));
	struct emitted e = { 0 };
	struct alert a = mk("R", NULL, NULL), b;

	a.ctx[ALERT_CTX_CONTAINER_ID] = "c1";
	b = a;
	b.ctx[ALERT_CTX_CONTAINER_ID] = "c2";
	ck_assert_int_eq(policy_decide(p, &a, 1000), POLICY_PASS);
	for (int i = 1; i <= 4; i++)
		ck_assert_int_eq(policy_decide(p, &a, 1000 + i * 10), POLICY_DEDUPED);
	ck_assert_int_eq(policy_decide(p, &b, 1010), POLICY_PASS);	/* other key */
	ck_assert_int_eq(policy_tick(p, 1059, collect, &e), 0);
	ck_assert_int_eq(policy_tick(p, 1060, collect, &e), 1);
	ck_assert_int_eq(e.count[0], 5);	/* 1 shown + 4 folded */
	ck_assert_str_eq(e.rule[0], "R");
	/* b had no duplicates: no follow-up */
	ck_assert_int_eq(policy_tick(p, 2000, collect, &e), 0);
	/* a new window opens */
	ck_assert_int_eq(policy_decide(p, &a, 2001), POLICY_PASS);
	ck_assert_int_eq(policy_count(p, POLICY_DEDUPED), 4);
	policy_free(p);
}
END_TEST

START_TEST(dedup_window_rolls_on_next_alert)
{
	char *keys[] = { "proc.name" };
	struct policy_conf c = { .min_priority = -1, .dedup_window_s = 10,
				 .dedup_keys = keys, .ndedup_keys = 1 };
	char err[64];
	struct policy *p = policy_new(&c, err, sizeof(err));
	struct emitted e = { 0 };
	struct alert a = mk("R", NULL, NULL);

	ck_assert_int_eq(policy_decide(p, &a, 0), POLICY_PASS);
	ck_assert_int_eq(policy_decide(p, &a, 5), POLICY_DEDUPED);
	ck_assert_int_eq(policy_decide(p, &a, 10), POLICY_PASS);	/* no tick in between */
	ck_assert_int_eq(policy_tick(p, 11, collect, &e), 1);	/* the old window's count */
	ck_assert_int_eq(e.count[0], 2);
	policy_free(p);
}
END_TEST

START_TEST(rate_limit_bucket)
{
	struct policy_rate r[] = { { .rule = "Noisy*", .per_second = 1, .burst = 3 } };
	struct policy_conf c = { .min_priority = -1, .rates = r, .nrates = 1 };
	char err[64];
	struct policy *p = policy_new(&c, err, sizeof(err));
	struct alert a = mk("Noisy rule", NULL, NULL), q = mk("Quiet rule", NULL, NULL);
	int pass = 0;

	for (int i = 0; i < 10; i++)
		pass += policy_decide(p, &a, 500) == POLICY_PASS;
	ck_assert_int_eq(pass, 3);
	ck_assert_int_eq(policy_count(p, POLICY_RATE_LIMITED), 7);
	/* two seconds refill two tokens */
	ck_assert_int_eq(policy_decide(p, &a, 502), POLICY_PASS);
	ck_assert_int_eq(policy_decide(p, &a, 502), POLICY_PASS);
	ck_assert_int_eq(policy_decide(p, &a, 502), POLICY_RATE_LIMITED);
	/* never more than the burst after a long pause */
	pass = 0;
	for (int i = 0; i < 10; i++)
		pass += policy_decide(p, &a, 10000) == POLICY_PASS;
	ck_assert_int_eq(pass, 3);
	/* other rules have no limit here */
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(policy_decide(p, &q, 500), POLICY_PASS);
	policy_free(p);
}
END_TEST

START_TEST(profile_priority)
{
	struct policy_override o[] = { { "Noisy*", ALERT_PRIO_DEBUG },
				       { "Crypto*", ALERT_PRIO_CRITICAL } };
	struct policy_conf c = { .environment = "prod", .min_priority = ALERT_PRIO_NOTICE,
				 .overrides = o, .noverrides = 2 };
	char err[64];
	struct policy *p = policy_new(&c, err, sizeof(err));
	struct alert a = mk("Noisy thing", NULL, NULL), b = mk("Crypto miner", NULL, NULL);

	b.priority = ALERT_PRIO_INFORMATIONAL;
	ck_assert_int_eq(policy_decide(p, &a, 0), POLICY_BELOW_PRIORITY);
	ck_assert_int_eq(policy_decide(p, &b, 0), POLICY_PASS);
	ck_assert_int_eq(b.priority, ALERT_PRIO_CRITICAL);
	ck_assert_str_eq(b.ctx[ALERT_CTX_ENVIRONMENT], "prod");
	policy_free(p);
}
END_TEST

START_TEST(summary_reports_suppressed)
{
	struct policy_rate r[] = { { .rule = NULL, .per_second = 0, .burst = 1 } };
	struct policy_silence s = { .name = "m", .kind = POLICY_WINDOW_ONEOFF, .from = 0,
				    .until = 1000000, .rule = "Silenced*" };
	struct policy_conf c = { .min_priority = -1, .rates = r, .nrates = 1,
				 .silences = &s, .nsilences = 1, .summary_interval_s = 300 };
	char err[64];
	struct policy *p = policy_new(&c, err, sizeof(err));
	struct emitted e = { 0 };
	struct alert a = mk("Loud", NULL, NULL), b = mk("Silenced one", NULL, NULL);

	policy_tick(p, 100, collect, &e);	/* starts the period */
	for (int i = 0; i < 5; i++)
		policy_decide(p, &a, 110);	/* 1 pass, 4 limited */
	policy_decide(p, &b, 120);
	policy_decide(p, &b, 130);
	ck_assert_int_eq(policy_tick(p, 399, collect, &e), 0);
	ck_assert_int_eq(policy_tick(p, 400, collect, &e), 1);
	ck_assert_str_eq(e.rule[0], "vigil suppression summary");
	ck_assert_int_eq(e.count[0], 6);
	ck_assert_ptr_nonnull(strstr(e.out, "Loud (rate_limited=4)"));
	ck_assert_ptr_nonnull(strstr(e.out, "Silenced one (silenced=2)"));
	/* nothing new: no summary next period */
	ck_assert_int_eq(policy_tick(p, 800, collect, &e), 0);
	policy_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, exceptions_rule_image_expiry);
	tcase_add_test(tc, exceptions_by_tag_user);
	tcase_add_test(tc, silence_oneoff_bounds);
	tcase_add_test(tc, silence_weekly_midnight_utc);
	tcase_add_test(tc, silence_weekly_timezones);
	tcase_add_test(tc, silence_scope_and_record);
	tcase_add_test(tc, dedup_window_count);
	tcase_add_test(tc, dedup_window_rolls_on_next_alert);
	tcase_add_test(tc, rate_limit_bucket);
	tcase_add_test(tc, profile_priority);
	tcase_add_test(tc, summary_reports_suppressed);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
