/* SPDX-License-Identifier: MIT */
/*
 * loader.c - reads rule files with libyaml (keeping line and column of
 * every node) and applies their items in order, with Falco's semantics:
 * rule / macro / list definitions, redefinition, `override` (append or
 * replace, per key), deprecated `append: true`, enable-only rule items,
 * exceptions, required_engine_version and required_plugin_versions.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "rules/internal.h"

struct ld {
	struct rules_engine *e;
	yaml_document_t *doc;
	const char *file, *raw;
	size_t errs;
};

/* Keys each item type knows. */
#define RULE_KEYS(X) X(rule) X(desc) X(condition) X(output) X(priority) X(source) \
	X(enabled) X(tags) X(exceptions) X(override) X(append) X(warn_evttypes) \
	X(skip-if-unknown-filter) X(capture) X(capture_duration)
#define MACRO_KEYS(X) X(macro) X(condition) X(override) X(append) X(desc)
#define LIST_KEYS(X) X(list) X(items) X(override) X(append) X(desc)
#define KEY_STR(k) #k,
static const char *const rule_keys[] = { RULE_KEYS(KEY_STR) NULL };
static const char *const macro_keys[] = { MACRO_KEYS(KEY_STR) NULL };
static const char *const list_keys[] = { LIST_KEYS(KEY_STR) NULL };
/* Which keys `override` may append to / replace, per item type (Falco). */
static const char *const rule_append_ok[] = { "condition", "output", "desc", "tags",
					      "exceptions", NULL };
static const char *const rule_replace_ok[] = { "condition", "output", "desc", "priority",
					       "tags", "exceptions", "enabled",
					       "warn_evttypes", "skip-if-unknown-filter",
					       NULL };
static const char *const macro_ov_ok[] = { "condition", NULL };
static const char *const list_ov_ok[] = { "items", NULL };

static bool in_set(const char *const *set, const char *s)
{
	for (; *set; set++)
		if (!strcmp(*set, s))
			return true;
	return false;
}

static struct loc loc_of(struct ld *l, yaml_node_t *n)
{
	struct loc c = { l->file, l->raw, 0, 0 };

	if (n) {
		c.line = (int)n->start_mark.line + 1;
		c.col = (int)n->start_mark.column + 1;
	}
	return c;
}

static void msg(struct ld *l, enum diag_sev sev, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void msg(struct ld *l, enum diag_sev sev, yaml_node_t *n, const char *fmt, ...)
{
	struct loc c = loc_of(l, n);
	struct diag_loc dl = { c.file, c.raw, c.line, c.col };
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(&l->e->diags, sev, &dl, fmt, ap);
	va_end(ap);
	if (sev == DIAG_ERROR)
		l->errs++;
}
#define ERR(l, n, ...) msg(l, DIAG_ERROR, n, __VA_ARGS__)
#define WARN(l, n, ...) msg(l, DIAG_WARNING, n, __VA_ARGS__)

static yaml_node_t *node(struct ld *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(struct ld *l, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(l, p->key));

		if (k && !strcmp(k, key))
			return node(l, p->value);
	}
	return NULL;
}

static const char *need_str(struct ld *l, yaml_node_t *item, const char *key, bool required)
{
	yaml_node_t *n = map_get(l, item, key);
	const char *s = scalar(n);

	if (!n) {
		if (required)
			ERR(l, item, "item has no '%s'", key);
		return NULL;
	}
	if (!s) {
		ERR(l, n, "'%s' must be a string", key);
		return NULL;
	}
	return arena_strdup(&l->e->a, s);
}

static int parse_bool(const char *s)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on"))
		return 1;
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off"))
		return 0;
	return -1;
}

static int get_bool(struct ld *l, yaml_node_t *item, const char *key, int dflt)
{
	yaml_node_t *n = map_get(l, item, key);
	int b;

	if (!n)
		return dflt;
	b = parse_bool(scalar(n));
	if (b < 0) {
		ERR(l, n, "'%s' must be true or false", key);
		return dflt;
	}
	return b;
}

