/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.h - the record writer: one record at a time, built in place (in
 * the ring or the scratch buffer, see ring.h), one put per parameter, in
 * the order of the event table. Every put fills exactly one parameter; a
 * value that does not fit the record is cut (VIGIL_PARAM_TRUNC), one that
 * cannot be read is empty with VIGIL_PARAM_FAULT.
 *
 * Nothing here sleeps; all of it runs with preemption disabled.
 */
#ifndef VIGIL_RECORD_H
#define VIGIL_RECORD_H

#include <linux/types.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <linux/string.h>
#include "vigil_abi.h"
#include "ring.h"
#include "compat.h"	/* put_unaligned_le* */

struct vigil_rec {
	struct vigil_ring *ring;
	u8 *buf;		/* record start: header */
	__u16 *lens;		/* the length array after the header */
	u32 cap;		/* bytes available at buf */
	u32 pos;		/* next value byte */
	u16 type;		/* enum vigil_event_type */
	u8 np;			/* parameters expected */
	u8 idx;			/* parameters written */
};

/* Capture settings the fillers read (set by ioctl, read in probe context). */
extern u32 vigil_snaplen;
extern u32 vigil_capture_flags;

/* Per-event parameter count and types, from VIGIL_EVENT_TABLE. */
extern const u8 vigil_evt_nparams[VIGIL_EVT_NR];
extern const u8 vigil_evt_ptypes[VIGIL_EVT_NR][VIGIL_MAX_PARAMS];
/* Fixed size of each parameter type (0: variable), from VIGIL_PARAM_TYPES. */
extern const u8 vigil_ptype_size[VIGIL_PT_NR];

/* An integer sized by the parameter's type in the table (4 or 8 bytes). */
void vigil_put_int(struct vigil_rec *w, u64 v);
/* Kernel bytes, cut at @max. */
void vigil_put_kbytes(struct vigil_rec *w, const void *p, u32 len, u32 max);
void vigil_put_kstr(struct vigil_rec *w, const char *s);
/* A NUL-terminated user string, without its NUL, cut at VIGIL_STRLEN_MAX. */
void vigil_put_user_str(struct vigil_rec *w, const char __user *s);
/* A user argv/envp array: NUL-terminated strings back to back. */
void vigil_put_user_strarray(struct vigil_rec *w, const char __user *const __user *argv);
/* A path by d_path (the caller keeps @path alive, e.g. under RCU). */
void vigil_put_path(struct vigil_rec *w, const struct path *path);

/* Room left for the value of the next parameter. */
static inline u32 vigil_rec_room(const struct vigil_rec *w)
{
	return w->cap - w->pos;
}

/*
 * For fillers that write a value by hand: vigil_rec_value() is where the
 * value goes (at most vigil_rec_room() bytes), vigil_rec_done() closes the
 * parameter with its length and flags.
 */
static inline u8 *vigil_rec_value(struct vigil_rec *w)
{
	return w->buf + w->pos;
}

/* Counts a FAULT/TRUNC flag in the producer page (the slow, rare part). */
void vigil_rec_flag(struct vigil_rec *w, u16 flags);

/* Closes the current parameter: @len value bytes, FAULT/TRUNC @flags. */
static inline void vigil_rec_done(struct vigil_rec *w, u32 len, u16 flags)
{
	if (WARN_ON_ONCE(w->idx >= w->np))
		return;
	w->lens[w->idx++] = len | flags;
	w->pos += len;
	if (unlikely(flags))
		vigil_rec_flag(w, flags);
}

/* No value; @flags is 0 or VIGIL_PARAM_FAULT. */
static inline void vigil_put_empty(struct vigil_rec *w, u16 flags)
{
	vigil_rec_done(w, 0, flags);
}

static inline void vigil_put_u64(struct vigil_rec *w, u64 v)
{
	if (unlikely(vigil_rec_room(w) < 8))
		return vigil_rec_done(w, 0, VIGIL_PARAM_TRUNC);
	put_unaligned_le64(v, vigil_rec_value(w));
	vigil_rec_done(w, 8, 0);
}

static inline void vigil_put_u32(struct vigil_rec *w, u32 v)
{
	if (unlikely(vigil_rec_room(w) < 4))
		return vigil_rec_done(w, 0, VIGIL_PARAM_TRUNC);
	put_unaligned_le32(v, vigil_rec_value(w));
	vigil_rec_done(w, 4, 0);
}

/* @len user bytes, cut at @max (inline: a read or write pays it). */
static inline void vigil_put_user_bytes(struct vigil_rec *w, const void __user *p, u64 len, u32 max)
{
	u32 n = min_t(u64, min_t(u64, len, max), vigil_rec_room(w));

	n = min_t(u32, n, VIGIL_PARAM_MAX_LEN);
	if (!p || !len)
		return vigil_put_empty(w, 0);
	if (vigil_copy_user(vigil_rec_value(w), p, n))
		return vigil_put_empty(w, VIGIL_PARAM_FAULT);
	vigil_rec_done(w, n, n < len ? VIGIL_PARAM_TRUNC : 0);
}

/*
 * Starts a record of @type on @r; false when it must be dropped. Inline,
 * with vigil_rec_end(), so that a small record costs no call but the
 * clock's and the filler's.
 */
static __always_inline bool vigil_rec_begin(struct vigil_rec *w, struct vigil_ring *r,
					    u16 type)
{
	struct vigil_evt_hdr *h;
	u32 cap;
	u8 *p = vigil_ring_window(r, &cap);

	if (!p)
		return false;
	w->ring = r;
	w->buf = p;
	w->cap = cap;
	w->type = type;
	w->np = vigil_evt_nparams[type];
	w->idx = 0;
	w->lens = (__u16 *)(p + sizeof(*h));
	w->pos = sizeof(*h) + w->np * sizeof(__u16);
	h = (struct vigil_evt_hdr *)p;
	h->ts = ktime_get_ns();
	h->tid = current->pid;
	h->pid = current->tgid;
	h->type = type;
	h->nparams = w->np;
	h->cpu = (u8)smp_processor_id();
	return true;
}

/* Fills missing parameters as empty, zeroes the padding, publishes. */
static __always_inline void vigil_rec_end(struct vigil_rec *w)
{
	struct vigil_evt_hdr *h = (struct vigil_evt_hdr *)w->buf;
	u32 len;

	while (w->idx < w->np)
		vigil_rec_done(w, 0, 0);
	len = ALIGN(w->pos, VIGIL_RECORD_ALIGN);
	if (unlikely(len > w->cap)) {
		vigil_ring_drop(w->ring, VIGIL_DROP_TOOBIG);
		return;
	}
	/*
	 * The padding is under 8 bytes: one store of 8 zero bytes covers it
	 * when the window has room past it (bytes past len are free space,
	 * not yet published), instead of a call to memset.
	 */
	if (likely(w->cap - w->pos >= 8))
		put_unaligned_le64(0, w->buf + w->pos);
	else
		memset(w->buf + w->pos, 0, len - w->pos);
	h->len = len;
	vigil_ring_commit(w->ring, w->buf, len);
}

#endif /* VIGIL_RECORD_H */
