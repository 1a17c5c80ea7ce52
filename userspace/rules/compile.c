/* SPDX-License-Identifier: MIT */
/*
 * compile.c - from a condition's AST to bytecode: macro and list
 * expansion (with visibility and cycle checks), exceptions folded into the
 * condition, field resolution and type checks, constants (hash sets,
 * PCRE2+JIT regexes, parsed numbers and addresses), short-circuit jumps,
 * and the event types a condition can match.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/internal.h"

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

/* Which field types each operator accepts (one table). */
#define T_NUM  ((1u << FT_INT64) | (1u << FT_UINT64) | (1u << FT_PORT) | \
		(1u << FT_RELTIME) | (1u << FT_ABSTIME))
#define T_STR  ((1u << FT_STRING) | (1u << FT_PATH))
#define T_BYT  (1u << FT_BYTES)
#define T_IP   ((1u << FT_IPADDR) | (1u << FT_IPNET))
#define T_BOOL (1u << FT_BOOL)
#define T_ALL  ((1u << FT_NR) - 1)
static const unsigned op_types[CMP_NR] = {
	[CMP_EQ] = T_ALL, [CMP_NE] = T_ALL,
	[CMP_LT] = T_NUM, [CMP_LE] = T_NUM, [CMP_GT] = T_NUM, [CMP_GE] = T_NUM,
	[CMP_CONTAINS] = T_STR | T_BYT, [CMP_ICONTAINS] = T_STR,
	[CMP_BCONTAINS] = T_STR | T_BYT, [CMP_STARTSWITH] = T_STR | T_BYT,
	[CMP_BSTARTSWITH] = T_STR | T_BYT, [CMP_ENDSWITH] = T_STR | T_BYT,
	[CMP_GLOB] = T_STR, [CMP_IGLOB] = T_STR, [CMP_REGEX] = T_STR,
	[CMP_IN] = T_STR | T_NUM | T_IP | T_BYT, [CMP_INTERSECTS] = T_STR | T_NUM | T_IP | T_BYT,
	[CMP_PMATCH] = T_STR, [CMP_EXISTS] = T_ALL,
};

const char *type_name(enum field_type t)
{
	static const char *const n[] = {
#define FT_X_NAME(id, s) s,
		FIELD_TYPES(FT_X_NAME)
#undef FT_X_NAME
	};
	return (unsigned)t < FT_NR ? n[t] : "?";
}

struct cg {
	struct rules_engine *e;
	struct rule_def *r;
	int order;
	struct program *p;
	uint32_t capcode, capk;
	bool failed, unknown_field;
};

