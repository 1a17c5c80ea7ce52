/* SPDX-License-Identifier: MIT */
/*
 * rules.h - the rules stage: loads Falco-format rule files, compiles each
 * condition to bytecode, indexes rules by event type and evaluates them
 * against decoded events (fields come from fields/fields.h).
 *
 *   struct rules_engine *e = rules_new();
 *   rules_load_file(e, "a.yaml"); rules_load_file(e, "b.yaml");
 *   if (rules_finish(e) != 0) ... print rules_diags(e) ...
 *   struct rules_ctx *c = rules_ctx_new(e, state);
 *   for each event: rules_eval(e, c, &ev, on_match, arg);
 *
 * Later files override earlier ones, in the order they were loaded.
 * Diagnostics (errors and warnings, with file:line:col) accumulate; loading
 * never stops at the first problem when more can be reported.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rules/diag.h"

struct evt;
struct state;

#include "rules/engine_version.h"	/* VIGIL_FALCO_ENGINE_VERSION */

/* Rule priorities, most severe first; value = syslog level. Names are
 * matched case-insensitively ("INFO" is accepted for Informational). */
#define RULE_PRIORITIES(X)			\
	X(EMERGENCY,     "Emergency")		\
	X(ALERT,         "Alert")		\
	X(CRITICAL,      "Critical")		\
	X(ERROR,         "Error")		\
	X(WARNING,       "Warning")		\
	X(NOTICE,        "Notice")		\
	X(INFORMATIONAL, "Informational")	\
	X(DEBUG,         "Debug")
enum rule_priority {
#define RULE_X_PRIO(id, s) RULE_PRIO_##id,
	RULE_PRIORITIES(RULE_X_PRIO)
#undef RULE_X_PRIO
	RULE_PRIO_NR
};
const char *rule_priority_name(enum rule_priority p);
/* -1 if unknown. */
int rule_priority_parse(const char *s);

/* What `vigil list rules` and the alert stage see of a rule. */
struct rule_info {
	const char *name;
	const char *desc;
	const char *condition;	/* as loaded (after appends) */
	const char *output;
	const char *source;	/* "syscall" unless the file says otherwise */
	enum rule_priority priority;
	bool enabled;
	bool compiled;		/* false if it had errors or was skipped */
	const char *const *tags;
	size_t ntags;
	const char *file;
	int line;
	size_t nevtypes;	/* event types it can match (index) */
};

/* One output field of a match (for JSON output_fields). */
struct rule_outfield {
	const char *name;	/* "proc.aname[2]" */
	const char *value;	/* rendered, "<NA>" when missing */
};

/* What the callback of rules_eval() receives. Valid during the call. */
struct rule_match {
	const struct rule_info *rule;
	const char *output;		/* the output line, fields substituted */
	size_t noutfields;
	const struct rule_outfield *outfields;
};
typedef void (*rules_match_fn)(const struct rule_match *m, void *arg);

enum rules_matching { RULES_MATCH_FIRST, RULES_MATCH_ALL };

struct rules_engine;
struct rules_ctx;

struct rules_engine *rules_new(void);
void rules_free(struct rules_engine *e);

/* Loads one file (or text) and applies its items in order. Returns the
 * number of errors this file added (0 = fine). */
int rules_load_file(struct rules_engine *e, const char *path);
int rules_load_text(struct rules_engine *e, const char *name, const char *text);
/* Loads every *.yaml / *.yml of a directory, sorted by name. */
int rules_load_dir(struct rules_engine *e, const char *path);
/* Compiles every rule, builds the index, emits warnings. Returns the
 * total number of errors (0 = the rule set is usable). */
int rules_finish(struct rules_engine *e);

void rules_set_matching(struct rules_engine *e, enum rules_matching m);

const struct diag_list *rules_diags(const struct rules_engine *e);

size_t rules_count(const struct rules_engine *e);
const struct rule_info *rules_get(const struct rules_engine *e, size_t i);
/* Event types a rule can match, as a bitmap over enum vigil_event_type
 * (words of 64 bits; at least VIGIL_EVT_BITMAP_WORDS). */
const unsigned long long *rules_evtypes(const struct rules_engine *e, size_t i);

/*
 * Bytecode listing of a rule (by name) or, if no rule has that name, of the
 * condition text itself compiled against the loaded macros and lists.
 * Compile errors go to the engine's diagnostics; returns 0 on success.
 */
int rules_dump(struct rules_engine *e, const char *rule_or_cond, FILE *f);

/* Evaluation. A context belongs to one thread; it holds every per-event
 * buffer, so rules_eval() never allocates. Make it after rules_finish()
 * (it is sized for the compiled rules); st may be NULL (no state fields). */
struct rules_ctx *rules_ctx_new(struct rules_engine *e, struct state *st);
void rules_ctx_free(struct rules_ctx *c);
/* Runs the rules indexed for ev's type; calls fn per match (in load order;
 * only the first under RULES_MATCH_FIRST). Returns the number of matches. */
int rules_eval(struct rules_engine *e, struct rules_ctx *c, const struct evt *ev,
	       rules_match_fn fn, void *arg);

#endif
