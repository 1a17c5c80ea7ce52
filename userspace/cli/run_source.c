/* SPDX-License-Identifier: MIT */
/*
 * run_source.c - where `vigil run` gets its records: the kernel module's
 * rings (ring/ring.h), or a capture file (capture/capture.h; for tests and
 * offline runs: the same path as live, without /proc filling).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/run.h"
#include "capture/capture.h"
#include "event/event.h"
#include "output/metrics.h"
#include "ring/ring.h"

static int64_t boot_offset_now(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000ll + (rt.tv_nsec - mono.tv_nsec);
}

/* ---------------------------------------------------------------- rings */
struct src_ring {
	struct run_source s;
	struct ring_reader *r;
	bool started;
};

static int ring_src_next(struct run_source *s, struct evt *ev, int timeout_ms,
			 char *err, size_t errlen)
{
	struct src_ring *sr = (struct src_ring *)s;

	return ring_next(sr->r, ev, timeout_ms, err, errlen);
}

static int ring_src_set_events(struct run_source *s, const struct vigil_evt_bitmap *b,
			       char *err, size_t errlen)
{
	struct src_ring *sr = (struct src_ring *)s;
	unsigned types[VIGIL_EVT_NR];
	size_t n = 0;

	for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
		if ((b->bits[t / 64] >> (t % 64)) & 1 && evt_table[t].source != VIGIL_SRC_USER)
			types[n++] = t;
	if (ring_set_events(sr->r, types, n, err, errlen) != 0)
		return -1;
	if (!sr->started) {
		if (ring_start(sr->r, err, errlen) != 0)
			return -1;
		sr->started = true;
	}
	return 0;
}

static int ring_src_stop(struct run_source *s, char *err, size_t errlen)
{
	struct src_ring *sr = (struct src_ring *)s;

	if (!sr->started)
		return 0;
	sr->started = false;
	return ring_stop(sr->r, err, errlen);
}

static unsigned ring_src_ncpus(struct run_source *s)
{
	const struct vigil_info *info = ring_info(((struct src_ring *)s)->r);

	return info ? info->nr_rings : 0;
}

static int ring_src_cpu_stats(struct run_source *s, unsigned cpu, struct vigil_cpu_stats *st)
{
	struct src_ring *sr = (struct src_ring *)s;
	char err[128];
	int r;

	memset(st, 0, sizeof(*st));
	r = ring_cpu_stats(sr->r, cpu, st, err, sizeof(err));
	return r < 0 ? -1 : r > 0 ? 1 : 0;
}

/* Sum over every CPU and cause (no metrics). */
static uint64_t src_drops_sum(struct run_source *s)
{
	uint64_t total = 0;
	unsigned n = s->ncpus(s);

	for (unsigned cpu = 0; cpu < n; cpu++) {
		struct vigil_cpu_stats st;

		if (s->cpu_stats(s, cpu, &st) != 0)
			continue;
		for (unsigned c = 0; c < VIGIL_DROP_NR; c++)
			total += st.drops[c];
	}
	return total;
}

uint64_t run_source_metrics(struct run_source *s, struct metrics *m)
{
	uint64_t total = 0;
	unsigned n = s->ncpus(s);

	for (unsigned cpu = 0; cpu < n; cpu++) {
		struct vigil_cpu_stats st;

		if (s->cpu_stats(s, cpu, &st) != 0)
			continue;
		metrics_ring_stats(m, cpu, &st);
		for (unsigned c = 0; c < VIGIL_DROP_NR; c++)
			total += st.drops[c];
	}
	return total;
}

static void ring_src_close(struct run_source *s)
{
	struct src_ring *sr = (struct src_ring *)s;
	char err[128];

	if (sr->started)
		ring_stop(sr->r, err, sizeof(err));
	ring_close(sr->r);
	free(sr);
}

