/* SPDX-License-Identifier: MIT */
/*
 * table.c - the static event and parameter-type tables, made from the ABI
 * header's X-macros (kmod/vigil_abi.h), plus lookups by name and the table
 * fingerprint that capture files carry.
 */
#include <string.h>

#include "event/event.h"

const struct evt_ptype_info evt_ptype[VIGIL_PT_NR] = {
#define X_PT(id, size, name) [VIGIL_PT_##id] = { name, size },
	VIGIL_PARAM_TYPES(X_PT)
#undef X_PT
};

/* One parameter array per event; a sentinel keeps PAD's array non-empty. */
#define X_PARAM(ev, n, t, f) { #n, VIGIL_PT_##t, VIGIL_FS_##f },
#define X_PARAMS(id, name, src, nr, ...)				\
	static const struct evt_param_info params_##id[] = {		\
		__VA_ARGS__ { NULL, VIGIL_PT_NR, VIGIL_FS_NONE }	\
	};
VIGIL_EVENT_TABLE(X_PARAMS, X_PARAM)
#undef X_PARAMS

const struct evt_info evt_table[VIGIL_EVT_NR] = {
#define X_EVT(id, name_, src, nr, ...)					\
	[VIGIL_EVT_##id] = { .name = name_, .source = VIGIL_SRC_##src,	\
			     .syscall_nr = (nr), .nparams = VIGIL_NP_##id,	\
			     .params = params_##id },
	VIGIL_EVENT_TABLE(X_EVT, X_PARAM)
#undef X_EVT
};
#undef X_PARAM

int evt_type_by_name(const char *name)
{
	if (!name)
		return -1;
	for (unsigned i = 0; i < VIGIL_EVT_NR; i++)
		if (!strcmp(evt_table[i].name, name))
			return (int)i;
	return -1;
}

int evt_param_index(unsigned type, const char *name)
{
	if (type >= VIGIL_EVT_NR || !name)
		return -1;
	const struct evt_info *ei = &evt_table[type];
	for (unsigned i = 0; i < ei->nparams; i++)	/* the first byte, then the rest */
		if (ei->params[i].name[0] == name[0] && !strcmp(ei->params[i].name, name))
			return (int)i;
	return -1;
}

/* FNV-1a, 64 bit. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t evt_table_fingerprint(void)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (unsigned t = 0; t < VIGIL_EVT_NR; t++) {
		const struct evt_info *ei = &evt_table[t];

		h = fnv(h, ei->name, strlen(ei->name) + 1);
		for (unsigned i = 0; i < ei->nparams; i++) {
			const struct evt_param_info *pi = &ei->params[i];
			uint8_t tf[2] = { (uint8_t)pi->type, (uint8_t)pi->flagset };

			h = fnv(h, pi->name, strlen(pi->name) + 1);
			h = fnv(h, evt_ptype[pi->type].name,
				strlen(evt_ptype[pi->type].name) + 1);
			h = fnv(h, tf, sizeof(tf));
		}
		h = fnv(h, "\n", 1);
	}
	return h;
}

/* Every event fits struct evt's params[] (and the u8 nparams). */
#define X_NP_CHECK(id, name, src, nr, ...)				\
	_Static_assert(VIGIL_NP_##id <= VIGIL_MAX_PARAMS,		\
		       "event " name " has more than VIGIL_MAX_PARAMS params");
#define X_NOP(ev, n, t, f)
VIGIL_EVENT_TABLE(X_NP_CHECK, X_NOP)
#undef X_NP_CHECK
#undef X_NOP
