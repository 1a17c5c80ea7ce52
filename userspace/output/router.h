/* SPDX-License-Identifier: MIT */
/*
 * router.h - sends policy-approved alerts to sinks (DESIGN §5).
 *
 *   r = router_new(&cfg->out, metrics, err, len);   opens every sink
 *   router_submit(r, alert);    non-blocking: copies the alert once, queues
 *                               it on each sink the routes select; a full
 *                               queue drops (counted), never waits
 *   router_reopen(r);           async-signal-safe (SIGHUP): file sinks reopen
 *   router_drain(r, ms);        waits until every queue is empty
 *   router_close(r, ms);        drains up to ms, stops workers, frees
 *
 * Each sink has a bounded queue and one worker thread, so a slow or dead sink
 * only ever fills its own queue.
 *
 * Routing: with no routes, every sink gets every alert. With routes, a sink
 * gets an alert when some route naming it matches (min priority, any of its
 * tags, any of its rule globs, environment, owner). Each sink then applies
 * its own min_priority. Silenced alerts (policy record mode) go only to sinks
 * with `silenced: true` (the default for JSON files).
 */
#ifndef VIGIL_OUTPUT_ROUTER_H
#define VIGIL_OUTPUT_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"

struct metrics;

/* (id, config name) */
#define OUT_SINK_TYPE_TABLE(X)		\
	X(STDOUT, "stdout")		\
	X(FILE, "file")			\
	X(JOURNALD, "journald")		\
	X(SYSLOG, "syslog")		\
	X(PROGRAM, "program")		\
	X(WEBHOOK, "webhook")		\
	X(ALERTMANAGER, "alertmanager")

enum out_sink_type {
#define X(id, name) OUT_SINK_##id,
	OUT_SINK_TYPE_TABLE(X)
#undef X
	OUT_SINK_TYPE_N
};
const char *out_sink_type_name(enum out_sink_type t);
int out_sink_type_parse(const char *s);	/* -1 if unknown */

/* NDJSON and JSON_ARRAY: webhook only, `batch` alerts per POST */
enum out_format { OUT_FORMAT_TEXT, OUT_FORMAT_JSON, OUT_FORMAT_NDJSON, OUT_FORMAT_JSON_ARRAY };
enum out_fsync { OUT_FSYNC_NEVER, OUT_FSYNC_ALWAYS, OUT_FSYNC_INTERVAL };

struct out_sink_conf {
	char *name;
	enum out_sink_type type;
	int min_priority;		/* ALERT_PRIO_*; DEBUG = everything */
	size_t queue;			/* bound, alerts */
	size_t batch;			/* alerts per send (http) */
	bool silenced;			/* receives silenced alerts */
	enum out_format format;		/* stdout, program, webhook */
	/* file */
	char *path;
	uint64_t max_size;		/* rotate past this many bytes; 0 = never */
	unsigned keep;			/* rotated files kept */
	enum out_fsync fsync;
	unsigned fsync_ms;
	/* syslog (and journald's fallback) */
	int facility;			/* LOG_LOCAL0, ... */
	/* program */
	char *command;			/* run with /bin/sh -c */
	/* http */
	char *url;
	unsigned timeout_ms;
	int retries;			/* -1 = until delivered or closed */
	unsigned backoff_ms, max_backoff_ms;
	char *ca_file;
	bool insecure;			/* skip TLS verification */
	int line;			/* config line */
};

struct out_route_conf {
	char **sinks;
	size_t nsinks;
	int min_priority;		/* -1 = any */
	char **tags;			/* any of; none = any */
	size_t ntags;
	char **rules;			/* globs, any of */
	size_t nrules;
	char **environments;
	size_t nenvironments;
	char **owners;
	size_t nowners;
	int line;
};

struct out_conf {
	struct out_sink_conf *sinks;
	size_t nsinks;
	struct out_route_conf *routes;
	size_t nroutes;
};

struct out_sink_stats {
	const char *name;
	uint64_t queued, sent, failed, dropped;
};

struct router;

struct router *router_new(const struct out_conf *c, struct metrics *m,
			  char *err, size_t errlen);
/* Returns how many sinks the alert was queued on. */
int router_submit(struct router *r, const struct alert *a);
void router_reopen(struct router *r);
/* 0 when all queues emptied within timeout_ms, -1 otherwise. */
int router_drain(struct router *r, unsigned timeout_ms);
void router_close(struct router *r, unsigned timeout_ms);

size_t router_nsinks(const struct router *r);
struct out_sink_stats router_stats(const struct router *r, size_t i);

#endif
