/* SPDX-License-Identifier: MIT */
/*
 * cmd_capture.c - `vigil capture -w FILE [-d SECONDS] [-n COUNT]
 * [--ring-size BYTES] [--snaplen N] [--env] [--dev PATH] [--reorder-ms MS]`:
 * records every event type the module can emit (no rules involved) into a
 * capture file (capture/capture.h).
 *
 * Ends on -d, -n, SIGINT or SIGTERM; in every case capture is stopped, the
 * rings are drained in order, DROP records (one per CPU and cause with a
 * non-zero count during the capture) are appended, and the file is closed
 * complete. Prints on stderr: events written, drops per cause, faults,
 * truncations, and what the reader skipped.
 *
 * Snapshot hook: a /proc snapshot belongs before the live records. The
 * state stage will provide it; wire it here (the CLI is the one place that
 * may call both capture/ and state/): set `snapshot` below to a function
 * that appends PROC_SNAP/FD_SNAP/CONTAINER records (made with the
 * evt_build_* builder) through capture_writer_append(). It runs after the
 * rings are mapped and capture has started, so no process slips between
 * the snapshot and the live records (the state stage dedups a process seen
 * in both).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "cli/capture_snapshot.h"
#include "cli/command.h"
#include "ring/ring.h"

typedef int (*capture_snapshot_fn)(struct capture_writer *w, char *err, size_t errlen);
/* the /proc snapshot writer (cli/capture_snapshot.c) */
static capture_snapshot_fn snapshot = capture_proc_snapshot;

static const char *const drop_names[VIGIL_DROP_NR] = {
#define X_DROP(id, name, desc) [VIGIL_DROP_##id] = name,
	VIGIL_DROP_CAUSES(X_DROP)
#undef X_DROP
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vigil capture -w FILE [-d SECONDS] [-n COUNT] [--ring-size BYTES]\n"
		   "                     [--snaplen N] [--env] [--dev PATH] [--reorder-ms MS]\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);

	if (errno || end == s || *end || s[0] == '-')
		return false;
	*out = v;
	return true;
}

/* Module counters for every ring, summed into `per` (nr_rings entries). */
static int read_stats(struct ring_reader *r, struct vigil_cpu_stats *per,
		      char *err, size_t errlen)
{
	for (unsigned c = 0; c < ring_info(r)->nr_rings; c++)
		if (ring_cpu_stats(r, c, &per[c], err, errlen) < 0)	/* absent: zeros */
			return -1;
	return 0;
}

static int append_drops(struct capture_writer *w, unsigned n,
			const struct vigil_cpu_stats *a, const struct vigil_cpu_stats *b,
			uint64_t *drops, char *err, size_t errlen)
{
	_Alignas(8) uint8_t buf[128];

	for (unsigned c = 0; c < n; c++)
		for (unsigned d = 0; d < VIGIL_DROP_NR; d++) {
			uint64_t cnt = b[c].drops[d] - a[c].drops[d];
			struct evt_builder eb;

			drops[d] += cnt;
			if (!cnt)
				continue;
			evt_build_begin(&eb, buf, sizeof(buf), VIGIL_EVT_DROP, mono_ns(), 0, 0);
			evt_build_u32(&eb, c);
			evt_build_u32(&eb, d);
			evt_build_u64(&eb, cnt);
			size_t len = evt_build_end(&eb);

			if (!len || capture_writer_append(w, buf, len, err, errlen) < 0)
				return -1;
		}
	return 0;
}

