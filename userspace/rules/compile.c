/* SPDX-License-Identifier: MIT */
/*
 * compile.c - from a condition's AST to bytecode: comparisons (through
 * check.c, consts.c and resolve.c), short-circuit jumps for and/or/not,
 * per-event memo ids shared by equal comparisons, then the event types
 * (index.c) and the peephole passes (optimize.c). Also the listing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile_int.h"

const char *const vm_op_name[VM_OP_NR] = {
#define VM_X_NAME(id, mn, opnd, doc) mn,
	VM_OPCODES(VM_X_NAME)
#undef VM_X_NAME
};
const uint8_t vm_op_operands[VM_OP_NR] = {
#define VM_X_OPND(id, mn, opnd, doc) VMO_##opnd,
	VM_OPCODES(VM_X_OPND)
#undef VM_X_OPND
};
_Static_assert(VM_OP_EXISTS - VM_OP_EQ == CMP_EXISTS, "comparison opcodes follow CMP_OPS");


void rule_cg_err(struct cg *g, const struct srcmap *m, uint32_t off, const char *fmt, ...)
{
	struct diag_loc loc;
	va_list ap;

	srcmap_locate(m, off, &loc);
	va_start(ap, fmt);
	diag_vadd(&g->e->diags, DIAG_ERROR, &loc, fmt, ap);
	va_end(ap);
	g->failed = true;
}

static uint32_t emit(struct cg *g, uint8_t op, uint8_t flags, uint16_t slot, uint32_t arg)
{
	struct program *p = g->p;

	if (p->ncode == g->capcode) {
		uint32_t nc = g->capcode ? g->capcode * 2 : 32;
		struct vm_insn *v = realloc(p->code, nc * sizeof(*v));

		if (!v) {
			g->failed = true;
			return 0;
		}
		p->code = v;
		g->capcode = nc;
	}
	p->code[p->ncode] = (struct vm_insn){ op, flags, slot, arg, UINT32_MAX, 0, VMX_NONE, 0 };
	return p->ncode++;
}

static struct kconst *new_k(struct cg *g, uint32_t *idx)
{
	struct program *p = g->p;

	if (p->nk == g->capk) {
		uint32_t nc = g->capk ? g->capk * 2 : 16;
		struct kconst *v = realloc(p->k, nc * sizeof(*v));

		if (!v) {
			g->failed = true;
			return NULL;
		}
		p->k = v;
		g->capk = nc;
	}
	*idx = p->nk;
	memset(&p->k[p->nk], 0, sizeof(p->k[0]));
	return &p->k[p->nk++];
}

static bool gen(struct cg *g, const struct ast *n, int depth);

static uint64_t fnv64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* Gives the comparison just emitted its engine-wide memo id: equal
 * (op, slot, operand values) share one id. */
static void set_memo(struct cg *g, const struct vm_insn *in, const struct vals *v,
		     const struct ast_val *one)
{
	struct rules_engine *e = g->e;
	uint64_t h = 14695981039346656037ull;
	uint32_t id;

	if (g->failed || !g->p->ncode)
		return;
	h = fnv64(h, &in->op, 1);
	h = fnv64(h, &in->flags, 1);
	h = fnv64(h, &in->slot, 2);
	if (in->flags & VMF_RHS_SLOT)
		h = fnv64(h, &in->arg, 4);
	if (one)
		h = fnv64(fnv64(h, one->s, one->len), "\0", 1);
	for (uint32_t i = 0; v && i < v->n; i++)
		h = fnv64(fnv64(h, v->s[i], v->len[i]), "\0", 1);
	for (id = 0; id < e->nmemo; id++)
		if (e->memo_keys[id] == h)
			break;
	if (id == e->nmemo) {
		if (e->nmemo == e->capmemo) {
			uint32_t nc = e->capmemo ? e->capmemo * 2 : 256;
			uint64_t *nk = realloc(e->memo_keys, nc * sizeof(*nk));

			if (!nk) {
				g->failed = true;
				return;
			}
			e->memo_keys = nk;
			e->capmemo = nc;
		}
		e->memo_keys[e->nmemo++] = h;
	}
	g->p->code[g->p->ncode - 1].memo = id;
}