/* A sequence of scalars into a string vector. */
static bool get_strv(struct ld *l, yaml_node_t *n, const char *what, struct strv *out)
{
	size_t cnt, i = 0;

	memset(out, 0, sizeof(*out));
	if (!n || n->type != YAML_SEQUENCE_NODE) {
		ERR(l, n, "'%s' must be a list", what);
		return false;
	}
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	out->v = arena_alloc(&l->e->a, (cnt + 1) * sizeof(*out->v));
	out->loc = arena_alloc(&l->e->a, (cnt + 1) * sizeof(*out->loc));
	if (!out->v || !out->loc)
		return false;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = node(l, *it);
		const char *s = scalar(v);

		if (!s) {
			ERR(l, v, "items of '%s' must be strings", what);
			return false;
		}
		out->loc[i] = loc_of(l, v);
		out->v[i++] = arena_strdup(&l->e->a, s);
	}
	out->n = i;
	return true;
}

static void strv_cat(struct arena *a, struct strv *dst, const struct strv *src)
{
	const char **v = arena_alloc(a, (dst->n + src->n + 1) * sizeof(*v));
	struct loc *lc = arena_alloc(a, (dst->n + src->n + 1) * sizeof(*lc));

	if (!v || !lc)
		return;
	for (size_t i = 0; i < dst->n; i++) {
		v[i] = dst->v[i];
		if (dst->loc)
			lc[i] = dst->loc[i];
	}
	for (size_t i = 0; i < src->n; i++) {
		v[dst->n + i] = src->v[i];
		if (src->loc)
			lc[dst->n + i] = src->loc[i];
	}
	dst->v = v;
	dst->loc = lc;
	dst->n += src->n;
}

static bool get_cond(struct ld *l, yaml_node_t *n, struct cond *c)
{
	const char *s = scalar(n);
	struct srcmap *m;

	if (!s) {
		ERR(l, n, "%s", "'condition' must be a string");
		return false;
	}
	m = arena_alloc(&l->e->a, sizeof(*m));
	if (!m)
		return false;
	c->text = arena_strdup(&l->e->a, s);
	m->text = c->text;
	m->nseg = 1;
	m->seg[0].off = 0;
	m->seg[0].file = l->file;
	m->seg[0].raw = l->raw;
	m->seg[0].line = (int)n->start_mark.line + 1;
	m->seg[0].col = (int)n->start_mark.column + 1;
	m->seg[0].style = n->data.scalar.style;
	c->map = m;
	return c->text != NULL;
}

/* dst = dst + " " + add, keeping both source maps. */
static void cond_append(struct arena *a, struct cond *dst, const struct cond *add)
{
	size_t n1 = strlen(dst->text), n2 = strlen(add->text);
	char *t = arena_alloc(a, n1 + n2 + 2);
	struct srcmap *m = arena_alloc(a, sizeof(*m));

	if (!t || !m)
		return;
	memcpy(t, dst->text, n1);
	t[n1] = ' ';
	memcpy(t + n1 + 1, add->text, n2 + 1);
	*m = *dst->map;
	for (unsigned i = 0; i < add->map->nseg && m->nseg < 8; i++) {
		m->seg[m->nseg] = add->map->seg[i];
		m->seg[m->nseg++].off += (uint32_t)n1 + 1;
	}
	m->text = t;
	dst->text = t;
	dst->map = m;
}

static char *str_append(struct arena *a, const char *x, const char *y)
{
	size_t n1 = strlen(x), n2 = strlen(y);
	char *t = arena_alloc(a, n1 + n2 + 2);

	if (t) {
		memcpy(t, x, n1);
		t[n1] = ' ';
		memcpy(t + n1 + 1, y, n2 + 1);
	}
	return t;
}

static void check_keys(struct ld *l, yaml_node_t *item, const char *const *keys, const char *what)
{
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key);
		const char *s = scalar(k);

		if (s && !in_set(keys, s))
			WARN(l, k, "unknown key '%s' in %s", s, what);
	}
}

/* Reads `override:`; fills keys/modes (0 append, 1 replace). */
struct ovr {
	size_t n;
	const char *key[16];
	int replace[16];
	yaml_node_t *node[16];
};

