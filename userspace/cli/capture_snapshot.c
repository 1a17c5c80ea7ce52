/* SPDX-License-Identifier: MIT */
/*
 * capture_snapshot.c - the /proc snapshot at the start of `vigil capture`:
 * reads every process, thread, fd and container (runtime files included)
 * into a live state, then writes it as PROC_SNAP / FD_SNAP / CONTAINER
 * records into the capture's snapshot section.
 */
#include <stdio.h>
#include <time.h>

#include "capture/capture.h"
#include "cli/capture_snapshot.h"
#include "state/state.h"

static int emit(void *arg, const void *rec, size_t len)
{
	char err[256];
	return capture_writer_append(arg, rec, len, err, sizeof(err)) < 0;
}

int capture_proc_snapshot(struct capture_writer *w, char *err, size_t errlen)
{
	struct state_cfg cfg = { .live = true };
	struct state *st = state_new(&cfg, err, errlen);
	if (!st)
		return -1;
	int n = state_seed_from_proc(st, err, errlen);
	if (n < 0) {
		state_free(st);
		return -1;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long recs = state_write_snapshot(st, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
					 emit, w, err, errlen);
	state_free(st);
	if (recs < 0)
		return -1;
	fprintf(stderr, "vigil capture: snapshot: %d processes, %ld records\n", n, recs);
	return 0;
}
