/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ring.h - the per-CPU rings of vigil_abi.h: allocation, mmap, the
 * producer side (window/commit) and poll.
 */
#ifndef VIGIL_RING_H
#define VIGIL_RING_H

#include <linux/types.h>
#include <linux/irq_work.h>
#include <linux/wait.h>
#include <linux/poll.h>
#include <linux/percpu.h>
#include "vigil_abi.h"

struct vigil_ring {
	void *area;			/* vmalloc_user: cons page, prod page, data */
	struct vigil_ring_cons *cons;	/* userspace writes this page */
	struct vigil_ring_prod *prod;
	u8 *data;
	u8 *scratch;			/* VIGIL_RECORD_MAX bytes, for records near the end */
	u64 size;
	int busy;			/* re-entry guard; CPU-local, preemption off */
	struct irq_work wake;
};

/* The ring of each possible CPU; NULL until vigil_rings_alloc(). */
DECLARE_PER_CPU(struct vigil_ring *, vigil_ring_of);
extern wait_queue_head_t vigil_ring_wq;

int vigil_rings_alloc(u32 size);
void vigil_rings_free(void);
/* Waits for pending wake-ups (after the probes are detached). */
void vigil_rings_sync(void);
void vigil_rings_wake_all(void);

int vigil_ring_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t vigil_ring_poll(struct file *file, poll_table *pt);
/* Mappings currently alive (the ring size cannot change while > 0). */
int vigil_ring_mapped(void);

static inline void vigil_ring_drop(struct vigil_ring *r, enum vigil_drop_cause c)
{
	r->prod->drops[c]++;
}

/*
 * Producer side, preemption disabled, on the ring of this CPU. The common
 * path (a record built in place, no reader asleep) is inline: every call
 * and return a probe makes is paid on every captured syscall. The rare
 * paths are out of line in ring.c.
 *
 * vigil_ring_window() returns where to build the next record and how many
 * bytes it may take: directly in the ring when there is VIGIL_RECORD_MAX of
 * contiguous free space, else the ring's scratch buffer (then
 * vigil_ring_commit copies it in, writing a PAD record at the end of the
 * data area when needed). Returns NULL (and counts the drop) when the
 * consumer's tail is out of range.
 */
static __always_inline u8 *vigil_ring_window(struct vigil_ring *r, u32 *cap)
{
	u64 head = r->prod->head;	/* written by this CPU only */
	u64 used = head - smp_load_acquire(&r->cons->tail);
	u64 off = head & (r->size - 1);

	/* a tail ahead of head or more than a ring behind is never trusted */
	if (unlikely(used > r->size)) {
		vigil_ring_drop(r, VIGIL_DROP_BADTAIL);
		return NULL;
	}
	*cap = VIGIL_RECORD_MAX;
	if (likely(r->size - off >= VIGIL_RECORD_MAX &&
		   r->size - used >= VIGIL_RECORD_MAX))
		return r->data + off;
	return r->scratch;
}

/*
 * Copies a record built in the scratch buffer into the ring (after a PAD
 * to the end of the data area when it does not fit before it). Returns
 * the head the record starts at, or U64_MAX when it was dropped.
 */
u64 vigil_ring_place_scratch(struct vigil_ring *r, u32 len);
/* Wakes the poll() waiters if the unread bytes reach the watermark. */
void vigil_ring_wake_check(struct vigil_ring *r, u64 head);

/* Publishes the record of @len bytes (aligned) built at @rec. */
static __always_inline void vigil_ring_commit(struct vigil_ring *r, u8 *rec, u32 len)
{
	u64 head = r->prod->head;

	if (unlikely(rec == r->scratch)) {
		head = vigil_ring_place_scratch(r, len);
		if (head == U64_MAX)
			return;
	}
	r->prod->events++;
	r->prod->bytes += len;
	smp_store_release(&r->prod->head, head + len);
	/*
	 * wq_has_sleeper() is a full barrier that pairs with the smp_mb() in
	 * vigil_ring_poll(): the reader either sees the new head or is seen
	 * waiting here. A reader that keeps up is not waiting, so it never
	 * costs an IPI (see vigil_ring_wake_check).
	 */
	if (wq_has_sleeper(&vigil_ring_wq))
		vigil_ring_wake_check(r, head + len);
}

#endif /* VIGIL_RING_H */