static int cmd_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "write", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "ring-size", required_argument, NULL, 'R' },
		{ "snaplen", required_argument, NULL, 'S' },
		{ "env", no_argument, NULL, 'E' },
		{ "dev", required_argument, NULL, 'D' },
		{ "reorder-ms", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ring_opts ro = { 0 };
	const char *path = NULL;
	uint64_t duration = 0, count = 0, v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "w:d:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w': path = optarg; break;
		case 'E': ro.flags |= VIGIL_CAPTURE_ENV; break;
		case 'D': ro.dev = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'd': case 'n': case 'R': case 'S': case 'O':
			if (!parse_u64(optarg, &v) || (c != 'd' && c != 'n' && v > UINT32_MAX)) {
				fprintf(stderr, "vigil capture: bad number '%s' for -%c\n", optarg,
					c == 'R' ? 'R' : c);
				return 2;
			}
			if (c == 'd') duration = v;
			if (c == 'n') count = v;
			if (c == 'R') ro.ring_size = (uint32_t)v;
			if (c == 'S') ro.snaplen = (uint32_t)v;
			if (c == 'O') ro.reorder_ns = v * 1000000ull;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}

	char err[512];
	int rc = 1;
	struct ring_reader *r = ring_open(&ro, err, sizeof(err));

	if (!r) {
		fprintf(stderr, "vigil capture: %s\n", err);
		return 1;
	}
	const struct vigil_info *info = ring_info(r);
	unsigned ncpu = info->nr_rings;
	struct vigil_cpu_stats *st0 = calloc(ncpu, sizeof(*st0));
	struct vigil_cpu_stats *st1 = calloc(ncpu, sizeof(*st1));
	struct capture_writer_opts wo = {
		.flags = ro.flags & VIGIL_CAPTURE_ENV ? CAPTURE_F_ENV : 0,
		.snaplen = info->snaplen, .nr_cpus = ncpu,
	};
	struct capture_writer *w = NULL;
	uint64_t start = mono_ns(), deadline = 0, written = 0;
	bool failed = false;
	struct evt ev;

	if (!st0 || !st1) {
		fprintf(stderr, "vigil capture: out of memory\n");
		goto out_free;
	}
	if (ring_set_all_events(r, err, sizeof(err)) < 0 ||
	    read_stats(r, st0, err, sizeof(err)) < 0) {
		fprintf(stderr, "vigil capture: %s\n", err);
		goto out_free;
	}
	w = capture_writer_open(path, &wo, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "vigil capture: %s\n", err);
		goto out_free;
	}

	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct sigaction old_int, old_term;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	if (ring_start(r, err, sizeof(err)) < 0) {
		fprintf(stderr, "vigil capture: %s\n", err);
		goto out_close;
	}
	if (snapshot) {
		if (capture_writer_section(w, CAPTURE_SNAPSHOT, err, sizeof(err)) < 0 ||
		    snapshot(w, err, sizeof(err)) < 0 ||
		    capture_writer_section(w, CAPTURE_LIVE, err, sizeof(err)) < 0) {
			fprintf(stderr, "vigil capture: snapshot: %s\n", err);
			failed = true;
			goto out_stop;
		}
	}
	start = mono_ns();
	deadline = duration ? start + duration * 1000000000ull : 0;
	fprintf(stderr, "vigil capture: writing %s from %u rings of %u bytes%s\n", path, ncpu,
		info->ring_size, duration || count ? "" : " (Ctrl-C to stop)");
	while (!stop_signal && (!count || written < count)) {
		/* bounded, so a signal landing just before poll() is seen soon */
		int timeout = 250;

		if (deadline) {
			uint64_t now = mono_ns();

			if (now >= deadline)
				break;
			if ((deadline - now) / 1000000 < 250)
				timeout = (int)((deadline - now + 999999) / 1000000);
		}
		int n = ring_next(r, &ev, timeout, err, sizeof(err));

		if (n < 0) {
			fprintf(stderr, "vigil capture: %s\n", err);
			failed = true;
			break;
		}
		if (!n)
			continue;
		if (capture_writer_append(w, ev.hdr, ev.hdr->len, err, sizeof(err)) < 0 ||
		    capture_track_record(w, &ev, err, sizeof(err)) < 0) {
			fprintf(stderr, "vigil capture: %s\n", err);
			failed = true;
			break;
		}
		written++;
	}
out_stop:
	if (ring_stop(r, err, sizeof(err)) < 0) {
		fprintf(stderr, "vigil capture: %s\n", err);
		failed = true;
	}
	/* drain what was produced before the stop, in order */
	while (!failed && (!count || written < count) && ring_next(r, &ev, 0, err, sizeof(err)) == 1) {
		if (capture_writer_append(w, ev.hdr, ev.hdr->len, err, sizeof(err)) < 0 ||
		    capture_track_record(w, &ev, err, sizeof(err)) < 0) {
			fprintf(stderr, "vigil capture: %s\n", err);
			failed = true;
			break;
		}
		written++;
	}
	uint64_t drops[VIGIL_DROP_NR] = { 0 };

	if (read_stats(r, st1, err, sizeof(err)) < 0 ||
	    append_drops(w, ncpu, st0, st1, drops, err, sizeof(err)) < 0) {
		fprintf(stderr, "vigil capture: %s\n", err);
		failed = true;
	}
	uint64_t faults = 0, truncs = 0, produced = 0;

	for (unsigned i = 0; i < ncpu; i++) {
		faults += st1[i].faults - st0[i].faults;
		truncs += st1[i].truncations - st0[i].truncations;
		produced += st1[i].events - st0[i].events;
	}
	const struct ring_ustats *us = ring_ustats(r);

	fprintf(stderr, "vigil capture: %s: %" PRIu64 " events written in %.1f s%s\n", path,
		written, (double)(mono_ns() - start) / 1e9,
		stop_signal ? (stop_signal == SIGINT ? " (SIGINT)" : " (SIGTERM)") : "");
	fprintf(stderr, "vigil capture: drops:");
	for (unsigned d = 0; d < VIGIL_DROP_NR; d++)
		fprintf(stderr, " %s=%" PRIu64, drop_names[d], drops[d]);
	fprintf(stderr, "; faults=%" PRIu64 " truncations=%" PRIu64
		"; reader: malformed=%" PRIu64 " desyncs=%" PRIu64 " late=%" PRIu64 "\n",
		faults, truncs, us->malformed, us->desyncs, us->late);
	/* every record the module wrote meanwhile was read: written + skipped
	 * (+ left unread when -n stopped early) */
	fprintf(stderr, "vigil capture: module wrote %" PRIu64 " records, reader took %" PRIu64
		"%s\n", produced, us->records + us->malformed,
		produced == us->records + us->malformed ? "" : " (differ: -n, or records "
		"from before the capture started)");
	rc = failed ? 1 : 0;
out_close:
	capture_track_end();
	if (capture_writer_close(w, err, sizeof(err)) < 0) {
		fprintf(stderr, "vigil capture: %s\n", err);
		rc = 1;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out_free:
	free(st0);
	free(st1);
	ring_close(r);
	return rc;
}

VIGIL_COMMAND(capture, cmd_capture,
	      "capture -w FILE [-d S] [-n N] [--ring-size B] [--snaplen N] [--env]",
	      "record every event the module emits into a capture file")
