/* SPDX-License-Identifier: MIT */
/*
 * vm.c - runs a program against the event of a context. Fields are
 * extracted on first use and cached for the event (shared by every rule);
 * nothing here allocates.
 */
#include <fnmatch.h>
#include <string.h>
#include <sys/socket.h>

#include "rules/internal.h"

static char *xalloc(struct rules_ctx *c, size_t n)
{
	char *p;

	if (c->xused + n > sizeof(c->xbuf))
		return NULL;
	p = c->xbuf + c->xused;
	c->xused += n;
	return p;
}

static bool is_str(enum field_type t)
{
	return t == FT_STRING || t == FT_PATH || t == FT_BYTES;
}

static void transform(struct rules_ctx *c, const struct slot *s, struct slot_cache *sc)
{
	for (int x = 0; x < s->nxf; x++) {
		if (s->xf[x] == XF_LEN) {
			int64_t len = s->many ? (int64_t)sc->n :
				      sc->n == 1 && is_str(sc->v[0].type) ? sc->v[0].v.s.len : 0;

			if (sc->n == 0 && !s->many)
				return;		/* len of a missing value is missing */
			sc->n = 1;
			sc->v[0].type = FT_INT64;
			sc->v[0].v.i = len;
			continue;
		}
		for (int i = 0; i < sc->n; i++) {
			struct fv *v = &sc->v[i];
			const char *p = v->v.s.p;
			uint32_t len = v->v.s.len;

			if (!is_str(v->type))
				continue;
			if (s->xf[x] == XF_BASENAME) {
				uint32_t b = len;

				while (b > 1 && p[b - 1] == '/')	/* trailing slashes */
					b--;
				len = b;
				while (b > 0 && p[b - 1] != '/')
					b--;
				v->v.s.p = p + b;
				v->v.s.len = len - b;
				if (len == 1 && p[0] == '/')
					v->v.s.p = p, v->v.s.len = 1;
				v->type = FT_STRING;
				continue;
			}
			char *o = xalloc(c, len);

			if (!o && len) {
				sc->n = 0;	/* out of scratch: treat as missing */
				return;
			}
			for (uint32_t k = 0; k < len; k++) {
				char ch = p[k];

				if (s->xf[x] == XF_TOLOWER && ch >= 'A' && ch <= 'Z')
					ch = (char)(ch + 32);
				else if (s->xf[x] == XF_TOUPPER && ch >= 'a' && ch <= 'z')
					ch = (char)(ch - 32);
				o[k] = ch;
			}
			v->v.s.p = o;
			v->type = FT_STRING;
		}
	}
}

int slot_get(struct rules_ctx *c, uint32_t slot, const struct fv **out)
{
	struct slot_cache *sc = &c->cache[slot];

	if (sc->gen != c->gen) {
		const struct slot *s = &c->e->slots[slot];

		sc->gen = c->gen;
		sc->hashed = false;
		sc->n = field_extract(&c->fc, &s->ref, sc->v, s->many ? VM_MAXV : 1);
		if (sc->n < 0)
			sc->n = 0;
		if (s->nxf)
			transform(c, s, sc);
	}
	*out = sc->v;
	return sc->n;
}

/* ---- comparisons ---- */

static bool icontains(const char *h, uint32_t hl, const char *n, uint32_t nl)
{
	if (nl > hl)
		return false;
	for (uint32_t i = 0; i + nl <= hl; i++) {
		uint32_t k = 0;

		while (k < nl) {
			char ch = h[i + k];

			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch + 32);
			if (ch != n[k] && !(n[k] >= 'A' && n[k] <= 'Z' && ch == n[k] + 32))
				break;
			k++;
		}
		if (k == nl)
			return true;
	}
	return false;
}

/* The needle n (nl >= 2 bytes) at h[i]: first and last byte, then the rest. */
static inline bool sub_at(const char *h, uint32_t i, const char *n, uint32_t nl)
{
	return h[i] == n[0] && h[i + nl - 1] == n[nl - 1] &&
	       (nl <= 2 || !memcmp(h + i + 1, n + 1, nl - 2));
}

