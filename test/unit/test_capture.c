/* SPDX-License-Identifier: MIT */
/*
 * test_capture.c - the capture file: round trip with snapshot and live
 * sections over many blocks, header checks (magic, version, fingerprint),
 * truncation at every byte offset, corruption (lengths, checksum), and the
 * writer's refusals. Files are real files in a temporary directory.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"

static char dir[64], path[128];
static _Alignas(8) uint8_t rec[4096];

static void setup(void)
{
	strcpy(dir, "/tmp/vigil-test-capture-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.vcap", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

/* Record i: alternating types, values derived from i. */
static size_t make_rec(unsigned i, bool snap)
{
	struct evt_builder b;
	char name[64];

	snprintf(name, sizeof(name), "/tmp/file-%u", i);
	if (snap) {
		evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_FD_SNAP, i, i, i);
		evt_build_u64(&b, i);
		evt_build_u64(&b, 3);
		evt_build_u32(&b, 'f');
		evt_build_str(&b, name);
		evt_build_u32(&b, 0);
		evt_build_empty(&b, 0);
		evt_build_u64(&b, i * 7);
	} else if (i % 2) {
		evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_OPENAT, 1000 + i, i, i);
		evt_build_u64(&b, 3);
		evt_build_u64(&b, (uint64_t)-100);
		evt_build_str(&b, name);
		evt_build_u32(&b, 0);
		evt_build_u32(&b, 0);
		evt_build_u32(&b, 0);
		evt_build_u64(&b, i);
	} else {
		evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_CLOSE, 1000 + i, i, i);
		evt_build_u64(&b, 0);
		evt_build_u64(&b, i);
	}
	size_t n = evt_build_end(&b);

	ck_assert_uint_gt(n, 0);
	return n;
}

static void write_file(unsigned nsnap, unsigned nlive, size_t block, bool close_it)
{
	char err[256];
	struct capture_writer_opts o = { .flags = CAPTURE_F_ENV, .snaplen = 80, .nr_cpus = 2,
					 .hostname = "testhost", .block_size = block };
	struct capture_writer *w = capture_writer_open(path, &o, err, sizeof(err));

	ck_assert_msg(w, "%s", err);
	if (nsnap) {
		ck_assert_int_eq(capture_writer_section(w, CAPTURE_SNAPSHOT, err, sizeof(err)), 0);
		for (unsigned i = 0; i < nsnap; i++) {
			size_t n = make_rec(i, true);

			ck_assert_int_eq(capture_writer_append(w, rec, n, err, sizeof(err)), 0);
		}
		ck_assert_int_eq(capture_writer_section(w, CAPTURE_LIVE, err, sizeof(err)), 0);
	}
	for (unsigned i = 0; i < nlive; i++) {
		size_t n = make_rec(i, false);

		ck_assert_msg(capture_writer_append(w, rec, n, err, sizeof(err)) == 0, "%s", err);
	}
	ck_assert_uint_eq(capture_writer_records(w), nsnap + nlive);
	if (close_it) {
		ck_assert_msg(capture_writer_close(w, err, sizeof(err)) == 0, "%s", err);
	} else {
		/* simulate a crash: close, then strip the END block */
		ck_assert_int_eq(capture_writer_close(w, err, sizeof(err)), 0);
		FILE *f = fopen(path, "r+");

		fseek(f, 0, SEEK_END);
		long sz = ftell(f);

		fclose(f);
		ck_assert_int_eq(truncate(path, sz - (long)sizeof(struct capture_block_hdr)), 0);
	}
}

