/* SPDX-License-Identifier: MIT */
/* diag.c - collecting and printing rule diagnostics. */
#include <stdlib.h>
#include <string.h>

#include "rules/diag.h"

static char *line_of(const char *raw, int line)
{
	const char *p = raw, *e;

	if (!raw || line < 1)
		return NULL;
	for (int l = 1; l < line; l++) {
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
	e = strchr(p, '\n');
	return e ? strndup(p, (size_t)(e - p)) : strdup(p);
}

void diag_vadd(struct diag_list *d, enum diag_sev sev, const struct diag_loc *loc,
	       const char *fmt, va_list ap)
{
	struct diag *g;
	char buf[1024];

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->oom = true;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->sev = sev;
	g->msg = strdup(buf);
	if (loc) {
		g->file = loc->file ? strdup(loc->file) : NULL;
		g->line = loc->line;
		g->col = loc->col;
		g->text = line_of(loc->raw, loc->line);
	}
	if (!g->msg) {
		free(g->file);
		free(g->text);
		d->oom = true;
		return;
	}
	d->n++;
	if (sev == DIAG_ERROR)
		d->nerr++;
	else
		d->nwarn++;
}

void diag_add(struct diag_list *d, enum diag_sev sev, const struct diag_loc *loc,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, sev, loc, fmt, ap);
	va_end(ap);
}

void diag_print(const struct diag *g, FILE *f)
{
	const char *sev = g->sev == DIAG_ERROR ? "error" : "warning";

	if (g->file && g->line > 0)
		fprintf(f, "%s:%d:%d: %s: %s\n", g->file, g->line, g->col, sev, g->msg);
	else if (g->file)
		fprintf(f, "%s: %s: %s\n", g->file, sev, g->msg);
	else if (g->col > 0)
		fprintf(f, "<condition>:%d:%d: %s: %s\n", g->line, g->col, sev, g->msg);
	else
		fprintf(f, "%s: %s\n", sev, g->msg);
	if (g->text && g->col > 0) {
		fprintf(f, " %s\n ", g->text);
		size_t tl = strlen(g->text);

		for (int i = 1; i < g->col; i++)
			fputc((size_t)i - 1 < tl && g->text[i - 1] == '\t' ? '\t' : ' ', f);
		fputs("^\n", f);
	}
}

void diag_list_free(struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
		free(d->v[i].text);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