static inline uint64_t load8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/*
 * Whether n (nl bytes) occurs in h (hl bytes). Values are short (paths,
 * command lines), where memmem()'s setup costs more than the search: this
 * tests eight start positions at a time, a word of the bytes where the
 * needle's first byte would be against a word of those where its last
 * would be (a zero byte in the xor of both marks a candidate), and looks
 * closer only at candidates.
 */
static bool str_contains(const char *h, uint32_t hl, const char *n, uint32_t nl)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint32_t i = 0, last;

	if (nl == 0)
		return true;
	if (nl > hl)
		return false;
	if (nl == 1)
		return memchr(h, n[0], hl) != NULL;
	last = hl - nl;		/* the last start position */
	uint64_t first = ones * (uint8_t)n[0], end = ones * (uint8_t)n[nl - 1];

	for (; i + 8 <= last + 1; i += 8) {
		uint64_t x = (load8(h + i) ^ first) | (load8(h + i + nl - 1) ^ end);

		if (!((x - ones) & ~x & highs))
			continue;	/* no position of the eight has both ends */
		for (uint32_t j = i; j < i + 8; j++)
			if (sub_at(h, j, n, nl))
				return true;
	}
	for (; i <= last; i++)
		if (sub_at(h, i, n, nl))
			return true;
	return false;
}

static bool ip_in_net(const uint8_t *a, uint8_t fam, const struct kconst *k)
{
	unsigned bits = k->bits, full = bits / 8, rem = bits % 8;

	if (fam != k->family)
		return false;
	if (memcmp(a, k->a, full))
		return false;
	return !rem || ((a[full] ^ k->a[full]) & (uint8_t)(0xff << (8 - rem))) == 0;
}

static bool ip_match(const struct fv *v, const struct kconst *k)
{
	uint8_t fam = v->type == FT_IPNET ? v->v.net.family : v->v.ip.family;
	const uint8_t *a = v->type == FT_IPNET ? v->v.net.a : v->v.ip.a;
	unsigned alen = fam == AF_INET ? 4 : 16;

	if (k->kind == K_NET)
		return ip_in_net(a, fam, k);
	if (v->type == FT_IPNET) {	/* a network value against an address */
		struct kconst net = *k;

		net.bits = v->v.net.bits;
		memcpy(net.a, a, 16);
		return ip_in_net(k->a, k->family, &net);
	}
	return fam == k->family && !memcmp(a, k->a, alen);
}

static bool is_uns(enum field_type t)
{
	return t == FT_UINT64;
}

/* Three-way compare of a numeric value with a constant. */
static int num_cmp(const struct fv *v, const struct kconst *k)
{
	if (is_uns(v->type) && k->kind == K_UINT)
		return v->v.u < k->u ? -1 : v->v.u > k->u;
	if (is_uns(v->type)) {		/* negative constant */
		return 1;
	}
	if (k->kind == K_UINT && k->u > (uint64_t)INT64_MAX)
		return -1;
	return v->v.i < k->i ? -1 : v->v.i > k->i;
}

static bool glob_match(const char *pat, const struct fv *v, int flags)
{
	char buf[4096];
	uint32_t len = v->v.s.len;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, v->v.s.p, len);
	buf[len] = 0;
	return fnmatch(pat, buf, flags) == 0;
}

static bool path_under(const struct fv *v, const struct kconst *k)
{
	const char *p = v->v.s.p;
	uint32_t len = v->v.s.len;

	for (uint32_t i = 0; i < k->nitems; i++) {
		const struct kconst *it = &k->items[i];

		if (len < it->len || memcmp(p, it->s, it->len))
			continue;
		if (len == it->len || p[it->len] == '/' || (it->len == 1 && it->s[0] == '/'))
			return true;
	}
	return false;
}

