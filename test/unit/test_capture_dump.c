/* SPDX-License-Identifier: MIT */
/*
 * test_capture_dump.c - `vigil dump` end to end: writes capture files with
 * the real writer, runs the engine binary built by the unit runner
 * (build/asan/vigil, from test/unit) and checks its stdout, stderr and
 * exit status: JSON lines parse and carry the documented keys, sections
 * are marked, a truncated file exits 1 naming the offset, an unclosed file
 * warns, a foreign file is refused.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/capture.h"

#define VIGIL "../../build/asan/vigil"

static char dir[64], path[128], outp[160], errp[160];
static _Alignas(8) uint8_t rec[1024];

static void setup(void)
{
	strcpy(dir, "/tmp/vigil-test-dump-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.vcap", dir);
	snprintf(outp, sizeof(outp), "%s/out", dir);
	snprintf(errp, sizeof(errp), "%s/err", dir);
}

static void teardown(void)
{
	unlink(path);
	unlink(outp);
	unlink(errp);
	rmdir(dir);
}

static size_t openat_rec(unsigned i)
{
	struct evt_builder b;

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_OPENAT, 1000 + i, 100 + i, 100);
	evt_build_u64(&b, i % 2 ? (uint64_t)-13 : 3);
	evt_build_u64(&b, (uint64_t)-100);
	evt_build_str(&b, "/etc/shadow");
	evt_build_u32(&b, 01 | 0100);
	evt_build_u32(&b, 0600);
	evt_build_u32(&b, 0);
	evt_build_u64(&b, 7);
	return evt_build_end(&b);
}

static void write_file(unsigned nsnap, unsigned nlive)
{
	char err[256];
	struct capture_writer_opts o = { .hostname = "dumphost", .nr_cpus = 1 };
	struct capture_writer *w = capture_writer_open(path, &o, err, sizeof(err));

	ck_assert_msg(w, "%s", err);
	if (nsnap) {
		capture_writer_section(w, CAPTURE_SNAPSHOT, err, sizeof(err));
		for (unsigned i = 0; i < nsnap; i++)
			ck_assert_int_eq(capture_writer_append(w, rec, openat_rec(i), err, sizeof(err)), 0);
		capture_writer_section(w, CAPTURE_LIVE, err, sizeof(err));
	}
	for (unsigned i = 0; i < nlive; i++)
		ck_assert_int_eq(capture_writer_append(w, rec, openat_rec(nsnap + i), err, sizeof(err)), 0);
	ck_assert_int_eq(capture_writer_close(w, err, sizeof(err)), 0);
}

/* Runs vigil dump; returns the exit status; out/err left in files. */
static int run_dump(const char *extra)
{
	char cmd[512];

	ck_assert_msg(access(VIGIL, X_OK) == 0, VIGIL " not built (the unit runner builds it)");
	snprintf(cmd, sizeof(cmd), "ASAN_OPTIONS=detect_leaks=1 " VIGIL " dump %s %s >%s 2>%s",
		 path, extra, outp, errp);
	int st = system(cmd);

	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);

	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Runs a vigil command line; returns the exit status; out/err in files. */
