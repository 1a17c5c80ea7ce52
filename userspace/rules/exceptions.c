/* SPDX-License-Identifier: MIT */
/*
 * exceptions.c - a rule's `exceptions`: fields (a list, or one field),
 * comps (default = per field, `in` for the one-field form), values (rows,
 * each cell a scalar or a list), and their merging when a rule is
 * appended to or overridden. resolve.c turns them into the condition.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/loader_int.h"

/* ---- exceptions ---- */

static const char *ld_check_comp(struct ld *l, yaml_node_t *n)
{
	const char *s = ld_scalar(n);

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

static bool ld_get_cell(struct ld *l, yaml_node_t *n, struct exc_val *c)
{
	c->loc = ld_loc_of(l, n);
	if (n && n->type == YAML_SEQUENCE_NODE) {
		c->is_list = true;
		return ld_get_strv(l, n, "values", &c->list);
	}
	if (!ld_scalar(n)) {
		ERR(l, n, "%s", "an exception value must be a string or a list");
		return false;
	}
	c->s = arena_strdup(&l->e->a, ld_scalar(n));
	return true;
}

/* Parses one exception mapping; fields may be absent when appending. */
static bool ld_get_exception(struct ld *l, yaml_node_t *n, struct exception *x)
{
	struct arena *a = &l->e->a;
	yaml_node_t *fn, *cn, *vn;
	bool ok = true;

	memset(x, 0, sizeof(*x));
	x->loc = ld_loc_of(l, n);
	if (!n || n->type != YAML_MAPPING_NODE) {
		ERR(l, n, "%s", "an exception must be a mapping");
		return false;
	}
	if (!(x->name = ld_need_str(l, n, "name", true)))
		return false;
	fn = ld_map_get(l, n, "fields");
	cn = ld_map_get(l, n, "comps");
	vn = ld_map_get(l, n, "values");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = ld_scalar(ld_node(l, p->key));

		if (k && strcmp(k, "name") && strcmp(k, "fields") && strcmp(k, "comps") &&
		    strcmp(k, "values"))
			WARN(l, ld_node(l, p->key), "unknown key '%s' in exception", k);
	}
	if (fn) {
		if (ld_scalar(fn)) {
			x->single = true;
			x->nfields = 1;
			x->fields = arena_alloc(a, sizeof(char *));
			x->fields_loc = arena_alloc(a, sizeof(struct loc));
			x->comps = arena_alloc(a, sizeof(char *));
			if (!x->fields || !x->comps || !x->fields_loc)
				return false;
			x->fields[0] = arena_strdup(a, ld_scalar(fn));
			x->fields_loc[0] = ld_loc_of(l, fn);
			if (cn && !(x->comps[0] = ld_check_comp(l, cn)))
				ok = false;
			if (cn && !ld_scalar(cn))
				ok = false;
		} else {
			struct strv f;

			if (!ld_get_strv(l, fn, "fields", &f))
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
					if (i < f.n && !(x->comps[i] = ld_check_comp(l, ld_node(l, *it))))
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
		yaml_node_t *row = ld_node(l, vn->data.sequence.items.start[r]);

		if (x->single || (row && row->type != YAML_SEQUENCE_NODE && !fn)) {
			x->rows[r] = arena_alloc(a, sizeof(struct exc_val));
			x->rowlen[r] = 1;
			if (!x->rows[r] || !ld_get_cell(l, row, x->rows[r]))
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
			if (!ld_get_cell(l, ld_node(l, row->data.sequence.items.start[i]), &x->rows[r][i]))
				ok = false;
	}
	return ok;
}

bool ld_get_exceptions(struct ld *l, yaml_node_t *n, struct exception **out, size_t *nout,
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

		if (!ld_get_exception(l, ld_node(l, n->data.sequence.items.start[i]), x)) {
			ok = false;
			continue;
		}
		if (!x->nfields && !appending) {
			ERR(l, ld_node(l, n->data.sequence.items.start[i]),
			    "exception '%s' has no 'fields'", x->name);
			ok = false;
			continue;
		}
		(*nout)++;
	}
	return ok;
}

void ld_merge_exceptions(struct ld *l, struct rule_def *r, yaml_node_t *n,
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
				/* at the value's first item (the row itself has no loc) */
				struct loc vl = add[i].rowlen[k] ? add[i].rows[k][0].loc :
					ld_loc_of(l, n);
				struct diag_loc vdl = { vl.file, vl.raw, vl.line, vl.col };

				diag_add(&l->e->diags, DIAG_ERROR, &vdl, "exception '%s' has %zu "
					 "fields but an appended value has %zu items", x->name, want,
					 add[i].rowlen[k]);
				l->errs++;
				continue;
			}
			rows[x->nrows] = add[i].rows[k];
			rl[x->nrows++] = add[i].rowlen[k];
		}
		x->rows = rows;
		x->rowlen = rl;
	}
}
