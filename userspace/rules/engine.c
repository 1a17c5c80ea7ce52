/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the rules stage's public face (rules.h): loading, finishing
 * (compile every rule, warn, build the event-type index), listing and
 * evaluation.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/internal.h"

static const char *const prio_names[RULE_PRIO_NR] = {
#define RULE_X_NAME(id, s) s,
	RULE_PRIORITIES(RULE_X_NAME)
#undef RULE_X_NAME
};

const char *rule_priority_name(enum rule_priority p)
{
	return (unsigned)p < RULE_PRIO_NR ? prio_names[p] : "?";
}

int rule_priority_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < RULE_PRIO_NR; i++)
		if (!strcasecmp(s, prio_names[i]))
			return i;
	if (!strcasecmp(s, "info"))
		return RULE_PRIO_INFORMATIONAL;
	return -1;
}

struct rules_engine *rules_new(void)
{
	struct rules_engine *e = calloc(1, sizeof(*e));

	if (e)
		e->matching = RULES_MATCH_FIRST;
	return e;
}

void rules_free(struct rules_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nrules; i++)
		program_free(e->rules[i]->prog);
	for (size_t i = 0; i < e->nextra; i++)
		program_free(e->extra[i]);
	for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
		free(e->idx[t]);
	free(e->extra);
	free(e->rules);
	free(e->macros);
	free(e->lists);
	free(e->slots);
	free(e->slot_tab);
	free(e->memo_keys);
	diag_list_free(&e->diags);
	arena_free(&e->a);
	free(e);
}

void rules_set_matching(struct rules_engine *e, enum rules_matching m)
{
	e->matching = m;
}

const struct diag_list *rules_diags(const struct rules_engine *e)
{
	return &e->diags;
}

int rules_load_text(struct rules_engine *e, const char *name, const char *text)
{
	if (e->finished) {
		diag_add(&e->diags, DIAG_ERROR, NULL, "%s: rules are already compiled", name);
		return 1;
	}
	return loader_load(e, name, text);
}