static void cg_err(struct cg *g, const struct srcmap *m, uint32_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void cg_err(struct cg *g, const struct srcmap *m, uint32_t off, const char *fmt, ...)
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
	p->code[p->ncode] = (struct vm_insn){ op, flags, slot, arg, UINT32_MAX, 0 };
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

/* ---- slots ---- */

int slot_intern(struct rules_engine *e, const struct ast_field *f, const struct srcmap *m,
		char *err, size_t errlen)
{
	struct field_ref ref;
	char text[512];
	size_t n = 0;
	enum field_type t;
	bool multi;
	const struct field_info *fi;

	(void)m;
	text[0] = 0;
	for (int i = f->nxf - 1; i >= 0; i--) {
		strcat(text, xform_name[f->xf[i]]);
		strcat(text, "(");
	}
	n = strlen(text);
	snprintf(text + n, sizeof(text) - n - 8, "%s", f->text);
	for (int i = 0; i < f->nxf; i++)
		strcat(text, ")");
	for (uint32_t i = 0; i < e->nslots; i++)
		if (!strcmp(e->slots[i].text, text))
			return (int)i;
	if (field_resolve(f->text, strlen(f->text), &ref, err, errlen) < 0)
		return -1;
	fi = &field_table[ref.id];
	t = fi->type;
	multi = (fi->flags & FF_LIST) && ref.index < 0;
	for (int i = 0; i < f->nxf; i++) {
		switch (f->xf[i]) {
		case XF_TOLOWER:
		case XF_TOUPPER:
		case XF_BASENAME:
			if (t != FT_STRING && t != FT_PATH) {
				snprintf(err, errlen, "%s() needs a string, but %s is %s",
					 xform_name[f->xf[i]], f->text, type_name(t));
				return -1;
			}
			t = FT_STRING;
			break;
		case XF_LEN:
			if (t != FT_STRING && t != FT_PATH && t != FT_BYTES && !multi) {
				snprintf(err, errlen, "len() needs a string, bytes or a list, but %s "
					 "is %s", f->text, type_name(t));
				return -1;
			}
			t = FT_INT64;
			multi = false;
			break;
		}
	}
	if (e->nslots == e->capslots) {
		uint32_t nc = e->capslots ? e->capslots * 2 : 64;
		struct slot *v;

		if (nc > 65535) {
			snprintf(err, errlen, "too many distinct fields");
			return -1;
		}
		v = realloc(e->slots, nc * sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		e->slots = v;
		e->capslots = nc;
	}
	struct slot *s = &e->slots[e->nslots];

	memset(s, 0, sizeof(*s));
	s->ref = ref;
	s->text = arena_strdup(&e->a, text);
	s->nxf = f->nxf;
	memcpy(s->xf, f->xf, sizeof(s->xf));
	s->type = t;
	s->multi = multi;
	s->many = (fi->flags & FF_LIST) && ref.index < 0;
	return (int)e->nslots++;
}

/* ---- macros and lists ---- */

static struct ast *macro_ast(struct cg *g, const struct ast *n, struct macro_def **out)
{
	struct macro_def *m = find_macro(g->e, n->name);

	*out = m;
	if (!m) {
		cg_err(g, n->src, n->off, "undefined macro '%s'", n->name);
		return NULL;
	}
	if (m->expanding) {
		cg_err(g, n->src, n->off, "macro '%s' refers to itself", n->name);
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
struct vals {
	const char **s;
	uint32_t *len;
	uint32_t n, cap;
};

static bool vals_add(struct vals *v, const char *s, uint32_t len)
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

static bool expand_name(struct cg *g, const char *s, uint32_t len, bool maybe_list,
			const struct ast *n, struct vals *out, int depth)
{
	struct list_def *l = maybe_list ? find_list(g->e, s) : NULL;

	if (!l) {
		/* a list item spelled with quotes in YAML: '"a b"' */
		if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
			return vals_add(out, s + 1, len - 2);
		return vals_add(out, s, len);
	}
	if (l->expanding || depth > 32) {
		cg_err(g, n->src, n->off, "list '%s' refers to itself", l->name);
		return false;
	}
	l->used = true;
	l->expanding = true;
	for (size_t i = 0; i < l->items.n; i++)
		if (!expand_name(g, l->items.v[i], (uint32_t)strlen(l->items.v[i]), true, n, out,
				 depth + 1)) {
			l->expanding = false;
			return false;
		}
	l->expanding = false;
	return true;
}

static bool expand_vals(struct cg *g, const struct ast *n, struct vals *out)
{
	for (uint32_t i = 0; i < n->nvals; i++)
		if (!expand_name(g, n->vals[i].s, n->vals[i].len, n->vals[i].is_name, n, out, 0))
			return false;
	return true;
}

/* ---- constants ---- */

static const char *quote(struct arena *a, const char *s, uint32_t len)
{
	char buf[600];
	size_t n = 0;

	buf[n++] = '"';
	for (uint32_t i = 0; i < len && n < sizeof(buf) - 8; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\%c", c);
		else if (c < 32 || c >= 127)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (n >= sizeof(buf) - 8)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "...");
	buf[n++] = '"';
	return arena_strndup(a, buf, n);
}

static bool parse_num(const char *s, uint32_t len, bool is_unsigned, int64_t *i, uint64_t *u)
{
	char buf[64], *end;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	if (is_unsigned && buf[0] != '-') {
		*u = strtoull(buf, &end, 0);
		*i = (int64_t)*u;
	} else {
		*i = strtoll(buf, &end, 0);
		*u = (uint64_t)*i;
	}
	return !errno && !*end && end != buf;
}

static bool parse_ip(const char *s, uint32_t len, struct kconst *k)
{
	char buf[64], *slash;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, k->a) == 1) {
		k->family = AF_INET;
		k->bits = 32;
	} else if (inet_pton(AF_INET6, buf, k->a) == 1) {
		k->family = AF_INET6;
		k->bits = 128;
	} else {
		return false;
	}
	k->kind = K_IP;
	if (slash) {
		char *end;
		long b = strtol(slash + 1, &end, 10);

		if (*end || end == slash + 1 || b < 0 || b > k->bits)
			return false;
		k->bits = (uint8_t)b;
		k->kind = K_NET;
	}
	return true;
}

static int hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One scalar constant for op on type t. */
static bool make_scalar(struct cg *g, const struct ast *n, enum cmp_op op, enum field_type t,
			const char *s, uint32_t len, struct kconst *k, const char *fname)
{
	struct arena *a = &g->e->a;

	switch (op) {
	case CMP_BCONTAINS:
	case CMP_BSTARTSWITH: {
		char *b;

		if (len % 2) {
			cg_err(g, n->src, n->off, "%s needs hex bytes, '%.*s' has an odd length",
			       cmp_op_name[op], (int)len, s);
			return false;
		}
		b = arena_alloc(a, len / 2 + 1);
		if (!b)
			return false;
		for (uint32_t i = 0; i < len; i += 2) {
			int h = hexv(s[i]), l = hexv(s[i + 1]);

			if (h < 0 || l < 0) {
				cg_err(g, n->src, n->off, "%s needs hex bytes, '%.*s' is not hex",
				       cmp_op_name[op], (int)len, s);
				return false;
			}
			b[i / 2] = (char)(h * 16 + l);
		}
		k->kind = K_STR;
		k->s = b;
		k->len = len / 2;
		k->text = quote(a, b, len / 2);
		return true;
	}
	case CMP_REGEX: {
		int ec;
		PCRE2_SIZE eo;

		k->kind = K_REGEX;
		k->re = pcre2_compile((PCRE2_SPTR)s, len, 0, &ec, &eo, NULL);
		if (!k->re) {
			PCRE2_UCHAR m[120];

			pcre2_get_error_message(ec, m, sizeof(m));
			cg_err(g, n->src, n->off, "bad regex '%.*s': %s at offset %zu",
			       (int)len, s, (char *)m, (size_t)eo);
			return false;
		}
		pcre2_jit_compile(k->re, PCRE2_JIT_COMPLETE);	/* falls back if unsupported */
		k->text = quote(a, s, len);
		return true;
	}
	case CMP_ICONTAINS: {
		char *b = arena_strndup(a, s, len);

		if (!b)
			return false;
		for (uint32_t i = 0; i < len; i++)
			if (b[i] >= 'A' && b[i] <= 'Z')
				b[i] = (char)(b[i] + 32);
		k->kind = K_STR;
		k->s = b;
		k->len = len;
		k->text = quote(a, b, len);
		return true;
	}
	default:
		break;
	}
	switch (t) {
	case FT_STRING:
	case FT_PATH:
	case FT_BYTES:
		k->kind = K_STR;
		k->s = arena_strndup(a, s, len);
		k->len = len;
		k->text = quote(a, s, len);
		return k->s != NULL;
	case FT_BOOL:
		k->kind = K_BOOL;
		if (len == 4 && !strncasecmp(s, "true", 4))
			k->b = true;
		else if (!(len == 5 && !strncasecmp(s, "false", 5))) {
			cg_err(g, n->src, n->off, "'%.*s' is not a bool (%s is bool: true or false)",
			       (int)len, s, fname);
			return false;
		}
		k->text = k->b ? "true" : "false";
		return true;
	case FT_IPADDR:
	case FT_IPNET:
		if (!parse_ip(s, len, k)) {
			cg_err(g, n->src, n->off, "'%.*s' is not an IP address or network (%s is %s)",
			       (int)len, s, fname, type_name(t));
			return false;
		}
		k->text = arena_strndup(a, s, len);
		return true;
	default:
		if (!parse_num(s, len, t == FT_UINT64, &k->i, &k->u)) {
			cg_err(g, n->src, n->off, "'%.*s' is not a number (%s is %s)", (int)len, s,
			       fname, type_name(t));
			return false;
		}
		k->kind = t == FT_UINT64 && s[0] != '-' ? K_UINT : K_INT;
		{
			char b[32];

			if (k->kind == K_UINT)
				snprintf(b, sizeof(b), "%llu", (unsigned long long)k->u);
			else
				snprintf(b, sizeof(b), "%lld", (long long)k->i);
			k->text = arena_strdup(a, b);
		}
		return true;
	}
}

/* A set constant for in/intersects/pmatch. */
static bool make_set(struct cg *g, const struct ast *n, enum field_type t, const struct vals *v,
		     struct kconst *k, const char *fname)
{
	struct arena *a = &g->e->a;
	char tb[1024];
	size_t tn = 0;

	if (n->op == CMP_PMATCH || t == FT_IPADDR || t == FT_IPNET) {
		k->kind = n->op == CMP_PMATCH ? K_PATHS : K_NETS;
		k->items = arena_alloc(a, (v->n + 1) * sizeof(*k->items));
		if (!k->items)
			return false;
		for (uint32_t i = 0; i < v->n; i++) {
			struct kconst *it = &k->items[k->nitems];

			if (k->kind == K_NETS) {
				if (!make_scalar(g, n, CMP_EQ, t, v->s[i], v->len[i], it, fname))
					return false;
			} else {
				uint32_t len = v->len[i];

				while (len > 1 && v->s[i][len - 1] == '/')
					len--;
				it->kind = K_STR;
				it->s = arena_strndup(a, v->s[i], len);
				it->len = len;
				it->text = quote(a, v->s[i], len);
			}
			k->nitems++;
		}
	} else {
		k->kind = K_SET;
		k->set = hashset_new(v->n);
		if (!k->set)
			return false;
		for (uint32_t i = 0; i < v->n; i++) {
			struct kconst it = { 0 };

			if (!make_scalar(g, n, CMP_EQ, t, v->s[i], v->len[i], &it, fname)) {
				return false;
			}
			if (it.kind == K_STR) {
				if (!hashset_add(k->set, it.s, it.len))
					return false;
			} else {
				char *b = arena_alloc(a, 8);

				if (!b)
					return false;
				memcpy(b, it.kind == K_UINT ? (void *)&it.u : (void *)&it.i, 8);
				if (!hashset_add(k->set, b, 8))
					return false;
			}
		}
	}
	/* listing text, in source order */
	tn = (size_t)snprintf(tb, sizeof(tb), "%s(", k->kind == K_PATHS ? "paths" :
			      k->kind == K_NETS ? "nets" : "set");
	for (uint32_t i = 0; i < v->n && tn < sizeof(tb) - 8; i++) {
		const char *q = quote(a, v->s[i], v->len[i]);

		tn += (size_t)snprintf(tb + tn, sizeof(tb) - tn, "%s%s", i ? ", " : "",
				       q ? q : "");
	}
	if (tn >= sizeof(tb) - 8)
		tn = sizeof(tb) - 8, tn += (size_t)snprintf(tb + tn, 8, "...");
	snprintf(tb + tn, sizeof(tb) - tn, ")");
	k->text = arena_strdup(a, tb);
	return true;
}

static bool types_compatible(enum field_type a, enum field_type b)
{
	unsigned ma = 1u << a, mb = 1u << b;

	return a == b || ((ma & T_STR) && (mb & T_STR)) || ((ma & T_NUM) && (mb & T_NUM)) ||
	       ((ma & T_IP) && (mb & T_IP));
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
		bool ok = op == CMP_IN ? expand_vals(g, n, &v) :
			  vals_add(&v, n->vals[0].s, n->vals[0].len);
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

					srcmap_locate(n->src, n->off, &loc);
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
			cg_err(g, n->src, n->lhs.off, "%s", err);
		else
			g->failed = true;
		return false;
	}
	s = &g->e->slots[slot];
	if (!(op_types[op] & (1u << s->type))) {
		cg_err(g, n->src, n->off, "operator '%s' does not apply to %s (%s)",
		       cmp_op_name[op], s->text, type_name(s->type));
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
			cg_err(g, n->src, n->rhs_f.off, "%s", err2);
			return false;
		}
		s = &g->e->slots[slot];
		if (!types_compatible(s->type, g->e->slots[rs].type) || cmp_op_arity[op] != 2 ||
		    op == CMP_REGEX || op == CMP_BCONTAINS || op == CMP_BSTARTSWITH) {
			cg_err(g, n->src, n->rhs_f.off, "cannot compare %s (%s) %s val(%s) (%s)",
			       s->text, type_name(s->type), cmp_op_name[op],
			       g->e->slots[rs].text, type_name(g->e->slots[rs].type));
			return false;
		}
		emit(g, (uint8_t)(VM_OP_EQ + op), VMF_RHS_SLOT, (uint16_t)slot, (uint32_t)rs);
		set_memo(g, &g->p->code[g->p->ncode - 1], NULL, NULL);
		return true;
	}
	if (cmp_op_arity[op] == 3) {
		struct vals v = { 0 };
		bool ok = expand_vals(g, n, &v);

		if (ok && v.n == 1 && op == CMP_IN && !s->multi && s->type != FT_IPNET &&
		    s->type != FT_IPADDR) {
			/* `in (a)` is `= a` */
			k = new_k(g, &ki);
			ok = k && make_scalar(g, n, CMP_EQ, s->type, v.s[0], v.len[0], k, s->text);
			if (ok) {
				struct ast_val one = { .s = v.s[0], .len = v.len[0] };

				emit(g, VM_OP_EQ, 0, (uint16_t)slot, ki);
				set_memo(g, &g->p->code[g->p->ncode - 1], NULL, &one);
			}
		} else if (ok && v.n == 0) {
			emit(g, VM_OP_FALSE, 0, 0, 0);
		} else if (ok) {
			k = new_k(g, &ki);
			ok = k && make_set(g, n, s->type, &v, k, s->text);
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
	if (!k || !make_scalar(g, n, op, s->type, n->vals[0].s, n->vals[0].len, k, s->text))
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
		cg_err(g, n->src, n->off, "%s", "condition nested too deeply");
		return false;
	}
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		if (!gen(g, n->l, depth + 1))
			return false;
		j = emit(g, n->kind == AST_AND ? VM_OP_JF : VM_OP_JT, 0, 0, 0);
		if (!gen(g, n->r, depth + 1))
			return false;
		if (!g->failed)
			g->p->code[j].arg = g->p->ncode;
		return true;
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
		const struct ast *body = macro_ast(g, n, &m);
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

/* ---- event types (Falco's algebra: each node has a set for when it is
 * true and one for when it is negated) ---- */

#define W VIGIL_EVT_BITMAP_WORDS
typedef unsigned long long evset[W];

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

static void evtypes(struct cg *g, const struct ast *n, evset pos, evset neg, int depth)
{
	evset lp, ln, rp, rn;

	set_all(pos);
	set_all(neg);
	if (depth > 400)
		return;
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		evtypes(g, n->l, lp, ln, depth + 1);
		evtypes(g, n->r, rp, rn, depth + 1);
		for (unsigned i = 0; i < W; i++) {
			pos[i] = n->kind == AST_AND ? lp[i] & rp[i] : lp[i] | rp[i];
			neg[i] = n->kind == AST_AND ? ln[i] | rn[i] : ln[i] & rn[i];
		}
		return;
	case AST_NOT:
		evtypes(g, n->l, neg, pos, depth + 1);
		return;
	case AST_CONST:
		if (!n->cval)
			memset(pos, 0, sizeof(evset));
		else
			memset(neg, 0, sizeof(evset));
		return;
	case AST_MACRO: {
		struct macro_def *m = find_macro(g->e, n->name);

		if (m && m->ast && !m->expanding) {
			m->expanding = true;
			evtypes(g, m->ast, pos, neg, depth + 1);
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
		if (!expand_vals(g, n, &v))
			goto out;
	} else if (!vals_add(&v, n->vals[0].s, n->vals[0].len)) {
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

static struct ast *with_exceptions(struct rules_engine *e, const struct rule_def *r,
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

/* A jump to a jump of the same kind goes straight to the final target;
 * a JF landing on a JT (or the reverse) falls through it. */
static void thread_jumps(struct program *p)
{
	for (uint32_t i = 0; i < p->ncode; i++) {
		struct vm_insn *in = &p->code[i];
		int guard = 0;

		if (in->op != VM_OP_JF && in->op != VM_OP_JT)
			continue;
		while (guard++ < 64 && in->arg < p->ncode) {
			const struct vm_insn *t = &p->code[in->arg];

			if (t->op == in->op)
				in->arg = t->arg;
			else if (t->op == VM_OP_JF || t->op == VM_OP_JT)
				in->arg = in->arg + 1;
			else
				break;
		}
	}
}

/*
 * A rule runs only on the event types of its index entry, so an evt.type
 * test that covers all of them is always true there (and one that covers
 * none always false). Such tests become TRUE/FALSE, and a TRUE;JF or
 * FALSE;JT pair that no jump lands in is dropped.
 */
static void fold_evtypes(struct program *p, const unsigned long long *ev)
{
	uint32_t *map, n = 0;
	bool *drop, *target;

	for (uint32_t i = 0; i < p->ncode; i++) {
		struct vm_insn *in = &p->code[i];
		bool all = true, none = true;

		if (in->op != VM_OP_EVTYPE)
			continue;
		for (unsigned w = 0; w < VIGIL_EVT_BITMAP_WORDS; w++) {
			all &= (ev[w] & ~p->k[in->arg].evbits[w]) == 0;
			none &= (ev[w] & p->k[in->arg].evbits[w]) == 0;
		}
		if (all || none)
			*in = (struct vm_insn){ all ? VM_OP_TRUE : VM_OP_FALSE, 0, 0, 0, UINT32_MAX, 0 };
	}
	map = calloc(p->ncode + 1, sizeof(*map));
	drop = calloc(p->ncode + 1, sizeof(*drop));
	target = calloc(p->ncode + 1, sizeof(*target));
	if (!map || !drop || !target)
		goto out;
	for (uint32_t i = 0; i < p->ncode; i++)
		if (p->code[i].op == VM_OP_JF || p->code[i].op == VM_OP_JT)
			target[p->code[i].arg] = true;
	for (uint32_t i = 0; i + 1 < p->ncode; i++) {
		uint8_t a = p->code[i].op, b = p->code[i + 1].op;

		if (((a == VM_OP_TRUE && b == VM_OP_JF) || (a == VM_OP_FALSE && b == VM_OP_JT)) &&
		    !target[i] && !target[i + 1] && !drop[i]) {
			drop[i] = drop[i + 1] = true;
			i++;
		}
	}
	for (uint32_t i = 0; i <= p->ncode; i++) {
		map[i] = n;
		if (i < p->ncode && !drop[i])
			n++;
	}
	for (uint32_t i = 0, o = 0; i < p->ncode; i++) {
		struct vm_insn in = p->code[i];

		if (drop[i])
			continue;
		if (in.op == VM_OP_JF || in.op == VM_OP_JT)
			in.arg = map[in.arg];
		p->code[o++] = in;
	}
	p->ncode = n;
	thread_jumps(p);
out:
	free(map);
	free(drop);
	free(target);
}

/* A test followed by JF/JT that no jump lands on takes the jump into
 * itself: one dispatch instead of two. */
static void fuse_jumps(struct program *p)
{
	uint32_t *map = calloc(p->ncode + 1, sizeof(*map)), n = 0;
	bool *drop = calloc(p->ncode + 1, sizeof(*drop));
	bool *target = calloc(p->ncode + 1, sizeof(*target));

	if (!map || !drop || !target)
		goto out;
	for (uint32_t i = 0; i < p->ncode; i++)
		if (p->code[i].op == VM_OP_JF || p->code[i].op == VM_OP_JT)
			target[p->code[i].arg] = true;
	for (uint32_t i = 0; i + 1 < p->ncode; i++) {
		struct vm_insn *a = &p->code[i], *b = &p->code[i + 1];

		if (vm_op_operands[a->op] < VMO_K || (b->op != VM_OP_JF && b->op != VM_OP_JT) ||
		    target[i + 1] || (a->flags & (VMF_JF | VMF_JT)))
			continue;
		a->flags |= b->op == VM_OP_JF ? VMF_JF : VMF_JT;
		a->jmp = b->arg;
		drop[i + 1] = true;
		i++;
	}
	for (uint32_t i = 0; i <= p->ncode; i++) {
		map[i] = n;
		if (i < p->ncode && !drop[i])
			n++;
	}
	for (uint32_t i = 0, o = 0; i < p->ncode; i++) {
		struct vm_insn in = p->code[i];

		if (drop[i])
			continue;
		if (in.op == VM_OP_JF || in.op == VM_OP_JT)
			in.arg = map[in.arg];
		if (in.flags & (VMF_JF | VMF_JT))
			in.jmp = map[in.jmp];
		p->code[o++] = in;
	}
	p->ncode = n;
out:
	free(map);
	free(drop);
	free(target);
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
		thread_jumps(g.p);
	if (g.failed) {
		program_free(g.p);
		return NULL;
	}
	evtypes(&g, n, evbits, neg, 0);
	if (r)
		fold_evtypes(g.p, evbits);
	fuse_jumps(g.p);
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
	bool used[65536] = { 0 };

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
				type_name(e->slots[i].type), e->slots[i].multi ? " list" : "");
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
}
