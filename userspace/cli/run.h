/* SPDX-License-Identifier: MIT */
/*
 * run.h - the pieces of `vigil run` (cli/cmd_run.c), shared by the
 * cli/run_*.c files that wire the stages together:
 *
 *   run_gen     one "generation" of everything a reload replaces at once:
 *               configuration, rules, policy, router, event bitmap
 *               (run_gen.c). SIGHUP builds a new one and swaps it in only
 *               when every part loaded; otherwise the old one stays.
 *   run_pipe    the per-event path: state -> rules -> alert -> policy ->
 *               router, plus ring-drop alerts (run_pipeline.c). The state
 *               outlives generations.
 *   run_source  where records come from: the kernel module's rings, or a
 *               capture file (for tests and offline runs).
 */
#ifndef VIGIL_CLI_RUN_H
#define VIGIL_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vigil_abi.h"
#include "alert/alert.h"
#include "alert/policy.h"
#include "output/router.h"

struct evt;
struct state;
struct metrics;
struct rules_engine;
struct rules_ctx;
struct vigil_config;

#define RUN_DEFAULT_CONFIG	"/etc/vigil/vigil.yaml"
#define RUN_MAX_RULE_ARGS	64
#define RUN_DRAIN_MS		5000u

/* What the command line asked for. */
struct run_opts {
	const char *config;		/* -c; NULL: RUN_DEFAULT_CONFIG if present */
	bool config_given;
	bool no_default_config;		/* replay: built-in defaults unless -c */
	const char *hostname;		/* alerts' hostname over the config's (replay) */
	const char *rules[RUN_MAX_RULE_ARGS];	/* -r, in order; replaces the config's */
	size_t nrules;
	const char *profile;		/* --profile NAME|FILE, loaded after the rules */
	bool json;			/* --json: stdout alerts as JSON lines */
	bool no_stdout, no_journald;	/* only with the built-in outputs */
	const char *json_file;		/* -o FILE: add a JSON-lines file sink */
	const char *capture;		/* --capture FILE: read records from a capture */
	unsigned ring_size;		/* --ring-size BYTES per CPU (0: the module's) */
	bool dry_run;			/* --dry-run: load everything, print, exit */
	double drop_alert_rate;		/* drop alerts per second (Falco: 1/30) */
	double drop_alert_burst;
};

/* ------------------------------------------------------------ generation */
struct run_gen {
	struct vigil_config *cfg;	/* NULL: built-in defaults */
	struct policy_conf pol_default;
	struct out_conf out;		/* what the router was made from */
	struct out_sink_conf *sinks;	/* owned copy of the sink list */
	struct rules_engine *rules;
	struct rules_ctx *rctx;
	struct policy *policy;
	struct router *router;
	struct vigil_evt_bitmap events;	/* what the rules and the state need */
	size_t nrules, nenabled;
	const char *hostname;
	char sources[512];		/* "builtin:rules, profiles/prod.yaml" */
};

/* The configuration file o asks for: -c, else RUN_DEFAULT_CONFIG if it
 * exists (not with no_default_config); NULL: built-in defaults. */
const char *run_config_path(const struct run_opts *o);
/* Loads configuration and rules and opens the sinks. NULL on any error,
 * with err naming the file and the cause (rule diagnostics are printed to
 * stderr as they are, GCC style). */
struct run_gen *run_gen_new(const struct run_opts *o, struct state *st,
			    struct metrics *m, char *err, size_t errlen);
/* Drains the router's queues (up to drain_ms) and frees everything. */
void run_gen_free(struct run_gen *g, unsigned drain_ms);

/* The event types the state stage keeps itself up to date with. */
void run_state_events(struct vigil_evt_bitmap *b);

/* ------------------------------------------------------------- pipeline */
struct run_pipe_stats {
	uint64_t events, matches, alerts, suppressed, refused, generated;
	uint64_t drop_alerts, drops_seen;
};

struct run_pipe;

struct run_pipe *run_pipe_new(struct state *st, int64_t boot_offset_ns,
			      char *err, size_t errlen);
/* Feeds events by type, rule matches and policy verdicts, and the state's
 * table sizes to m (output/metrics.h). Without it: no metrics. */
void run_pipe_set_metrics(struct run_pipe *p, struct metrics *m);
void run_pipe_free(struct run_pipe *p);
/* Points the pipeline at a (new) generation. */
void run_pipe_use(struct run_pipe *p, struct run_gen *g);
/* One event through state, rules, policy and router. */
void run_pipe_event(struct run_pipe *p, const struct evt *ev);
/* Periodic work (call about once a second): policy follow-ups and the
 * drop alert. drops_total is the source's cumulative drop counter. With
 * metrics: the state's table sizes and the heartbeat gauge. */
void run_pipe_tick(struct run_pipe *p, time_t now, uint64_t drops_total,
		   double rate, double burst);
const struct run_pipe_stats *run_pipe_stats(const struct run_pipe *p);
/* An alert made by vigil itself (drops, a failed reload): source
 * "internal", tag vigil_internal, the generation's hostname and the
 * configured environment, straight to the router (no policy). */
void run_pipe_internal(struct run_pipe *p, const char *rule, enum alert_priority prio,
		       const char *output, const struct alert_field *f, size_t nf);

/* ---------------------------------------------------------------- source */
struct run_source {
	/* 1: *ev holds a record (valid until the next call); 0: nothing within
	 * timeout_ms; 2: the end (capture file); -1: error (err). */
	int (*next)(struct run_source *s, struct evt *ev, int timeout_ms,
		    char *err, size_t errlen);
	/* Tells the producer which event types to deliver. 0 or -1 (err). */
	int (*set_events)(struct run_source *s, const struct vigil_evt_bitmap *b,
			  char *err, size_t errlen);
	/* Stops the producer; next() then drains what is left and returns 0. */
	int (*stop)(struct run_source *s, char *err, size_t errlen);
	/* Records lost so far (all CPUs, all causes). */
	uint64_t (*drops)(struct run_source *s);
	/* The counters of CPU cpu (< ncpus) so far: from the module's rings,
	 * or summed from a capture's DROP records (drops only). 0: *st set;
	 * 1: no such ring (CPU absent); -1: error. */
	int (*cpu_stats)(struct run_source *s, unsigned cpu, struct vigil_cpu_stats *st);
	unsigned (*ncpus)(struct run_source *s);
	void (*close)(struct run_source *s);
	int64_t boot_offset_ns;		/* REALTIME - MONOTONIC */
	bool live;			/* fill the state from /proc */
};

struct run_source *run_source_capture(const char *path, char *err, size_t errlen);
/* NULL with err when the device cannot be opened (module not loaded...).
 * ring_size and snaplen 0 keep the module's defaults. */
struct run_source *run_source_ring(unsigned ring_size, unsigned snaplen,
				   char *err, size_t errlen);
/* The source's per-CPU counters into the metrics (vigil_drops_total by cpu
 * and cause, faults, truncations); returns the drops of all CPUs. */
uint64_t run_source_metrics(struct run_source *src, struct metrics *m);

#endif
