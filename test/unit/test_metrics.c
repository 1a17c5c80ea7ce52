/* SPDX-License-Identifier: MIT */
/* test_metrics.c - the module's per-CPU counters as Prometheus series
 * (metrics_ring_stats: drops by cpu and cause, faults, truncations) and
 * the rendering of a family without labels (the heartbeat gauge). */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "output/metrics.h"
#include "vigil_abi.h"

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

START_TEST(ring_stats_by_cpu_and_cause)
{
	struct metrics *m = metrics_new();
	struct vigil_cpu_stats st;

	ck_assert_ptr_nonnull(m);
	memset(&st, 0, sizeof(st));
	st.drops[VIGIL_DROP_FULL] = 7;
	st.drops[VIGIL_DROP_NESTED] = 2;
	st.faults = 3;
	st.truncations = 4;
	metrics_ring_stats(m, 0, &st);
	memset(&st, 0, sizeof(st));
	st.drops[VIGIL_DROP_FULL] = 5;
	metrics_ring_stats(m, 1, &st);
	/* cumulative counters from the module: set, not added */
	st.drops[VIGIL_DROP_FULL] = 6;
	metrics_ring_stats(m, 1, &st);

	char *t = metrics_render(m);
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(has_line(t, "vigil_drops_total{cpu=\"0\",cause=\"full\"} 7"), "%s", t);
	ck_assert(has_line(t, "vigil_drops_total{cpu=\"0\",cause=\"nested\"} 2"));
	ck_assert(has_line(t, "vigil_drops_total{cpu=\"0\",cause=\"badtail\"} 0"));
	ck_assert(has_line(t, "vigil_drops_total{cpu=\"0\",cause=\"toobig\"} 0"));
	ck_assert(has_line(t, "vigil_drops_total{cpu=\"1\",cause=\"full\"} 6"));
	ck_assert(has_line(t, "vigil_ring_faults_total{cpu=\"0\"} 3"));
	ck_assert(has_line(t, "vigil_ring_truncations_total{cpu=\"0\"} 4"));
	ck_assert(has_line(t, "vigil_ring_faults_total{cpu=\"1\"} 0"));
	ck_assert_uint_eq(metrics_family_sum(m, METRICS_DROPS), 15);
	free(t);

	/* a family without labels renders without braces */
	metric_set(metrics_series(m, METRICS_TICK, NULL), 1764790000);
	t = metrics_render(m);
	ck_assert_msg(has_line(t, "vigil_tick_timestamp_seconds 1764790000"), "%s", t);
	ck_assert(has_line(t, "# TYPE vigil_tick_timestamp_seconds gauge"));
	free(t);
	metrics_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_test(tc, ring_stats_by_cpu_and_cause);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
