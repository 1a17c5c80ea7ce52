/* SPDX-License-Identifier: MIT */
/*
 * capture.h - the capture file: what the rings delivered, plus an optional
 * snapshot of /proc made before the live records, in a versioned file.
 *
 * Layout (all integers little endian):
 *
 *   file header, struct capture_file_hdr (hdr_len bytes; readers skip
 *   anything past the fields they know)
 *   blocks, each: struct capture_block_hdr + `len` bytes of records
 *     (whole records exactly as the ring holds them, 8-byte aligned; never
 *     PAD). kind says which section the block belongs to:
 *       SNAPSHOT blocks first (PROC_SNAP/FD_SNAP/CONTAINER... records made
 *       with the builder), then LIVE blocks (ring records), then one END
 *       block (no payload) written by a clean close. A file without END
 *       was not closed (crash, kill -9, disk full): it still reads, up to
 *       the last whole record, and capture_reader_complete() says false.
 *   checksum: a 64-bit hash over the payload's 8-byte words, so a flipped
 *   bit inside a value is caught, not only broken lengths.
 *
 * Compatibility: the header carries the event-table fingerprint
 * (evt_table_fingerprint()); a file whose fingerprint differs is refused
 * with a message naming both ABI versions. Timestamps are CLOCK_MONOTONIC
 * ns as the kernel took them; boot_offset_ns (REALTIME - MONOTONIC when
 * the capture started) turns them into wall-clock time.
 *
 * Garbage: the reader stops at the first block or record it cannot trust
 * and reports "<file>: offset <N>: <what>" (N = byte offset in the file of
 * the block or record); it does not resync. Records before that point are
 * delivered. Rationale: a capture is evidence; silently skipping a broken
 * region would hide events, and blocks are written whole, so damage is
 * rare and better seen.
 */
#ifndef VIGIL_CAPTURE_H
#define VIGIL_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event/event.h"

#define CAPTURE_MAGIC		"VIGILCAP"
#define CAPTURE_VERSION		1u
#define CAPTURE_BLOCK_MAGIC	0x4b4c4256u	/* "VBLK" */
#define CAPTURE_BLOCK_MAX	(4u << 20)	/* payload bytes, reader limit */
#define CAPTURE_BLOCK_DEFAULT	(256u << 10)

/* File flags. */
#define CAPTURE_F_ENV		0x01u	/* exec env was captured */
#define CAPTURE_F_SNAPSHOT	0x02u	/* the file has a snapshot section */

struct capture_file_hdr {
	char magic[8];		/* CAPTURE_MAGIC, no NUL */
	uint32_t version;	/* CAPTURE_VERSION */
	uint32_t hdr_len;	/* bytes of this header in the file */
	uint32_t abi_version;	/* VIGIL_ABI_VERSION of the writer */
	uint32_t nr_events;	/* VIGIL_EVT_NR of the writer */
	uint64_t fingerprint;	/* evt_table_fingerprint() of the writer */
	int64_t boot_offset_ns;	/* REALTIME - MONOTONIC at start */
	uint64_t created_ns;	/* REALTIME at start */
	uint32_t flags;		/* CAPTURE_F_* */
	uint32_t snaplen;
	uint32_t nr_cpus;
	uint32_t reserved;
	char hostname[64];	/* NUL-padded */
};

enum capture_section {
	CAPTURE_SNAPSHOT = 1,
	CAPTURE_LIVE = 2,
	CAPTURE_END = 3,
};

struct capture_block_hdr {
	uint32_t magic;		/* CAPTURE_BLOCK_MAGIC */
	uint16_t kind;		/* enum capture_section */
	uint16_t reserved;
	uint32_t len;		/* payload bytes, multiple of 8 */
	uint32_t nrecords;
	uint64_t checksum;	/* capture_checksum(payload, len) */
};

uint64_t capture_checksum(const void *p, size_t len);

/* ---- writer ---- */
struct capture_writer_opts {
	uint32_t flags;		/* CAPTURE_F_ENV; F_SNAPSHOT is set by the writer */
	uint32_t snaplen;
	uint32_t nr_cpus;
	const char *hostname;	/* NULL: $VIGIL_HOSTNAME, else gethostname() */
	size_t block_size;	/* 0: CAPTURE_BLOCK_DEFAULT */
};

struct capture_writer;

/* Creates (truncates) path and writes the header. NULL on error, with err
 * naming the file and cause. */
struct capture_writer *capture_writer_open(const char *path,
					   const struct capture_writer_opts *o,
					   char *err, size_t errlen);
/*
 * Starts a section: records appended from now on belong to it. A writer
 * starts in LIVE; to write a snapshot, switch to SNAPSHOT before the first
 * record, append the snapshot records, then switch to LIVE. -1 (err set)
 * if SNAPSHOT is asked for after live records.
 */
int capture_writer_section(struct capture_writer *w, enum capture_section s,
			   char *err, size_t errlen);
/* Appends one whole record (len == hdr.len, and it must decode). PAD
 * records are skipped (return 0). -1 (err set) on a bad record or I/O. */
int capture_writer_append(struct capture_writer *w, const void *rec, size_t len,
			  char *err, size_t errlen);
int capture_writer_flush(struct capture_writer *w, char *err, size_t errlen);
/* Flushes, writes the END block, closes; frees w in every case. */
int capture_writer_close(struct capture_writer *w, char *err, size_t errlen);
uint64_t capture_writer_records(const struct capture_writer *w);
uint64_t capture_writer_bytes(const struct capture_writer *w);

/* ---- reader ---- */
struct capture_info {
	uint32_t version, abi_version, nr_events, flags, snaplen, nr_cpus;
	uint64_t fingerprint;
	int64_t boot_offset_ns;
	uint64_t created_ns;
	char hostname[65];
};

struct capture_reader;

/* Opens and checks the header. NULL on error (err: "<path>: <why>"). */
struct capture_reader *capture_reader_open(const char *path, char *err, size_t errlen);
/* Same, over an open stream (not closed by the reader); name is used in
 * messages. For tests and fuzzing (fmemopen). */
struct capture_reader *capture_reader_open_stream(FILE *f, const char *name,
						  char *err, size_t errlen);
const struct capture_info *capture_reader_info(const struct capture_reader *r);
/*
 * Next record, decoded into ev (valid until the next call). Returns 1, 0 at
 * the end of the file, -1 on damage (err: "<name>: offset N: <why>"; every
 * later call returns -1 too). ev->num counts records from 1.
 */
int capture_reader_next(struct capture_reader *r, struct evt *ev, char *err, size_t errlen);
/* Section of the last record returned. */
enum capture_section capture_reader_section(const struct capture_reader *r);
/* File offset of the last record returned. */
uint64_t capture_reader_offset(const struct capture_reader *r);
/* True once the END block of a clean close was read. */
bool capture_reader_complete(const struct capture_reader *r);
void capture_reader_close(struct capture_reader *r);

#endif