START_TEST(round_trip_sections_blocks)
{
	char err[256];
	struct evt ev;
	const unsigned nsnap = 500, nlive = 20000;

	write_file(nsnap, nlive, 1, true);	/* block size clamps to 64 KiB: many blocks */
	struct capture_reader *r = capture_reader_open(path, err, sizeof(err));

	ck_assert_msg(r, "%s", err);
	const struct capture_info *ci = capture_reader_info(r);

	ck_assert_str_eq(ci->hostname, "testhost");
	ck_assert_uint_eq(ci->flags, CAPTURE_F_ENV | CAPTURE_F_SNAPSHOT);
	ck_assert_uint_eq(ci->snaplen, 80);
	ck_assert_uint_eq(ci->nr_cpus, 2);
	ck_assert_uint_eq(ci->abi_version, VIGIL_ABI_VERSION);
	ck_assert(ci->fingerprint == evt_table_fingerprint());
	ck_assert(ci->created_ns > 1600000000ull * 1000000000ull);
	ck_assert(ci->boot_offset_ns > 0);

	for (unsigned i = 0; i < nsnap + nlive; i++) {
		int rc = capture_reader_next(r, &ev, err, sizeof(err));

		ck_assert_msg(rc == 1, "record %u: rc %d %s", i, rc, err);
		bool snap = i < nsnap;
		size_t n = make_rec(snap ? i : i - nsnap, snap);

		ck_assert_uint_eq(ev.num, i + 1);
		ck_assert_uint_eq(ev.hdr->len, n);
		ck_assert(!memcmp(ev.hdr, rec, n));
		ck_assert_int_eq(capture_reader_section(r), snap ? CAPTURE_SNAPSHOT : CAPTURE_LIVE);
	}
	ck_assert_int_eq(capture_reader_next(r, &ev, err, sizeof(err)), 0);
	ck_assert_int_eq(capture_reader_next(r, &ev, err, sizeof(err)), 0);
	ck_assert(capture_reader_complete(r));
	capture_reader_close(r);
}
END_TEST

START_TEST(unclosed_file_reads_but_incomplete)
{
	char err[256];
	struct evt ev;
	unsigned n = 0;

	write_file(0, 100, 0, false);
	struct capture_reader *r = capture_reader_open(path, err, sizeof(err));

	ck_assert_msg(r, "%s", err);
	ck_assert_uint_eq(capture_reader_info(r)->flags, CAPTURE_F_ENV);
	while (capture_reader_next(r, &ev, err, sizeof(err)) == 1)
		n++;
	ck_assert_uint_eq(n, 100);
	ck_assert(!capture_reader_complete(r));
	capture_reader_close(r);
}
END_TEST

/* Offsets of every record, from a clean read. */
static unsigned record_offsets(uint64_t *offs, unsigned max)
{
	char err[256];
	struct evt ev;
	unsigned n = 0;
	struct capture_reader *r = capture_reader_open(path, err, sizeof(err));

	ck_assert_msg(r, "%s", err);
	while (n < max && capture_reader_next(r, &ev, err, sizeof(err)) == 1)
		offs[n++] = capture_reader_offset(r);
	capture_reader_close(r);
	return n;
}

START_TEST(truncated_names_offset)
{
	char err[256], want[256];
	struct evt ev;
	uint64_t offs[64];

	write_file(0, 40, 0, true);
	unsigned nrec = record_offsets(offs, 64);

	ck_assert_uint_eq(nrec, 40);
	/* cut in the middle of record 10: 10 records, then the error */
	uint64_t cut = offs[10] + 30;

	ck_assert_int_eq(truncate(path, (off_t)cut), 0);
	struct capture_reader *r = capture_reader_open(path, err, sizeof(err));
	unsigned n = 0;
	int rc;

	ck_assert_msg(r, "%s", err);
	while ((rc = capture_reader_next(r, &ev, err, sizeof(err))) == 1)
		n++;
	ck_assert_int_eq(rc, -1);
	ck_assert_uint_eq(n, 10);
	snprintf(want, sizeof(want), "%s: offset %llu: record length", path,
		 (unsigned long long)offs[10]);
	ck_assert_msg(strstr(err, want) && strstr(err, "past end of file"), "got: %s", err);
	/* the error sticks */
	ck_assert_int_eq(capture_reader_next(r, &ev, err, sizeof(err)), -1);
	capture_reader_close(r);

	/* cut inside a record header */
	ck_assert_int_eq(truncate(path, (off_t)(offs[5] + 10)), 0);
	r = capture_reader_open(path, err, sizeof(err));
	n = 0;
	while ((rc = capture_reader_next(r, &ev, err, sizeof(err))) == 1)
		n++;
	ck_assert_int_eq(rc, -1);
	ck_assert_uint_eq(n, 5);
	snprintf(want, sizeof(want), "offset %llu: record header past end of file",
		 (unsigned long long)offs[5]);
	ck_assert_msg(strstr(err, want), "got: %s", err);
	capture_reader_close(r);

	/* cut inside the file header */
	ck_assert_int_eq(truncate(path, 20), 0);
	r = capture_reader_open(path, err, sizeof(err));
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, "file header cut short"), "got: %s", err);
}
END_TEST