static bool gen_cmp(struct cg *g, const struct ast *n)
{
	char err[256];
	int slot;
	const struct slot *s;
	enum cmp_op op = n->op;
	uint32_t ki;
	struct kconst *k;

	if (!n->lhs.nxf && !strcmp(n->lhs.text, "evt.type") &&
	    (op == CMP_EQ || op == CMP_NE || op == CMP_IN)) {
		/* the event's type is a number: test a bitmap, extract nothing */
		struct vals v = { 0 };
		bool ok = op == CMP_IN ? rule_expand_vals(g, n, &v) :
			  rule_vals_add(&v, n->vals[0].s, n->vals[0].len);
		char tb[1024];
		size_t tn = (size_t)snprintf(tb, sizeof(tb), "types(");

		k = ok ? new_k(g, &ki) : NULL;
		if (k) {
			k->kind = K_EVTYPES;
			for (uint32_t i = 0; i < v.n; i++) {
				char name[64];
				int t;

				if (v.len[i] >= sizeof(name))
					continue;
				memcpy(name, v.s[i], v.len[i]);
				name[v.len[i]] = 0;
				t = evt_type_by_name(name);
				if (t >= 0) {
					k->evbits[t / 64] |= 1ull << (t % 64);
				} else {
					struct diag_loc loc;
					uint32_t off = n->off;

					/* at the value when it is written here, not
					 * brought in by a list */
					for (uint32_t q = 0; q < n->nvals; q++)
						if (n->vals[q].len == v.len[i] &&
						    !memcmp(n->vals[q].s, v.s[i], v.len[i])) {
							off = n->vals[q].off;
							break;
						}
					srcmap_locate(n->src, off, &loc);
					diag_add(&g->e->diags, DIAG_WARNING, &loc, "'%s' is not an "
						 "event type vigil captures; it never matches", name);
				}
			}
			if (op == CMP_NE)
				tn += (size_t)snprintf(tb + tn, sizeof(tb) - tn, "all but ");
			for (unsigned t = 0; t < VIGIL_EVT_NR && tn < sizeof(tb) - 40; t++)
				if (k->evbits[t / 64] & (1ull << (t % 64)))
					tn += (size_t)snprintf(tb + tn, sizeof(tb) - tn, "%s%s",
							       tb[tn - 1] != '(' && tb[tn - 1] != ' ' ?
							       ", " : "", evt_table[t].name);
			snprintf(tb + tn, sizeof(tb) - tn, ")");
			if (op == CMP_NE)
				for (unsigned w = 0; w < VIGIL_EVT_BITMAP_WORDS; w++)
					k->evbits[w] = ~k->evbits[w];
			k->text = arena_strdup(&g->e->a, tb);
			emit(g, VM_OP_EVTYPE, 0, 0, ki);
		}
		free(v.s);
		free(v.len);
		return k != NULL;
	}
	slot = slot_intern(g->e, &n->lhs, n->src, err, sizeof(err));
	if (slot < 0) {
		if (!strncmp(err, "unknown field", 13))
			g->unknown_field = true;
		if (!(g->r && g->r->skip_unknown && g->unknown_field))
			rule_cg_err(g, n->src, n->lhs.off, "%s", err);
		else
			g->failed = true;
		return false;
	}
	s = &g->e->slots[slot];
	if (!rule_op_accepts(op, s->type)) {
		rule_cg_err(g, n->src, n->off, "operator '%s' does not apply to %s (%s)",
		       cmp_op_name[op], s->text, rule_type_name(s->type));
		return false;
	}
	if (op == CMP_EXISTS) {
		emit(g, VM_OP_EXISTS, 0, (uint16_t)slot, 0);
		set_memo(g, &g->p->code[g->p->ncode - 1], NULL, NULL);
		return true;
	}
	if (n->rhs_field) {
		char err2[256];
		int rs = slot_intern(g->e, &n->rhs_f, n->src, err2, sizeof(err2));

		if (rs < 0) {
			rule_cg_err(g, n->src, n->rhs_f.off, "%s", err2);
			return false;
		}
		s = &g->e->slots[slot];
		if (!rule_types_compatible(s->type, g->e->slots[rs].type) || cmp_op_arity[op] != 2 ||
		    op == CMP_REGEX || op == CMP_BCONTAINS || op == CMP_BSTARTSWITH) {
			rule_cg_err(g, n->src, n->rhs_f.off, "cannot compare %s (%s) %s val(%s) (%s)",
			       s->text, rule_type_name(s->type), cmp_op_name[op],
			       g->e->slots[rs].text, rule_type_name(g->e->slots[rs].type));
			return false;
		}
		emit(g, (uint8_t)(VM_OP_EQ + op), VMF_RHS_SLOT, (uint16_t)slot, (uint32_t)rs);
		set_memo(g, &g->p->code[g->p->ncode - 1], NULL, NULL);
		return true;
	}
	if (cmp_op_arity[op] == 3) {
		struct vals v = { 0 };
		bool ok = rule_expand_vals(g, n, &v);

		if (ok && v.n == 1 && op == CMP_IN && !s->multi && s->type != FT_IPNET &&
		    s->type != FT_IPADDR) {
			/* `in (a)` is `= a` */
			k = new_k(g, &ki);
			ok = k && rule_make_scalar(g, n, CMP_EQ, s->type, v.s[0], v.len[0], k, s->text);
			if (ok) {
				struct ast_val one = { .s = v.s[0], .len = v.len[0] };

				emit(g, VM_OP_EQ, 0, (uint16_t)slot, ki);
				set_memo(g, &g->p->code[g->p->ncode - 1], NULL, &one);
			}
		} else if (ok && v.n == 0) {
			emit(g, VM_OP_FALSE, 0, 0, 0);
		} else if (ok) {
			k = new_k(g, &ki);
			ok = k && rule_make_set(g, n, s->type, &v, k, s->text);
			if (ok) {
				emit(g, (uint8_t)(VM_OP_EQ + op), 0, (uint16_t)slot, ki);
				set_memo(g, &g->p->code[g->p->ncode - 1], &v, NULL);
			}
		}
		free(v.s);
		free(v.len);
		return ok;
	}
	k = new_k(g, &ki);
	if (!k || !rule_make_scalar(g, n, op, s->type, n->vals[0].s, n->vals[0].len, k, s->text))
		return false;
	if ((op == CMP_GLOB || op == CMP_IGLOB) && k->kind == K_STR)
		k->s = arena_strndup(&g->e->a, k->s, k->len);	/* NUL-terminated for fnmatch */
	emit(g, (uint8_t)(VM_OP_EQ + op), 0, (uint16_t)slot, ki);
	set_memo(g, &g->p->code[g->p->ncode - 1], NULL, &n->vals[0]);
	return true;
}

