/* SPDX-License-Identifier: MIT */
/*
 * reader.c - capture_reader_*: checks the file header, then reads block by
 * block and hands out the records in place. Trusts nothing: every length
 * is checked against the block and the file, and every error names the
 * byte offset (see capture.h for the stop-at-garbage policy).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"

struct capture_reader {
	FILE *f;
	bool own_f;
	char *name;
	struct capture_info info;
	uint64_t off;		/* file offset of the next unread byte */
	uint8_t *buf;		/* payload of the current block */
	size_t cap;
	size_t len;		/* payload bytes actually read */
	size_t want;		/* payload bytes the block header claims */
	size_t pos;		/* next record in buf */
	uint64_t blk_off;	/* file offset of the current payload */
	uint32_t blk_nrec, seen;
	enum capture_section kind, last_section;
	uint64_t last_off;
	uint64_t num;
	bool failed, complete, eof;
	char errmsg[256];
};

static int rfail(struct capture_reader *r, char *err, size_t errlen, uint64_t off,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int rfail(struct capture_reader *r, char *err, size_t errlen, uint64_t off,
		 const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->errmsg, sizeof(r->errmsg), "%s: offset %" PRIu64 ": %s", r->name, off, what);
	r->failed = true;
	if (err && errlen)
		snprintf(err, errlen, "%s", r->errmsg);
	return -1;
}

/* Reads up to n bytes; returns bytes read (short only at EOF). */
static size_t read_some(struct capture_reader *r, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		size_t k = fread((uint8_t *)p + got, 1, n - got, r->f);

		if (!k) {
			if (ferror(r->f) && errno == EINTR) {
				clearerr(r->f);
				continue;
			}
			break;
		}
		got += k;
	}
	r->off += got;
	return got;
}

struct capture_reader *capture_reader_open_stream(FILE *f, const char *name,
						  char *err, size_t errlen)
{
	struct capture_reader *r = calloc(1, sizeof(*r));
	struct capture_file_hdr h;
	size_t n;

	if (!r || !(r->name = strdup(name ? name : "capture"))) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name ? name : "capture");
		free(r);
		return NULL;
	}
	r->f = f;
	n = read_some(r, &h, sizeof(h));
	if (n < sizeof(h.magic) || memcmp(h.magic, CAPTURE_MAGIC, 8)) {
		rfail(r, err, errlen, 0, "not a vigil capture file (bad magic)");
		goto fail;
	}
	if (n < 16) {
		rfail(r, err, errlen, n, "file header cut short (%zu bytes)", n);
		goto fail;
	}
	if (h.version != CAPTURE_VERSION) {
		rfail(r, err, errlen, 8, "capture format version %u, this vigil reads version %u",
		      h.version, CAPTURE_VERSION);
		goto fail;
	}
	if (n < sizeof(h) || h.hdr_len < sizeof(h) || h.hdr_len > 65536) {
		rfail(r, err, errlen, n < sizeof(h) ? n : 12,
		      n < sizeof(h) ? "file header cut short (%zu of %zu bytes)"
				    : "bad header length %zu (at least %zu)",
		      n < sizeof(h) ? n : (size_t)h.hdr_len, sizeof(h));
		goto fail;
	}
	if (h.fingerprint != evt_table_fingerprint() || h.nr_events != VIGIL_EVT_NR) {
		rfail(r, err, errlen, offsetof(struct capture_file_hdr, fingerprint),
		      "written with event ABI %u (table fingerprint %016" PRIx64
		      ", %u event types); this vigil has ABI %u (%016" PRIx64
		      ", %u): read it with the vigil release that wrote it",
		      h.abi_version, h.fingerprint, h.nr_events, VIGIL_ABI_VERSION,
		      evt_table_fingerprint(), (unsigned)VIGIL_EVT_NR);
		goto fail;
	}
	/* skip header bytes a newer writer added */
	for (uint64_t left = h.hdr_len - sizeof(h); left;) {
		uint8_t skip[256];
		size_t k = left < sizeof(skip) ? (size_t)left : sizeof(skip);

		if (read_some(r, skip, k) != k) {
			rfail(r, err, errlen, r->off, "file header cut short");
			goto fail;
		}
		left -= k;
	}
	r->info.version = h.version;
	r->info.abi_version = h.abi_version;
	r->info.nr_events = h.nr_events;
	r->info.flags = h.flags;
	r->info.snaplen = h.snaplen;
	r->info.nr_cpus = h.nr_cpus;
	r->info.fingerprint = h.fingerprint;
	r->info.boot_offset_ns = h.boot_offset_ns;
	r->info.created_ns = h.created_ns;
	memcpy(r->info.hostname, h.hostname, sizeof(h.hostname));
	r->info.hostname[64] = '\0';
	r->failed = false;
	return r;
fail:
	free(r->name);
	free(r);
	return NULL;
}

struct capture_reader *capture_reader_open(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rbe");
	struct capture_reader *r;

	if (!f) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	r = capture_reader_open_stream(f, path, err, errlen);
	if (!r) {
		fclose(f);
		return NULL;
	}
	r->own_f = true;
	return r;
}

