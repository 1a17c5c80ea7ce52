/* SPDX-License-Identifier: MIT */
/*
 * test_alert.c - the alert record: priority table, RFC 3339 time, Falco JSON
 * shape (parsed back with json-c), text line, deep copy, and the time zone
 * reader against known offsets.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "alert/alert.h"
#include "alert/tz.h"

static const char *tags[] = { "container", "shell", "mitre_execution" };
static const struct alert_field fields[] = {
	{ "proc.name", "bash" }, { "container.id", "abc123" }, { "fd.name", "/etc/\"shadow\"" },
};

static struct alert sample(void)
{
	struct alert a = { 0 };

	a.time_ns = 1764790000123456789ull;	/* 2025-12-03T19:26:40.123456789Z */
	a.rule = "Terminal shell in container";
	a.priority = ALERT_PRIO_WARNING;
	a.source = "syscall";
	a.hostname = "node-1";
	a.output = "A shell was spawned (user=root shell=bash)";
	a.tags = tags;
	a.ntags = 3;
	a.fields = fields;
	a.nfields = 3;
	a.ctx[ALERT_CTX_K8S_NS] = "payments";
	a.ctx[ALERT_CTX_OWNER] = "team-pay";
	a.ctx[ALERT_CTX_ENVIRONMENT] = "prod";
	return a;
}

START_TEST(priority_table)
{
	ck_assert_int_eq(alert_priority_parse("critical"), ALERT_PRIO_CRITICAL);
	ck_assert_int_eq(alert_priority_parse("Critical"), ALERT_PRIO_CRITICAL);
	ck_assert_int_eq(alert_priority_parse("info"), ALERT_PRIO_INFORMATIONAL);
	ck_assert_int_eq(alert_priority_parse("INFORMATIONAL"), ALERT_PRIO_INFORMATIONAL);
	ck_assert_int_eq(alert_priority_parse("loud"), -1);
	ck_assert_int_eq(alert_priority_parse(NULL), -1);
	ck_assert_str_eq(alert_priority_name(ALERT_PRIO_WARNING), "Warning");
	ck_assert_int_eq(alert_priority_syslog(ALERT_PRIO_EMERGENCY), 0);
	ck_assert_int_eq(alert_priority_syslog(ALERT_PRIO_ERROR), 3);
	ck_assert_int_eq(alert_priority_syslog(ALERT_PRIO_DEBUG), 7);
	ck_assert_str_eq(alert_priority_severity(ALERT_PRIO_ALERT), "critical");
	ck_assert_str_eq(alert_priority_severity(ALERT_PRIO_WARNING), "warning");
	ck_assert_str_eq(alert_priority_severity(ALERT_PRIO_NOTICE), "info");
	/* more severe = smaller, like syslog */
	ck_assert_int_lt(ALERT_PRIO_CRITICAL, ALERT_PRIO_WARNING);
}
END_TEST

START_TEST(time_rfc3339)
{
	char buf[64];

	alert_time_rfc3339(1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000000001Z");
	alert_time_rfc3339(1764790000123456789ull, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2025-12-03T19:26:40.123456789Z");
}
END_TEST

START_TEST(json_falco_shape)
{
	struct alert a = sample();
	char *s = alert_json(&a);
	struct json_object *o, *v, *f, *t, *x;

	ck_assert_ptr_nonnull(s);
	o = json_tokener_parse(s);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "time", &v));
	ck_assert_str_eq(json_object_get_string(v), "2025-12-03T19:26:40.123456789Z");
	ck_assert(json_object_object_get_ex(o, "rule", &v));
	ck_assert_str_eq(json_object_get_string(v), "Terminal shell in container");
	ck_assert(json_object_object_get_ex(o, "priority", &v));
	ck_assert_str_eq(json_object_get_string(v), "Warning");
	ck_assert(json_object_object_get_ex(o, "source", &v));
	ck_assert_str_eq(json_object_get_string(v), "syscall");
	ck_assert(json_object_object_get_ex(o, "hostname", &v));
	ck_assert_str_eq(json_object_get_string(v), "node-1");
	ck_assert(json_object_object_get_ex(o, "output", &v));
	ck_assert_str_eq(json_object_get_string(v), a.output);
	ck_assert(json_object_object_get_ex(o, "output_fields", &f));
	ck_assert(json_object_object_get_ex(f, "fd.name", &v));
	ck_assert_str_eq(json_object_get_string(v), "/etc/\"shadow\"");
	ck_assert(json_object_object_get_ex(o, "tags", &t));
	ck_assert_int_eq(json_object_array_length(t), 3);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(t, 1)), "shell");
	/* extras only under "vigil" */
	ck_assert(!json_object_object_get_ex(o, "environment", NULL));
	ck_assert(json_object_object_get_ex(o, "vigil", &x));
	ck_assert(json_object_object_get_ex(x, "environment", &v));
	ck_assert_str_eq(json_object_get_string(v), "prod");
	ck_assert(json_object_object_get_ex(x, "owner", &v));
	ck_assert_str_eq(json_object_get_string(v), "team-pay");
	ck_assert(json_object_object_get_ex(x, "count", &v));
	ck_assert_int_eq(json_object_get_int(v), 1);
	ck_assert(!json_object_object_get_ex(x, "silenced", NULL));
	json_object_put(o);
	free(s);

	a.silenced = true;
	a.count = 7;
	s = alert_json(&a);
	o = json_tokener_parse(s);
	ck_assert(json_object_object_get_ex(o, "vigil", &x));
	ck_assert(json_object_object_get_ex(x, "silenced", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(x, "count", &v));
	ck_assert_int_eq(json_object_get_int(v), 7);
	json_object_put(o);
	free(s);
}
END_TEST

