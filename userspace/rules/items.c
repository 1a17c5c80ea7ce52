/* SPDX-License-Identifier: MIT */
/*
 * items.c - `list` and `macro` items, with Falco's semantics: definition,
 * redefinition (replaces), `override: {items|condition: append|replace}`
 * and the deprecated `append: true`.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/loader_int.h"

static const char *const macro_keys[] = { MACRO_KEYS(KEY_STR) NULL };
static const char *const list_keys[] = { LIST_KEYS(KEY_STR) NULL };
/* Which keys `override` may append to or replace (Falco). */
static const char *const macro_ov_ok[] = { "condition", NULL };
static const char *const list_ov_ok[] = { "items", NULL };

void ld_do_list(struct ld *l, yaml_node_t *item)
{
	struct rules_engine *e = l->e;
	const char *name = ld_need_str(l, item, "list", true);
	yaml_node_t *items = ld_map_get(l, item, "items");
	struct list_def *d;
	struct ovr o;
	struct strv v;
	int append = ld_get_bool(l, item, "append", 0);

	ld_check_keys(l, item, list_keys, "list");
	if (!name)
		return;
	if (!items) {
		ERR(l, item, "list '%s' has no 'items'", name);
		return;
	}
	if (!ld_get_strv(l, items, "items", &v))
		return;
	if (!ld_get_override(l, item, "list", list_ov_ok, list_ov_ok, &o))
		return;
	d = rule_find_list(e, name);
	if (o.n || append) {
		if (!d) {
			ERR(l, item, "list '%s' is %s but no list by that name is defined",
			    name, append ? "appended to" : "overridden");
			return;
		}
		if (!v.n && (append || ld_ovr_mode(&o, "items") == 0))
			WARN(l, items, "append to list '%s' adds no items", name);
		if (append || ld_ovr_mode(&o, "items") == 0)
			ld_strv_cat(&e->a, &d->items, &v);
		else
			d->items = v;
		return;
	}
	if (!d) {
		ld_grow((void **)&e->lists, &e->caplists, e->nlists, sizeof(*e->lists));
		if (e->nlists == e->caplists || !(d = arena_alloc(&e->a, sizeof(*d))))
			return;
		e->lists[e->nlists++] = d;
		d->order = e->order;
	}
	d->name = name;
	d->items = v;
	d->loc = ld_loc_of(l, item);
}

void ld_do_macro(struct ld *l, yaml_node_t *item)
{
	struct rules_engine *e = l->e;
	const char *name = ld_need_str(l, item, "macro", true);
	yaml_node_t *cn = ld_map_get(l, item, "condition");
	struct macro_def *d;
	struct cond c;
	struct ovr o;
	int append = ld_get_bool(l, item, "append", 0);

	ld_check_keys(l, item, macro_keys, "macro");
	if (!name)
		return;
	if (!cn) {
		ERR(l, item, "macro '%s' has no 'condition'", name);
		return;
	}
	if (!ld_get_cond(l, cn, &c))
		return;
	if (!ld_get_override(l, item, "macro", macro_ov_ok, macro_ov_ok, &o))
		return;
	d = rule_find_macro(e, name);
	if (o.n || append) {
		if (!d) {
			ERR(l, item, "macro '%s' is %s but no macro by that name is defined",
			    name, append ? "appended to" : "overridden");
			return;
		}
		if (append || ld_ovr_mode(&o, "condition") == 0)
			ld_cond_append(&e->a, &d->cond, &c);
		else
			d->cond = c;
		d->parsed = false;
		return;
	}
	if (!d) {
		ld_grow((void **)&e->macros, &e->capmacros, e->nmacros, sizeof(*e->macros));
		if (e->nmacros == e->capmacros || !(d = arena_alloc(&e->a, sizeof(*d))))
			return;
		e->macros[e->nmacros++] = d;
		d->order = e->order;
	}
	d->name = name;
	d->cond = c;
	d->parsed = false;
	d->loc = ld_loc_of(l, item);
}