static bool get_override(struct ld *l, yaml_node_t *item, const char *what,
			 const char *const *app_ok, const char *const *rep_ok, struct ovr *o)
{
	yaml_node_t *n = map_get(l, item, "override");
	bool ok = true;

	memset(o, 0, sizeof(*o));
	if (!n)
		return true;
	if (n->type != YAML_MAPPING_NODE) {
		ERR(l, n, "%s", "'override' must be a mapping of key: append|replace");
		return false;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *ks = scalar(k), *vs = scalar(v);
		int rep;

		if (!ks || !vs || (strcmp(vs, "append") && strcmp(vs, "replace"))) {
			ERR(l, v, "override of '%s' must be 'append' or 'replace'", ks ? ks : "?");
			ok = false;
			continue;
		}
		rep = !strcmp(vs, "replace");
		if (!in_set(rep ? rep_ok : app_ok, ks)) {
			ERR(l, k, "key '%s' of a %s cannot be %s", ks, what,
			    rep ? "replaced" : "appended to");
			ok = false;
			continue;
		}
		if (!map_get(l, item, ks)) {
			ERR(l, k, "override of '%s' but the item has no '%s'", ks, ks);
			ok = false;
			continue;
		}
		if (o->n < 16) {
			o->key[o->n] = ks;
			o->node[o->n] = k;
			o->replace[o->n++] = rep;
		}
	}
	/* every other key must be covered by the override (keys it names
	 * wrongly were reported above) */
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		const char *ks = scalar(node(l, p->key));
		bool found = false;

		if (!ks || !strcmp(ks, what) || !strcmp(ks, "override") || !strcmp(ks, "append"))
			continue;
		found = map_get(l, n, ks) != NULL;
		if (!found) {
			ERR(l, node(l, p->key), "key '%s' is not named in 'override'", ks);
			ok = false;
		}
	}
	return ok;
}

static int ovr_mode(const struct ovr *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->key[i], key))
			return o->replace[i];
	return -1;
}

/* ---- lists ---- */

static void grow(void **v, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return;
	size_t nc = *cap ? *cap * 2 : 32;
	void *nv = realloc(*v, nc * sz);

	if (nv) {
		*v = nv;
		*cap = nc;
	}
}

struct list_def *find_list(struct rules_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nlists; i++)
		if (!strcmp(e->lists[i]->name, name))
			return e->lists[i];
	return NULL;
}

struct macro_def *find_macro(struct rules_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nmacros; i++)
		if (!strcmp(e->macros[i]->name, name))
			return e->macros[i];
	return NULL;
}

struct rule_def *find_rule(struct rules_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nrules; i++)
		if (!strcmp(e->rules[i]->info.name, name))
			return e->rules[i];
	return NULL;
}

static void do_list(struct ld *l, yaml_node_t *item)
{
	struct rules_engine *e = l->e;
	const char *name = need_str(l, item, "list", true);
	yaml_node_t *items = map_get(l, item, "items");
	struct list_def *d;
	struct ovr o;
	struct strv v;
	int append = get_bool(l, item, "append", 0);

	check_keys(l, item, list_keys, "list");
	if (!name)
		return;
	if (!items) {
		ERR(l, item, "list '%s' has no 'items'", name);
		return;
	}
	if (!get_strv(l, items, "items", &v))
		return;
	if (!get_override(l, item, "list", list_ov_ok, list_ov_ok, &o))
		return;
	d = find_list(e, name);
	if (o.n || append) {
		if (!d) {
			ERR(l, item, "list '%s' is %s but no list by that name is defined",
			    name, append ? "appended to" : "overridden");
			return;
		}
		if (!v.n && (append || ovr_mode(&o, "items") == 0))
			WARN(l, items, "append to list '%s' adds no items", name);
		if (append || ovr_mode(&o, "items") == 0)
			strv_cat(&e->a, &d->items, &v);
		else
			d->items = v;
		return;
	}
	if (!d) {
		grow((void **)&e->lists, &e->caplists, e->nlists, sizeof(*e->lists));
		if (e->nlists == e->caplists || !(d = arena_alloc(&e->a, sizeof(*d))))
			return;
		e->lists[e->nlists++] = d;
		d->order = e->order;
	}
	d->name = name;
	d->items = v;
	d->loc = loc_of(l, item);
}

