/* SPDX-License-Identifier: MIT */
/*
 * merge.c - the consumer side of the rings: walks each ring's records
 * (PAD, wrap-around, malformed ones), and merges the rings by timestamp
 * with a reorder window (see ring.h for the rules and the reasons).
 */
#include <string.h>

#include "ring/ring.h"

#define HDR sizeof(struct vigil_evt_hdr)

static void publish(struct ring_src *s)
{
	if (s->published != s->tail) {
		__atomic_store_n(&s->cons->tail, s->tail, __ATOMIC_RELEASE);
		s->published = s->tail;
	}
}

void ring_merge_init(struct ring_merge *m, struct ring_src *src, unsigned n,
		     uint64_t reorder_ns)
{
	memset(m, 0, sizeof(*m));
	m->src = src;
	m->n = n;
	m->reorder_ns = reorder_ns ? reorder_ns : RING_REORDER_DEFAULT_NS;
	m->pending = -1;
	for (unsigned i = 0; i < n; i++) {
		struct ring_src *s = &src[i];

		s->tail = __atomic_load_n(&s->cons->tail, __ATOMIC_ACQUIRE);
		s->published = s->tail;
		s->head = s->tail;
		s->has_peek = false;
	}
}

static void desync(struct ring_merge *m, struct ring_src *s)
{
	m->st.desyncs++;
	s->tail = s->head;
	publish(s);
}

/* Finds the ring's next real record; false if the ring is empty. */
static bool refill(struct ring_merge *m, struct ring_src *s)
{
	const uint64_t mask = s->size - 1;

	for (;;) {
		if (s->tail == s->head) {
			s->head = __atomic_load_n(&s->prod->head, __ATOMIC_ACQUIRE);
			if (s->tail == s->head) {
				publish(s);
				return false;
			}
		}
		uint64_t unread = s->head - s->tail;

		if (unread > s->size || (unread & (VIGIL_RECORD_ALIGN - 1))) {
			/* head moved backwards or is garbage: trust nothing */
			desync(m, s);
			continue;
		}
		uint64_t off = s->tail & mask;
		uint64_t room = s->size - off;

		if (room < HDR) {		/* producer skipped to the start */
			s->tail += room;
			continue;
		}
		size_t avail = (size_t)(unread < room ? unread : room);

		if (avail < HDR) {
			desync(m, s);
			continue;
		}
		const uint8_t *p = s->data + off;
		struct vigil_evt_hdr h;

		memcpy(&h, p, HDR);
		bool sane = h.len >= HDR && h.len <= avail && !(h.len & (VIGIL_RECORD_ALIGN - 1));

		if (h.type == VIGIL_EVT_PAD) {
			if (!sane) {
				desync(m, s);
				continue;
			}
			m->st.pads++;
			s->tail += h.len;
			continue;
		}
		enum evt_decode_err e = evt_decode(p, avail, &s->peek);

		if (e == EVT_OK) {
			s->has_peek = true;
			s->peek_end = s->tail + h.len;
			if (h.ts > m->newest_ts)
				m->newest_ts = h.ts;
			return true;
		}
		if (!sane) {
			desync(m, s);
			continue;
		}
		m->st.malformed++;
		m->st.by_err[e]++;
		s->tail += h.len;
	}
}

static void release_pending(struct ring_merge *m)
{
	if (m->pending < 0)
		return;
	struct ring_src *s = &m->src[m->pending];

	s->tail = s->peek_end;
	s->has_peek = false;
	if (s->tail - s->published >= s->size / 16)
		publish(s);
	m->pending = -1;
}

void ring_merge_release(struct ring_merge *m)
{
	release_pending(m);
	for (unsigned i = 0; i < m->n; i++)
		publish(&m->src[i]);
}

int ring_merge_next(struct ring_merge *m, uint64_t now, struct evt *ev, uint64_t *wait_ns)
{
	struct ring_src *best = NULL;
	bool all = true;

	release_pending(m);
	for (unsigned i = 0; i < m->n; i++) {
		struct ring_src *s = &m->src[i];

		if (!s->has_peek && !refill(m, s)) {
			all = false;
			continue;
		}
		if (!best || s->peek.hdr->ts < best->peek.hdr->ts)
			best = s;
	}
	if (!best) {
		if (wait_ns)
			*wait_ns = UINT64_MAX;
		return 0;
	}
	uint64_t ts = best->peek.hdr->ts;
	uint64_t horizon = now > m->newest_ts ? now : m->newest_ts;
	bool late = m->num && ts < m->last_ts;

	if (!all && !late && now != RING_NOW_FLUSH &&
	    (horizon < m->reorder_ns || ts > horizon - m->reorder_ns)) {
		if (wait_ns)
			*wait_ns = ts + m->reorder_ns - horizon;
		return 0;
	}
	if (late)
		m->st.late++;
	else
		m->last_ts = ts;
	/* copy the header part and the used params only */
	memcpy(ev, &best->peek, offsetof(struct evt, params) +
	       best->peek.info->nparams * sizeof(struct evt_param));
	ev->num = ++m->num;
	m->st.records++;
	m->pending = (int)(best - m->src);
	return 1;
}
