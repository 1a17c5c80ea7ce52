// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - per-CPU rings: allocation, mmap, poll, and the producer side.
 * Layout and ordering rules: see the "Ring layout" comment in vigil_abi.h.
 */
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include "ring.h"
#include "compat.h"

DEFINE_PER_CPU(struct vigil_ring *, vigil_ring_of);
DECLARE_WAIT_QUEUE_HEAD(vigil_ring_wq);
static atomic_t vigil_maps = ATOMIC_INIT(0);
static u64 vigil_ring_size;	/* size of the allocated rings, 0 when none */

static void vigil_ring_wake_fn(struct irq_work *work)
{
	wake_up_interruptible(&vigil_ring_wq);
}

static void vigil_ring_free(struct vigil_ring *r)
{
	if (!r)
		return;
	vfree(r->scratch);
	vfree(r->area);
	kfree(r);
}

static struct vigil_ring *vigil_ring_alloc(u32 size)
{
	struct vigil_ring *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return NULL;
	r->area = vmalloc_user(2 * VIGIL_PAGE_SIZE + (size_t)size);
	r->scratch = vmalloc(VIGIL_RECORD_MAX);
	if (!r->area || !r->scratch) {
		vigil_ring_free(r);
		return NULL;
	}
	r->cons = r->area;
	r->prod = r->area + VIGIL_PAGE_SIZE;
	r->data = r->area + 2 * VIGIL_PAGE_SIZE;
	r->size = size;
	r->prod->size = size;
	init_irq_work(&r->wake, vigil_ring_wake_fn);
	return r;
}

void vigil_rings_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		vigil_ring_free(per_cpu(vigil_ring_of, cpu));
		per_cpu(vigil_ring_of, cpu) = NULL;
	}
	vigil_ring_size = 0;
}

int vigil_rings_alloc(u32 size)
{
	int cpu;

	vigil_rings_free();
	for_each_possible_cpu(cpu) {
		struct vigil_ring *r = vigil_ring_alloc(size);

		if (!r) {
			vigil_rings_free();
			return -ENOMEM;
		}
		per_cpu(vigil_ring_of, cpu) = r;
	}
	vigil_ring_size = size;
	return 0;
}

void vigil_rings_sync(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vigil_ring *r = per_cpu(vigil_ring_of, cpu);

		if (r)
			irq_work_sync(&r->wake);
	}
}

void vigil_rings_wake_all(void)
{
	wake_up_interruptible(&vigil_ring_wq);
}

/* ---- mmap --------------------------------------------------------------- */

static void vigil_vma_open(struct vm_area_struct *vma)
{
	atomic_inc(&vigil_maps);
}

static void vigil_vma_close(struct vm_area_struct *vma)
{
	atomic_dec(&vigil_maps);
}

static const struct vm_operations_struct vigil_vm_ops = {
	.open = vigil_vma_open,
	.close = vigil_vma_close,
};

int vigil_ring_mapped(void)
{
	return atomic_read(&vigil_maps);
}

/*
 * Two mappings per ring (see vigil_abi.h): the consumer page alone, shared
 * and writable, at cpu * stride; the producer page plus data, read-only, at
 * cpu * stride + PAGE.
 */
int vigil_ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	u64 stride = 2 * VIGIL_PAGE_SIZE + vigil_ring_size;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	u64 cpu, in;
	struct vigil_ring *r;
	int err;

	if (!vigil_ring_size)
		return -ENODEV;
	cpu = div64_u64(off, stride);
	in = off - cpu * stride;
	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	r = per_cpu(vigil_ring_of, cpu);
	if (!r)
		return -ENODEV;
	if (in == 0) {
		if (len != VIGIL_PAGE_SIZE || !(vma->vm_flags & VM_SHARED))
			return -EINVAL;
	} else if (in == VIGIL_PAGE_SIZE) {
		if (len > VIGIL_PAGE_SIZE + r->size)
			return -EINVAL;
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		vigil_vma_make_readonly(vma);
	} else {
		return -EINVAL;
	}
	err = remap_vmalloc_range(vma, r->area, in >> PAGE_SHIFT);
	if (err)
		return err;
	vma->vm_ops = &vigil_vm_ops;
	vigil_vma_open(vma);
	return 0;
}

/* ---- poll --------------------------------------------------------------- */

static u64 vigil_ring_watermark(struct vigil_ring *r)
{
	u64 wm = READ_ONCE(r->cons->watermark);

	if (!wm)
		return 1;
	return min_t(u64, wm, r->size / 2);
}

__poll_t vigil_ring_poll(struct file *file, poll_table *pt)
{
	int cpu;

	poll_wait(file, &vigil_ring_wq, pt);
	/* pairs with wq_has_sleeper() in vigil_ring_commit: either we see the
	 * new head, or the producer sees us waiting */
	smp_mb();
	for_each_possible_cpu(cpu) {
		struct vigil_ring *r = per_cpu(vigil_ring_of, cpu);
		u64 head, tail;

		if (!r)
			continue;
		head = smp_load_acquire(&r->prod->head);
		tail = READ_ONCE(r->cons->tail);
		if (head - tail >= vigil_ring_watermark(r))
			return EPOLLIN | EPOLLRDNORM;
	}
	return 0;
}

/* ---- producer: the rare paths (the common one is inline in ring.h) ---- */

u64 vigil_ring_place_scratch(struct vigil_ring *r, u32 len)
{
	u64 size = r->size;
	u64 head = r->prod->head;
	u64 used = head - smp_load_acquire(&r->cons->tail);
	u64 off = head & (size - 1);
	u64 to_end = size - off;
	u64 need = len <= to_end ? len : to_end + len;

	if (unlikely(used > size)) {
		vigil_ring_drop(r, VIGIL_DROP_BADTAIL);
		return U64_MAX;
	}
	if (need > size - used) {
		vigil_ring_drop(r, VIGIL_DROP_FULL);
		return U64_MAX;
	}
	if (len > to_end) {
		/*
		 * Pad to the end. Less than a header left: nothing is written
		 * and the consumer skips to offset 0 itself.
		 */
		if (to_end >= sizeof(struct vigil_evt_hdr)) {
			struct vigil_evt_hdr *pad = (void *)(r->data + off);

			memset(pad, 0, sizeof(*pad));
			pad->len = to_end;
			pad->type = VIGIL_EVT_PAD;
			pad->cpu = (u8)smp_processor_id();
		}
		head += to_end;
		off = 0;
	}
	memcpy(r->data + off, r->scratch, len);
	return head;
}

/*
 * Called after the head store and a full barrier, when a reader sleeps in
 * poll(). The tail is read again here: the one read before the head store
 * may predate a reader that has since consumed everything and gone to
 * sleep, and judged by it the watermark would never seem crossed (with a
 * watermark of 1, not until the reader's poll timeout).
 */
void vigil_ring_wake_check(struct vigil_ring *r, u64 head)
{
	u64 unread = head - smp_load_acquire(&r->cons->tail);

	if (unread >= vigil_ring_watermark(r))
		irq_work_queue(&r->wake);
}