static bool in_set(const struct fv *v, const struct kconst *k, const uint32_t *hv)
{
	switch (k->kind) {
	case K_SET:
		if (is_str(v->type))
			return hv ? hashset_has_h(k->set, v->v.s.p, v->v.s.len, *hv) :
				    hashset_has(k->set, v->v.s.p, v->v.s.len);
		if (v->type == FT_BOOL)
			return false;
		return hashset_has(k->set, (const char *)&v->v.i, 8);
	case K_NETS:
		for (uint32_t i = 0; i < k->nitems; i++)
			if (ip_match(v, &k->items[i]))
				return true;
		return false;
	case K_PATHS:
		return path_under(v, k);
	default:
		return false;
	}
}

static bool cmp1(struct rules_ctx *c, unsigned op, const struct fv *v, const struct kconst *k)
{
	const char *p = v->v.s.p;
	uint32_t len = v->v.s.len;

	switch (op) {
	case VM_OP_EQ:
	case VM_OP_NE:
		switch (k->kind) {
		case K_STR: return len == k->len && !memcmp(p, k->s, len);
		case K_BOOL: return v->v.b == k->b;
		case K_IP:
		case K_NET: return ip_match(v, k);
		default: return num_cmp(v, k) == 0;
		}
	case VM_OP_LT: return num_cmp(v, k) < 0;
	case VM_OP_LE: return num_cmp(v, k) <= 0;
	case VM_OP_GT: return num_cmp(v, k) > 0;
	case VM_OP_GE: return num_cmp(v, k) >= 0;
	case VM_OP_CONTAINS:
	case VM_OP_BCONTAINS:
		return str_contains(p, len, k->s, k->len);
	case VM_OP_ICONTAINS:
		return icontains(p, len, k->s, k->len);
	case VM_OP_STARTSWITH:
	case VM_OP_BSTARTSWITH:
		return len >= k->len && !memcmp(p, k->s, k->len);
	case VM_OP_ENDSWITH:
		return len >= k->len && !memcmp(p + len - k->len, k->s, k->len);
	case VM_OP_GLOB:
		return glob_match(k->s, v, 0);
	case VM_OP_IGLOB:
		return glob_match(k->s, v, FNM_CASEFOLD);
	case VM_OP_REGEX:
		return pcre2_match(k->re, (PCRE2_SPTR)p, len, 0, 0, c->md, NULL) >= 0;
	case VM_OP_IN:
	case VM_OP_INTERSECTS:
	case VM_OP_PMATCH:
		return in_set(v, k, NULL);
	}
	return false;
}

/* Compares two extracted values (val()). */
static bool cmpv(unsigned op, const struct fv *a, const struct fv *b)
{
	struct kconst k = { 0 };

	if (is_str(b->type)) {
		k.kind = K_STR;
		k.s = b->v.s.p;
		k.len = b->v.s.len;
		if (op == VM_OP_ICONTAINS)
			return icontains(a->v.s.p, a->v.s.len, b->v.s.p, b->v.s.len);
		if (op == VM_OP_GLOB || op == VM_OP_IGLOB) {
			char pat[1024];

			if (k.len >= sizeof(pat))
				return false;
			memcpy(pat, k.s, k.len);
			pat[k.len] = 0;
			return glob_match(pat, a, op == VM_OP_IGLOB ? FNM_CASEFOLD : 0);
		}
	} else if (b->type == FT_BOOL) {
		k.kind = K_BOOL;
		k.b = b->v.b;
	} else if (b->type == FT_IPADDR || b->type == FT_IPNET) {
		k.kind = b->type == FT_IPNET ? K_NET : K_IP;
		k.family = b->type == FT_IPNET ? b->v.net.family : b->v.ip.family;
		memcpy(k.a, b->type == FT_IPNET ? b->v.net.a : b->v.ip.a, 16);
		k.bits = b->type == FT_IPNET ? b->v.net.bits : (k.family == AF_INET ? 32 : 128);
	} else {
		k.kind = is_uns(b->type) ? K_UINT : K_INT;
		k.i = b->v.i;
		k.u = b->v.u;
	}
	return cmp1(NULL, op, a, &k);
}

/*
 * The commonest tests, inline: string equality, prefix and suffix (a byte
 * at the end of the compared span rejects most values before memcmp()),
 * and signed numbers. -1: not handled here, use cmp1().
 */