static void do_macro(struct ld *l, yaml_node_t *item)
{
	struct rules_engine *e = l->e;
	const char *name = need_str(l, item, "macro", true);
	yaml_node_t *cn = map_get(l, item, "condition");
	struct macro_def *d;
	struct cond c;
	struct ovr o;
	int append = get_bool(l, item, "append", 0);

	check_keys(l, item, macro_keys, "macro");
	if (!name)
		return;
	if (!cn) {
		ERR(l, item, "macro '%s' has no 'condition'", name);
		return;
	}
	if (!get_cond(l, cn, &c))
		return;
	if (!get_override(l, item, "macro", macro_ov_ok, macro_ov_ok, &o))
		return;
	d = find_macro(e, name);
	if (o.n || append) {
		if (!d) {
			ERR(l, item, "macro '%s' is %s but no macro by that name is defined",
			    name, append ? "appended to" : "overridden");
			return;
		}
		if (append || ovr_mode(&o, "condition") == 0)
			cond_append(&e->a, &d->cond, &c);
		else
			d->cond = c;
		d->parsed = false;
		return;
	}
	if (!d) {
		grow((void **)&e->macros, &e->capmacros, e->nmacros, sizeof(*e->macros));
		if (e->nmacros == e->capmacros || !(d = arena_alloc(&e->a, sizeof(*d))))
			return;
		e->macros[e->nmacros++] = d;
		d->order = e->order;
	}
	d->name = name;
	d->cond = c;
	d->parsed = false;
	d->loc = loc_of(l, item);
}

/* ---- exceptions ---- */

static const char *check_comp(struct ld *l, yaml_node_t *n)
{
	const char *s = scalar(n);

	if (!s) {
		ERR(l, n, "%s", "an exception comparison must be a string");
		return NULL;
	}
	if (!strcmp(s, "=="))
		return "=";
	for (int i = 0; i < CMP_NR; i++)
		if (!strcmp(s, cmp_op_name[i]) && i != CMP_EXISTS)
			return cmp_op_name[i];
	ERR(l, n, "unknown exception comparison '%s'", s);
	return NULL;
}

static bool get_cell(struct ld *l, yaml_node_t *n, struct exc_val *c)
{
	c->loc = loc_of(l, n);
	if (n && n->type == YAML_SEQUENCE_NODE) {
		c->is_list = true;
		return get_strv(l, n, "values", &c->list);
	}
	if (!scalar(n)) {
		ERR(l, n, "%s", "an exception value must be a string or a list");
		return false;
	}
	c->s = arena_strdup(&l->e->a, scalar(n));
	return true;
}

/* Parses one exception mapping; fields may be absent when appending. */
static bool get_exception(struct ld *l, yaml_node_t *n, struct exception *x)
{
	struct arena *a = &l->e->a;
	yaml_node_t *fn, *cn, *vn;
	bool ok = true;

	memset(x, 0, sizeof(*x));
	x->loc = loc_of(l, n);
	if (!n || n->type != YAML_MAPPING_NODE) {
		ERR(l, n, "%s", "an exception must be a mapping");
		return false;
	}
	if (!(x->name = need_str(l, n, "name", true)))
		return false;
	fn = map_get(l, n, "fields");
	cn = map_get(l, n, "comps");
	vn = map_get(l, n, "values");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(l, p->key));

		if (k && strcmp(k, "name") && strcmp(k, "fields") && strcmp(k, "comps") &&
		    strcmp(k, "values"))
			WARN(l, node(l, p->key), "unknown key '%s' in exception", k);
	}
	if (fn) {
		if (scalar(fn)) {
			x->single = true;
			x->nfields = 1;
			x->fields = arena_alloc(a, sizeof(char *));
			x->fields_loc = arena_alloc(a, sizeof(struct loc));
			x->comps = arena_alloc(a, sizeof(char *));
			if (!x->fields || !x->comps || !x->fields_loc)
				return false;
			x->fields[0] = arena_strdup(a, scalar(fn));
			x->fields_loc[0] = loc_of(l, fn);
			if (cn && !(x->comps[0] = check_comp(l, cn)))
				ok = false;
			if (cn && !scalar(cn))
				ok = false;
		} else {
			struct strv f;

			if (!get_strv(l, fn, "fields", &f))
				return false;
			x->nfields = f.n;
			x->fields = f.v;
			x->fields_loc = f.loc;
			x->comps = arena_alloc(a, (f.n + 1) * sizeof(char *));
			if (!x->comps)
				return false;
			if (cn) {
				size_t i = 0;

				if (cn->type != YAML_SEQUENCE_NODE) {
					ERR(l, cn, "%s", "'comps' must be a list when 'fields' is a list");
					return false;
				}
				for (yaml_node_item_t *it = cn->data.sequence.items.start;
				     it < cn->data.sequence.items.top; it++, i++) {
					if (i < f.n && !(x->comps[i] = check_comp(l, node(l, *it))))
						ok = false;
				}
				if (i != f.n) {
					ERR(l, cn, "exception '%s' has %zu fields but %zu comps",
					    x->name, f.n, i);
					return false;
				}
			}
		}
	} else if (cn) {
		ERR(l, cn, "exception '%s' has 'comps' but no 'fields'", x->name);
		return false;
	}
	if (!vn)
		return ok;
	if (vn->type != YAML_SEQUENCE_NODE) {
		ERR(l, vn, "%s", "'values' must be a list");
		return false;
	}
	x->nrows = (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start);
	x->rows = arena_alloc(a, (x->nrows + 1) * sizeof(*x->rows));
	x->rowlen = arena_alloc(a, (x->nrows + 1) * sizeof(*x->rowlen));
	if (!x->rows || !x->rowlen)
		return false;
	for (size_t r = 0; r < x->nrows; r++) {
		yaml_node_t *row = node(l, vn->data.sequence.items.start[r]);

		if (x->single || (row && row->type != YAML_SEQUENCE_NODE && !fn)) {
			x->rows[r] = arena_alloc(a, sizeof(struct exc_val));
			x->rowlen[r] = 1;
			if (!x->rows[r] || !get_cell(l, row, x->rows[r]))
				ok = false;
			continue;
		}
		if (!row || row->type != YAML_SEQUENCE_NODE) {
			ERR(l, row, "each value of exception '%s' must be a list of %zu items",
			    x->name, x->nfields);
			ok = false;
			continue;
		}
		size_t cnt = (size_t)(row->data.sequence.items.top - row->data.sequence.items.start);

		if (fn && cnt != x->nfields) {
			ERR(l, row, "exception '%s' has %zu fields but this value has %zu items",
			    x->name, x->nfields, cnt);
			ok = false;
			continue;
		}
		x->rows[r] = arena_alloc(a, (cnt + 1) * sizeof(struct exc_val));
		x->rowlen[r] = cnt;
		if (!x->rows[r])
			return false;
		for (size_t i = 0; i < cnt; i++)
			if (!get_cell(l, node(l, row->data.sequence.items.start[i]), &x->rows[r][i]))
				ok = false;
	}
	return ok;
}

