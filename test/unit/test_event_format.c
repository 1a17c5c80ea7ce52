/* SPDX-License-Identifier: MIT */
/*
 * test_event_format.c - the text line and the JSON object of `vigil dump`
 * (event/format.c): exact shape, types of values, flags, errno names,
 * string arrays, wall-clock time. JSON is parsed back with json-c.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/format.h"

static _Alignas(8) uint8_t rec[8192];

static void build_openat(struct evt *ev, int64_t fd, uint16_t name_flags)
{
	struct evt_builder b;

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_OPENAT, 5000000000ull, 812, 811);
	evt_build_u64(&b, (uint64_t)fd);
	evt_build_u64(&b, (uint64_t)-100);
	evt_build_bytes(&b, "/etc/passwd", 11, name_flags);
	evt_build_u32(&b, 02000000);
	evt_build_u32(&b, 0644);
	evt_build_u32(&b, 0x803);
	evt_build_u64(&b, 1234);
	ck_assert_uint_gt(evt_build_end(&b), 0);
	((struct vigil_evt_hdr *)rec)->cpu = 1;
	ck_assert_int_eq(evt_decode(rec, sizeof(rec), ev), EVT_OK);
	ev->num = 7;
}

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no key %s", k);
	return v;
}

START_TEST(json_shape)
{
	struct evt ev;
	/* 2026-12-03T00:00:00Z = 1796256000 s; ts 5 s after boot */
	int64_t off = 1796256000ll * 1000000000ll - 5000000000ll + 123;

	build_openat(&ev, 3, VIGIL_PARAM_TRUNC);
	struct json_object *o = evt_format_json(&ev, off, "live");
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	/* parse the text back, as a consumer would */
	struct json_object *p = json_tokener_parse(s);

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(strstr(s, "\"name\":\"/etc/passwd\""), "slashes escaped? %s", s);
	ck_assert_int_eq(json_object_get_int64(get(p, "num")), 7);
	ck_assert_int_eq(json_object_get_int64(get(p, "ts")), 5000000000ll);
	ck_assert_str_eq(json_object_get_string(get(p, "time")), "2026-12-03T00:00:00.000000123Z");
	ck_assert_int_eq(json_object_get_int(get(p, "cpu")), 1);
	ck_assert_str_eq(json_object_get_string(get(p, "type")), "openat");
	ck_assert_int_eq(json_object_get_int(get(p, "tid")), 812);
	ck_assert_int_eq(json_object_get_int(get(p, "pid")), 811);
	ck_assert_str_eq(json_object_get_string(get(p, "section")), "live");
	struct json_object *params = get(p, "params"), *raw = get(p, "raw"), *flags = get(p, "flags");

	ck_assert(json_object_is_type(get(params, "fd"), json_type_int));
	ck_assert_int_eq(json_object_get_int(get(params, "fd")), 3);
	ck_assert_int_eq(json_object_get_int(get(params, "dirfd")), -100);
	ck_assert_str_eq(json_object_get_string(get(params, "name")), "/etc/passwd");
	ck_assert_str_eq(json_object_get_string(get(params, "flags")), "O_RDONLY|O_CLOEXEC");
	ck_assert_str_eq(json_object_get_string(get(params, "mode")), "0644");
	ck_assert_str_eq(json_object_get_string(get(params, "dev")), "0x803");
	ck_assert_int_eq(json_object_get_int64(get(params, "ino")), 1234);
	ck_assert_int_eq(json_object_get_int64(get(raw, "flags")), 02000000);
	ck_assert_int_eq(json_object_get_int64(get(raw, "dirfd")), -100);
	ck_assert_int_eq(json_object_get_int64(get(raw, "mode")), 0644);
	ck_assert(!json_object_object_get_ex(raw, "name", NULL));
	struct json_object *nf = get(flags, "name");

	ck_assert_int_eq(json_object_array_length(nf), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(nf, 0)), "trunc");
	ck_assert_int_eq(json_object_object_length(flags), 1);
	json_object_put(p);
	json_object_put(o);

	/* failed open: errno name in params, number in raw; no section */
	build_openat(&ev, -2, 0);
	o = evt_format_json(&ev, 0, NULL);
	ck_assert_str_eq(json_object_get_string(get(get(o, "params"), "fd")), "ENOENT");
	ck_assert_int_eq(json_object_get_int(get(get(o, "raw"), "fd")), -2);
	ck_assert(!json_object_object_get_ex(o, "section", NULL));
	ck_assert_str_eq(json_object_get_string(get(o, "time")), "5000000000");
	ck_assert_int_eq(json_object_object_length(get(o, "flags")), 0);
	json_object_put(o);
}
END_TEST