static inline int cmp_fast(unsigned op, const struct fv *v, const struct kconst *k)
{
	const char *p = v->v.s.p;
	uint32_t len = v->v.s.len, kl = k->len;

	if (k->kind == K_STR && is_str(v->type)) {
		switch (op) {
		case VM_OP_EQ:
			return len == kl && (!kl || (p[kl - 1] == k->s[kl - 1] && !memcmp(p, k->s, kl)));
		case VM_OP_STARTSWITH:
			return len >= kl && (!kl || (p[kl - 1] == k->s[kl - 1] && !memcmp(p, k->s, kl)));
		case VM_OP_ENDSWITH:
			return len >= kl && (!kl || (p[len - 1] == k->s[kl - 1] &&
						      !memcmp(p + len - kl, k->s, kl)));
		default:
			return -1;
		}
	}
	if (k->kind == K_INT && v->type == FT_INT64) {
		switch (op) {
		case VM_OP_EQ: return v->v.i == k->i;
		case VM_OP_LT: return v->v.i < k->i;
		case VM_OP_LE: return v->v.i <= k->i;
		case VM_OP_GT: return v->v.i > k->i;
		case VM_OP_GE: return v->v.i >= k->i;
		default: return -1;
		}
	}
	if (k->kind == K_BOOL && v->type == FT_BOOL && op == VM_OP_EQ)
		return v->v.b == k->b;
	return -1;
}

/* slot_get() with the cached case inline. */
static inline int slot_fetch(struct rules_ctx *c, uint32_t slot, const struct fv **out)
{
	const struct slot_cache *sc = &c->cache[slot];

	if (__builtin_expect(sc->gen == c->gen, 1)) {
		*out = sc->v;
		return sc->n;
	}
	return slot_get(c, slot, out);
}

static bool run_cmp(struct rules_ctx *c, const struct program *p, const struct vm_insn *in)
{
	const struct fv *v;
	int n = slot_fetch(c, in->slot, &v);
	unsigned op = in->op;

	if (op == VM_OP_EXISTS)
		return n > 0;
	if (n <= 0)
		return false;
	if (in->flags & VMF_RHS_SLOT) {
		const struct fv *w;
		int m = slot_fetch(c, in->arg, &w);

		if (m <= 0)
			return false;
		if (op == VM_OP_NE) {
			for (int i = 0; i < n; i++)
				if (cmpv(VM_OP_EQ, &v[i], &w[0]))
					return false;
			return true;
		}
		for (int i = 0; i < n; i++)
			if (cmpv(op, &v[i], &w[0]))
				return true;
		return false;
	}
	const struct kconst *k = &p->k[in->arg];

	switch (op) {
	case VM_OP_NE:
		for (int i = 0; i < n; i++)
			if (cmp1(c, VM_OP_EQ, &v[i], k))
				return false;
		return true;
	case VM_OP_IN:		/* some value in the set: Falco's ancestor and */
	case VM_OP_INTERSECTS:	/* either-end fields (proc.aname, fd.port) */
		if (k->kind == K_SET && is_str(v[0].type)) {
			struct slot_cache *sc = &c->cache[in->slot];

			if (!sc->hashed) {
				for (int i = 0; i < n; i++)
					sc->h[i] = hashset_hash(v[i].v.s.p, v[i].v.s.len);
				sc->hashed = true;
			}
			for (int i = 0; i < n; i++)
				if (hashset_has_h(k->set, v[i].v.s.p, v[i].v.s.len, sc->h[i]))
					return true;
			return false;
		}
		for (int i = 0; i < n; i++)
			if (in_set(&v[i], k, NULL))
				return true;
		return false;
	default:	/* any value */
		for (int i = 0; i < n; i++) {
			int r = cmp_fast(op, &v[i], k);

			if (r < 0)
				r = cmp1(c, op, &v[i], k);
			if (r)
				return true;
		}
		return false;
	}
}