static int run_vigil(const char *args)
{
	char cmd[512];

	ck_assert_msg(access(VIGIL, X_OK) == 0, VIGIL " not built (the unit runner builds it)");
	snprintf(cmd, sizeof(cmd), "ASAN_OPTIONS=detect_leaks=1 " VIGIL " %s >%s 2>%s", args,
		 outp, errp);
	int st = system(cmd);

	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(json_lines)
{
	write_file(2, 3);
	ck_assert_int_eq(run_dump("--json"), 0);
	FILE *f = fopen(outp, "r");
	char line[4096];
	unsigned n = 0;

	while (fgets(line, sizeof(line), f)) {
		struct json_object *o = json_tokener_parse(line), *v, *params;

		ck_assert_msg(o, "not JSON: %s", line);
		n++;
		static const char *keys[] = { "num", "ts", "time", "cpu", "type", "tid", "pid",
					      "section", "params", "raw", "flags" };

		for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			ck_assert_msg(json_object_object_get_ex(o, keys[k], NULL), "no %s", keys[k]);
		json_object_object_get_ex(o, "num", &v);
		ck_assert_int_eq(json_object_get_int(v), n);
		json_object_object_get_ex(o, "section", &v);
		ck_assert_str_eq(json_object_get_string(v), n <= 2 ? "snapshot" : "live");
		json_object_object_get_ex(o, "type", &v);
		ck_assert_str_eq(json_object_get_string(v), "openat");
		json_object_object_get_ex(o, "params", &params);
		json_object_object_get_ex(params, "flags", &v);
		ck_assert_str_eq(json_object_get_string(v), "O_WRONLY|O_CREAT");
		json_object_object_get_ex(params, "fd", &v);
		if ((n - 1) % 2)
			ck_assert_str_eq(json_object_get_string(v), "EACCES");
		else
			ck_assert_int_eq(json_object_get_int(v), 3);
		json_object_put(o);
	}
	fclose(f);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(slurp(errp), "");
	/* the same from stdin */
	char args[256];

	snprintf(args, sizeof(args), "dump --json - <%s", path);
	ck_assert_int_eq(run_vigil(args), 0);
	n = 0;
	for (char *q = slurp(outp); *q; q++)
		n += *q == '\n';
	ck_assert_uint_eq(n, 5);
}
END_TEST

START_TEST(text_lines)
{
	write_file(1, 2);
	ck_assert_int_eq(run_dump(""), 0);
	char *out = slurp(outp);

	ck_assert_msg(strstr(out, "# vigil capture ") && strstr(out, "host dumphost"), "%s", out);
	ck_assert_msg(strstr(out, "# snapshot\n1 "), "%s", out);
	ck_assert_msg(strstr(out, "# live\n2 "), "%s", out);
	ck_assert_msg(strstr(out, " openat tid=102 pid=100 fd=3 dirfd=-100 name=/etc/shadow "
			      "flags=O_WRONLY|O_CREAT mode=0600"), "%s", out);
}
END_TEST

START_TEST(damaged_files)
{
	char want[256];

	/* truncated inside the 3rd record: 2 lines, exit 1, offset named */
	write_file(0, 5);
	struct capture_reader *r;
	char err[256];
	struct evt ev;
	uint64_t off3 = 0;

	r = capture_reader_open(path, err, sizeof(err));
	for (int i = 0; i < 3; i++)
		capture_reader_next(r, &ev, err, sizeof(err));
	off3 = capture_reader_offset(r);
	capture_reader_close(r);
	ck_assert_int_eq(truncate(path, (off_t)off3 + 40), 0);
	ck_assert_int_eq(run_dump("--json"), 1);
	char *out = slurp(outp);
	unsigned lines = 0;

	for (char *p = out; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 2);
	snprintf(want, sizeof(want), "vigil dump: %s: offset %llu: record length", path,
		 (unsigned long long)off3);
	ck_assert_msg(strstr(slurp(errp), want), "%s", slurp(errp));

	/* no end block: all records, a warning, exit 0 */
	write_file(0, 5);
	FILE *f = fopen(path, "r+");

	fseek(f, 0, SEEK_END);
	long sz = ftell(f);

	fclose(f);
	ck_assert_int_eq(truncate(path, sz - (long)sizeof(struct capture_block_hdr)), 0);
	ck_assert_int_eq(run_dump("--json"), 0);
	ck_assert_msg(strstr(slurp(errp), "warning: no end block"), "%s", slurp(errp));

	/* not a capture */
	f = fopen(path, "w");
	fputs("hello, world, this is not a capture file at all........................", f);
	fclose(f);
	ck_assert_int_eq(run_dump(""), 1);
	ck_assert_msg(strstr(slurp(errp), "not a vigil capture file"), "%s", slurp(errp));
	ck_assert_str_eq(slurp(outp), "");
	/* usage */
	ck_assert_int_eq(run_dump("extra-arg"), 2);
}
END_TEST

/* Without the module: clear errors, no file left half-made, exit 1;
 * usage errors exit 2. */
START_TEST(capture_and_stats_without_device)
{
	char args[256];

	snprintf(args, sizeof(args), "capture -w %s --dev %s/nodev -d 1", path, dir);
	ck_assert_int_eq(run_vigil(args), 1);
	ck_assert_msg(strstr(slurp(errp), "is the vigil module loaded"), "%s", slurp(errp));
	ck_assert_int_eq(access(path, F_OK), -1);	/* nothing created */
	snprintf(args, sizeof(args), "capture -w %s --dev /dev/null", path);
	ck_assert_int_eq(run_vigil(args), 1);
	ck_assert_msg(strstr(slurp(errp), "not a vigil device"), "%s", slurp(errp));
	ck_assert_int_eq(run_vigil("capture"), 2);			/* no -w */
	ck_assert_int_eq(run_vigil("capture -w x -n many"), 2);	/* bad number */
	ck_assert_msg(strstr(slurp(errp), "bad number 'many'"), "%s", slurp(errp));
	snprintf(args, sizeof(args), "stats --dev %s/nodev", dir);
	ck_assert_int_eq(run_vigil(args), 1);
	ck_assert_msg(strstr(slurp(errp), "vigil stats: ") &&
		      strstr(slurp(errp), "is the vigil module loaded"), "%s", slurp(errp));
	ck_assert_int_eq(run_vigil("stats extra"), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capture_dump");
	TCase *tc = tcase_create("capture_dump");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, json_lines);
	tcase_add_test(tc, text_lines);
	tcase_add_test(tc, damaged_files);
	tcase_add_test(tc, capture_and_stats_without_device);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
