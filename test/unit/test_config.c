/* SPDX-License-Identifier: MIT */
/*
 * test_config.c - vigil.yaml: a full config read back value by value, the
 * environment profile's effect, and bad configs: each error must name
 * FILE:LINE and the key, and no config comes back.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config/config.h"

static const char full[] =
	"hostname: node-7\n"					/* 1 */
	"environment: prod\n"
	"profiles:\n"
	"  prod:\n"
	"    rules_files: [/etc/vigil/rules.yaml, /etc/vigil/prod.yaml]\n"	/* 5 */
	"    min_priority: notice\n"
	"    priority_overrides:\n"
	"      - {rule: \"Noisy*\", priority: debug}\n"
	"    exceptions:\n"
	"      - name: prod-backup\n"				/* 10 */
	"        comment: backup agent reads shadow\n"
	"        rule: Read sensitive file\n"
	"        proc: backup-agent\n"
	"  dev:\n"
	"    min_priority: debug\n"				/* 15 */
	"exceptions:\n"
	"  - name: ci\n"
	"    comment: CI runners spawn shells\n"
	"    tag: shell\n"
	"    image: \"registry.local/ci/*\"\n"			/* 20 */
	"    namespace: ci\n"
	"    expires: 2020-01-01\n"
	"silences:\n"
	"  - name: patch\n"
	"    comment: monthly patching\n"			/* 25 */
	"    from: 2026-12-03T20:00:00Z\n"
	"    until: 2026-12-03T22:00:00+01:00\n"
	"    namespace: payments\n"
	"  - name: nightly\n"
	"    weekly: {days: [fri, sat], from: \"22:00\", until: \"02:00\", timezone: Europe/Berlin}\n"
	"    owner: team-db\n"					/* 31 */
	"record_silenced: true\n"
	"dedup: {window: 2m, keys: [container.id, proc.name]}\n"
	"rate_limits:\n"
	"  - {rule: \"Noisy*\", per_minute: 6, burst: 2}\n"	/* 35 */
	"summary_interval: 5m\n"
	"outputs:\n"
	"  - {name: console, type: stdout, format: json}\n"
	"  - name: file\n"
	"    type: file\n"					/* 40 */
	"    path: /var/log/vigil/alerts.json\n"
	"    max_size: 10M\n"
	"    keep: 3\n"
	"    fsync: 500ms\n"
	"  - {name: am, type: alertmanager, url: \"http://127.0.0.1:9093\", min_priority: critical, retries: -1, timeout: 2s}\n"
	"  - {name: sys, type: syslog, facility: local3}\n"	/* 46 */
	"routes:\n"
	"  - outputs: [am]\n"
	"    min_priority: critical\n"
	"    environments: [prod]\n"				/* 50 */
	"  - {outputs: [file, console]}\n"
	"metrics: {enabled: true, port: 9999}\n";

static struct vigil_config *parse(const char *text, char *err, size_t len)
{
	struct vigil_config *c = NULL;

	if (config_parse(text, strlen(text), "vigil.yaml", 1764790000, &c, err, len)) {
		ck_assert_ptr_null(c);
		return NULL;
	}
	return c;
}