static bool gen(struct cg *g, const struct ast *n, int depth)
{
	uint32_t j;

	if (depth > 400) {
		rule_cg_err(g, n->src, n->off, "%s", "condition nested too deeply");
		return false;
	}
	switch (n->kind) {
	case AST_AND:
	case AST_OR: {
		/* "a and b and c ..." parses (and exception rows are built) as a
		 * left-leaning chain ((a and b) and c): a list, not nesting. Walk
		 * its spine in a loop, so that only real nesting counts against
		 * the depth; the code is the same as recursing. */
		const struct ast **spine, *x;
		size_t k = 0, i;
		bool ok;

		for (x = n; x->kind == n->kind; x = x->l)
			k++;
		spine = malloc(k * sizeof(*spine));
		if (!spine) {
			g->failed = true;
			return false;
		}
		for (x = n, i = k; i > 0; x = x->l)
			spine[--i] = x;	/* spine[0] is the innermost */
		ok = gen(g, x, depth + 1);
		for (i = 0; ok && i < k; i++) {
			j = emit(g, n->kind == AST_AND ? VM_OP_JF : VM_OP_JT, 0, 0, 0);
			ok = gen(g, spine[i]->r, depth + 1);
			if (ok && !g->failed)
				g->p->code[j].arg = g->p->ncode;
		}
		free(spine);
		return ok;
	}
	case AST_NOT:
		if (!gen(g, n->l, depth + 1))
			return false;
		emit(g, VM_OP_NOT, 0, 0, 0);
		return true;
	case AST_CONST:
		emit(g, n->cval ? VM_OP_TRUE : VM_OP_FALSE, 0, 0, 0);
		return true;
	case AST_MACRO: {
		struct macro_def *m;
		const struct ast *body = rule_macro_ast(g, n, &m);
		bool ok;

		if (!body)
			return false;
		m->expanding = true;
		ok = gen(g, body, depth + 1);
		m->expanding = false;
		return ok;
	}
	case AST_CMP:
		return gen_cmp(g, n);
	}
	return false;
}

