/* SPDX-License-Identifier: MIT */
/*
 * loader.c - reads rule files with libyaml (keeping the line and column of
 * every node) and dispatches their items in order: rule (rule_item.c),
 * macro and list (items.c), required_engine_version,
 * required_plugin_versions. Also the YAML helpers the item handlers share.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/loader_int.h"

bool ld_in_set(const char *const *set, const char *s)
{
	for (; *set; set++)
		if (!strcmp(*set, s))
			return true;
	return false;
}

struct loc ld_loc_of(struct ld *l, yaml_node_t *n)
{
	struct loc c = { l->file, l->raw, 0, 0 };

	if (n) {
		c.line = (int)n->start_mark.line + 1;
		c.col = (int)n->start_mark.column + 1;
	}
	return c;
}

void ld_msg(struct ld *l, enum diag_sev sev, yaml_node_t *n, const char *fmt, ...)
{
	struct loc c = ld_loc_of(l, n);
	struct diag_loc dl = { c.file, c.raw, c.line, c.col };
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(&l->e->diags, sev, &dl, fmt, ap);
	va_end(ap);
	if (sev == DIAG_ERROR)
		l->errs++;
}

yaml_node_t *ld_node(struct ld *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

const char *ld_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *ld_map_get(struct ld *l, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = ld_scalar(ld_node(l, p->key));

		if (k && !strcmp(k, key))
			return ld_node(l, p->value);
	}
	return NULL;
}

const char *ld_need_str(struct ld *l, yaml_node_t *item, const char *key, bool required)
{
	yaml_node_t *n = ld_map_get(l, item, key);
	const char *s = ld_scalar(n);

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

static int ld_parse_bool(const char *s)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on"))
		return 1;
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off"))
		return 0;
	return -1;
}

int ld_get_bool(struct ld *l, yaml_node_t *item, const char *key, int dflt)
{
	yaml_node_t *n = ld_map_get(l, item, key);
	int b;

	if (!n)
		return dflt;
	b = ld_parse_bool(ld_scalar(n));
	if (b < 0) {
		ERR(l, n, "'%s' must be true or false", key);
		return dflt;
	}
	return b;
}

/* A sequence of scalars into a string vector. */
bool ld_get_strv(struct ld *l, yaml_node_t *n, const char *what, struct strv *out)
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
		yaml_node_t *v = ld_node(l, *it);
		const char *s = ld_scalar(v);

		if (!s) {
			ERR(l, v, "items of '%s' must be strings", what);
			return false;
		}
		out->loc[i] = ld_loc_of(l, v);
		out->v[i++] = arena_strdup(&l->e->a, s);
	}
	out->n = i;
	return true;
}

void ld_strv_cat(struct arena *a, struct strv *dst, const struct strv *src)
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

bool ld_get_cond(struct ld *l, yaml_node_t *n, struct cond *c)
{
	const char *s = ld_scalar(n);
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
void ld_cond_append(struct arena *a, struct cond *dst, const struct cond *add)
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

char *ld_str_append(struct arena *a, const char *x, const char *y)
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

void ld_check_keys(struct ld *l, yaml_node_t *item, const char *const *keys, const char *what)
{
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ld_node(l, p->key);
		const char *s = ld_scalar(k);

		if (s && !ld_in_set(keys, s))
			WARN(l, k, "unknown key '%s' in %s", s, what);
	}
}



