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

static uint64_t ring_src_drops(struct run_source *s)
{
	struct src_ring *sr = (struct src_ring *)s;
	const struct vigil_info *info = ring_info(sr->r);
	uint64_t total = 0;
	char err[128];

	for (unsigned cpu = 0; info && cpu < info->nr_rings; cpu++) {
		struct vigil_cpu_stats st;

		memset(&st, 0, sizeof(st));
		if (ring_cpu_stats(sr->r, cpu, &st, err, sizeof(err)) != 0)
			continue;
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

struct run_source *run_source_ring(unsigned ring_size, char *err, size_t errlen)
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
	sr->r = ring_open(&o, err, errlen);
	if (!sr->r) {
		free(sr);
		return NULL;
	}
	sr->s.next = ring_src_next;
	sr->s.set_events = ring_src_set_events;
	sr->s.stop = ring_src_stop;
	sr->s.drops = ring_src_drops;
	sr->s.close = ring_src_close;
	sr->s.boot_offset_ns = boot_offset_now();
	sr->s.live = true;
	return &sr->s;
}

/* -------------------------------------------------------------- capture */
struct src_cap {
	struct run_source s;
	struct capture_reader *r;
};

static int cap_next(struct run_source *s, struct evt *ev, int timeout_ms,
		    char *err, size_t errlen)
{
	struct src_cap *sc = (struct src_cap *)s;
	int r = capture_reader_next(sc->r, ev, err, errlen);

	(void)timeout_ms;
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

static uint64_t cap_drops(struct run_source *s)
{
	(void)s;
	return 0;
}

static void cap_close(struct run_source *s)
{
	struct src_cap *sc = (struct src_cap *)s;

	capture_reader_close(sc->r);
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
	sc->s.drops = cap_drops;
	sc->s.close = cap_close;
	sc->s.boot_offset_ns = capture_reader_info(sc->r)->boot_offset_ns;
	sc->s.live = false;
	return &sc->s;
}