struct program *compile_cond(struct rules_engine *e, struct rule_def *r, const struct cond *c,
			     int order, unsigned long long evbits[VIGIL_EVT_BITMAP_WORDS],
			     bool *unknown_field)
{
	struct cg g = { .e = e, .r = r, .order = order };
	struct ast *n = cond_parse(&e->a, c->map, &e->diags);
	evset neg;

	*unknown_field = false;
	if (!n)
		return NULL;
	if (r)
		n = with_exceptions(e, r, n);
	g.p = calloc(1, sizeof(*g.p));
	if (!g.p || !n) {
		free(g.p);
		return NULL;
	}
	gen(&g, n, 0);
	emit(&g, VM_OP_RET, 0, 0, 0);
	*unknown_field = g.unknown_field;
	if (!g.failed)
		rule_thread_jumps(g.p);
	if (g.failed) {
		program_free(g.p);
		return NULL;
	}
	rule_evtypes(&g, n, evbits, neg, 0);
	if (r)
		rule_fold_evtypes(g.p, evbits);
	rule_fuse_jumps(g.p);
	rule_count_guards(g.p);
	rule_pick_fast(g.e, g.p);
	return g.p;
}

void program_free(struct program *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->nk; i++) {
		hashset_free(p->k[i].set);
		if (p->k[i].re)
			pcre2_code_free(p->k[i].re);
	}
	free(p->k);
	free(p->code);
	free(p);
}

void program_dump(const struct rules_engine *e, const struct program *p, FILE *f)
{
	bool *used = calloc(e->nslots + 1, sizeof(*used));

	if (!used)
		return;
	for (uint32_t i = 0; i < p->ncode; i++) {
		const struct vm_insn *in = &p->code[i];

		if (vm_op_operands[in->op] >= VMO_SLOT)
			used[in->slot] = true;
		if (in->flags & VMF_RHS_SLOT)
			used[in->arg] = true;
	}
	fprintf(f, "slots:\n");
	for (uint32_t i = 0; i < e->nslots; i++)
		if (used[i])
			fprintf(f, "  f%-3u %s : %s%s\n", i, e->slots[i].text,
				rule_type_name(e->slots[i].type), e->slots[i].multi ? " list" : "");
	fprintf(f, "consts:\n");
	for (uint32_t i = 0; i < p->nk; i++)
		fprintf(f, "  k%-3u %s%s\n", i, p->k[i].text ? p->k[i].text : "?",
			p->k[i].kind == K_REGEX ? " (regex)" : "");
	fprintf(f, "code:\n");
	for (uint32_t i = 0; i < p->ncode; i++) {
		const struct vm_insn *in = &p->code[i];

		if (vm_op_operands[in->op] == VMO_NONE) {
			fprintf(f, "  %04u  %s\n", i, vm_op_name[in->op]);
			continue;
		}
		fprintf(f, "  %04u  %-11s", i, vm_op_name[in->op]);
		switch (vm_op_operands[in->op]) {
		case VMO_JUMP:
			fprintf(f, " %04u", in->arg);
			break;
		case VMO_SLOT:
			fprintf(f, " f%u", in->slot);
			break;
		case VMO_K:
			fprintf(f, " k%u", in->arg);
			break;
		case VMO_SLOT_K:
			if (in->flags & VMF_RHS_SLOT)
				fprintf(f, " f%u, val(f%u)", in->slot, in->arg);
			else
				fprintf(f, " f%u, k%u", in->slot, in->arg);
			break;
		default:
			break;
		}
		if (in->flags & (VMF_JF | VMF_JT))
			fprintf(f, " ; %s %04u", in->flags & VMF_JF ? "jf" : "jt", in->jmp);
		fputc('\n', f);
	}
	free(used);
}
