/* SPDX-License-Identifier: MIT */
/*
 * index.c - which event types a condition can match, derived as Falco
 * does: evt.type = / != / in give sets, and/or/not combine them (each node
 * keeps the set for when it is true and the one for when it is negated).
 * The engine indexes rules by these sets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile_int.h"

/* ---- event types (Falco's algebra: each node has a set for when it is
 * true and one for when it is negated) ---- */

#define W VIGIL_EVT_BITMAP_WORDS

static void set_all(evset s)
{
	for (unsigned i = 0; i < W; i++)
		s[i] = 0;
	for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
		s[t / 64] |= 1ull << (t % 64);
}

static void set_not(evset s)
{
	evset a;

	set_all(a);
	for (unsigned i = 0; i < W; i++)
		s[i] = ~s[i] & a[i];
}

void rule_evtypes(struct cg *g, const struct ast *n, evset pos, evset neg, int depth)
{
	evset lp, ln, rp, rn;

	set_all(pos);
	set_all(neg);
	if (depth > 400)
		return;
	switch (n->kind) {
	case AST_AND:
	case AST_OR: {
		/* a left-leaning chain of one operator is a list: fold it in a
		 * loop from its innermost operand (see gen() in compile.c) */
		const struct ast **spine, *x;
		size_t k = 0, i;

		for (x = n; x->kind == n->kind; x = x->l)
			k++;
		spine = malloc(k * sizeof(*spine));
		if (!spine)
			return;		/* unknown: all types */
		for (x = n, i = k; i > 0; x = x->l)
			spine[--i] = x;
		rule_evtypes(g, x, lp, ln, depth + 1);
		for (i = 0; i < k; i++) {
			rule_evtypes(g, spine[i]->r, rp, rn, depth + 1);
			for (unsigned w = 0; w < W; w++) {
				lp[w] = n->kind == AST_AND ? lp[w] & rp[w] : lp[w] | rp[w];
				ln[w] = n->kind == AST_AND ? ln[w] | rn[w] : ln[w] & rn[w];
			}
		}
		free(spine);
		memcpy(pos, lp, sizeof(evset));
		memcpy(neg, ln, sizeof(evset));
		return;
	}
	case AST_NOT:
		rule_evtypes(g, n->l, neg, pos, depth + 1);
		return;
	case AST_CONST:
		if (!n->cval)
			memset(pos, 0, sizeof(evset));
		else
			memset(neg, 0, sizeof(evset));
		return;
	case AST_MACRO: {
		struct macro_def *m = rule_find_macro(g->e, n->name);

		if (m && m->ast && !m->expanding) {
			m->expanding = true;
			rule_evtypes(g, m->ast, pos, neg, depth + 1);
			m->expanding = false;
		}
		return;
	}
	case AST_CMP:
		break;
	}
	if (n->lhs.nxf || strcmp(n->lhs.text, "evt.type") || n->rhs_field ||
	    !(n->op == CMP_EQ || n->op == CMP_NE || n->op == CMP_IN))
		return;
	struct vals v = { 0 };
	evset s = { 0 };

	if (n->op == CMP_IN) {
		if (!rule_expand_vals(g, n, &v))
			goto out;
	} else if (!rule_vals_add(&v, n->vals[0].s, n->vals[0].len)) {
		goto out;
	}
	for (uint32_t i = 0; i < v.n; i++) {
		char name[64];
		int t;

		if (v.len[i] >= sizeof(name))
			continue;
		memcpy(name, v.s[i], v.len[i]);
		name[v.len[i]] = 0;
		t = evt_type_by_name(name);
		if (t >= 0)
			s[t / 64] |= 1ull << (t % 64);
	}
	memcpy(pos, s, sizeof(evset));
	memcpy(neg, s, sizeof(evset));
	set_not(neg);
	if (n->op == CMP_NE) {
		memcpy(neg, s, sizeof(evset));
		memcpy(pos, s, sizeof(evset));
		set_not(pos);
	}
out:
	free(v.s);
	free(v.len);
}