START_TEST(full_config_values)
{
	char err[512] = "";
	struct vigil_config *c = parse(full, err, sizeof(err));
	const struct policy_conf *p;

	ck_assert_msg(c != NULL, "%s", err);
	p = &c->policy;
	ck_assert_str_eq(c->hostname, "node-7");
	ck_assert_str_eq(c->environment, "prod");
	ck_assert_str_eq(p->environment, "prod");
	ck_assert_int_eq(c->nrules_files, 2);
	ck_assert_str_eq(c->rules_files[1], "/etc/vigil/prod.yaml");
	ck_assert_int_eq(p->min_priority, ALERT_PRIO_NOTICE);
	ck_assert_int_eq(p->noverrides, 1);
	ck_assert_int_eq(p->overrides[0].priority, ALERT_PRIO_DEBUG);
	/* top-level exception + the profile's */
	ck_assert_int_eq(p->nexceptions, 2);
	ck_assert_str_eq(p->exceptions[0].name, "ci");
	ck_assert_int_eq(p->exceptions[0].nconds, 2);
	ck_assert_str_eq(p->exceptions[0].conds[0].key, "container.image");
	ck_assert_int_eq(p->exceptions[0].line, 17);
	ck_assert_str_eq(p->exceptions[1].name, "prod-backup");
	ck_assert_str_eq(p->exceptions[1].conds[0].key, "proc.name");
	/* the expired one is reported with its line */
	ck_assert_ptr_nonnull(c->warnings);
	ck_assert_ptr_nonnull(strstr(c->warnings, "vigil.yaml:17: exception 'ci' expired"));
	ck_assert_int_eq(p->nsilences, 2);
	ck_assert_int_eq(p->silences[0].until - p->silences[0].from, 3600);
	ck_assert_int_eq(p->silences[1].kind, POLICY_WINDOW_WEEKLY);
	ck_assert_int_eq(p->silences[1].days, (1u << 5) | (1u << 6));
	ck_assert_int_eq(p->silences[1].start_min, 22 * 60);
	ck_assert_int_eq(p->silences[1].end_min, 120);
	ck_assert_ptr_nonnull(p->silences[1].tz);
	ck_assert(p->record_silenced);
	ck_assert_int_eq(p->dedup_window_s, 120);
	ck_assert_int_eq(p->ndedup_keys, 2);
	ck_assert_int_eq(p->nrates, 1);
	ck_assert(p->rates[0].per_second > 0.099 && p->rates[0].per_second < 0.101);
	ck_assert_int_eq(p->summary_interval_s, 300);
	ck_assert_int_eq(c->out.nsinks, 4);
	ck_assert_int_eq(c->out.sinks[0].format, OUT_FORMAT_JSON);
	ck_assert_int_eq(c->out.sinks[1].type, OUT_SINK_FILE);
	ck_assert_int_eq(c->out.sinks[1].max_size, 10 << 20);
	ck_assert_int_eq(c->out.sinks[1].keep, 3);
	ck_assert_int_eq(c->out.sinks[1].fsync, OUT_FSYNC_INTERVAL);
	ck_assert_int_eq(c->out.sinks[1].fsync_ms, 500);
	ck_assert(c->out.sinks[1].silenced);	/* files take silenced alerts */
	ck_assert(!c->out.sinks[0].silenced);
	ck_assert_int_eq(c->out.sinks[2].type, OUT_SINK_ALERTMANAGER);
	ck_assert_int_eq(c->out.sinks[2].retries, -1);
	ck_assert_int_eq(c->out.sinks[2].timeout_ms, 2000);
	ck_assert_int_eq(c->out.sinks[2].batch, 16);
	ck_assert_int_eq(c->out.sinks[2].min_priority, ALERT_PRIO_CRITICAL);
	ck_assert_int_eq(c->out.sinks[3].facility, LOG_LOCAL3);
	ck_assert_int_eq(c->out.nroutes, 2);
	ck_assert_int_eq(c->out.routes[0].min_priority, ALERT_PRIO_CRITICAL);
	ck_assert_str_eq(c->out.routes[0].environments[0], "prod");
	ck_assert_int_eq(c->out.routes[1].nsinks, 2);
	ck_assert(c->metrics_enabled);
	ck_assert_str_eq(c->metrics_listen, "127.0.0.1");
	ck_assert_int_eq(c->metrics_port, 9999);
	config_free(c);
}
END_TEST

START_TEST(other_profile)
{
	char err[512] = "", *text = strdup(full);
	struct vigil_config *c;

	memcpy(strstr(text, "environment: prod"), "environment: dev ", 17);
	c = parse(text, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->policy.min_priority, ALERT_PRIO_DEBUG);
	ck_assert_int_eq(c->policy.nexceptions, 1);	/* not prod's */
	ck_assert_int_eq(c->policy.noverrides, 0);
	ck_assert_int_eq(c->nrules_files, 0);
	config_free(c);
	free(text);
}
END_TEST

START_TEST(empty_is_defaults)
{
	char err[256] = "";
	struct vigil_config *c = parse("", err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->out.nsinks, 0);
	ck_assert_int_eq(c->policy.min_priority, -1);
	ck_assert(!c->metrics_enabled);
	ck_assert_ptr_nonnull(c->hostname);
	ck_assert_uint_eq(c->ring_size, 0);	/* the module's default */
	ck_assert_uint_eq(c->snaplen, 0);
	config_free(c);
}
END_TEST