static bool get_exceptions(struct ld *l, yaml_node_t *n, struct exception **out, size_t *nout,
			   bool appending)
{
	size_t cnt;
	bool ok = true;

	*out = NULL;
	*nout = 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		ERR(l, n, "%s", "'exceptions' must be a list");
		return false;
	}
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = arena_alloc(&l->e->a, (cnt + 1) * sizeof(**out));
	if (!*out)
		return false;
	for (size_t i = 0; i < cnt; i++) {
		struct exception *x = &(*out)[*nout];

		if (!get_exception(l, node(l, n->data.sequence.items.start[i]), x)) {
			ok = false;
			continue;
		}
		if (!x->nfields && !appending) {
			ERR(l, node(l, n->data.sequence.items.start[i]),
			    "exception '%s' has no 'fields'", x->name);
			ok = false;
			continue;
		}
		(*nout)++;
	}
	return ok;
}

static void merge_exceptions(struct ld *l, struct rule_def *r, yaml_node_t *n,
			     struct exception *add, size_t nadd)
{
	struct arena *a = &l->e->a;

	for (size_t i = 0; i < nadd; i++) {
		struct exception *x = NULL;

		for (size_t j = 0; j < r->nexc; j++)
			if (!strcmp(r->exc[j].name, add[i].name))
				x = &r->exc[j];
		struct loc xl = add[i].loc;
		struct diag_loc dl = { xl.file, xl.raw, xl.line, xl.col };

		(void)n;
		if (!add[i].nrows)
			diag_add(&l->e->diags, DIAG_WARNING, &dl, "append to exception '%s' adds no "
				 "values", add[i].name);
		if (!x) {
			struct exception *nv;

			if (!add[i].nfields) {
				diag_add(&l->e->diags, DIAG_ERROR, &dl, "exception '%s' is appended "
					 "to but rule '%s' has no such exception", add[i].name,
					 r->info.name);
				l->errs++;
				continue;
			}
			nv = arena_alloc(a, (r->nexc + 1) * sizeof(*nv));
			if (!nv)
				return;
			if (r->nexc)
				memcpy(nv, r->exc, r->nexc * sizeof(*nv));
			nv[r->nexc++] = add[i];
			r->exc = nv;
			continue;
		}
		struct exc_val **rows = arena_alloc(a, (x->nrows + add[i].nrows + 1) * sizeof(*rows));
		size_t *rl = arena_alloc(a, (x->nrows + add[i].nrows + 1) * sizeof(*rl));

		if (!rows || !rl)
			return;
		for (size_t k = 0; k < x->nrows; k++)
			rows[k] = x->rows[k], rl[k] = x->rowlen[k];
		for (size_t k = 0; k < add[i].nrows; k++) {
			size_t want = x->single ? 1 : x->nfields;

			if (add[i].rowlen[k] != want) {
				ERR(l, n, "exception '%s' has %zu fields but an appended value has "
				    "%zu items", x->name, want, add[i].rowlen[k]);
				continue;
			}
			rows[x->nrows] = add[i].rows[k];
			rl[x->nrows++] = add[i].rowlen[k];
		}
		x->rows = rows;
		x->rowlen = rl;
	}
}