START_TEST(truncated_every_offset)
{
	char err[256];
	struct evt ev;
	uint8_t *full;
	long sz;

	write_file(3, 30, 0, true);
	FILE *f = fopen(path, "rb");

	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	full = malloc((size_t)sz);
	ck_assert_uint_eq(fread(full, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	unsigned errors = 0, cleans = 0;

	for (long cut = 0; cut <= sz; cut++) {
		FILE *m = fmemopen(full, (size_t)cut ? (size_t)cut : 1, "rb");
		struct capture_reader *r;
		int rc;
		unsigned n = 0;

		if (!cut) {
			/* fmemopen needs size >= 1; an empty stream instead */
			fclose(m);
			m = fopen("/dev/null", "rb");
		}
		r = capture_reader_open_stream(m, "mem", err, sizeof(err));
		if (r) {
			while ((rc = capture_reader_next(r, &ev, err, sizeof(err))) == 1)
				n++;
			if (rc < 0) {
				errors++;
				ck_assert_msg(!strncmp(err, "mem: offset ", 12), "got: %s", err);
			} else {
				cleans++;
			}
			ck_assert(cut == sz ? capture_reader_complete(r) && n == 33
				  : !capture_reader_complete(r));
			capture_reader_close(r);
		} else {
			errors++;
		}
		fclose(m);
	}
	ck_assert_uint_gt(errors, 0);
	ck_assert_uint_ge(cleans, 2);	/* block boundaries, and the full file */
	free(full);
}
END_TEST

static void poke(long off, const void *p, size_t n)
{
	FILE *f = fopen(path, "r+b");

	fseek(f, off, SEEK_SET);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

static int read_all(char *err, size_t errlen, unsigned *n)
{
	struct evt ev;
	int rc;
	struct capture_reader *r = capture_reader_open(path, err, errlen);

	*n = 0;
	if (!r)
		return -2;
	while ((rc = capture_reader_next(r, &ev, err, errlen)) == 1)
		(*n)++;
	capture_reader_close(r);
	return rc;
}

START_TEST(corrupted_names_offset)
{
	char err[256], want[256];
	uint64_t offs[64];
	unsigned n;

	write_file(0, 20, 0, true);
	record_offsets(offs, 64);
	/* a record's length field: 70000 */
	uint32_t big = 70000;

	poke((long)offs[7] + 16, &big, 4);
	ck_assert_int_eq(read_all(err, sizeof(err), &n), -1);
	/* the checksum catches it first, at the block */
	ck_assert_msg(strstr(err, "block checksum mismatch"), "got: %s", err);
	ck_assert_uint_eq(n, 0);
	uint64_t blk = sizeof(struct capture_file_hdr);

	snprintf(want, sizeof(want), "offset %llu:", (unsigned long long)blk);
	ck_assert_msg(strstr(err, want), "got: %s", err);

	/* with a matching checksum, the record check names the record */
	write_file(0, 20, 0, true);
	poke((long)offs[7] + 16, &big, 4);
	{
		FILE *f = fopen(path, "rb");
		struct capture_block_hdr bh;
		uint8_t *pl;

		fseek(f, (long)blk, SEEK_SET);
		ck_assert_uint_eq(fread(&bh, sizeof(bh), 1, f), 1);
		pl = malloc(bh.len);
		ck_assert_uint_eq(fread(pl, 1, bh.len, f), bh.len);
		fclose(f);
		bh.checksum = capture_checksum(pl, bh.len);
		free(pl);
		poke((long)blk, &bh, sizeof(bh));
	}
	ck_assert_int_eq(read_all(err, sizeof(err), &n), -1);
	ck_assert_uint_eq(n, 7);
	snprintf(want, sizeof(want), "offset %llu: record (type %u, length 70000)",
		 (unsigned long long)offs[7], VIGIL_EVT_OPENAT);
	ck_assert_msg(strstr(err, want), "got: %s", err);

	/* bad block magic */
	write_file(0, 20, 0, true);
	uint32_t junk = 0xdeadbeef;

	poke((long)blk, &junk, 4);
	ck_assert_int_eq(read_all(err, sizeof(err), &n), -1);
	snprintf(want, sizeof(want), "offset %llu: bad block magic 0xdeadbeef", (unsigned long long)blk);
	ck_assert_msg(strstr(err, want), "got: %s", err);

	/* block length over the limit */
	write_file(0, 20, 0, true);
	uint32_t huge = 64u << 20;

	poke((long)blk + 8, &huge, 4);
	ck_assert_int_eq(read_all(err, sizeof(err), &n), -1);
	ck_assert_msg(strstr(err, "over the 4 MiB limit"), "got: %s", err);
}
END_TEST

START_TEST(header_checks)
{
	char err[512];
	unsigned n;

	write_file(0, 3, 0, true);
	poke(0, "NOTVIGIL", 8);
	ck_assert_int_eq(read_all(err, sizeof(err), &n), -2);
	ck_assert_msg(strstr(err, "not a vigil capture file"), "got: %s", err);

	write_file(0, 3, 0, true);
	uint32_t v = 99;

	poke(8, &v, 4);
	ck_assert_int_eq(read_all(err, sizeof(err), &n), -2);
	ck_assert_msg(strstr(err, "capture format version 99, this vigil reads version 1"),
		      "got: %s", err);

	write_file(0, 3, 0, true);
	uint64_t fp = evt_table_fingerprint() ^ 1;
	uint32_t abi = 7;

	poke(offsetof(struct capture_file_hdr, fingerprint), &fp, 8);
	poke(offsetof(struct capture_file_hdr, abi_version), &abi, 4);
	ck_assert_int_eq(read_all(err, sizeof(err), &n), -2);
	ck_assert_msg(strstr(err, "written with event ABI 7") &&
		      strstr(err, "read it with the vigil release that wrote it"), "got: %s", err);

	ck_assert_ptr_null(capture_reader_open("/nonexistent/x.vcap", err, sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/x.vcap: cannot open"), "got: %s", err);
}
END_TEST

START_TEST(writer_refusals)
{
	char err[256];
	struct capture_writer *w = capture_writer_open(path, NULL, err, sizeof(err));

	ck_assert_msg(w, "%s", err);
	size_t n = make_rec(1, false);

	/* length differs from the header's */
	ck_assert_int_eq(capture_writer_append(w, rec, n + 8, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "length"), "got: %s", err);
	/* malformed */
	((struct vigil_evt_hdr *)rec)->type = 0xfff;
	ck_assert_int_eq(capture_writer_append(w, rec, n, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unknown event type"), "got: %s", err);
	n = make_rec(1, false);
	ck_assert_int_eq(capture_writer_append(w, rec, n, err, sizeof(err)), 0);
	/* snapshot after live */
	ck_assert_int_eq(capture_writer_section(w, CAPTURE_SNAPSHOT, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "before the live records"), "got: %s", err);
	/* PAD records are skipped */
	struct evt_builder b;

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_PAD, 0, 0, 0);
	n = evt_build_end(&b);
	ck_assert_int_eq(capture_writer_append(w, rec, n, err, sizeof(err)), 0);
	ck_assert_uint_eq(capture_writer_records(w), 1);
	ck_assert_int_eq(capture_writer_close(w, err, sizeof(err)), 0);

	ck_assert_ptr_null(capture_writer_open("/nonexistent/dir/x.vcap", NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/dir/x.vcap: cannot create"), "got: %s", err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("capture");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip_sections_blocks);
	tcase_add_test(tc, unclosed_file_reads_but_incomplete);
	tcase_add_test(tc, truncated_names_offset);
	tcase_add_test(tc, truncated_every_offset);
	tcase_add_test(tc, corrupted_names_offset);
	tcase_add_test(tc, header_checks);
	tcase_add_test(tc, writer_refusals);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
