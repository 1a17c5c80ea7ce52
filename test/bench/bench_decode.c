/* SPDX-License-Identifier: MIT */
/*
 * bench_decode.c - speed of the bottom of the data path on one core:
 *   decode      evt_decode over a buffer of records
 *   ring        the reader's consumer path: ring_merge over 4 in-memory
 *               rings (walk + decode + k-way merge + tail release);
 *               VIGIL_BENCH_RINGS=N for N rings (CPUs)
 *   render      evt_param_render of every parameter
 *   capture-w   capture_writer_append to a file
 *   capture-r   capture_reader_next from that file (page cache)
 * The mix: openat 40%, close 30%, read 15% (64 data bytes), connect 10%,
 * execve 5% (argv of 4). Run by test/bench/bench_decode.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "ring/ring.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t build(uint8_t *p, size_t cap, unsigned i, uint64_t ts)
{
	struct evt_builder b;
	unsigned k = i % 20;
	char path[64];

	snprintf(path, sizeof(path), "/usr/lib/x86_64-linux-gnu/lib%u.so.6", i % 1000);
	if (k < 8) {
		evt_build_begin(&b, p, cap, VIGIL_EVT_OPENAT, ts, 1000 + i % 50, 1000);
		evt_build_u64(&b, 3);
		evt_build_u64(&b, (uint64_t)-100);
		evt_build_str(&b, path);
		evt_build_u32(&b, 02000000);
		evt_build_u32(&b, 0);
		evt_build_u32(&b, 0x803);
		evt_build_u64(&b, i);
	} else if (k < 14) {
		evt_build_begin(&b, p, cap, VIGIL_EVT_CLOSE, ts, 1000, 1000);
		evt_build_u64(&b, 0);
		evt_build_u64(&b, 3);
	} else if (k < 17) {
		evt_build_begin(&b, p, cap, VIGIL_EVT_READ, ts, 1000, 1000);
		evt_build_u64(&b, 64);
		evt_build_u64(&b, 3);
		evt_build_u64(&b, 4096);
		evt_build_bytes(&b, path, 64 > strlen(path) ? strlen(path) : 64, 0);
	} else if (k < 19) {
		struct evt_sockaddr l = { .family = AF_INET, .addr = { 10, 0, 0, 1 }, .port = 40000 };
		struct evt_sockaddr r = { .family = AF_INET, .addr = { 1, 1, 1, 1 }, .port = 443 };

		evt_build_begin(&b, p, cap, VIGIL_EVT_CONNECT, ts, 1000, 1000);
		evt_build_u64(&b, 0);
		evt_build_u64(&b, 4);
		evt_build_sockaddr(&b, &r);
		evt_build_tuple(&b, &l, &r);
	} else {
		evt_build_begin(&b, p, cap, VIGIL_EVT_EXECVE, ts, 1000, 1000);
		for (unsigned j = 0; j < VIGIL_NP_EXECVE; j++) {
			enum vigil_param_type t = evt_table[VIGIL_EVT_EXECVE].params[j].type;

			if (j == VIGIL_P_EXECVE_args)
				evt_build_bytes(&b, "ls\0-la\0--color\0/tmp\0", 21, 0);
			else if (evt_ptype[t].size == 8)
				evt_build_u64(&b, j);
			else if (evt_ptype[t].size == 4)
				evt_build_u32(&b, j);
			else
				evt_build_str(&b, "/usr/bin/ls");
		}
	}
	return evt_build_end(&b);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 2000000;
	const char *path = argc > 2 ? argv[2] : "/tmp/vigil-bench.vcap";
	size_t cap = (size_t)n * 512;
	uint8_t *buf = aligned_alloc(8, cap);
	size_t used = 0;
	struct evt ev;
	double t;

	for (unsigned i = 0; i < n; i++)
		used += build(buf + used, cap - used, i, 1000000000ull + i);
	printf("records: %u, %.1f MB, %.0f bytes/record avg\n", n, used / 1e6, (double)used / n);

	/* decode */
	t = now_s();
	unsigned cnt = 0;

	for (int rep = 0; rep < 3; rep++)
		for (size_t off = 0; off < used; off += ev.hdr->len) {
			if (evt_decode(buf + off, used - off, &ev) != EVT_OK)
				return 1;
			cnt++;
		}
	t = now_s() - t;
	printf("decode:    %8.2f M events/s  %7.0f MB/s\n", cnt / t / 1e6, 3 * used / t / 1e6);

	/* ring consumer: NR rings of 2^k bytes, records dealt round-robin */
	const char *nrs = getenv("VIGIL_BENCH_RINGS");
	int NR = nrs ? atoi(nrs) : 4;

	if (NR < 1 || NR > 256)
		NR = 4;
	/* each ring big enough for what it gets (sizes differ by type) */
	uint64_t rsize = 1, *per = calloc(NR, sizeof(*per)), most = 0;
	unsigned k = 0;

	for (size_t off = 0; off < used; k++) {
		uint32_t len = ((struct vigil_evt_hdr *)(buf + off))->len;

		per[k % NR] += len;
		off += len;
	}
	for (int r = 0; r < NR; r++)
		most = per[r] > most ? per[r] : most;
	while (rsize < most + 65536)
		rsize <<= 1;
	free(per);
	struct vigil_ring_cons *cons = calloc(NR, sizeof(*cons));
	struct vigil_ring_prod *prod = calloc(NR, sizeof(*prod));
	struct ring_src *src = calloc(NR, sizeof(*src));
	uint8_t **rdata = calloc(NR, sizeof(*rdata));

	for (int r = 0; r < NR; r++) {
		rdata[r] = aligned_alloc(8, rsize);
		memset(&src[r], 0, sizeof(src[r]));
		src[r] = (struct ring_src){ .cons = &cons[r], .prod = &prod[r], .data = rdata[r],
					    .size = rsize };
		prod[r].size = rsize;
	}
	unsigned i = 0;

	for (size_t off = 0; off < used; i++) {
		struct vigil_evt_hdr *h = (struct vigil_evt_hdr *)(buf + off);
		int r = (int)(i % NR);

		memcpy(rdata[r] + prod[r].head, h, h->len);
		prod[r].head += h->len;
		off += h->len;
	}
	struct ring_merge m;

	ring_merge_init(&m, src, NR, 0);
	t = now_s();
	cnt = 0;
	while (ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL) == 1)
		cnt++;
	t = now_s() - t;
	ring_merge_release(&m);
	printf("ring:      %8.2f M events/s  (%d rings, merge + decode + release; %u events)\n",
	       cnt / t / 1e6, NR, cnt);
	if (cnt != n)
		return 1;

	/* render */
	char out[512];
	unsigned nr = n < 500000 ? n : 500000;

	t = now_s();
	cnt = 0;
	for (size_t off = 0; cnt < nr; off += ev.hdr->len, cnt++) {
		evt_decode(buf + off, used - off, &ev);
		for (unsigned p = 0; p < ev.info->nparams; p++)
			evt_param_render(&ev, p, out, sizeof(out));
	}
	t = now_s() - t;
	printf("render:    %8.2f M events/s  (all parameters as text)\n", cnt / t / 1e6);

	/* capture write + read */
	char err[256];
	struct capture_writer *w = capture_writer_open(path, NULL, err, sizeof(err));

	if (!w) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t = now_s();
	for (size_t off = 0; off < used; off += ev.hdr->len) {
		ev.hdr = (const struct vigil_evt_hdr *)(buf + off);
		if (capture_writer_append(w, buf + off, ev.hdr->len, err, sizeof(err)) < 0)
			return 1;
	}
	if (capture_writer_close(w, err, sizeof(err)) < 0)
		return 1;
	t = now_s() - t;
	printf("capture-w: %8.2f M events/s  %7.0f MB/s\n", n / t / 1e6, used / t / 1e6);
	struct capture_reader *rd = capture_reader_open(path, err, sizeof(err));

	if (!rd)
		return 1;
	t = now_s();
	cnt = 0;
	int rc;

	while ((rc = capture_reader_next(rd, &ev, err, sizeof(err))) == 1)
		cnt++;
	t = now_s() - t;
	capture_reader_close(rd);
	unlink(path);
	if (rc < 0 || cnt != n) {
		fprintf(stderr, "capture read: %s (%u of %u)\n", err, cnt, n);
		return 1;
	}
	printf("capture-r: %8.2f M events/s  %7.0f MB/s\n", n / t / 1e6, used / t / 1e6);
	return 0;
}