/* ---- rules ---- */

static bool get_tags(struct ld *l, yaml_node_t *n, const char ***tags, size_t *ntags)
{
	struct strv v;

	if (!get_strv(l, n, "tags", &v))
		return false;
	*tags = v.v;
	*ntags = v.n;
	return true;
}

static void add_tags(struct arena *a, struct rule_def *r, const char **t, size_t n)
{
	const char **v = arena_alloc(a, (r->ntags + n + 1) * sizeof(*v));
	size_t k = r->ntags;

	if (!v)
		return;
	if (r->ntags)
		memcpy(v, r->tags, r->ntags * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < k; j++)
			dup |= !strcmp(v[j], t[i]);
		if (!dup)
			v[k++] = t[i];
	}
	r->tags = v;
	r->ntags = k;
	r->info.tags = v;
	r->info.ntags = k;
}

static bool get_priority(struct ld *l, yaml_node_t *item, enum rule_priority *p)
{
	yaml_node_t *n = map_get(l, item, "priority");
	int v = rule_priority_parse(scalar(n));

	if (v < 0) {
		ERR(l, n, "unknown priority '%s' (expected one of emergency, alert, critical, "
		    "error, warning, notice, informational, debug)", scalar(n) ? scalar(n) : "");
		return false;
	}
	*p = (enum rule_priority)v;
	return true;
}

/* Applies `key` of the item to r, appending or replacing. */
static bool apply_key(struct ld *l, struct rule_def *r, yaml_node_t *item, const char *key, bool app)
{
	struct arena *a = &l->e->a;
	yaml_node_t *n = map_get(l, item, key);

	if (!strcmp(key, "condition")) {
		struct cond c;

		if (!get_cond(l, n, &c))
			return false;
		if (app)
			cond_append(a, &r->cond, &c);
		else
			r->cond = c;
		r->info.condition = r->cond.text;
	} else if (!strcmp(key, "output") || !strcmp(key, "desc")) {
		const char *s = scalar(n), **dst;

		if (!s) {
			ERR(l, n, "'%s' must be a string", key);
			return false;
		}
		dst = !strcmp(key, "output") ? &r->info.output : &r->info.desc;
		*dst = app && *dst ? str_append(a, *dst, s) : arena_strdup(a, s);
		if (!strcmp(key, "output")) {
			r->output_loc = loc_of(l, n);
			r->has_output = true;
		}
	} else if (!strcmp(key, "tags")) {
		const char **t;
		size_t nt;

		if (!get_tags(l, n, &t, &nt))
			return false;
		if (!app)
			r->ntags = 0;
		add_tags(a, r, t, nt);
	} else if (!strcmp(key, "exceptions")) {
		struct exception *x;
		size_t nx;

		if (!get_exceptions(l, n, &x, &nx, app))
			return false;
		if (app) {
			merge_exceptions(l, r, n, x, nx);
		} else {
			r->exc = x;
			r->nexc = nx;
		}
	} else if (!strcmp(key, "priority")) {
		if (!get_priority(l, item, &r->info.priority))
			return false;
		r->has_priority = true;
	} else if (!strcmp(key, "enabled")) {
		r->info.enabled = get_bool(l, item, "enabled", 1);
	} else if (!strcmp(key, "warn_evttypes")) {
		r->warn_evttypes = get_bool(l, item, "warn_evttypes", 1);
	} else if (!strcmp(key, "skip-if-unknown-filter")) {
		r->skip_unknown = get_bool(l, item, "skip-if-unknown-filter", 0);
	}
	return true;
}

