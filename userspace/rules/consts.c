/* SPDX-License-Identifier: MIT */
/*
 * consts.c - the constants of comparisons: strings (escaped for
 * listings), numbers, booleans, addresses and networks, hex bytes,
 * PCRE2 regexes (JIT-compiled), hash sets, network lists and path lists.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile_int.h"

/* ---- constants ---- */

const char *rule_quote(struct arena *a, const char *s, uint32_t len)
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
bool rule_make_scalar(struct cg *g, const struct ast *n, enum cmp_op op, enum field_type t,
			const char *s, uint32_t len, struct kconst *k, const char *fname)
{
	struct arena *a = &g->e->a;

	switch (op) {
	case CMP_BCONTAINS:
	case CMP_BSTARTSWITH: {
		char *b;

		if (len % 2) {
			rule_cg_err(g, n->src, n->off, "%s needs hex bytes, '%.*s' has an odd length",
			       cmp_op_name[op], (int)len, s);
			return false;
		}
		b = arena_alloc(a, len / 2 + 1);
		if (!b)
			return false;
		for (uint32_t i = 0; i < len; i += 2) {
			int h = hexv(s[i]), l = hexv(s[i + 1]);

			if (h < 0 || l < 0) {
				rule_cg_err(g, n->src, n->off, "%s needs hex bytes, '%.*s' is not hex",
				       cmp_op_name[op], (int)len, s);
				return false;
			}
			b[i / 2] = (char)(h * 16 + l);
		}
		k->kind = K_STR;
		k->s = b;
		k->len = len / 2;
		k->text = rule_quote(a, b, len / 2);
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
			rule_cg_err(g, n->src, n->off, "bad regex '%.*s': %s at offset %zu",
			       (int)len, s, (char *)m, (size_t)eo);
			return false;
		}
		pcre2_jit_compile(k->re, PCRE2_JIT_COMPLETE);	/* falls back if unsupported */
		k->text = rule_quote(a, s, len);
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
		k->text = rule_quote(a, b, len);
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
		k->text = rule_quote(a, s, len);
		return k->s != NULL;
	case FT_BOOL:
		k->kind = K_BOOL;
		if (len == 4 && !strncasecmp(s, "true", 4))
			k->b = true;
		else if (!(len == 5 && !strncasecmp(s, "false", 5))) {
			rule_cg_err(g, n->src, n->off, "'%.*s' is not a bool (%s is bool: true or false)",
			       (int)len, s, fname);
			return false;
		}
		k->text = k->b ? "true" : "false";
		return true;
	case FT_IPADDR:
	case FT_IPNET:
		if (!parse_ip(s, len, k)) {
			rule_cg_err(g, n->src, n->off, "'%.*s' is not an IP address or network (%s is %s)",
			       (int)len, s, fname, rule_type_name(t));
			return false;
		}
		k->text = arena_strndup(a, s, len);
		return true;
	default:
		if (!parse_num(s, len, t == FT_UINT64, &k->i, &k->u)) {
			rule_cg_err(g, n->src, n->off, "'%.*s' is not a number (%s is %s)", (int)len, s,
			       fname, rule_type_name(t));
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
bool rule_make_set(struct cg *g, const struct ast *n, enum field_type t, const struct vals *v,
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
				if (!rule_make_scalar(g, n, CMP_EQ, t, v->s[i], v->len[i], it, fname))
					return false;
			} else {
				uint32_t len = v->len[i];

				while (len > 1 && v->s[i][len - 1] == '/')
					len--;
				it->kind = K_STR;
				it->s = arena_strndup(a, v->s[i], len);
				it->len = len;
				it->text = rule_quote(a, v->s[i], len);
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

			if (!rule_make_scalar(g, n, CMP_EQ, t, v->s[i], v->len[i], &it, fname)) {
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
		const char *q = rule_quote(a, v->s[i], v->len[i]);

		tn += (size_t)snprintf(tb + tn, sizeof(tb) - tn, "%s%s", i ? ", " : "",
				       q ? q : "");
	}
	if (tn >= sizeof(tb) - 8)
		tn = sizeof(tb) - 8, tn += (size_t)snprintf(tb + tn, 8, "...");
	snprintf(tb + tn, sizeof(tb) - tn, ")");
	k->text = arena_strdup(a, tb);
	return true;
}