START_TEST(json_execve_arrays_and_absent)
{
	struct evt_builder b;
	struct evt ev;

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_EXECVE, 1, 2, 3);
	for (unsigned i = 0; i < VIGIL_NP_EXECVE; i++) {
		enum vigil_param_type t = evt_table[VIGIL_EVT_EXECVE].params[i].type;

		if (i == VIGIL_P_EXECVE_args)
			evt_build_bytes(&b, "sh\0-c\0echo hi\0", 14, 0);
		else if (i == VIGIL_P_EXECVE_env)
			evt_build_empty(&b, VIGIL_PARAM_FAULT);
		else if (i == VIGIL_P_EXECVE_uid)
			evt_build_u32(&b, 4294967295u);
		else if (evt_ptype[t].size == 8)
			evt_build_u64(&b, 0);
		else if (evt_ptype[t].size == 4)
			evt_build_u32(&b, 0);
		else
			evt_build_str(&b, "/bin/sh");
	}
	ck_assert_uint_gt(evt_build_end(&b), 0);
	ck_assert_int_eq(evt_decode(rec, sizeof(rec), &ev), EVT_OK);
	struct json_object *o = evt_format_json(&ev, 0, "snapshot");
	struct json_object *params = get(o, "params");
	struct json_object *args = get(params, "args");

	ck_assert(json_object_is_type(args, json_type_array));
	ck_assert_int_eq(json_object_array_length(args), 3);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(args, 2)), "echo hi");
	ck_assert_ptr_null(get(params, "env"));	/* absent -> null */
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
		get(get(o, "flags"), "env"), 0)), "fault");
	ck_assert_int_eq(json_object_get_int64(get(params, "uid")), 4294967295ll);
	ck_assert_int_eq(json_object_get_int(get(params, "res")), 0);
	json_object_put(o);
}
END_TEST

START_TEST(text_line)
{
	struct evt ev;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	build_openat(&ev, 3, VIGIL_PARAM_TRUNC | VIGIL_PARAM_FAULT);
	evt_print_text(f, &ev, 0);
	fclose(f);
	ck_assert_str_eq(out, "7 5000000000 cpu=1 openat tid=812 pid=811 fd=3 dirfd=-100 "
			      "name=/etc/passwd(fault)(trunc) flags=O_RDONLY|O_CLOEXEC mode=0644 "
			      "dev=0x803 ino=1234\n");
	free(out);

	/* quoting of empty values and values with spaces */
	struct evt_builder b;

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_UNLINK, 9, 1, 1);
	evt_build_u64(&b, 0);
	evt_build_str(&b, "/tmp/a b");
	ck_assert_uint_gt(evt_build_end(&b), 0);
	ck_assert_int_eq(evt_decode(rec, sizeof(rec), &ev), EVT_OK);
	ev.num = 1;
	f = open_memstream(&out, &len);
	evt_print_text(f, &ev, 0);
	fclose(f);
	ck_assert_str_eq(out, "1 9 cpu=0 unlink tid=1 pid=1 res=0 path=\"/tmp/a b\"\n");
	free(out);
}
END_TEST

/* found by fuzz_capture: ts + boot offset overflowed int64 */
START_TEST(time_overflow_falls_back_to_raw)
{
	char buf[64];

	evt_format_time(8317713579423826920ull, 1796325361926386721ll, buf, sizeof(buf));
	ck_assert_str_eq(buf, "8317713579423826920");
	evt_format_time(UINT64_MAX, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "18446744073709551615");
	evt_format_time(5, -10, buf, sizeof(buf));
	ck_assert_str_eq(buf, "5");
	evt_format_time(1500000000, 1000000000ll * 86400 * 365, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1971-01-01T00:00:01.500000000Z");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("event_format");
	TCase *tc = tcase_create("event_format");

	tcase_add_test(tc, json_shape);
	tcase_add_test(tc, json_execve_arrays_and_absent);
	tcase_add_test(tc, text_line);
	tcase_add_test(tc, time_overflow_falls_back_to_raw);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