static void do_rule(struct ld *l, yaml_node_t *item)
{
	struct rules_engine *e = l->e;
	const char *name = need_str(l, item, "rule", true);
	struct rule_def *r;
	struct ovr o;
	int append = get_bool(l, item, "append", 0);
	size_t nkeys = (size_t)(item->data.mapping.pairs.top - item->data.mapping.pairs.start);
	size_t errs0 = l->errs;

	check_keys(l, item, rule_keys, "rule");
	if (!name)
		return;
	if (!*name) {
		ERR(l, item, "%s", "rule name is empty");
		return;
	}
	if (!get_override(l, item, "rule", rule_append_ok, rule_replace_ok, &o))
		return;
	r = find_rule(e, name);
	if (o.n) {
		if (append) {
			ERR(l, map_get(l, item, "append"), "%s",
			    "'append' and 'override' cannot be used together");
			return;
		}
		if (!r) {
			ERR(l, item, "rule '%s' is overridden but no rule by that name is defined",
			    name);
			return;
		}
		for (size_t i = 0; i < o.n; i++)
			apply_key(l, r, item, o.key[i], !o.replace[i]);
		return;
	}
	if (append) {
		static const char *const ok[] = { "rule", "append", "condition", "exceptions",
						  "enabled", NULL };

		if (!r) {
			ERR(l, item, "rule '%s' is appended to but no rule by that name is defined",
			    name);
			return;
		}
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
		     p < item->data.mapping.pairs.top; p++) {
			const char *k = scalar(node(l, p->key));

			if (k && !in_set(ok, k) && in_set(rule_keys, k))
				WARN(l, node(l, p->key), "key '%s' is ignored by 'append: true' "
				     "(use 'override')", k);
		}
		if (map_get(l, item, "condition"))
			apply_key(l, r, item, "condition", true);
		if (map_get(l, item, "exceptions"))
			apply_key(l, r, item, "exceptions", true);
		else if (!map_get(l, item, "condition"))
			WARN(l, item, "append to rule '%s' adds no condition and no exceptions", name);
		if (map_get(l, item, "enabled"))
			apply_key(l, r, item, "enabled", false);
		return;
	}
	if (map_get(l, item, "enabled") && !map_get(l, item, "condition") &&
	    ((nkeys == 2) || (nkeys == 3 && map_get(l, item, "append")))) {
		if (!r) {
			ERR(l, item, "rule '%s' sets only 'enabled' but no rule by that name is "
			    "defined", name);
			return;
		}
		apply_key(l, r, item, "enabled", false);
		return;
	}
	/* a full definition, or a redefinition in place */
	struct rule_def nr = { 0 };

	nr.info.name = name;
	nr.info.enabled = true;
	nr.info.source = "syscall";
	nr.warn_evttypes = true;
	nr.loc = loc_of(l, item);
	nr.info.file = l->file;
	nr.info.line = nr.loc.line;
	static const char *const req[] = { "condition", "output", "desc", "priority", NULL };
	for (const char *const *k = req; *k; k++)
		if (!map_get(l, item, *k)) {
			ERR(l, item, "rule '%s' has no '%s'", name, *k);
		}
	if (l->errs != errs0)
		return;
	static const char *const keys[] = { "condition", "output", "desc", "priority", "tags",
					    "exceptions", "enabled", "warn_evttypes",
					    "skip-if-unknown-filter", NULL };
	for (const char *const *k = keys; *k; k++)
		if (map_get(l, item, *k))
			apply_key(l, &nr, item, *k, false);
	if (map_get(l, item, "source")) {
		const char *s = need_str(l, item, "source", false);

		if (s)
			nr.info.source = s;
	}
	if (l->errs != errs0) {
		/* the rule is refused; still report its condition's syntax */
		if (nr.cond.map)
			cond_parse(&e->a, nr.cond.map, &e->diags);
		return;
	}
	if (r) {
		nr.order = r->order;
		*r = nr;
		r->info.tags = r->tags;
		return;
	}
	grow((void **)&e->rules, &e->caprules, e->nrules, sizeof(*e->rules));
	if (e->nrules == e->caprules || !(r = arena_alloc(&e->a, sizeof(*r))))
		return;
	*r = nr;
	r->order = e->order;
	e->rules[e->nrules++] = r;
}