#define STR_TYPES	(1u << FT_STRING | 1u << FT_PATH | 1u << FT_BYTES)

/* A number's three-way comparison with the constant, then the test op. */
static inline bool num_test(unsigned op, int c3)
{
	switch (op) {
	case VM_OP_EQ: return c3 == 0;
	case VM_OP_NE: return c3 != 0;
	case VM_OP_LT: return c3 < 0;
	case VM_OP_LE: return c3 <= 0;
	case VM_OP_GT: return c3 > 0;
	default: return c3 >= 0;	/* GE */
	}
}

/* A string value in a constant set; the value's hash is kept in the slot
 * cache, for the other sets tested against the same field. */
static inline bool str_in_set(struct slot_cache *sc, const struct kconst *k)
{
	const struct fv *v = &sc->v[0];

	if (!sc->hashed) {
		sc->h[0] = hashset_hash(v->v.s.p, v->v.s.len);
		sc->hashed = true;
	}
	return hashset_has_h(k->set, v->v.s.p, v->v.s.len, sc->h[0]);
}

/* A fast string test (in->fast <= VMX_PATHS) of the value of sc, which
 * is a string. */
static inline bool str_test(struct slot_cache *sc, const struct vm_insn *in,
			    const struct kconst *k)
{
	const struct fv *v = &sc->v[0];
	const char *s = v->v.s.p;
	uint32_t len = v->v.s.len, kl = k->len;

	switch (in->fast) {
	case VMX_STR_EQ:
		return (len == kl && (!kl || (s[kl - 1] == k->s[kl - 1] &&
					      !memcmp(s, k->s, kl)))) == (in->op == VM_OP_EQ);
	case VMX_STR_PREFIX:
		return len >= kl && (!kl || (s[kl - 1] == k->s[kl - 1] && !memcmp(s, k->s, kl)));
	case VMX_STR_SUFFIX:
		return len >= kl && (!kl || (s[len - 1] == k->s[kl - 1] &&
					     !memcmp(s + len - kl, k->s, kl)));
	case VMX_STR_SUB:
		return str_contains(s, len, k->s, kl);
	case VMX_STR_SET:
		return str_in_set(sc, k);
	default:	/* VMX_PATHS */
		return path_under(v, k);
	}
}

/* str_test() with a suffix test inline (the commonest in chains: lists of
 * file name endings); a byte at the end rejects most values. */
static inline bool chain_test(struct slot_cache *sc, const struct vm_insn *in,
			      const struct kconst *k)
{
	if (in->fast == VMX_STR_SUFFIX) {
		const char *s = sc->v[0].v.s.p;
		uint32_t len = sc->v[0].v.s.len, kl = k->len;

		if (kl && (len < kl || s[len - 1] != k->s[kl - 1]))
			return false;
	}
	return str_test(sc, in, k);
}

/* The cache entry of a slot, filled for this event. */
static inline struct slot_cache *slot_entry(struct rules_ctx *c, uint32_t slot)
{
	struct slot_cache *sc = &c->cache[slot];
	const struct fv *v;

	if (__builtin_expect(sc->gen != c->gen, 0))
		slot_get(c, slot, &v);
	return sc;
}

/*
 * A comparison marked fast (in->fast, see rule_pick_fast()): a field with
 * one value at most, against a constant. The same results as run_cmp(),
 * which the value's type sends some cases back to (-1).
 */
static inline int run_fast(struct rules_ctx *c, const struct program *p, const struct vm_insn *in)
{
	struct slot_cache *sc = slot_entry(c, in->slot);
	const struct kconst *k = &p->k[in->arg];
	const struct fv *v = &sc->v[0];

	if (sc->n <= 0)
		return 0;
	if (in->fast <= VMX_PATHS)
		return (1u << v->type) & STR_TYPES ? str_test(sc, in, k) : -1;
	switch (in->fast) {
	case VMX_INT:
		if (v->type == FT_UINT64)
			return -1;
		return num_test(in->op, v->v.i < k->i ? -1 : v->v.i > k->i);
	case VMX_UINT:
		if (v->type != FT_UINT64)
			return -1;
		return num_test(in->op, v->v.u < k->u ? -1 : v->v.u > k->u);
	default:	/* VMX_BOOL */
		if (v->type != FT_BOOL)
			return -1;
		return v->v.b == k->b;
	}
}

