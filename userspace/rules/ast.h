/* SPDX-License-Identifier: MIT */
/*
 * ast.h - internal to the rules stage: the arena, source maps (condition
 * offset -> file:line:col), the condition AST, and the lexer/parser.
 */
#ifndef VIGIL_RULES_AST_H
#define VIGIL_RULES_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/diag.h"

/* ---- arena: everything parsed lives until the engine is freed ---- */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};
void *arena_alloc(struct arena *a, size_t size);	/* zeroed; NULL on OOM */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

/*
 * Where a piece of condition text came from. A condition may be glued from
 * several YAML scalars (append), so a map is a list of segments; each says
 * where in the glued text it starts and where its scalar starts in a file.
 */
struct src_seg {
	uint32_t off;		/* offset of the segment in the glued text */
	const char *file;	/* NULL: text typed on the command line */
	const char *raw;	/* whole file text, for walking folded scalars */
	int line, col;		/* 1-based position of the scalar's first char */
	int style;		/* yaml_scalar_style_t */
};
struct srcmap {
	const char *text;	/* the glued condition */
	unsigned nseg;
	struct src_seg seg[8];
};
/* Position of byte `off` of the text. */
void srcmap_locate(const struct srcmap *m, uint32_t off, struct diag_loc *loc);

/* ---- the condition AST ---- */
#define AST_KINDS(X) X(AND) X(OR) X(NOT) X(CMP) X(MACRO) X(CONST)
enum ast_kind {
#define AST_X_KIND(k) AST_##k,
	AST_KINDS(AST_X_KIND)
#undef AST_X_KIND
};

/* Comparison operators: id, spelling, arity (1 = unary, 2 = value,
 * 3 = list). One table; the checker's type rules are in check.c. */
#define CMP_OPS(X)							\
	X(EQ,          "=",           2)				\
	X(NE,          "!=",          2)				\
	X(LT,          "<",           2)				\
	X(LE,          "<=",          2)				\
	X(GT,          ">",           2)				\
	X(GE,          ">=",          2)				\
	X(CONTAINS,    "contains",    2)				\
	X(ICONTAINS,   "icontains",   2)				\
	X(BCONTAINS,   "bcontains",   2)				\
	X(STARTSWITH,  "startswith",  2)				\
	X(BSTARTSWITH, "bstartswith", 2)				\
	X(ENDSWITH,    "endswith",    2)				\
	X(GLOB,        "glob",        2)				\
	X(IGLOB,       "iglob",       2)				\
	X(REGEX,       "regex",       2)				\
	X(IN,          "in",          3)				\
	X(INTERSECTS,  "intersects",  3)				\
	X(PMATCH,      "pmatch",      3)				\
	X(EXISTS,      "exists",      1)
enum cmp_op {
#define CMP_X_ENUM(id, s, a) CMP_##id,
	CMP_OPS(CMP_X_ENUM)
#undef CMP_X_ENUM
	CMP_NR
};
extern const char *const cmp_op_name[CMP_NR];
extern const uint8_t cmp_op_arity[CMP_NR];

/* Transformers applied to a field: tolower(proc.name). */
#define XFORMS(X) X(TOLOWER, "tolower") X(TOUPPER, "toupper")	\
	X(BASENAME, "basename") X(LEN, "len")
enum xform {
#define XF_X_ENUM(id, s) XF_##id,
	XFORMS(XF_X_ENUM)
#undef XF_X_ENUM
	XF_NR
};
extern const char *const xform_name[XF_NR];
#define AST_MAX_XFORMS 4

/* A field operand, possibly wrapped in transformers (innermost first). */
struct ast_field {
	const char *text;	/* "proc.aname[2]" */
	uint32_t off;		/* where the field name starts */
	uint8_t nxf;
	uint8_t xf[AST_MAX_XFORMS];
};

/* One value of a right-hand side. */
struct ast_val {
	const char *s;		/* unescaped text */
	uint32_t len;
	uint32_t off;
	bool quoted;
	bool is_name;		/* bare word inside a list: may name a list */
};

struct ast {
	enum ast_kind kind;
	uint32_t off;			/* where this node starts in its text */
	const struct srcmap *src;
	struct ast *l, *r;		/* AND/OR: both; NOT: l */
	/* CMP */
	enum cmp_op op;
	struct ast_field lhs;
	bool rhs_field;			/* val(field) */
	struct ast_field rhs_f;
	bool rhs_list;			/* a (list) or a list name */
	uint32_t nvals;
	struct ast_val *vals;
	/* MACRO: name (also used for the list name of `in listname`) */
	const char *name;
	/* CONST */
	bool cval;
};

/* Parses `m->text`. On a syntax error adds an error diagnostic (with the
 * position) to `d` and returns NULL. */
struct ast *cond_parse(struct arena *a, const struct srcmap *m, struct diag_list *d);

/* Renders an AST back to text (canonical spelling), for messages/tests. */
size_t ast_render(const struct ast *n, char *buf, size_t size);

#endif