/* ---- versions ---- */

static bool parse_version(const char *s, unsigned v[3])
{
	char *end;

	v[0] = v[1] = v[2] = 0;
	if (!s || !*s)
		return false;
	if (!strchr(s, '.')) {		/* the old integer form: 0.N.0 */
		unsigned long n = strtoul(s, &end, 10);

		if (*end)
			return false;
		v[1] = (unsigned)n;
		return true;
	}
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v[i] = (unsigned)strtoul(s, &end, 10);
		s = end;
		if (i < 2) {
			if (*s != '.')
				return i == 1 && !*s;
			s++;
		}
	}
	return *s == 0;
}

static void do_engine_version(struct ld *l, yaml_node_t *item)
{
	yaml_node_t *n = map_get(l, item, "required_engine_version");
	unsigned want[3], have[3];

	if (!parse_version(scalar(n), want)) {
		ERR(l, n, "'%s' is not a version (expected like 0.57.0)",
		    scalar(n) ? scalar(n) : "");
		return;
	}
	parse_version(VIGIL_FALCO_ENGINE_VERSION, have);
	for (int i = 0; i < 3; i++) {
		if (want[i] < have[i])
			return;
		if (want[i] > have[i]) {
			ERR(l, n, "rules require engine version %s, but vigil implements "
			    "Falco engine version %s", scalar(n), VIGIL_FALCO_ENGINE_VERSION);
			return;
		}
	}
}

static void do_plugin_versions(struct ld *l, yaml_node_t *item)
{
	yaml_node_t *n = map_get(l, item, "required_plugin_versions");

	if (!n || n->type != YAML_SEQUENCE_NODE) {
		ERR(l, n, "%s", "'required_plugin_versions' must be a list");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *p = node(l, *it);

		if (!map_get(l, p, "name") || !scalar(map_get(l, p, "name")))
			ERR(l, p, "%s", "a required plugin needs a 'name'");
		else
			WARN(l, p, "plugin '%s' is required but vigil has no plugins",
			     scalar(map_get(l, p, "name")));
	}
}

static void do_item(struct ld *l, yaml_node_t *item)
{
	if (!item || item->type != YAML_MAPPING_NODE) {
		ERR(l, item, "%s", "each top-level item must be a mapping (rule, macro or list)");
		return;
	}
	l->e->order++;
	if (map_get(l, item, "rule"))
		do_rule(l, item);
	else if (map_get(l, item, "macro"))
		do_macro(l, item);
	else if (map_get(l, item, "list"))
		do_list(l, item);
	else if (map_get(l, item, "required_engine_version"))
		do_engine_version(l, item);
	else if (map_get(l, item, "required_plugin_versions"))
		do_plugin_versions(l, item);
	else {
		const char *k = item->data.mapping.pairs.start < item->data.mapping.pairs.top ?
			scalar(node(l, item->data.mapping.pairs.start->key)) : NULL;

		WARN(l, item, "unknown item type '%s'", k ? k : "");
	}
}

int loader_load(struct rules_engine *e, const char *name, const char *text)
{
	struct ld l = { .e = e, .file = arena_strdup(&e->a, name) };
	yaml_parser_t parser;
	yaml_document_t doc;
	size_t len = strlen(text);

	l.raw = arena_strndup(&e->a, text, len);
	if (!l.file || !l.raw) {
		diag_add(&e->diags, DIAG_ERROR, NULL, "%s: out of memory", name);
		return 1;
	}
	if (!yaml_parser_initialize(&parser)) {
		diag_add(&e->diags, DIAG_ERROR, NULL, "%s: cannot start the YAML parser", name);
		return 1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)l.raw, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			struct diag_loc dl = { l.file, l.raw, (int)parser.problem_mark.line + 1,
					       (int)parser.problem_mark.column + 1 };

			diag_add(&e->diags, DIAG_ERROR, &dl, "YAML: %s%s%s",
				 parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
			l.errs++;
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		l.doc = &doc;
		if (root->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *it = root->data.sequence.items.start;
			     it < root->data.sequence.items.top; it++)
				do_item(&l, node(&l, *it));
		} else if (!(root->type == YAML_SCALAR_NODE && !root->data.scalar.length)) {
			ERR(&l, root, "%s", "a rules file must be a list of items");
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return (int)l.errs;
}
