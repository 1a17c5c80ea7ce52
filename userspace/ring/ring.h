/* SPDX-License-Identifier: MIT */
/*
 * ring.h - the reader: drains the module's per-CPU rings (layout and rules
 * in kmod/vigil_abi.h) and hands out records merged across CPUs in
 * timestamp order, decoded (event/event.h).
 *
 * Two layers:
 *  - ring_merge: the consumer logic over rings already in memory (the
 *    device's mmaps, or a test's buffers): walking records, PAD and
 *    wrap-around, skipping malformed records, releasing space, and the
 *    k-way merge. No system calls.
 *  - ring_reader: the device: open, ABI check, ring size/snaplen/flags,
 *    event bitmap, mmap of every CPU's ring, start/stop, poll(), stats.
 *
 * Merge and the reorder window. Each ring is in timestamp order, so the
 * oldest record overall is the smallest of the rings' next records - but
 * only if no ring can still produce an older one. A ring that is empty now
 * may publish a record stamped slightly earlier (taken before, published
 * after we looked). So a record is handed out when
 *   (a) every ring has a record waiting (the plain k-way merge), or
 *   (b) its timestamp is at least `reorder_ns` older than the horizon:
 *       the newest timestamp seen in any ring, or the current
 *       CLOCK_MONOTONIC time (the kernel stamps with the same clock), the
 *       larger of the two; or
 *   (c) the reader is draining (after STOP, or at the end).
 * Default window: RING_REORDER_DEFAULT_NS (2 ms). A record that still
 * arrives older than one already handed out is delivered anyway, right
 * away, and counted in `late` (ordering is best effort past the window;
 * nothing is dropped).
 *
 * Cost: rings with a record waiting sit in a min-heap by timestamp
 * (O(log n) per record). Empty rings are rescanned only when needed: a
 * record not seen by a scan that started at horizon H was published
 * after it, so its timestamp is at least H minus the publish delay (less
 * than the window); records up to H - reorder_ns can therefore be handed
 * out without looking at the empty rings again. With idle CPUs that is
 * one O(n) scan per window's worth of records, not per record.
 *
 * Space is released with a release store of cons->tail once the records
 * before it are done with: a record handed out stays valid until the next
 * ring_merge_next()/ring_next() call. Tail stores are batched (every
 * 1/16th of the ring, and whenever a ring runs empty) to spare the
 * producer a cache-line bounce per record.
 *
 * Malformed records (evt_decode() error) are counted by cause and skipped
 * when their length is still sane (>= header, aligned, inside the
 * published bytes); otherwise the ring is resynchronised by skipping to
 * its head (counted in `desyncs`). Nothing in a ring can crash the reader.
 */
#ifndef VIGIL_RING_H
#define VIGIL_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"

#define RING_REORDER_DEFAULT_NS	2000000ull
#define RING_NOW_FLUSH		UINT64_MAX	/* `now` that drains everything */

/* Counters kept by the consumer (the module's own are in vigil_cpu_stats). */
struct ring_ustats {
	uint64_t records;		/* handed out */
	uint64_t pads;
	uint64_t malformed;		/* skipped, by cause below */
	uint64_t by_err[EVT_ERR__NR];
	uint64_t desyncs;		/* ring skipped to head: garbage length */
	uint64_t late;			/* handed out older than a previous one */
};

/* One ring as the consumer sees it. */
struct ring_src {
	struct vigil_ring_cons *cons;		/* tail: written by us */
	const struct vigil_ring_prod *prod;	/* head: written by the producer */
	const uint8_t *data;
	uint64_t size;				/* power of two */
	/* consumer state */
	uint64_t tail;		/* next unread byte */
	uint64_t published;	/* last tail stored to cons->tail */
	uint64_t head;		/* last head loaded */
	bool has_peek;
	uint64_t peek_end;	/* tail once the peeked record is done */
	struct evt peek;
};

#define RING_MERGE_MAX	4096	/* rings (CPU ids) one merge can take */

struct ring_heap_ent {
	uint64_t ts;		/* timestamp of the ring's waiting record */
	uint32_t ring;
};