int rules_load_file(struct rules_engine *e, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (!f) {
		struct diag_loc dl = { path, NULL, 0, 0 };

		diag_add(&e->diags, DIAG_ERROR, &dl, "cannot open: %s", strerror(errno));
		return 1;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			size_t nc = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, nc);

			if (!nb) {
				free(buf);
				fclose(f);
				diag_add(&e->diags, DIAG_ERROR, NULL, "%s: out of memory", path);
				return 1;
			}
			buf = nb;
			cap = nc;
		}
		size_t r = fread(buf + len, 1, 4096, f);

		len += r;
		if (r < 4096)
			break;
	}
	fclose(f);
	buf[len] = 0;
	if (strlen(buf) != len) {
		/* at the first NUL: its line and column (bytes) */
		struct diag_loc dl = { path, NULL, 1, 1 };

		for (const char *q = buf; *q; q++) {
			if (*q == '\n') {
				dl.line++;
				dl.col = 1;
			} else {
				dl.col++;
			}
		}

		diag_add(&e->diags, DIAG_ERROR, &dl, "%s", "file contains a NUL byte");
		free(buf);
		return 1;
	}
	rc = rules_load_text(e, path, buf);
	free(buf);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_load_dir(struct rules_engine *e, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d) {
		struct diag_loc dl = { path, NULL, 0, 0 };

		diag_add(&e->diags, DIAG_ERROR, &dl, "cannot open directory: %s", strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' ||
		    !((l > 5 && !strcmp(de->d_name + l - 5, ".yaml")) ||
		      (l > 4 && !strcmp(de->d_name + l - 4, ".yml"))))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nn = realloc(names, nc * sizeof(*nn));

			if (!nn)
				break;
			names = nn;
			cap = nc;
		}
		if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		rc += rules_load_file(e, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

static size_t popcount(const unsigned long long *b)
{
	size_t n = 0;

	for (unsigned i = 0; i < VIGIL_EVT_BITMAP_WORDS; i++)
		n += (size_t)__builtin_popcountll(b[i]);
	return n;
}

static void warn_at(struct rules_engine *e, const struct loc *l, const char *fmt, const char *a)
{
	struct diag_loc dl = { l->file, l->raw, l->line, l->col };

	diag_add(&e->diags, DIAG_WARNING, &dl, fmt, a);
}

/* Diagnostics in file order (files ranked by first appearance), then by
 * line and column; stable. */
struct dkey {
	struct diag d;
	size_t rank, idx;
};

static int dkey_cmp(const void *a, const void *b)
{
	const struct dkey *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->d.line != y->d.line)
		return x->d.line < y->d.line ? -1 : 1;
	if (x->d.col != y->d.col)
		return x->d.col < y->d.col ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void sort_diags(struct diag_list *d)
{
	struct dkey *k = calloc(d->n + 1, sizeof(*k));

	if (!k)
		return;
	const char *files[64];
	size_t nfiles = 0;

	for (size_t i = 0; i < d->n; i++) {
		const char *fn = d->v[i].file ? d->v[i].file : "";
		size_t r = 0;

		while (r < nfiles && strcmp(files[r], fn))
			r++;
		if (r == nfiles && nfiles < 64)
			files[nfiles++] = fn;
		k[i].d = d->v[i];
		k[i].idx = i;
		k[i].rank = r;	/* 64 files and more share the last rank */
	}
	qsort(k, d->n, sizeof(*k), dkey_cmp);
	for (size_t i = 0; i < d->n; i++)
		d->v[i] = k[i].d;
	free(k);
}

int rules_finish(struct rules_engine *e)
{
	if (e->finished)
		return (int)e->diags.nerr;
	e->finished = true;
	for (size_t i = 0; i < e->nrules; i++) {
		struct rule_def *r = e->rules[i];
		bool unknown;

		if (strcmp(r->info.source, "syscall")) {
			struct diag_loc dl = { r->loc.file, r->loc.raw, r->loc.line, r->loc.col };

			diag_add(&e->diags, DIAG_WARNING, &dl, "rule '%s' has source '%s', which "
				 "vigil does not capture; it is skipped", r->info.name, r->info.source);
			continue;
		}
		r->prog = compile_cond(e, r, &r->cond, r->order, r->evbits, &unknown);
		if (!r->prog) {
			if (unknown && r->skip_unknown)
				warn_at(e, &r->loc, "rule '%s' uses an unknown field and has "
					"skip-if-unknown-filter: it is skipped", r->info.name);
			continue;
		}
		if (r->has_output) {
			r->out = outfmt_compile(e, r->info.output, &r->output_loc);
			if (!r->out) {
				program_free(r->prog);
				r->prog = NULL;
				continue;
			}
		}
		r->info.compiled = true;
		r->info.nevtypes = popcount(r->evbits);
		if (r->warn_evttypes && r->info.nevtypes == VIGIL_EVT_NR)
			warn_at(e, &r->loc, "rule '%s' has no event-type restriction (no evt.type "
				"test): it runs on every event", r->info.name);
		else if (r->warn_evttypes && r->info.nevtypes == 0)
			warn_at(e, &r->loc, "rule '%s' matches no event type: it can never fire",
				r->info.name);
	}
	/* macros nobody used: report their syntax errors and the waste */
	for (size_t i = 0; i < e->nmacros; i++) {
		struct macro_def *m = e->macros[i];

		if (!m->parsed) {
			m->parsed = true;
			m->ast = cond_parse(&e->a, m->cond.map, &e->diags);
			m->bad = !m->ast;
		}
		if (!m->used)
			warn_at(e, &m->loc, "macro '%s' is never used", m->name);
	}
	for (size_t i = 0; i < e->nlists; i++)
		if (!e->lists[i]->used)
			warn_at(e, &e->lists[i]->loc, "list '%s' is never used", e->lists[i]->name);
	/* the index */
	for (size_t i = 0; i < e->nrules; i++) {
		struct rule_def *r = e->rules[i];

		if (!r->info.compiled || !r->info.enabled)
			continue;
		for (unsigned t = 0; t < VIGIL_EVT_NR; t++) {
			if (!(r->evbits[t / 64] & (1ull << (t % 64))))
				continue;
			struct idx_ent *v = realloc(e->idx[t], (e->nidx[t] + 1) * sizeof(*v));

			if (!v) {
				diag_add(&e->diags, DIAG_ERROR, NULL, "%s", "out of memory");
				break;
			}
			e->idx[t] = v;
			v[e->nidx[t]++] = (struct idx_ent){ r->prog, (uint32_t)i };
		}
	}
	if (e->diags.oom)
		diag_add(&e->diags, DIAG_ERROR, NULL, "%s", "out of memory");
	sort_diags(&e->diags);
	return (int)e->diags.nerr + (e->diags.oom ? 1 : 0);
}

size_t rules_count(const struct rules_engine *e)
{
	return e->nrules;
}

const struct rule_info *rules_get(const struct rules_engine *e, size_t i)
{
	return i < e->nrules ? &e->rules[i]->info : NULL;
}

const unsigned long long *rules_evtypes(const struct rules_engine *e, size_t i)
{
	return i < e->nrules ? e->rules[i]->evbits : NULL;
}

static void dump_evtypes(const unsigned long long *b, FILE *f)
{
	size_t n = popcount(b);

	fprintf(f, "evttypes:");
	if (n == VIGIL_EVT_NR)
		fprintf(f, " (all)");
	else if (!n)
		fprintf(f, " (none)");
	else
		for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
			if (b[t / 64] & (1ull << (t % 64)))
				fprintf(f, " %s", evt_table[t].name);
	fputc('\n', f);
}

int rules_dump(struct rules_engine *e, const char *what, FILE *f)
{
	struct rule_def *r = rule_find_rule(e, what);
	unsigned long long bits[VIGIL_EVT_BITMAP_WORDS] = { 0 };
	struct program *p, **nx;
	struct cond c;
	struct srcmap *m;
	bool unknown;

	if (r) {
		if (!r->prog)
			return -1;
		fprintf(f, "rule: %s\n", r->info.name);
		dump_evtypes(r->evbits, f);
		program_dump(e, r->prog, f);
		return 0;
	}
	m = arena_alloc(&e->a, sizeof(*m));
	if (!m)
		return -1;
	c.text = arena_strdup(&e->a, what);
	m->text = c.text;
	c.map = m;
	if (!c.text)
		return -1;
	p = compile_cond(e, NULL, &c, INT_MAX, bits, &unknown);
	if (!p)
		return -1;
	nx = realloc(e->extra, (e->nextra + 1) * sizeof(*nx));
	if (!nx) {
		program_free(p);
		return -1;
	}
	e->extra = nx;
	e->extra[e->nextra++] = p;
	fprintf(f, "condition: %s\n", what);
	dump_evtypes(bits, f);
	program_dump(e, p, f);
	return 0;
}

/* ---- evaluation ---- */

struct rules_ctx *rules_ctx_new(struct rules_engine *e, struct state *st)
{
	struct rules_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->e = e;
	c->cache = calloc(e->nslots + 1, sizeof(*c->cache));
	c->memo = calloc(e->nmemo + 1, sizeof(*c->memo));
	c->nmemo = e->nmemo;
	c->md = pcre2_match_data_create(1, NULL);
	if (!c->cache || !c->md || !c->memo) {
		rules_ctx_free(c);
		return NULL;
	}
	field_ctx_init(&c->fc, st);
	return c;
}

void rules_ctx_free(struct rules_ctx *c)
{
	if (!c)
		return;
	free(c->cache);
	free(c->memo);
	if (c->md)
		pcre2_match_data_free(c->md);
	free(c);
}

/* The guards of p that an earlier rule already settled for this event:
 * false if one failed (the rule cannot match); else *pc is the first
 * guard still to run (the VM starts there). */
static inline bool guards_pass(const struct rules_ctx *c, const struct program *p, uint32_t *pc)
{
	for (uint32_t i = 0; i < p->nguard; i++) {
		uint32_t id = p->code[i].memo;

		if (id >= c->nmemo || c->memo[id].gen != c->gen) {
			*pc = i;
			return true;
		}
		if (!c->memo[id].val)
			return false;
	}
	*pc = p->nguard;
	return true;
}

int rules_eval(struct rules_engine *e, struct rules_ctx *c, const struct evt *ev,
	       rules_match_fn fn, void *arg)
{
	unsigned t = ev->hdr->type;
	int matches = 0;

	if (t >= VIGIL_EVT_NR || !e->nidx[t])
		return 0;
	if (++c->gen == 0) {
		for (uint32_t i = 0; i < e->nslots; i++)
			c->cache[i].gen = 0;
		for (uint32_t i = 0; i < c->nmemo; i++)
			c->memo[i].gen = 0;
		c->gen = 1;
	}
	c->xused = 0;
	field_ctx_reset(&c->fc, ev);
	for (const struct idx_ent *x = e->idx[t], *end = x + e->nidx[t]; x < end; x++) {
		const struct program *p = x->prog;
		uint32_t pc = 0;
		struct rule_def *r;

		if (!guards_pass(c, p, &pc) || !vm_run(c, p, pc))
			continue;
		r = e->rules[x->rule];
		matches++;
		if (fn) {
			struct rule_match m = { .rule = &r->info };

			m.output = r->out ? outfmt_render(c, r->out, &m.noutfields) : "";
			m.outfields = c->of;
			fn(&m, arg);
		}
		if (e->matching == RULES_MATCH_FIRST)
			break;
	}
	return matches;
}
