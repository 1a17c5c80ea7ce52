/* SPDX-License-Identifier: MIT */
/*
 * capture_snapshot.c - the /proc snapshot at the start of `vigil capture`:
 * reads every process, thread, fd and container (runtime files included)
 * into a live state, then writes it as PROC_SNAP / FD_SNAP / CONTAINER
 * records into the capture's snapshot section.
 *
 * The state then follows the live records (capture_track_record), so that
 * a container first seen during the capture gets its CONTAINER record
 * (with the metadata read from the runtime's files) written right after
 * the record that revealed it: a replay, which never reads the node's
 * files, then knows what `vigil run` knew.
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

static struct state *track;

int capture_proc_snapshot(struct capture_writer *w, char *err, size_t errlen)
{
	struct state_cfg cfg = { .live = true };
	struct state *st = state_new(&cfg, err, errlen);
	if (!st)
		return -1;
	/* the snapshot's own containers are in the snapshot: nothing pending */
	int n = state_seed_from_proc(st, err, errlen);
	if (n < 0) {
		state_free(st);
		return -1;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long recs = state_write_snapshot(st, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
					 emit, w, err, errlen);
	if (recs < 0) {
		state_free(st);
		return -1;
	}
	size_t len;
	while (state_pending_event(st, &len))
		;
	state_free(track);
	track = st;
	fprintf(stderr, "vigil capture: snapshot: %d processes, %ld records\n", n, recs);
	return 0;
}

int capture_track_record(struct capture_writer *w, const struct evt *ev, char *err, size_t errlen)
{
	if (!track)
		return 0;
	state_apply(track, ev);
	const void *rec;
	size_t len;
	int rc = 0;
	while ((rec = state_pending_event(track, &len)))
		if (!rc && capture_writer_append(w, rec, len, err, errlen) < 0)
			rc = -1;
	state_apply_post(track, ev);
	return rc;
}

void capture_track_end(void)
{
	state_free(track);
	track = NULL;
}