START_TEST(text_line)
{
	struct alert a = sample();
	char *s = alert_text(&a);

	ck_assert_str_eq(s, "2025-12-03T19:26:40.123456789Z: Warning "
			 "A shell was spawned (user=root shell=bash)");
	ck_assert_ptr_null(strchr(s, '\n'));
	free(s);
	a.count = 3;
	s = alert_text(&a);
	ck_assert_ptr_nonnull(strstr(s, "(x3)"));
	free(s);
}
END_TEST

START_TEST(dup_is_deep)
{
	char rule[] = "mutable rule", val[] = "v1";
	struct alert_field f[1] = { { "k", val } };
	struct alert a = sample(), *d;
	char *j1, *j2;

	a.rule = rule;
	a.fields = f;
	a.nfields = 1;
	d = alert_dup(&a);
	ck_assert_ptr_nonnull(d);
	j1 = alert_json(&a);
	rule[0] = 'X';
	val[0] = 'Z';
	ck_assert_str_eq(d->rule, "mutable rule");
	ck_assert_str_eq(alert_get(d, "k"), "v1");
	ck_assert_str_eq(alert_get(d, "k8s.ns.name"), "payments");
	ck_assert_ptr_null(alert_get(d, "nope"));
	ck_assert(alert_has_tag(d, "shell"));
	ck_assert(!alert_has_tag(d, "she"));
	rule[0] = 'm';
	val[0] = 'v';
	j2 = alert_json(d);
	ck_assert_str_eq(j1, j2);
	alert_ref(d);
	alert_put(d);
	alert_put(d);	/* ASan would flag a leak or a double free */
	free(j1);
	free(j2);
}
END_TEST

START_TEST(timezones)
{
	char err[256];
	struct tz *ber = tz_load("Europe/Berlin", err, sizeof(err));
	struct tz *ny = tz_load("America/New_York", err, sizeof(err));
	struct tz *utc = tz_load("UTC", err, sizeof(err));
	struct tm tm;

	ck_assert_msg(ber && ny && utc, "%s", err);
	/* 2026-01-15T12:00Z: CET +1, EST -5; 2026-07-15: CEST +2, EDT -4 */
	ck_assert_int_eq(tz_offset(ber, 1768478400), 3600);
	ck_assert_int_eq(tz_offset(ny, 1768478400), -5 * 3600);
	ck_assert_int_eq(tz_offset(ber, 1784116800), 7200);
	ck_assert_int_eq(tz_offset(ny, 1784116800), -4 * 3600);
	ck_assert_int_eq(tz_offset(utc, 1784116800), 0);
	/* DST starts 2026-03-29 01:00Z in Berlin */
	ck_assert_int_eq(tz_offset(ber, 1774745999), 3600);
	ck_assert_int_eq(tz_offset(ber, 1774746000), 7200);
	tz_localtime(ny, 1768478400, &tm);
	ck_assert_int_eq(tm.tm_hour, 7);
	ck_assert_int_eq(tm.tm_wday, 4);	/* Thursday */
	ck_assert_ptr_null(tz_load("Mars/Olympus", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "Mars/Olympus"));
	ck_assert_ptr_null(tz_load("../../etc/passwd", err, sizeof(err)));
	tz_free(ber);
	tz_free(ny);
	tz_free(utc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("alert");

	tcase_add_test(tc, priority_table);
	tcase_add_test(tc, time_rfc3339);
	tcase_add_test(tc, json_falco_shape);
	tcase_add_test(tc, text_line);
	tcase_add_test(tc, dup_is_deep);
	tcase_add_test(tc, timezones);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
