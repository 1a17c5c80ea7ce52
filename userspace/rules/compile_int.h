/* SPDX-License-Identifier: MIT */
/*
 * compile_int.h - what the compiler's files share (internal to rules/):
 * the code generator's state, list-value expansion, constants, type
 * rules, event-type sets and the peephole passes.
 */
#ifndef VIGIL_RULES_COMPILE_INT_H
#define VIGIL_RULES_COMPILE_INT_H

#include "rules/internal.h"

/* The code generator's state for one condition. */
struct cg {
	struct rules_engine *e;
	struct rule_def *r;
	int order;
	struct program *p;
	uint32_t capcode, capk;
	bool failed, unknown_field;
};

void rule_cg_err(struct cg *g, const struct srcmap *m, uint32_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* check.c: which operators apply to which field types */
bool rule_op_accepts(enum cmp_op op, enum field_type t);
bool rule_types_compatible(enum field_type a, enum field_type b);

/* resolve.c: macros, lists (values of a list operand, list names expanded
 * recursively), exceptions folded into a rule's condition */
struct vals {
	const char **s;
	uint32_t *len;
	uint32_t n, cap;
};
bool rule_vals_add(struct vals *v, const char *s, uint32_t len);
bool rule_expand_vals(struct cg *g, const struct ast *n, struct vals *out);
struct ast *rule_macro_ast(struct cg *g, const struct ast *n, struct macro_def **out);
struct ast *with_exceptions(struct rules_engine *e, const struct rule_def *r, struct ast *cond);

/* consts.c: constants of comparisons */
const char *rule_quote(struct arena *a, const char *s, uint32_t len);
bool rule_make_scalar(struct cg *g, const struct ast *n, enum cmp_op op, enum field_type t,
		 const char *s, uint32_t len, struct kconst *k, const char *fname);
bool rule_make_set(struct cg *g, const struct ast *n, enum field_type t, const struct vals *v,
	      struct kconst *k, const char *fname);

/* index.c: the event types a condition can match (when true / negated) */
typedef unsigned long long evset[VIGIL_EVT_BITMAP_WORDS];
void rule_evtypes(struct cg *g, const struct ast *n, evset pos, evset neg, int depth);

/* optimize.c: peephole passes over a finished program */
void rule_thread_jumps(struct program *p);
void rule_fold_evtypes(struct program *p, const unsigned long long *ev);
void rule_fuse_jumps(struct program *p);
void rule_count_guards(struct program *p);
void rule_pick_fast(const struct rules_engine *e, struct program *p);

#endif
