// SPDX-License-Identifier: GPL-2.0
/*
 * record.c - the record writer (see record.h) and the per-event tables it
 * is driven by, built from VIGIL_EVENT_TABLE.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include "record.h"
#include "compat.h"

u32 vigil_snaplen = VIGIL_SNAPLEN_DEFAULT;
u32 vigil_capture_flags;

#define VIGIL_X_NP(id, name, src, nr, ...) [VIGIL_EVT_##id] = VIGIL_NP_##id,
#define VIGIL_X_NOP(ev, n, t, f)
const u8 vigil_evt_nparams[VIGIL_EVT_NR] = {
	VIGIL_EVENT_TABLE(VIGIL_X_NP, VIGIL_X_NOP)
};
#undef VIGIL_X_NP
#undef VIGIL_X_NOP

#define VIGIL_X_ROW(id, name, src, nr, ...) [VIGIL_EVT_##id] = { __VA_ARGS__ },
#define VIGIL_X_PTYPE(ev, n, t, f) VIGIL_PT_##t,
const u8 vigil_evt_ptypes[VIGIL_EVT_NR][VIGIL_MAX_PARAMS] = {
	VIGIL_EVENT_TABLE(VIGIL_X_ROW, VIGIL_X_PTYPE)
};
#undef VIGIL_X_ROW
#undef VIGIL_X_PTYPE

#define VIGIL_X_PSIZE(id, size, name) [VIGIL_PT_##id] = size,
const u8 vigil_ptype_size[VIGIL_PT_NR] = {
	VIGIL_PARAM_TYPES(VIGIL_X_PSIZE)
};
#undef VIGIL_X_PSIZE

void vigil_rec_flag(struct vigil_rec *w, u16 flags)
{
	if (flags & VIGIL_PARAM_TRUNC)
		w->ring->prod->truncations++;
	if (flags & VIGIL_PARAM_FAULT)
		w->ring->prod->faults++;
}

void vigil_put_int(struct vigil_rec *w, u64 v)
{
	u8 t = w->idx < w->np ? vigil_evt_ptypes[w->type][w->idx] : VIGIL_PT_U64;

	if (vigil_ptype_size[t] == 4)
		vigil_put_u32(w, (u32)v);
	else
		vigil_put_u64(w, v);
}

void vigil_put_kbytes(struct vigil_rec *w, const void *p, u32 len, u32 max)
{
	u32 n = min_t(u32, min_t(u32, len, max), vigil_rec_room(w));

	n = min_t(u32, n, VIGIL_PARAM_MAX_LEN);
	memcpy(vigil_rec_value(w), p, n);
	vigil_rec_done(w, n, n < len ? VIGIL_PARAM_TRUNC : 0);
}

void vigil_put_kstr(struct vigil_rec *w, const char *s)
{
	vigil_put_kbytes(w, s, s ? strlen(s) : 0, VIGIL_STRLEN_MAX);
}

void vigil_put_user_str(struct vigil_rec *w, const char __user *s)
{
	u32 lim = min_t(u32, vigil_rec_room(w), VIGIL_STRLEN_MAX + 1);
	long ret;

	if (!s)
		return vigil_put_empty(w, 0);
	ret = vigil_strncpy_user(vigil_rec_value(w), s, lim);
	if (ret < 0)
		return vigil_put_empty(w, VIGIL_PARAM_FAULT);
	if (ret == lim || ret > VIGIL_STRLEN_MAX)
		return vigil_rec_done(w, min_t(u32, ret, VIGIL_STRLEN_MAX), VIGIL_PARAM_TRUNC);
	vigil_rec_done(w, ret, 0);
}

#define VIGIL_ARGV_MAX	4096	/* pointers looked at, at most */

void vigil_put_user_strarray(struct vigil_rec *w, const char __user *const __user *argv)
{
	u32 lim = min_t(u32, vigil_rec_room(w), VIGIL_STRLEN_MAX);
	char *dst = vigil_rec_value(w);
	u32 total = 0;
	u16 flags = 0;
	int i;

	if (!argv)
		return vigil_put_empty(w, 0);
	for (i = 0; i < VIGIL_ARGV_MAX; i++) {
		const char __user *p;
		long ret;

		if (vigil_copy_user(&p, argv + i, sizeof(p))) {
			flags |= VIGIL_PARAM_FAULT;
			break;
		}
		if (!p)
			break;
		if (total >= lim) {
			flags |= VIGIL_PARAM_TRUNC;
			break;
		}
		ret = vigil_strncpy_user(dst + total, p, lim - total);
		if (ret < 0) {
			flags |= VIGIL_PARAM_FAULT;
			break;
		}
		if (ret == lim - total) {	/* cut: keep it NUL-terminated */
			dst[lim - 1] = '\0';
			total = lim;
			flags |= VIGIL_PARAM_TRUNC;
			break;
		}
		total += ret + 1;
	}
	vigil_rec_done(w, total, flags);
}

void vigil_put_path(struct vigil_rec *w, const struct path *path)
{
	u32 room = min_t(u32, vigil_rec_room(w), VIGIL_STRLEN_MAX + 1);
	char *dst = vigil_rec_value(w);
	char *p;
	u32 len;

	if (!path || !path->dentry || !path->mnt)
		return vigil_put_empty(w, 0);
	if (room < 2)
		return vigil_put_empty(w, VIGIL_PARAM_TRUNC);
	p = d_path(path, dst, room);
	if (IS_ERR(p))
		return vigil_put_empty(w, PTR_ERR(p) == -ENAMETOOLONG ?
				       VIGIL_PARAM_TRUNC : VIGIL_PARAM_FAULT);
	len = dst + room - 1 - p;
	memmove(dst, p, len);
	vigil_rec_done(w, len, 0);
}
