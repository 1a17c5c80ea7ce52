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
	if (n > RING_MERGE_MAX)
		m->n = n = RING_MERGE_MAX;
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
			/* this ring's next record is read after the other
			 * rings' turns: start loading it now */
			__builtin_prefetch(s->data + (s->peek_end & mask));
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

/* ---- the heap of rings with a record waiting, by (timestamp, ring) ---- */

static bool before(struct ring_heap_ent a, struct ring_heap_ent b)
{
	return a.ts < b.ts || (a.ts == b.ts && a.ring < b.ring);
}

static void heap_push(struct ring_merge *m, unsigned ring)
{
	struct ring_heap_ent e = { m->src[ring].peek.hdr->ts, ring };
	unsigned i = m->hn++;

	while (i) {
		unsigned up = (i - 1) / 2;

		if (!before(e, m->heap[up]))
			break;
		m->heap[i] = m->heap[up];
		i = up;
	}
	m->heap[i] = e;
}

static void heap_pop(struct ring_merge *m)
{
	struct ring_heap_ent last = m->heap[--m->hn];
	unsigned i = 0;

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= m->hn)
			break;
		if (c + 1 < m->hn && before(m->heap[c + 1], m->heap[c]))
			c++;
		if (!before(m->heap[c], last))
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	if (m->hn)
		m->heap[i] = last;
}

/* Looks at every ring without a record waiting. */
static void scan_empty(struct ring_merge *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (!m->src[i].has_peek && refill(m, &m->src[i]))
			heap_push(m, i);
}

static void release_pending(struct ring_merge *m)
{
	if (m->pending < 0)
		return;
	unsigned i = (unsigned)m->pending;
	struct ring_src *s = &m->src[i];

	s->tail = s->peek_end;
	s->has_peek = false;
	if (s->tail - s->published >= s->size / 16)
		publish(s);
	m->pending = -1;
	if (refill(m, s))
		heap_push(m, i);
}

void ring_merge_release(struct ring_merge *m)
{
	release_pending(m);
	for (unsigned i = 0; i < m->n; i++)
		publish(&m->src[i]);
}

int ring_merge_next(struct ring_merge *m, uint64_t now, struct evt *ev, uint64_t *wait_ns)
{
	const bool flush = now == RING_NOW_FLUSH;

	release_pending(m);
	if (m->hn < m->n) {
		uint64_t h = flush || now < m->newest_ts ? m->newest_ts : now;
		/* must the empty rings be looked at before the heap's oldest
		 * record may go? (see ring.h) */
		if (!m->hn || flush ||
		    m->heap[0].ts > m->scan_h - m->reorder_ns ||
		    m->scan_h < m->reorder_ns) {
			scan_empty(m);
			m->scan_h = h;
		}
	}
	if (!m->hn) {
		if (wait_ns)
			*wait_ns = UINT64_MAX;
		return 0;
	}
	const struct ring_src *best = &m->src[m->heap[0].ring];
	uint64_t ts = m->heap[0].ts;
	uint64_t horizon = now > m->newest_ts ? now : m->newest_ts;
	bool late = m->num && ts < m->last_ts;

	if (m->hn < m->n && !late && !flush &&
	    (horizon < m->reorder_ns || ts > horizon - m->reorder_ns)) {
		if (wait_ns)
			*wait_ns = ts + m->reorder_ns - horizon;
		return 0;
	}
	heap_pop(m);
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
