/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - counters and gauges, rendered in the Prometheus text format and
 * served on 127.0.0.1:PORT/metrics.
 *
 * Every stage can be fed from the CLI through this API: families are fixed
 * (one table, in the order the issue asks for: events, drops (with the
 * module's fault and truncation counters), rule matches, policy
 * suppressions, sinks, state, and the engine's heartbeat). A series is a family plus label values;
 * metrics_series() returns a stable handle to cache on hot paths, then
 * metric_add()/metric_set() are one atomic operation.
 */
#ifndef VIGIL_OUTPUT_METRICS_H
#define VIGIL_OUTPUT_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* (id, metric name, type, help, label names, number of labels) */
#define METRICS_FAMILY_TABLE(X)						\
	X(EVENTS, "vigil_events_total", "counter",			\
	  "Events decoded, by event type.", "type", 1)			\
	X(DROPS, "vigil_drops_total", "counter",			\
	  "Events lost before decoding, by CPU and cause.", "cpu,cause", 2) \
	X(RING_FAULTS, "vigil_ring_faults_total", "counter",		\
	  "User-memory reads that failed in the module, by CPU.", "cpu", 1) \
	X(RING_TRUNCATIONS, "vigil_ring_truncations_total", "counter",	\
	  "Values the module cut at the snaplen, by CPU.", "cpu", 1)	\
	X(RULE_MATCHES, "vigil_rule_matches_total", "counter",		\
	  "Rule matches, by rule, priority, namespace, owner and environment.", \
	  "rule,priority,namespace,owner,environment", 5)		\
	X(ALERTS_SILENCED, "vigil_alerts_silenced_total", "counter",	\
	  "Alerts held back by a maintenance window.", "rule", 1)	\
	X(ALERTS_DEDUPED, "vigil_alerts_deduped_total", "counter",	\
	  "Alerts folded into an earlier one by dedup.", "rule", 1)	\
	X(ALERTS_RATE_LIMITED, "vigil_alerts_rate_limited_total", "counter", \
	  "Alerts dropped by the per-rule rate limit.", "rule", 1)	\
	X(ALERTS_EXCEPTED, "vigil_alerts_excepted_total", "counter",	\
	  "Alerts dropped by an exception or the profile's minimum priority.", "rule", 1) \
	X(SINK_SENT, "vigil_sink_sent_total", "counter",		\
	  "Alerts delivered by each sink.", "sink", 1)			\
	X(SINK_FAILED, "vigil_sink_failed_total", "counter",		\
	  "Alerts a sink failed to deliver.", "sink", 1)		\
	X(SINK_DROPPED, "vigil_sink_dropped_total", "counter",		\
	  "Alerts dropped because a sink's queue was full.", "sink", 1)	\
	X(STATE_ENTRIES, "vigil_state_table_entries", "gauge",		\
	  "Entries in each state table.", "table", 1)			\
	X(TICK, "vigil_tick_timestamp_seconds", "gauge",		\
	  "Unix time of the engine's last periodic tick (about once a second).", "", 0)

enum metrics_family {
#define X(id, name, type, help, labels, n) METRICS_##id,
	METRICS_FAMILY_TABLE(X)
#undef X
	METRICS_FAMILY_N
};

#define METRICS_MAX_LABELS 5

struct metrics;
struct metric;
struct vigil_cpu_stats;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);	/* stops the server first */

/* The series of family fam with these label values (as many as the family
 * has; NULL counts as ""). Created on first use; stable until metrics_free.
 * NULL only on ENOMEM. Thread-safe. */
struct metric *metrics_series(struct metrics *m, enum metrics_family fam,
			      const char *const *labels);
void metric_add(struct metric *s, uint64_t n);
void metric_set(struct metric *s, uint64_t v);
uint64_t metric_get(const struct metric *s);
/* Convenience: series lookup + add (not for the hottest paths). */
void metrics_add(struct metrics *m, enum metrics_family fam,
		 const char *const *labels, uint64_t n);

/* The module's counters of one CPU's ring (VIGIL_IOC_GET_STATS; they
 * count from the open of the device): vigil_drops_total{cpu,cause} for
 * every cause of VIGIL_DROP_CAUSES, vigil_ring_faults_total{cpu} and
 * vigil_ring_truncations_total{cpu}. Sets, not adds: call it with the
 * cumulative values as often as wanted. */
void metrics_ring_stats(struct metrics *m, unsigned cpu, const struct vigil_cpu_stats *st);
/* Sum of every series of a family (tests, `vigil stats`). */
uint64_t metrics_family_sum(struct metrics *m, enum metrics_family fam);

/* Prometheus text exposition format, malloc'd; NULL on ENOMEM. */
char *metrics_render(struct metrics *m);

/* Serves GET /metrics on addr:port (IPv4; the config default is 127.0.0.1).
 * port 0 picks one; the bound port is returned via *bound.
 * Returns 0, or -1 with a message in err. */
int metrics_serve(struct metrics *m, const char *addr, unsigned port,
		  unsigned *bound, char *err, size_t errlen);

#endif
