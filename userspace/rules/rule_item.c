/* SPDX-License-Identifier: MIT */
/*
 * rule_item.c - `rule` items, with Falco's semantics: full definition,
 * redefinition in place, `override: {key: append|replace}` (and which keys
 * may be appended or replaced), deprecated `append: true`, items that only
 * set `enabled`, priorities (case-insensitive), tags, exceptions, source.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/loader_int.h"

static const char *const rule_keys[] = { RULE_KEYS(KEY_STR) NULL };
/* Which keys `override` may append to / replace (Falco). */
static const char *const rule_append_ok[] = { "condition", "output", "desc", "tags",
					      "exceptions", NULL };
static const char *const rule_replace_ok[] = { "condition", "output", "desc", "priority",
					       "tags", "exceptions", "enabled",
					       "warn_evttypes", "skip-if-unknown-filter",
					       NULL };

/* ---- rules ---- */

static bool get_tags(struct ld *l, yaml_node_t *n, const char ***tags, size_t *ntags)
{
	struct strv v;

	if (!ld_get_strv(l, n, "tags", &v))
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
	yaml_node_t *n = ld_map_get(l, item, "priority");
	int v = rule_priority_parse(ld_scalar(n));

	if (v < 0) {
		ERR(l, n, "unknown priority '%s' (expected one of emergency, alert, critical, "
		    "error, warning, notice, informational, debug)", ld_scalar(n) ? ld_scalar(n) : "");
		return false;
	}
	*p = (enum rule_priority)v;
	return true;
}

/* Applies `key` of the item to r, appending or replacing. */
static bool apply_key(struct ld *l, struct rule_def *r, yaml_node_t *item, const char *key, bool app)
{
	struct arena *a = &l->e->a;
	yaml_node_t *n = ld_map_get(l, item, key);

	if (!strcmp(key, "condition")) {
		struct cond c;

		if (!ld_get_cond(l, n, &c))
			return false;
		if (app)
			ld_cond_append(a, &r->cond, &c);
		else
			r->cond = c;
		r->info.condition = r->cond.text;
	} else if (!strcmp(key, "output") || !strcmp(key, "desc")) {
		const char *s = ld_scalar(n), **dst;

		if (!s) {
			ERR(l, n, "'%s' must be a string", key);
			return false;
		}
		dst = !strcmp(key, "output") ? &r->info.output : &r->info.desc;
		*dst = app && *dst ? ld_str_append(a, *dst, s) : arena_strdup(a, s);
		if (!strcmp(key, "output")) {
			r->output_loc = ld_loc_of(l, n);
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

		if (!ld_get_exceptions(l, n, &x, &nx, app))
			return false;
		if (app) {
			ld_merge_exceptions(l, r, n, x, nx);
		} else {
			r->exc = x;
			r->nexc = nx;
		}
	} else if (!strcmp(key, "priority")) {
		if (!get_priority(l, item, &r->info.priority))
			return false;
		r->has_priority = true;
	} else if (!strcmp(key, "enabled")) {
		r->info.enabled = ld_get_bool(l, item, "enabled", 1);
	} else if (!strcmp(key, "warn_evttypes")) {
		r->warn_evttypes = ld_get_bool(l, item, "warn_evttypes", 1);
	} else if (!strcmp(key, "skip-if-unknown-filter")) {
		r->skip_unknown = ld_get_bool(l, item, "skip-if-unknown-filter", 0);
	}
	return true;
}

void ld_do_rule(struct ld *l, yaml_node_t *item)
{
	struct rules_engine *e = l->e;
	const char *name = ld_need_str(l, item, "rule", true);
	struct rule_def *r;
	struct ovr o;
	int append = ld_get_bool(l, item, "append", 0);
	size_t nkeys = (size_t)(item->data.mapping.pairs.top - item->data.mapping.pairs.start);
	size_t errs0 = l->errs;

	ld_check_keys(l, item, rule_keys, "rule");
	if (!name)
		return;
	if (!*name) {
		ERR(l, item, "%s", "rule name is empty");
		return;
	}
	if (!ld_get_override(l, item, "rule", rule_append_ok, rule_replace_ok, &o))
		return;
	r = rule_find_rule(e, name);
	if (o.n) {
		if (append) {
			ERR(l, ld_map_get(l, item, "append"), "%s",
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
			const char *k = ld_scalar(ld_node(l, p->key));

			if (k && !ld_in_set(ok, k) && ld_in_set(rule_keys, k))
				WARN(l, ld_node(l, p->key), "key '%s' is ignored by 'append: true' "
				     "(use 'override')", k);
		}
		if (ld_map_get(l, item, "condition"))
			apply_key(l, r, item, "condition", true);
		if (ld_map_get(l, item, "exceptions"))
			apply_key(l, r, item, "exceptions", true);
		else if (!ld_map_get(l, item, "condition"))
			WARN(l, item, "append to rule '%s' adds no condition and no exceptions", name);
		if (ld_map_get(l, item, "enabled"))
			apply_key(l, r, item, "enabled", false);
		return;
	}
	if (ld_map_get(l, item, "enabled") && !ld_map_get(l, item, "condition") &&
	    ((nkeys == 2) || (nkeys == 3 && ld_map_get(l, item, "append")))) {
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
	nr.loc = ld_loc_of(l, item);
	nr.info.file = l->file;
	nr.info.line = nr.loc.line;
	static const char *const req[] = { "condition", "output", "desc", "priority", NULL };
	for (const char *const *k = req; *k; k++)
		if (!ld_map_get(l, item, *k)) {
			ERR(l, item, "rule '%s' has no '%s'", name, *k);
		}
	if (l->errs != errs0)
		return;
	static const char *const keys[] = { "condition", "output", "desc", "priority", "tags",
					    "exceptions", "enabled", "warn_evttypes",
					    "skip-if-unknown-filter", NULL };
	for (const char *const *k = keys; *k; k++)
		if (ld_map_get(l, item, *k))
			apply_key(l, &nr, item, *k, false);
	if (ld_map_get(l, item, "source")) {
		const char *s = ld_need_str(l, item, "source", false);

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
	ld_grow((void **)&e->rules, &e->caprules, e->nrules, sizeof(*e->rules));
	if (e->nrules == e->caprules || !(r = arena_alloc(&e->a, sizeof(*r))))
		return;
	*r = nr;
	r->order = e->order;
	e->rules[e->nrules++] = r;
}