struct ring_merge {
	struct ring_src *src;
	unsigned n;
	uint64_t reorder_ns;
	uint64_t newest_ts;	/* newest timestamp seen in any ring */
	uint64_t last_ts;	/* timestamp of the last record handed out */
	uint64_t scan_h;	/* horizon when the empty rings were last scanned */
	int pending;		/* ring of the last record handed out, or -1 */
	uint64_t num;
	struct ring_ustats st;
	unsigned hn;		/* rings in heap[] (with a record waiting) */
	struct ring_heap_ent heap[RING_MERGE_MAX];
};

/* src[i].cons/prod/data/size must be set; the consumer state is reset
 * (tail from cons->tail). reorder_ns 0 means the default. n is at most
 * RING_MERGE_MAX. */
void ring_merge_init(struct ring_merge *m, struct ring_src *src, unsigned n,
		     uint64_t reorder_ns);
/*
 * Next record in timestamp order. `now`: CLOCK_MONOTONIC ns, 0 to rely on
 * the timestamps seen only, RING_NOW_FLUSH to hand out everything. Returns
 * 1 with *ev set (pointing into the ring), or 0 when nothing may be handed
 * out yet; then *wait_ns (if not NULL) says how long until the oldest held
 * record becomes due (UINT64_MAX: no record held, all rings empty).
 */
int ring_merge_next(struct ring_merge *m, uint64_t now, struct evt *ev, uint64_t *wait_ns);
/* Releases the last record handed out and publishes every ring's tail. */
void ring_merge_release(struct ring_merge *m);

/* ---- the device ---- */
struct ring_opts {
	const char *dev;	/* NULL: VIGIL_DEVICE_PATH */
	uint32_t ring_size;	/* 0: the module's default */
	uint32_t snaplen;	/* 0: the module's default */
	uint32_t flags;		/* VIGIL_CAPTURE_* */
	uint64_t reorder_ns;	/* 0: RING_REORDER_DEFAULT_NS */
	uint64_t watermark;	/* poll() wake-up threshold in bytes (0: every record) */
};

struct ring_reader;

/*
 * Opens the device, checks the ABI (a module of another release is refused
 * with both versions named), applies ring size/snaplen/flags, maps every
 * ring. Capture is not started. NULL on error with err set.
 */
struct ring_reader *ring_open(const struct ring_opts *o, char *err, size_t errlen);
/* Sets the module's event bitmap to exactly these types (module-made
 * types only: USER types are refused). */
int ring_set_events(struct ring_reader *r, const unsigned *types, size_t n,
		    char *err, size_t errlen);
/* Every type the module can emit (source SYSCALL or SCHED). */
int ring_set_all_events(struct ring_reader *r, char *err, size_t errlen);
int ring_start(struct ring_reader *r, char *err, size_t errlen);
/* Stops capture; later ring_next() calls drain what is left, in order,
 * without waiting, then return 0. */
int ring_stop(struct ring_reader *r, char *err, size_t errlen);
/*
 * Next record, waiting with poll() at most timeout_ms (-1: no limit).
 * Returns 1 (ev valid until the next call), 0 on timeout, on a signal
 * (EINTR: check your flag), or when drained after ring_stop(); -1 on error.
 */
int ring_next(struct ring_reader *r, struct evt *ev, int timeout_ms, char *err, size_t errlen);
const struct vigil_info *ring_info(const struct ring_reader *r);
const struct ring_ustats *ring_ustats(const struct ring_reader *r);
/* The module's counters for ring `cpu` (VIGIL_IOC_GET_STATS): 0, or 1
 * when that CPU id has no ring (not a possible CPU; *st zeroed), or -1. */
int ring_cpu_stats(struct ring_reader *r, unsigned cpu, struct vigil_cpu_stats *st,
		   char *err, size_t errlen);
/* The same on a control fd (ring_open_control). */
int ring_get_stats(int fd, const char *dev, unsigned cpu, struct vigil_cpu_stats *st,
		   char *err, size_t errlen);
void ring_close(struct ring_reader *r);

/* Opens the device for control only (no mmap, no ABI check beyond INFO):
 * for `vigil stats`. Returns the fd or -1 with err set and errno kept
 * (EBUSY: another process holds the device); *info filled. */
int ring_open_control(const char *dev, struct vigil_info *info, char *err, size_t errlen);

#endif