struct run_source *run_source_ring(unsigned ring_size, unsigned snaplen,
				   char *err, size_t errlen)
{
	struct src_ring *sr = calloc(1, sizeof(*sr));
	struct ring_opts o;

	if (!sr) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(&o, 0, sizeof(o));
	o.watermark = 1;	/* wake on the first record: alert latency first */
	o.ring_size = ring_size;
	o.snaplen = snaplen;
	sr->r = ring_open(&o, err, errlen);
	if (!sr->r) {
		free(sr);
		return NULL;
	}
	sr->s.next = ring_src_next;
	sr->s.set_events = ring_src_set_events;
	sr->s.stop = ring_src_stop;
	sr->s.drops = src_drops_sum;
	sr->s.cpu_stats = ring_src_cpu_stats;
	sr->s.ncpus = ring_src_ncpus;
	sr->s.close = ring_src_close;
	sr->s.boot_offset_ns = boot_offset_now();
	sr->s.live = true;
	return &sr->s;
}

/* -------------------------------------------------------------- capture */
/* The DROP records `vigil capture` wrote (cpu, cause, count) are summed
 * per CPU as they are read, so drop alerts and metrics come out as they
 * would have live. */
#define CAP_MAX_CPUS	RING_MERGE_MAX

struct src_cap {
	struct run_source s;
	struct capture_reader *r;
	struct vigil_cpu_stats *cpu;	/* ncpu entries, grown on demand */
	unsigned ncpu;
};

static void cap_count_drop(struct src_cap *sc, const struct evt *ev)
{
	uint64_t cpu = evt_get_u64(ev, 0, UINT64_MAX), cause = evt_get_u64(ev, 1, UINT64_MAX);
	uint64_t n = evt_get_u64(ev, 2, 0);

	if (cpu >= CAP_MAX_CPUS || cause >= VIGIL_DROP_NR)
		return;
	if (cpu >= sc->ncpu) {
		struct vigil_cpu_stats *nc = realloc(sc->cpu, (cpu + 1) * sizeof(*nc));

		if (!nc)
			return;
		memset(nc + sc->ncpu, 0, (cpu + 1 - sc->ncpu) * sizeof(*nc));
		for (unsigned i = sc->ncpu; i <= cpu; i++)
			nc[i].cpu = i;
		sc->cpu = nc;
		sc->ncpu = (unsigned)cpu + 1;
	}
	sc->cpu[cpu].drops[cause] += n;
}

static int cap_next(struct run_source *s, struct evt *ev, int timeout_ms,
		    char *err, size_t errlen)
{
	struct src_cap *sc = (struct src_cap *)s;
	int r = capture_reader_next(sc->r, ev, err, errlen);

	(void)timeout_ms;
	if (r == 1 && ev->hdr->type == VIGIL_EVT_DROP)
		cap_count_drop(sc, ev);
	return r == 0 ? 2 : r;
}

static int cap_set_events(struct run_source *s, const struct vigil_evt_bitmap *b,
			  char *err, size_t errlen)
{
	(void)s; (void)b; (void)err; (void)errlen;
	return 0;	/* the file holds what it holds */
}

static int cap_stop(struct run_source *s, char *err, size_t errlen)
{
	(void)s; (void)err; (void)errlen;
	return 0;
}

static unsigned cap_ncpus(struct run_source *s)
{
	return ((struct src_cap *)s)->ncpu;
}

static int cap_cpu_stats(struct run_source *s, unsigned cpu, struct vigil_cpu_stats *st)
{
	struct src_cap *sc = (struct src_cap *)s;

	if (cpu >= sc->ncpu)
		return 1;
	*st = sc->cpu[cpu];
	return 0;
}

static void cap_close(struct run_source *s)
{
	struct src_cap *sc = (struct src_cap *)s;

	capture_reader_close(sc->r);
	free(sc->cpu);
	free(sc);
}

struct run_source *run_source_capture(const char *path, char *err, size_t errlen)
{
	struct src_cap *sc = calloc(1, sizeof(*sc));

	if (!sc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sc->r = capture_reader_open(path, err, errlen);
	if (!sc->r) {
		free(sc);
		return NULL;
	}
	sc->s.next = cap_next;
	sc->s.set_events = cap_set_events;
	sc->s.stop = cap_stop;
	sc->s.drops = src_drops_sum;
	sc->s.cpu_stats = cap_cpu_stats;
	sc->s.ncpus = cap_ncpus;
	sc->s.close = cap_close;
	sc->s.boot_offset_ns = capture_reader_info(sc->r)->boot_offset_ns;
	sc->s.live = false;
	return &sc->s;
}