/* Loads the next block; 1 loaded, 0 clean end, -1 error. */
static int next_block(struct capture_reader *r, char *err, size_t errlen)
{
	struct capture_block_hdr bh;
	uint64_t at = r->off;
	size_t n = read_some(r, &bh, sizeof(bh));

	if (n == 0) {
		r->eof = true;
		return 0;
	}
	if (n < sizeof(bh))
		return rfail(r, err, errlen, at,
			     "block header cut short (%zu of %zu bytes): file truncated",
			     n, sizeof(bh));
	if (bh.magic != CAPTURE_BLOCK_MAGIC)
		return rfail(r, err, errlen, at, "bad block magic 0x%08x: corrupted", bh.magic);
	if (bh.kind < CAPTURE_SNAPSHOT || bh.kind > CAPTURE_END)
		return rfail(r, err, errlen, at, "unknown block kind %u: corrupted", bh.kind);
	if (bh.kind < r->kind)
		return rfail(r, err, errlen, at, "%s block after %s blocks: corrupted",
			     bh.kind == CAPTURE_SNAPSHOT ? "snapshot" : "live",
			     r->kind == CAPTURE_END ? "end" : "live");
	if (bh.len > CAPTURE_BLOCK_MAX || bh.len % VIGIL_RECORD_ALIGN)
		return rfail(r, err, errlen, at, "block length %u %s: corrupted", bh.len,
			     bh.len % VIGIL_RECORD_ALIGN ? "not a multiple of 8"
							 : "over the 4 MiB limit");
	if (bh.kind == CAPTURE_END) {
		if (bh.len || bh.nrecords)
			return rfail(r, err, errlen, at, "end block with a payload: corrupted");
		r->kind = CAPTURE_END;
		r->complete = true;
		return 0;
	}
	if (bh.len > r->cap) {
		size_t cap = r->cap ? r->cap : 1 << 16;

		while (cap < bh.len)
			cap *= 2;
		uint8_t *nb = aligned_alloc(8, cap);

		if (!nb)
			return rfail(r, err, errlen, at, "out of memory for a block of %u bytes",
				     bh.len);
		free(r->buf);
		r->buf = nb;
		r->cap = cap;
	}
	r->blk_off = r->off;
	r->want = bh.len;
	r->len = read_some(r, r->buf, bh.len);
	r->pos = 0;
	r->blk_nrec = bh.nrecords;
	r->seen = 0;
	r->kind = (enum capture_section)bh.kind;
	if (r->len == r->want && capture_checksum(r->buf, r->len) != bh.checksum)
		return rfail(r, err, errlen, at, "block checksum mismatch: corrupted");
	return 1;
}

int capture_reader_next(struct capture_reader *r, struct evt *ev, char *err, size_t errlen)
{
	if (r->failed) {
		if (err && errlen)
			snprintf(err, errlen, "%s", r->errmsg);
		return -1;
	}
	for (;;) {
		if (r->pos >= r->len) {
			if (r->len < r->want)	/* block cut at a record boundary */
				return rfail(r, err, errlen, r->blk_off + r->len,
					     "block of %zu bytes cut after %zu: file truncated",
					     r->want, r->len);
			if (r->kind && r->kind != CAPTURE_END && r->seen != r->blk_nrec)
				return rfail(r, err, errlen, r->blk_off - sizeof(struct capture_block_hdr),
					     "block holds %u records, header says %u: corrupted",
					     r->seen, r->blk_nrec);
			if (r->eof || r->complete)
				return 0;
			int b = next_block(r, err, errlen);

			if (b <= 0)
				return b;
			continue;
		}
		uint64_t at = r->blk_off + r->pos;
		size_t left = r->len - r->pos;
		const uint8_t *p = r->buf + r->pos;
		struct vigil_evt_hdr h;

		if (left < sizeof(h))
			return rfail(r, err, errlen, at, "record header past end of %s",
				     r->len < r->want ? "file" : "block");
		memcpy(&h, p, sizeof(h));
		if (h.len > left && h.len <= r->want - r->pos)
			return rfail(r, err, errlen, at, "record length %u past end of file", h.len);
		enum evt_decode_err de = evt_decode(p, left, ev);

		if (de != EVT_OK)
			return rfail(r, err, errlen, at, "record (type %u, length %u): %s",
				     h.type, h.len, evt_decode_strerror(de));
		r->pos += h.len;
		r->seen++;
		if (h.type == VIGIL_EVT_PAD)
			continue;
		ev->num = ++r->num;
		r->last_section = r->kind;
		r->last_off = at;
		return 1;
	}
}

const struct capture_info *capture_reader_info(const struct capture_reader *r)
{
	return &r->info;
}

enum capture_section capture_reader_section(const struct capture_reader *r)
{
	return r->last_section;
}

uint64_t capture_reader_offset(const struct capture_reader *r)
{
	return r->last_off;
}

bool capture_reader_complete(const struct capture_reader *r)
{
	return r->complete;
}

void capture_reader_close(struct capture_reader *r)
{
	if (!r)
		return;
	if (r->own_f)
		fclose(r->f);
	free(r->buf);
	free(r->name);
	free(r);
}
