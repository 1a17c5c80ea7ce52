/* SPDX-License-Identifier: MIT */
/*
 * policy.h - noise control, applied to each alert before routing:
 *   1. environment profile: priority overrides, minimum priority
 *   2. exceptions (rule or tag + context globs; expiry)
 *   3. maintenance windows / silences (one-off or weekly, time zone)
 *   4. dedup (rule + key within a window -> one follow-up with a count)
 *   5. per-rule token bucket rate limit
 * policy_tick() emits dedup follow-ups and the periodic suppression summary.
 *
 * The conf structs below are what config/ fills from vigil.yaml; the policy
 * copies nothing from them, so the conf must outlive the policy.
 * Not thread-safe: one policy per event-processing thread.
 */
#ifndef VIGIL_ALERT_POLICY_H
#define VIGIL_ALERT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "alert/alert.h"

struct tz;

/* A glob pattern (fnmatch) on one context key or output field. */
struct policy_cond {
	char *key;		/* "container.image", "k8s.ns.name", "owner", ... */
	char *glob;
};

struct policy_exception {
	char *name;
	char *comment;
	char *rule;		/* glob on the rule name, NULL = any */
	char *tag;		/* NULL = any */
	struct policy_cond *conds;	/* all must match */
	size_t nconds;
	time_t expires;		/* 0 = never */
	int line;		/* where it was defined (config line) */
};

enum policy_window_kind { POLICY_WINDOW_ONEOFF, POLICY_WINDOW_WEEKLY };

struct policy_silence {
	char *name;
	char *comment;
	enum policy_window_kind kind;
	time_t from, until;	/* one-off: [from, until) UTC */
	unsigned days;		/* weekly: bit d = start day (0 = Sunday) */
	int start_min, end_min;	/* weekly: minutes of day; end <= start crosses midnight */
	char *tz_name;
	struct tz *tz;		/* loaded by the config loader */
	/* scope: all given ones must match; globs */
	char *rule, *tag, *ns, *owner, *host;
	int line;
};

struct policy_override {
	char *rule;		/* glob */
	int priority;		/* enum alert_priority */
};

struct policy_rate {
	char *rule;		/* glob; NULL = default for every rule */
	double per_second;	/* refill rate */
	double burst;		/* bucket size */
};

struct policy_conf {
	const char *environment;	/* stamped on alerts that have none */
	int min_priority;		/* -1 = none; else drop less severe */
	struct policy_override *overrides;	/* first matching applies */
	size_t noverrides;
	struct policy_exception *exceptions;
	size_t nexceptions;
	struct policy_silence *silences;
	size_t nsilences;
	bool record_silenced;		/* pass silenced alerts on, marked */
	unsigned dedup_window_s;	/* 0 = no dedup */
	char **dedup_keys;		/* names of ctx keys / output fields */
	size_t ndedup_keys;
	struct policy_rate *rates;	/* first matching entry applies */
	size_t nrates;
	unsigned summary_interval_s;	/* 0 = no summary */
};

#define POLICY_VERDICT_TABLE(X)		\
	X(PASS, "passed")		\
	X(BELOW_PRIORITY, "below_priority") \
	X(EXCEPTED, "excepted")		\
	X(SILENCED, "silenced")		\
	X(DEDUPED, "deduped")		\
	X(RATE_LIMITED, "rate_limited")

enum policy_verdict {
#define X(id, name) POLICY_##id,
	POLICY_VERDICT_TABLE(X)
#undef X
	POLICY_VERDICT_N
};
const char *policy_verdict_name(enum policy_verdict v);

struct policy;

struct policy *policy_new(const struct policy_conf *conf, char *err, size_t errlen);
void policy_free(struct policy *p);

/* Decides on alert a (which it may modify: priority override, environment,
 * silenced flag). now is wall-clock seconds (injected for tests).
 * Returns PASS or SILENCED-with-record (a->silenced set) when the alert goes
 * on to the router; other verdicts mean it stops here (counted). */
enum policy_verdict policy_decide(struct policy *p, struct alert *a, time_t now);

/* Emits what is due at now: dedup follow-ups (a copy of the first alert with
 * count = hits folded) and, every summary_interval_s, one summary alert
 * (rule "vigil suppression summary"). emit's alert is only valid during the
 * call. Returns the number emitted. */
typedef void (*policy_emit_fn)(const struct alert *a, void *arg);
int policy_tick(struct policy *p, time_t now, policy_emit_fn emit, void *arg);

/* Counters since start, per verdict. */
uint64_t policy_count(const struct policy *p, enum policy_verdict v);

/* Exceptions expired at `now` (for load-time reporting). */
size_t policy_conf_expired(const struct policy_conf *c, time_t now,
			   void (*report)(const struct policy_exception *e, void *arg),
			   void *arg);

/* Is silence s active at now for alert a (scope and time both)? */
bool policy_silence_active(const struct policy_silence *s, const struct alert *a,
			   time_t now);
bool policy_exception_matches(const struct policy_exception *e,
			      const struct alert *a, time_t now);

#endif
