/* SPDX-License-Identifier: MIT */
/* capture_snapshot.h - the /proc snapshot written by `vigil capture`. */
#ifndef VIGIL_CLI_CAPTURE_SNAPSHOT_H
#define VIGIL_CLI_CAPTURE_SNAPSHOT_H

#include <stddef.h>

struct capture_writer;

/* Appends PROC_SNAP/FD_SNAP/CONTAINER records for everything in /proc to w
 * (whose current section is SNAPSHOT). 0, or -1 with err. */
int capture_proc_snapshot(struct capture_writer *w, char *err, size_t errlen);

struct evt;
/* After the snapshot: follows one live record (already appended) and
 * appends the CONTAINER records it made the state generate. 0 or -1. */
int capture_track_record(struct capture_writer *w, const struct evt *ev, char *err, size_t errlen);
/* Frees the tracking state (safe to call when there is none). */
void capture_track_end(void);

#endif
