/* SPDX-License-Identifier: MIT */
/*
 * output.c - rule outputs: "%proc.name opened %fd.name" is compiled once
 * into literal parts and field slots, then rendered per match into the
 * context's buffers (missing values print as <NA>), together with the
 * output_fields list (field -> value) that JSON alerts carry.
 */
#include <stdio.h>
#include <string.h>

#include "rules/internal.h"

static bool field_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

struct outfmt *outfmt_compile(struct rules_engine *e, const char *text, const struct loc *loc)
{
	struct outfmt *o = arena_alloc(&e->a, sizeof(*o));
	size_t len = strlen(text), i = 0, lit = 0, cap = 0;
	bool ok = true;

	if (!o)
		return NULL;
	for (;;) {
		bool end = i >= len;
		size_t fstart = i + 1, fend = fstart;

		if (!end && !(text[i] == '%' && fstart < len && field_char(text[fstart]))) {
			i++;
			continue;
		}
		if (!end) {
			while (fend < len && field_char(text[fend]))
				fend++;
			if (fend < len && text[fend] == '[') {
				const char *rb = memchr(text + fend, ']', len - fend);

				if (rb)
					fend = (size_t)(rb - text) + 1;
			}
			while (fend > fstart + 1 && text[fend - 1] == '.')
				fend--;
		}
		if (o->nparts == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct outpart *np = arena_alloc(&e->a, nc * sizeof(*np));

			if (!np)
				return NULL;
			if (o->nparts)
				memcpy(np, o->parts, o->nparts * sizeof(*np));
			o->parts = np;
			cap = nc;
		}
		struct outpart *p = &o->parts[o->nparts++];

		p->lit = text + lit;
		p->litlen = (uint32_t)(i - lit);
		p->slot = -1;
		if (end)
			break;
		struct ast_field f = { .text = arena_strndup(&e->a, text + fstart, fend - fstart) };
		char err[256];

		p->name = f.text;
		p->slot = f.text ? slot_intern(e, &f, NULL, err, sizeof(err)) : -1;
		if (p->slot < 0) {
			struct srcmap m = { .text = text, .nseg = 1 };
			struct diag_loc dl;

			m.seg[0].file = loc->file;
			m.seg[0].raw = loc->raw;
			m.seg[0].line = loc->line;
			m.seg[0].col = loc->col;
			m.seg[0].style = 1;
			if (loc->raw && loc->line > 0) {
				/* quoted scalars start one column before their text */
				const char *r = loc->raw;
				int l = 1;

				while (*r && l < loc->line)
					l += *r++ == '\n';
				r += loc->col - 1;
				if (*r == '"')
					m.seg[0].style = 3;
				else if (*r == '\'')
					m.seg[0].style = 2;
				else if (*r == '>' || *r == '|')
					m.seg[0].style = *r == '|' ? 4 : 5;
			}
			srcmap_locate(&m, (uint32_t)fstart, &dl);
			diag_add(&e->diags, DIAG_ERROR, &dl, "in output: %s", err);
			ok = false;
		} else {
			bool dup = false;

			for (uint32_t k = 0; k + 1 < o->nparts; k++)
				dup |= o->parts[k].slot == p->slot;
			if (!dup)
				o->nfields++;
		}
		i = lit = fend;
	}
	return ok ? o : NULL;
}

static size_t render_slot(struct rules_ctx *c, int slot, char *buf, size_t size)
{
	const struct fv *v;
	int n = slot_get(c, (uint32_t)slot, &v);
	size_t len = 0;

	if (n <= 0)
		return (size_t)snprintf(buf, size, "<NA>");
	if (n > 1 && len < size)
		buf[len++] = '(';
	for (int i = 0; i < n; i++) {
		if (i && len < size)
			buf[len++] = ',';
		len += fv_render(&v[i], len < size ? buf + len : NULL, len < size ? size - len : 0);
	}
	if (n > 1 && len < size)
		buf[len++] = ')';
	if (size)
		buf[len < size ? len : size - 1] = 0;
	return len;
}

const char *outfmt_render(struct rules_ctx *c, const struct outfmt *o, size_t *nfields)
{
	size_t n = 0, vn = 0, nf = 0;
	char *out = c->outbuf, *vals = c->valbuf;
	size_t cap = sizeof(c->outbuf), vcap = sizeof(c->valbuf);

	for (uint32_t i = 0; i < o->nparts; i++) {
		const struct outpart *p = &o->parts[i];
		size_t l = p->litlen < cap - 1 - n ? p->litlen : cap - 1 - n;

		memcpy(out + n, p->lit, l);
		n += l;
		if (p->slot < 0)
			continue;
		size_t start = vn;
		size_t r = render_slot(c, p->slot, vals + vn, vcap - vn);

		if (r >= vcap - vn)
			r = vcap - vn - 1;
		l = r < cap - 1 - n ? r : cap - 1 - n;
		memcpy(out + n, vals + vn, l);
		n += l;
		bool dup = false;

		for (size_t k = 0; k < nf; k++)
			dup |= !strcmp(c->of[k].name, p->name);
		if (!dup && nf < sizeof(c->of) / sizeof(c->of[0])) {
			c->of[nf].name = p->name;
			c->of[nf++].value = vals + start;
			vn += r + 1;
		}
		if (vn >= vcap - 1)
			vn = vcap - 1;
	}
	out[n] = 0;
	*nfields = nf;
	return out;
}
