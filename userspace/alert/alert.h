/* SPDX-License-Identifier: MIT */
/*
 * alert.h - the alert record and its formats (DESIGN §5).
 *
 * A struct alert is what the rules stage's match becomes once the CLI adds
 * context: wall-clock time, hostname, container/k8s/owner values. It does not
 * depend on rules internals. Strings are borrowed by the caller; alert_dup()
 * makes one refcounted deep copy (one allocation) for queues.
 *
 * Formats: alert_json() is Falco's shape (time RFC 3339 with ns, rule,
 * priority, source, hostname, output, output_fields, tags) plus a "vigil"
 * object for vigil's extras (environment, owner, count, silenced, context).
 * alert_text() is one line: time, priority, output.
 */
#ifndef VIGIL_ALERT_ALERT_H
#define VIGIL_ALERT_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One table per fact: Falco priority names, syslog level, Alertmanager
 * severity. Ordered from most to least severe; the enum value is the
 * syslog level. */
#define ALERT_PRIORITY_TABLE(X)					\
	X(EMERGENCY,     "Emergency",     "emergency", 0, "critical") \
	X(ALERT,         "Alert",         "alert",     1, "critical") \
	X(CRITICAL,      "Critical",      "critical",  2, "critical") \
	X(ERROR,         "Error",         "error",     3, "warning")  \
	X(WARNING,       "Warning",       "warning",   4, "warning")  \
	X(NOTICE,        "Notice",        "notice",    5, "info")     \
	X(INFORMATIONAL, "Informational", "info",      6, "info")     \
	X(DEBUG,         "Debug",         "debug",     7, "info")

enum alert_priority {
#define X(id, name, low, sys, sev) ALERT_PRIO_##id = sys,
	ALERT_PRIORITY_TABLE(X)
#undef X
	ALERT_PRIO_N
};

const char *alert_priority_name(enum alert_priority p);	/* "Critical" */
const char *alert_priority_lower(enum alert_priority p);	/* "critical" */
int alert_priority_syslog(enum alert_priority p);
const char *alert_priority_severity(enum alert_priority p);	/* Alertmanager */
/* Parses "critical", "Critical", "info", "informational" ...; -1 if unknown. */
int alert_priority_parse(const char *s);

/* Context values the CLI fills from state; one table drives exception
 * matching, dedup keys, journald fields and JSON "vigil.context".
 * (id, name used in configs, journald field suffix) */
#define ALERT_CTX_TABLE(X)						\
	X(CONTAINER_ID,   "container.id",    "CONTAINER_ID")		\
	X(CONTAINER_NAME, "container.name",  "CONTAINER_NAME")		\
	X(IMAGE,          "container.image", "CONTAINER_IMAGE")		\
	X(K8S_NS,         "k8s.ns.name",     "K8S_NS")			\
	X(K8S_POD,        "k8s.pod.name",    "K8S_POD")			\
	X(OWNER,          "owner",           "OWNER")			\
	X(ENVIRONMENT,    "environment",     "ENVIRONMENT")		\
	X(PROC_NAME,      "proc.name",       "PROC_NAME")		\
	X(PROC_EXE,       "proc.exepath",    "PROC_EXE")		\
	X(USER,           "user.name",       "USER")

enum alert_ctx {
#define X(id, name, jf) ALERT_CTX_##id,
	ALERT_CTX_TABLE(X)
#undef X
	ALERT_CTX_N
};

const char *alert_ctx_name(enum alert_ctx c);
const char *alert_ctx_journal(enum alert_ctx c);
int alert_ctx_lookup(const char *name);	/* -1 if not a context key */

struct alert_field {
	const char *name;
	const char *value;
};

struct alert {
	uint64_t time_ns;		/* wall clock, ns since the epoch */
	const char *rule;
	enum alert_priority priority;
	const char *source;		/* "syscall" */
	const char *hostname;
	const char *output;		/* the rule's formatted output */
	const char **tags;
	size_t ntags;
	const struct alert_field *fields;	/* output_fields */
	size_t nfields;
	const char *ctx[ALERT_CTX_N];	/* NULL = unknown */
	/* set by the policy */
	uint64_t count;			/* >1: this alert stands for count hits */
	bool silenced;			/* recorded during a maintenance window */
	/* private: set by alert_dup() */
	int refs_;
};

/* The value of a context key or output field by name, NULL if absent. */
const char *alert_get(const struct alert *a, const char *name);
bool alert_has_tag(const struct alert *a, const char *tag);

/* Deep copy in one allocation, refcount 1. NULL on ENOMEM. */
struct alert *alert_dup(const struct alert *a);
void alert_ref(struct alert *a);
void alert_put(struct alert *a);

/* RFC 3339 UTC with nanoseconds: 2026-12-03T19:23:50.123456789Z. */
void alert_time_rfc3339(uint64_t ns, char *buf, size_t len);

/* Formats into a malloc'd NUL-terminated string (no trailing newline);
 * NULL on ENOMEM. */
char *alert_json(const struct alert *a);
char *alert_text(const struct alert *a);

/* json-c object of the Falco shape (caller puts it). */
struct json_object;
struct json_object *alert_json_object(const struct alert *a);

#endif