bool ld_get_override(struct ld *l, yaml_node_t *item, const char *what,
			 const char *const *app_ok, const char *const *rep_ok, struct ovr *o)
{
	yaml_node_t *n = ld_map_get(l, item, "override");
	bool ok = true;

	memset(o, 0, sizeof(*o));
	if (!n)
		return true;
	if (n->type != YAML_MAPPING_NODE) {
		ERR(l, n, "%s", "'override' must be a mapping of key: append|replace");
		return false;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ld_node(l, p->key), *v = ld_node(l, p->value);
		const char *ks = ld_scalar(k), *vs = ld_scalar(v);
		int rep;

		if (!ks || !vs || (strcmp(vs, "append") && strcmp(vs, "replace"))) {
			ERR(l, v, "override of '%s' must be 'append' or 'replace'", ks ? ks : "?");
			ok = false;
			continue;
		}
		rep = !strcmp(vs, "replace");
		if (!ld_in_set(rep ? rep_ok : app_ok, ks)) {
			ERR(l, k, "key '%s' of a %s cannot be %s", ks, what,
			    rep ? "replaced" : "appended to");
			ok = false;
			continue;
		}
		if (!ld_map_get(l, item, ks)) {
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
		const char *ks = ld_scalar(ld_node(l, p->key));
		bool found = false;

		if (!ks || !strcmp(ks, what) || !strcmp(ks, "override") || !strcmp(ks, "append"))
			continue;
		found = ld_map_get(l, n, ks) != NULL;
		if (!found) {
			ERR(l, ld_node(l, p->key), "key '%s' is not named in 'override'", ks);
			ok = false;
		}
	}
	return ok;
}

int ld_ovr_mode(const struct ovr *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->key[i], key))
			return o->replace[i];
	return -1;
}

/* ---- lists ---- */

void ld_grow(void **v, size_t *cap, size_t n, size_t sz)
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

struct list_def *rule_find_list(struct rules_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nlists; i++)
		if (!strcmp(e->lists[i]->name, name))
			return e->lists[i];
	return NULL;
}

struct macro_def *rule_find_macro(struct rules_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nmacros; i++)
		if (!strcmp(e->macros[i]->name, name))
			return e->macros[i];
	return NULL;
}

struct rule_def *rule_find_rule(struct rules_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nrules; i++)
		if (!strcmp(e->rules[i]->info.name, name))
			return e->rules[i];
	return NULL;
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
	yaml_node_t *n = ld_map_get(l, item, "required_engine_version");
	unsigned want[3], have[3];

	if (!parse_version(ld_scalar(n), want)) {
		ERR(l, n, "'%s' is not a version (expected like 0.57.0)",
		    ld_scalar(n) ? ld_scalar(n) : "");
		return;
	}
	parse_version(VIGIL_FALCO_ENGINE_VERSION, have);
	for (int i = 0; i < 3; i++) {
		if (want[i] < have[i])
			return;
		if (want[i] > have[i]) {
			ERR(l, n, "rules require engine version %s, but vigil implements "
			    "Falco engine version %s", ld_scalar(n), VIGIL_FALCO_ENGINE_VERSION);
			return;
		}
	}
}

static void do_plugin_versions(struct ld *l, yaml_node_t *item)
{
	yaml_node_t *n = ld_map_get(l, item, "required_plugin_versions");

	if (!n || n->type != YAML_SEQUENCE_NODE) {
		ERR(l, n, "%s", "'required_plugin_versions' must be a list");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *p = ld_node(l, *it);

		if (!ld_map_get(l, p, "name") || !ld_scalar(ld_map_get(l, p, "name")))
			ERR(l, p, "%s", "a required plugin needs a 'name'");
		else
			WARN(l, p, "plugin '%s' is required but vigil has no plugins",
			     ld_scalar(ld_map_get(l, p, "name")));
	}
}

static void do_item(struct ld *l, yaml_node_t *item)
{
	if (!item || item->type != YAML_MAPPING_NODE) {
		ERR(l, item, "%s", "each top-level item must be a mapping (rule, macro or list)");
		return;
	}
	l->e->order++;
	if (ld_map_get(l, item, "rule"))
		ld_do_rule(l, item);
	else if (ld_map_get(l, item, "macro"))
		ld_do_macro(l, item);
	else if (ld_map_get(l, item, "list"))
		ld_do_list(l, item);
	else if (ld_map_get(l, item, "required_engine_version"))
		do_engine_version(l, item);
	else if (ld_map_get(l, item, "required_plugin_versions"))
		do_plugin_versions(l, item);
	else {
		const char *k = item->data.mapping.pairs.start < item->data.mapping.pairs.top ?
			ld_scalar(ld_node(l, item->data.mapping.pairs.start->key)) : NULL;

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
				do_item(&l, ld_node(&l, *it));
		} else if (!(root->type == YAML_SCALAR_NODE && !root->data.scalar.length)) {
			ERR(&l, root, "%s", "a rules file must be a list of items");
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return (int)l.errs;
}
