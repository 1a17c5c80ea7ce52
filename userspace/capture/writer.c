/* SPDX-License-Identifier: MIT */
/*
 * writer.c - capture_writer_*: buffers records into blocks and writes each
 * block whole (header + payload) with write(2), retrying on EINTR so that a
 * signal ending `vigil capture` never tears a block.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"

struct capture_writer {
	int fd;
	char *path;
	uint8_t *buf;		/* payload of the block being filled */
	size_t cap, used;
	uint32_t nrec;
	enum capture_section section;
	bool live_written;
	uint64_t records, bytes;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t k = write(fd, b, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct capture_writer *capture_writer_open(const char *path,
					   const struct capture_writer_opts *o,
					   char *err, size_t errlen)
{
	struct capture_writer_opts dflt = { 0 };
	struct capture_writer *w;
	struct capture_file_hdr h;

	if (!o)
		o = &dflt;
	w = calloc(1, sizeof(*w));
	if (!w)
		goto fail_alloc;
	w->cap = o->block_size ? o->block_size : CAPTURE_BLOCK_DEFAULT;
	if (w->cap < VIGIL_RECORD_MAX)
		w->cap = VIGIL_RECORD_MAX;
	if (w->cap > CAPTURE_BLOCK_MAX)
		w->cap = CAPTURE_BLOCK_MAX;
	w->buf = aligned_alloc(8, w->cap);
	w->path = strdup(path);
	if (!w->buf || !w->path)
		goto fail_alloc;
	w->section = CAPTURE_LIVE;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CAPTURE_MAGIC, 8);
	h.version = CAPTURE_VERSION;
	h.hdr_len = sizeof(h);
	h.abi_version = VIGIL_ABI_VERSION;
	h.nr_events = VIGIL_EVT_NR;
	h.fingerprint = evt_table_fingerprint();
	h.created_ns = (uint64_t)clock_ns(CLOCK_REALTIME);
	h.boot_offset_ns = (int64_t)h.created_ns - clock_ns(CLOCK_MONOTONIC);
	h.flags = o->flags & ~CAPTURE_F_SNAPSHOT;
	h.snaplen = o->snaplen;
	h.nr_cpus = o->nr_cpus;
	const char *host = o->hostname ? o->hostname : getenv("VIGIL_HOSTNAME");

	if (host && *host)
		strncpy(h.hostname, host, sizeof(h.hostname) - 1);
	else if (gethostname(h.hostname, sizeof(h.hostname) - 1) < 0)
		h.hostname[0] = '\0';

	w->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		fail(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		goto fail_open;
	}
	if (write_all(w->fd, &h, sizeof(h)) < 0) {
		fail(err, errlen, "%s: offset 0: writing the header: %s", path, strerror(errno));
		goto fail_write;
	}
	w->bytes = sizeof(h);
	return w;

fail_write:
	close(w->fd);
fail_open:
	free(w->path);
	free(w->buf);
	free(w);
	return NULL;
fail_alloc:
	fail(err, errlen, "%s: out of memory", path);
	if (w) {
		free(w->path);
		free(w->buf);
		free(w);
	}
	return NULL;
}

static int write_block(struct capture_writer *w, enum capture_section kind,
		       char *err, size_t errlen)
{
	struct capture_block_hdr bh = {
		.magic = CAPTURE_BLOCK_MAGIC, .kind = (uint16_t)kind,
		.len = (uint32_t)w->used, .nrecords = w->nrec,
		.checksum = capture_checksum(w->buf, w->used),
	};
	uint64_t at = w->bytes;

	if (write_all(w->fd, &bh, sizeof(bh)) < 0 ||
	    write_all(w->fd, w->buf, w->used) < 0)
		return fail(err, errlen, "%s: offset %llu: writing a block of %zu bytes: %s",
			    w->path, (unsigned long long)at, w->used, strerror(errno));
	w->bytes += sizeof(bh) + w->used;
	w->used = 0;
	w->nrec = 0;
	return 0;
}

int capture_writer_flush(struct capture_writer *w, char *err, size_t errlen)
{
	if (!w->used)
		return 0;
	return write_block(w, w->section, err, errlen);
}

int capture_writer_section(struct capture_writer *w, enum capture_section s,
			   char *err, size_t errlen)
{
	if (s != CAPTURE_SNAPSHOT && s != CAPTURE_LIVE)
		return fail(err, errlen, "%s: unknown section %d", w->path, (int)s);
	if (s == CAPTURE_SNAPSHOT && (w->live_written || (w->section == CAPTURE_LIVE && w->used)))
		return fail(err, errlen, "%s: a snapshot must come before the live records",
			    w->path);
	if (s == w->section)
		return 0;
	if (capture_writer_flush(w, err, errlen) < 0)
		return -1;
	if (s == CAPTURE_SNAPSHOT) {
		/* mark the file header: it has a snapshot section */
		uint32_t flags;
		off_t at = (off_t)offsetof(struct capture_file_hdr, flags);

		if (pread(w->fd, &flags, 4, at) != 4)
			return fail(err, errlen, "%s: reading back the header: %s", w->path,
				    strerror(errno));
		flags |= CAPTURE_F_SNAPSHOT;
		if (pwrite(w->fd, &flags, 4, at) != 4)
			return fail(err, errlen, "%s: updating the header: %s", w->path,
				    strerror(errno));
	}
	w->section = s;
	return 0;
}

int capture_writer_append(struct capture_writer *w, const void *rec, size_t len,
			  char *err, size_t errlen)
{
	struct evt ev;
	enum evt_decode_err de = evt_decode(rec, len, &ev);

	if (de != EVT_OK)
		return fail(err, errlen, "%s: refusing a record: %s", w->path,
			    evt_decode_strerror(de));
	if (ev.hdr->len != len)
		return fail(err, errlen, "%s: refusing a record: length %zu, header says %u",
			    w->path, len, ev.hdr->len);
	if (ev.hdr->type == VIGIL_EVT_PAD)
		return 0;
	if (w->used + len > w->cap && capture_writer_flush(w, err, errlen) < 0)
		return -1;
	memcpy(w->buf + w->used, rec, len);
	w->used += len;
	w->nrec++;
	w->records++;
	if (w->section == CAPTURE_LIVE)
		w->live_written = true;
	return 0;
}

int capture_writer_close(struct capture_writer *w, char *err, size_t errlen)
{
	int rc = 0;

	if (!w)
		return 0;
	if (capture_writer_flush(w, err, errlen) < 0 ||
	    write_block(w, CAPTURE_END, err, errlen) < 0)
		rc = -1;
	/* a capture is evidence: on disk before we say it is complete (EINVAL:
	 * a pipe or special file, nothing to sync) */
	if (!rc && fsync(w->fd) < 0 && errno != EINVAL && errno != EROFS)
		rc = fail(err, errlen, "%s: fsync: %s", w->path, strerror(errno));
	if (close(w->fd) < 0 && !rc)
		rc = fail(err, errlen, "%s: close: %s", w->path, strerror(errno));
	free(w->path);
	free(w->buf);
	free(w);
	return rc;
}

uint64_t capture_writer_records(const struct capture_writer *w)
{
	return w->records;
}

uint64_t capture_writer_bytes(const struct capture_writer *w)
{
	return w->bytes + (w->used ? sizeof(struct capture_block_hdr) + w->used : 0);
}