/* One comparison: inline when it can be. */
static inline bool run_test(struct rules_ctx *c, const struct program *p, const struct vm_insn *in)
{
	if (in->fast) {
		int r = run_fast(c, p, in);

		if (r >= 0)
			return r;
	}
	return run_cmp(c, p, in);
}

/*
 * Threaded dispatch (computed goto, a GNU C extension GCC and Clang both
 * have): each handler jumps straight to the next one. A comparison's
 * result is memoized per event (engine-wide ids), so a test shared by
 * several rules runs once.
 */
_Static_assert(VM_OP_EVTYPE == VM_OP_EXISTS + 1 && VM_OP_NR == VM_OP_RET + 1,
	       "vm_run() has a label for each opcode: update op_label[]");

bool vm_run(struct rules_ctx *c, const struct program *p, uint32_t pc)
{
	static const void *const op_label[VM_OP_NR] = {
		[VM_OP_EQ ... VM_OP_EXISTS] = &&op_cmp,
		[VM_OP_EVTYPE] = &&op_evtype,
		[VM_OP_JF] = &&op_jf,
		[VM_OP_JT] = &&op_jt,
		[VM_OP_NOT] = &&op_not,
		[VM_OP_TRUE] = &&op_true,
		[VM_OP_FALSE] = &&op_false,
		[VM_OP_RET] = &&op_ret,
	};
	const struct vm_insn *code = p->code, *in = code + pc;
	struct memo *memo = c->memo;
	const uint32_t gen = c->gen, nmemo = c->nmemo;
	bool acc = false;

#define VM_NEXT()	goto *op_label[in->op]
	VM_NEXT();
op_cmp:
	if (in->chain)
		goto chain;
cmp_one:
	if (__builtin_expect(in->memo < nmemo, 1)) {
		struct memo *m = &memo[in->memo];

		if (m->gen == gen) {
			acc = m->val;
		} else {
			m->gen = gen;
			acc = m->val = run_test(c, p, in);
		}
	} else {
		acc = run_test(c, p, in);
	}
fused:
	if (in->flags & (VMF_JF | VMF_JT)) {
		if (acc == !!(in->flags & VMF_JT)) {
			in = code + in->jmp;
			VM_NEXT();
		}
	}
	in++;
	VM_NEXT();
chain: {	/* string tests of one field, each but the last `; jt` one place */
		const struct vm_insn *last = in + in->chain;
		struct slot_cache *sc = slot_entry(c, in->slot);

		if (sc->n <= 0 || !((1u << sc->v[0].type) & STR_TYPES))
			goto cmp_one;	/* the general way, one by one */
		for (;; in++) {
			struct memo *m = &memo[in->memo];

			if (__builtin_expect(in->memo >= nmemo, 0)) {
				acc = chain_test(sc, in, &p->k[in->arg]);
			} else if (m->gen == gen) {
				acc = m->val;
			} else {
				m->gen = gen;
				acc = m->val = chain_test(sc, in, &p->k[in->arg]);
			}
			if (in == last)
				goto fused;
			if (acc) {
				in = code + in->jmp;
				VM_NEXT();
			}
		}
	}
op_evtype: {
		unsigned t = c->fc.ev->hdr->type;

		acc = (p->k[in->arg].evbits[t / 64] >> (t % 64)) & 1;
		goto fused;
	}
op_jf:
	in = acc ? in + 1 : code + in->arg;
	VM_NEXT();
op_jt:
	in = acc ? code + in->arg : in + 1;
	VM_NEXT();
op_not:
	acc = !acc;
	in++;
	VM_NEXT();
op_true:
	acc = true;
	in++;
	VM_NEXT();
op_false:
	acc = false;
	in++;
	VM_NEXT();
op_ret:
	return acc;
#undef VM_NEXT
}
