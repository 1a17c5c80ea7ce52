/* SPDX-License-Identifier: MIT */
/*
 * resolve.c - names in conditions: macros (parsed once, cycle-checked),
 * lists (list names inside lists expanded, cycle-checked), and a rule's
 * exceptions turned into `cond and not ((f1 c1 v1 and ...) or ...)`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile_int.h"

/* ---- macros and lists ---- */

struct ast *rule_macro_ast(struct cg *g, const struct ast *n, struct macro_def **out)
{
	struct macro_def *m = rule_find_macro(g->e, n->name);

	*out = m;
	if (!m) {
		rule_cg_err(g, n->src, n->off, "undefined macro '%s'", n->name);
		return NULL;
	}
	if (m->expanding) {
		rule_cg_err(g, n->src, n->off, "macro '%s' refers to itself", n->name);
		return NULL;
	}
	m->used = true;
	if (!m->parsed) {
		m->parsed = true;
		m->ast = cond_parse(&g->e->a, m->cond.map, &g->e->diags);
		m->bad = !m->ast;
	}
	if (m->bad)
		g->failed = true;
	return m->ast;
}

/* Collects the values of a list operand, expanding list names (which may
 * name other lists). Returns false on error. */

bool rule_vals_add(struct vals *v, const char *s, uint32_t len)
{
	if (v->n == v->cap) {
		uint32_t nc = v->cap ? v->cap * 2 : 32;
		const char **ns = realloc(v->s, nc * sizeof(*ns));
		uint32_t *nl;

		if (!ns)
			return false;
		v->s = ns;
		nl = realloc(v->len, nc * sizeof(*nl));
		if (!nl)
			return false;
		v->len = nl;
		v->cap = nc;
	}
	v->s[v->n] = s;
	v->len[v->n++] = len;
	return true;
}

static bool rule_expand_name(struct cg *g, const char *s, uint32_t len, bool maybe_list,
			const struct ast *n, struct vals *out, int depth)
{
	struct list_def *l = maybe_list ? rule_find_list(g->e, s) : NULL;

	if (!l) {
		/* a list item spelled with quotes in YAML: '"a b"' */
		if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
			return rule_vals_add(out, s + 1, len - 2);
		return rule_vals_add(out, s, len);
	}
	if (l->expanding || depth > 32) {
		rule_cg_err(g, n->src, n->off, "list '%s' refers to itself", l->name);
		return false;
	}
	l->used = true;
	l->expanding = true;
	for (size_t i = 0; i < l->items.n; i++)
		if (!rule_expand_name(g, l->items.v[i], (uint32_t)strlen(l->items.v[i]), true, n, out,
				 depth + 1)) {
			l->expanding = false;
			return false;
		}
	l->expanding = false;
	return true;
}

bool rule_expand_vals(struct cg *g, const struct ast *n, struct vals *out)
{
	for (uint32_t i = 0; i < n->nvals; i++)
		if (!rule_expand_name(g, n->vals[i].s, n->vals[i].len, n->vals[i].is_name, n, out, 0))
			return false;
	return true;
}

/* ---- exceptions: `cond and not ((f1 c1 v1 and f2 c2 v2) or ...)` ---- */

static struct srcmap *loc_map(struct arena *a, const struct loc *l, const char *text)
{
	struct srcmap *m = arena_alloc(a, sizeof(*m));

	if (!m)
		return NULL;
	m->text = text;
	m->nseg = 1;
	m->seg[0].file = l->file;
	m->seg[0].raw = NULL;	/* position only: the cell itself */
	m->seg[0].line = l->line;
	m->seg[0].col = l->col;
	return m;
}

static struct ast *exc_cmp(struct rules_engine *e, const struct exception *x, size_t fi,
			   const struct exc_val *cell)
{
	struct arena *a = &e->a;
	struct ast *n = arena_alloc(a, sizeof(*n));
	const char *comp = x->comps[fi] ? x->comps[fi] : (x->single ? "in" : "=");
	int op = -1;

	if (!n)
		return NULL;
	for (int i = 0; i < CMP_NR; i++)
		if (!strcmp(comp, cmp_op_name[i]))
			op = i;
	n->kind = AST_CMP;
	n->op = (enum cmp_op)op;
	n->src = loc_map(a, &x->fields_loc[fi], x->fields[fi]);
	n->lhs.text = x->fields[fi];
	if (cmp_op_arity[op] == 3) {
		n->rhs_list = true;
		if (cell->is_list) {
			n->nvals = (uint32_t)cell->list.n;
			n->vals = arena_alloc(a, (n->nvals + 1) * sizeof(*n->vals));
			if (!n->vals)
				return NULL;
			for (uint32_t i = 0; i < n->nvals; i++) {
				n->vals[i].s = cell->list.v[i];
				n->vals[i].len = (uint32_t)strlen(cell->list.v[i]);
				n->vals[i].is_name = true;
			}
		} else {
			n->nvals = 1;
			n->vals = arena_alloc(a, sizeof(*n->vals));
			if (!n->vals)
				return NULL;
			n->vals[0].s = cell->s;
			n->vals[0].len = (uint32_t)strlen(cell->s);
			n->vals[0].is_name = true;	/* may name a list */
		}
	} else {
		n->nvals = 1;
		n->vals = arena_alloc(a, sizeof(*n->vals));
		if (!n->vals)
			return NULL;
		n->vals[0].s = cell->is_list ? (cell->list.n ? cell->list.v[0] : "") : cell->s;
		n->vals[0].len = (uint32_t)strlen(n->vals[0].s);
	}
	return n;
}

static struct ast *bin(struct arena *a, enum ast_kind k, struct ast *l, struct ast *r)
{
	struct ast *n;

	if (!l)
		return r;
	if (!r)
		return l;
	n = arena_alloc(a, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = k;
	n->l = l;
	n->r = r;
	n->src = l->src;
	n->off = l->off;
	return n;
}

struct ast *with_exceptions(struct rules_engine *e, const struct rule_def *r,
				   struct ast *cond)
{
	struct arena *a = &e->a;
	struct ast *any = NULL;

	for (size_t i = 0; i < r->nexc; i++) {
		const struct exception *x = &r->exc[i];

		for (size_t row = 0; row < x->nrows; row++) {
			struct ast *all = NULL;

			if (x->single) {
				all = exc_cmp(e, x, 0, &x->rows[row][0]);
			} else {
				for (size_t f = 0; f < x->nfields && f < x->rowlen[row]; f++)
					all = bin(a, AST_AND, all, exc_cmp(e, x, f, &x->rows[row][f]));
			}
			any = bin(a, AST_OR, any, all);
		}
	}
	if (!any)
		return cond;
	struct ast *not = arena_alloc(a, sizeof(*not));

	if (!not)
		return NULL;
	not->kind = AST_NOT;
	not->l = any;
	not->src = any->src;
	return bin(a, AST_AND, cond, not);
}