/* ring_size and snaplen: what `vigil run` asks of the module. */
START_TEST(capture_settings)
{
	char err[256] = "";
	struct vigil_config *c = parse("ring_size: 16M\nsnaplen: 1024\n", err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->ring_size, 16u << 20);
	ck_assert_uint_eq(c->snaplen, 1024);
	config_free(c);
	c = parse("ring_size: 65536\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->ring_size, 65536);
	config_free(c);
}
END_TEST

/* rule_matching: first (the default) or all. */
START_TEST(rule_matching)
{
	char err[256] = "";
	struct vigil_config *c = parse("", err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(!c->match_all);
	config_free(c);
	c = parse("rule_matching: all\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(c->match_all);
	config_free(c);
	c = parse("rule_matching: first\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(!c->match_all);
	config_free(c);
}
END_TEST

/* No hostname: key: $VIGIL_HOSTNAME (set by the DaemonSet), then
 * gethostname(); the key wins over both. */
START_TEST(hostname_from_env)
{
	char err[256] = "";
	struct vigil_config *c;

	setenv("VIGIL_HOSTNAME", "node-7", 1);
	c = parse("", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->hostname, "node-7");
	config_free(c);
	c = parse("hostname: given\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->hostname, "given");
	config_free(c);
	unsetenv("VIGIL_HOSTNAME");
	c = parse("", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_ne(c->hostname, "node-7");
	config_free(c);
}
END_TEST

/* Each bad config must fail with "vigil.yaml:LINE:" and mention `needle`. */
static const struct {
	const char *text, *line, *needle;
} bad[] = {
	{ "outputs:\n  - name: a\n    type: stdout\n    colour: red\n", "vigil.yaml:4:", "outputs[0].colour: unknown key 'colour'" },
	{ "outputs:\n  - {name: a, type: carrier-pigeon}\n", "vigil.yaml:2:", "unknown output type 'carrier-pigeon'" },
	{ "outputs:\n  - {name: a, type: file}\n", "vigil.yaml:2:", "needs a 'path'" },
	{ "outputs:\n  - {name: a, type: stdout}\n  - {name: a, type: stdout}\n", "vigil.yaml:3:", "already used on line 2" },
	{ "outputs:\n  - {name: a, type: stdout, min_priority: loud}\n", "vigil.yaml:2:", "outputs[0].min_priority: unknown priority 'loud'" },
	{ "outputs:\n  - {name: a, type: webhook, url: \"ftp://x\"}\n", "vigil.yaml:2:", "outputs[0].url" },
	{ "outputs:\n  - {name: a, type: stdout}\nroutes:\n  - outputs: [b]\n", "vigil.yaml:4:", "no output named 'b'" },
	{ "environment: staging\nprofiles:\n  prod: {}\n", "vigil.yaml:1:", "no profile 'staging'" },
	{ "silences:\n  - name: w\n    weekly: {days: [fri], from: \"22:00\", until: \"02:00\", timezone: Mars/Base}\n", "vigil.yaml:3:", "Mars/Base" },
	{ "silences:\n  - name: w\n    weekly: {days: [funday], from: \"22:00\", until: \"02:00\"}\n", "vigil.yaml:3:", "unknown day 'funday'" },
	{ "silences:\n  - name: w\n    weekly: {days: [fri], from: \"25:00\", until: \"02:00\"}\n", "vigil.yaml:3:", "expected HH:MM" },
	{ "silences:\n  - name: w\n    from: 2026-12-03T20:00:00Z\n", "vigil.yaml:2:", "needs from and until" },
	{ "silences:\n  - name: w\n    from: 2026-12-03T20:00:00Z\n    until: 2026-12-03T19:00:00Z\n", "vigil.yaml:2:", "until is not after from" },
	{ "exceptions:\n  - name: e\n    rule: R\n", "vigil.yaml:2:", "needs a 'comment'" },
	{ "exceptions:\n  - name: e\n    comment: c\n", "vigil.yaml:2:", "needs a 'rule' or a 'tag'" },
	{ "exceptions:\n  - {name: e, comment: c, rule: R, expires: tomorrow}\n", "vigil.yaml:2:", "exceptions[0].expires" },
	{ "dedup: {window: forever}\n", "vigil.yaml:1:", "dedup.window: expected a duration" },
	{ "metrics: {port: 70000}\n", "vigil.yaml:1:", "metrics.port: 70000 is out of range" },
	{ "metrics: {enabled: maybe}\n", "vigil.yaml:1:", "metrics.enabled: expected true or false" },
	{ "rate_limits:\n  - {rule: x, burst: 3}\n", "vigil.yaml:2:", "needs per_second or per_minute" },
	{ "outputs: [\n", "vigil.yaml:2:", "YAML" },
	{ "dedup: {window: 1m}\ndedup: {window: 2m}\n", "vigil.yaml:2:", "given twice" },
	{ "colour: blue\n", "vigil.yaml:1:", "colour: unknown key 'colour' (known here: hostname," },
	{ "profiles:\n  prod:\n    min_priority: nope\n", "vigil.yaml:3:", "profiles.prod.min_priority" },
	{ "metrics: {enabled: true}\nring_size: 3M\n", "vigil.yaml:2:", "ring_size: 3145728 is not a power of two" },
	{ "ring_size: 32K\n", "vigil.yaml:1:", "ring_size: 32768 is not a power of two from 65536" },
	{ "ring_size: big\n", "vigil.yaml:1:", "ring_size: expected a size" },
	{ "snaplen: 0\n", "vigil.yaml:1:", "snaplen: 0 is out of range" },
	{ "snaplen: 20000\n", "vigil.yaml:1:", "snaplen: 20000 is out of range" },
	{ "snaplen: 1\nrule_matching: every\n", "vigil.yaml:2:", "rule_matching: expected first or all, got 'every'" },
};

START_TEST(bad_configs_name_line_and_key)
{
	char err[512];
	struct vigil_config *c = NULL;
	const char *t = bad[_i].text;

	err[0] = 0;
	ck_assert_int_eq(config_parse(t, strlen(t), "vigil.yaml", 1764790000, &c, err,
				      sizeof(err)), -1);
	ck_assert_ptr_null(c);
	ck_assert_msg(!strncmp(err, bad[_i].line, strlen(bad[_i].line)),
		      "case %d: want prefix '%s', got '%s'", _i, bad[_i].line, err);
	ck_assert_msg(strstr(err, bad[_i].needle) != NULL,
		      "case %d: want '%s' in '%s'", _i, bad[_i].needle, err);
}
END_TEST

START_TEST(load_from_file)
{
	char path[] = "/tmp/vigil-test-config-XXXXXX", err[512];
	struct vigil_config *c = NULL;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("outputs:\n  - {name: a, type: stdout}\n  - {name: b, type: nope}\n", f);
	fclose(f);
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, ":3:"));
	unlink(path);
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

START_TEST(scalars)
{
	ck_assert_int_eq(config_parse_duration("90"), 90);
	ck_assert_int_eq(config_parse_duration("90s"), 90);
	ck_assert_int_eq(config_parse_duration("5m"), 300);
	ck_assert_int_eq(config_parse_duration("2h"), 7200);
	ck_assert_int_eq(config_parse_duration("1d"), 86400);
	ck_assert_int_eq(config_parse_duration("1w"), -1);
	ck_assert_int_eq(config_parse_duration("-1s"), -1);
	ck_assert_int_eq(config_parse_size("512K"), 512 << 10);
	ck_assert_int_eq(config_parse_size("10MiB"), 10 << 20);
	ck_assert_int_eq(config_parse_size("1G"), 1 << 30);
	ck_assert_int_eq(config_parse_size("12"), 12);
	ck_assert_int_eq(config_parse_size("1T"), -1);
	ck_assert_int_eq(config_parse_time("1970-01-02"), 86400);
	ck_assert_int_eq(config_parse_time("2026-12-03T19:26:40Z"), 1764790000 + 365 * 86400);
	ck_assert_int_eq(config_parse_time("2026-12-03T20:26:40+01:00"), 1764790000 + 365 * 86400);
	ck_assert_int_eq(config_parse_time("2026-12-03T19:26:40.5Z"), 1764790000 + 365 * 86400);
	ck_assert_int_eq(config_parse_time("2026-13-01"), -1);
	ck_assert_int_eq(config_parse_time("2026-12-03T19:26:40"), -1);	/* no zone */
	ck_assert_int_eq(config_parse_time("yesterday"), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, full_config_values);
	tcase_add_test(tc, other_profile);
	tcase_add_test(tc, empty_is_defaults);
	tcase_add_loop_test(tc, bad_configs_name_line_and_key, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, load_from_file);
	tcase_add_test(tc, scalars);
	tcase_add_test(tc, capture_settings);
	tcase_add_test(tc, rule_matching);
	tcase_add_test(tc, hostname_from_env);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
