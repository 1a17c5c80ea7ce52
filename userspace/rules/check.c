/* SPDX-License-Identifier: MIT */
/*
 * check.c - types: which operators apply to which field types (one
 * table), field slots (a field plus transformers, resolved through
 * fields.h, with the type the transformers leave), and which field types
 * can be compared with each other (val()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile_int.h"

/* Which field types each operator accepts (one table). */
#define T_NUM  ((1u << FT_INT64) | (1u << FT_UINT64) | (1u << FT_PORT) | \
		(1u << FT_RELTIME) | (1u << FT_ABSTIME))
#define T_STR  ((1u << FT_STRING) | (1u << FT_PATH))
#define T_BYT  (1u << FT_BYTES)
#define T_IP   ((1u << FT_IPADDR) | (1u << FT_IPNET))
#define T_BOOL (1u << FT_BOOL)
#define T_ALL  ((1u << FT_NR) - 1)
static const unsigned op_types[CMP_NR] = {
	[CMP_EQ] = T_ALL, [CMP_NE] = T_ALL,
	[CMP_LT] = T_NUM, [CMP_LE] = T_NUM, [CMP_GT] = T_NUM, [CMP_GE] = T_NUM,
	[CMP_CONTAINS] = T_STR | T_BYT, [CMP_ICONTAINS] = T_STR,
	[CMP_BCONTAINS] = T_STR | T_BYT, [CMP_STARTSWITH] = T_STR | T_BYT,
	[CMP_BSTARTSWITH] = T_STR | T_BYT, [CMP_ENDSWITH] = T_STR | T_BYT,
	[CMP_GLOB] = T_STR, [CMP_IGLOB] = T_STR, [CMP_REGEX] = T_STR,
	[CMP_IN] = T_STR | T_NUM | T_IP | T_BYT, [CMP_INTERSECTS] = T_STR | T_NUM | T_IP | T_BYT,
	[CMP_PMATCH] = T_STR, [CMP_EXISTS] = T_ALL,
};

const char *rule_type_name(enum field_type t)
{
	static const char *const n[] = {
#define FT_X_NAME(id, s) s,
		FIELD_TYPES(FT_X_NAME)
#undef FT_X_NAME
	};
	return (unsigned)t < FT_NR ? n[t] : "?";
}

bool rule_op_accepts(enum cmp_op op, enum field_type t)
{
	return (unsigned)op < CMP_NR && (op_types[op] & (1u << t));
}

/* ---- slots ---- */

/* The bucket of text in the slot table: where it is, or the empty one
 * where it goes. The table is never full (see slot_tab_grow). */
static uint32_t *slot_bucket(struct rules_engine *e, const char *text)
{
	uint32_t mask = e->slot_tabcap - 1, len = (uint32_t)strlen(text);
	uint32_t i = hashset_hash(text, len) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t v = e->slot_tab[i];

		if (!v || !strcmp(e->slots[v - 1].text, text))
			return &e->slot_tab[i];
	}
}

/* Keeps the table at most half full for one more slot; false on OOM. */
static bool slot_tab_grow(struct rules_engine *e)
{
	uint32_t *old = e->slot_tab, oldcap = e->slot_tabcap, nc;

	if (oldcap > 2 * (e->nslots + 1))
		return true;
	nc = oldcap ? oldcap * 2 : 128;
	e->slot_tab = calloc(nc, sizeof(*e->slot_tab));
	if (!e->slot_tab) {
		e->slot_tab = old;
		return false;
	}
	e->slot_tabcap = nc;
	for (uint32_t i = 0; i < oldcap; i++)
		if (old[i])
			*slot_bucket(e, e->slots[old[i] - 1].text) = old[i];
	free(old);
	return true;
}

int slot_intern(struct rules_engine *e, const struct ast_field *f, const struct srcmap *m,
		char *err, size_t errlen)
{
	struct field_ref ref;
	char text[512];
	size_t n = 0;
	enum field_type t;
	bool multi;
	const struct field_info *fi;

	(void)m;
	text[0] = 0;
	for (int i = f->nxf - 1; i >= 0; i--) {
		strcat(text, xform_name[f->xf[i]]);
		strcat(text, "(");
	}
	n = strlen(text);
	snprintf(text + n, sizeof(text) - n - 8, "%s", f->text);
	for (int i = 0; i < f->nxf; i++)
		strcat(text, ")");
	if (!slot_tab_grow(e)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	uint32_t *bucket = slot_bucket(e, text);

	if (*bucket)
		return (int)*bucket - 1;
	if (field_resolve(f->text, strlen(f->text), &ref, err, errlen) < 0)
		return -1;
	fi = &field_table[ref.id];
	t = fi->type;
	multi = (fi->flags & FF_LIST) && ref.index < 0;
	for (int i = 0; i < f->nxf; i++) {
		switch (f->xf[i]) {
		case XF_TOLOWER:
		case XF_TOUPPER:
		case XF_BASENAME:
			if (t != FT_STRING && t != FT_PATH) {
				snprintf(err, errlen, "%s() needs a string, but %s is %s",
					 xform_name[f->xf[i]], f->text, rule_type_name(t));
				return -1;
			}
			t = FT_STRING;
			break;
		case XF_LEN:
			if (t != FT_STRING && t != FT_PATH && t != FT_BYTES && !multi) {
				snprintf(err, errlen, "len() needs a string, bytes or a list, but %s "
					 "is %s", f->text, rule_type_name(t));
				return -1;
			}
			t = FT_INT64;
			multi = false;
			break;
		}
	}
	if (e->nslots == e->capslots) {
		uint32_t nc = e->capslots ? e->capslots * 2 : 64;
		struct slot *v;

		if (nc > 65535) {
			snprintf(err, errlen, "too many distinct fields");
			return -1;
		}
		v = realloc(e->slots, nc * sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		e->slots = v;
		e->capslots = nc;
	}
	struct slot *s = &e->slots[e->nslots];

	memset(s, 0, sizeof(*s));
	s->ref = ref;
	s->text = arena_strdup(&e->a, text);
	if (!s->text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*bucket = e->nslots + 1;
	s->nxf = f->nxf;
	memcpy(s->xf, f->xf, sizeof(s->xf));
	s->type = t;
	s->multi = multi;
	s->many = (fi->flags & FF_LIST) && ref.index < 0;
	return (int)e->nslots++;
}

bool rule_types_compatible(enum field_type a, enum field_type b)
{
	unsigned ma = 1u << a, mb = 1u << b;

	return a == b || ((ma & T_STR) && (mb & T_STR)) || ((ma & T_NUM) && (mb & T_NUM)) ||
	       ((ma & T_IP) && (mb & T_IP));
}
