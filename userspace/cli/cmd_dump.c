/* SPDX-License-Identifier: MIT */
/*
 * cmd_dump.c - `vigil dump FILE [--json]`: prints a capture file, one event
 * per line.
 *
 * Text (default): a few "# " header lines (host, ABI, start time, flags),
 * "# snapshot" / "# live" before each section, then per event:
 *   <num> <time> cpu=<cpu> <type> tid=<tid> pid=<pid> <param>=<value> ...
 *
 * --json: exactly one JSON object per line, no other lines on stdout:
 *   {"num":1,"ts":5123456789,"time":"2026-12-03T19:30:01.123456789Z",
 *    "cpu":0,"type":"openat","tid":812,"pid":812,"section":"live",
 *    "params":{"fd":3,"dirfd":-100,"name":"/etc/passwd",
 *              "flags":"O_RDONLY|O_CLOEXEC","mode":"0","dev":"0x803",
 *              "ino":1234},
 *    "raw":{"fd":3,"dirfd":-100,"flags":524288,"mode":0,"dev":2051,"ino":1234},
 *    "flags":{"name":["trunc"]}}
 *   num: 1-based record number in the file; ts: CLOCK_MONOTONIC ns as the
 *   module stamped it; time: ts as wall clock (UTC) via the file's boot
 *   offset; section: "snapshot" (the /proc snapshot records) or "live".
 *   params: absent value -> null; args/env (STRARRAY) -> array of strings;
 *   S64/FD/PID/ERRNO -> number, but a negative syscall result is its errno
 *   name ("ENOENT") (raw keeps the number); U64/U32/UID/GID -> number;
 *   flags, enums, mode (octal), dev (hex), paths, strings, bytes and
 *   addresses ("1.2.3.4:80", "10.0.0.1:5000->5.6.7.8:80", "[::1]:53")
 *   -> the rendered string. Non-UTF-8 bytes appear as the text \xNN.
 *   raw: every present fixed-size parameter as a number.
 *   flags: only parameters with the fault and/or trunc flag.
 * (The shape is made by evt_format_json() in event/format.c.)
 *
 * Exit status: 0 when the file read to its end, 1 on a damaged or
 * truncated file (the records before the damage are printed, the error
 * naming the byte offset goes to stderr), 2 on usage errors. A file that
 * was not closed cleanly (no end block) prints a warning on stderr, exit 0.
 */
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "cli/command.h"
#include "event/format.h"

static const char *section_name(enum capture_section s)
{
	return s == CAPTURE_SNAPSHOT ? "snapshot" : "live";
}

static void print_header(const char *path, const struct capture_info *ci)
{
	char t[64];

	evt_format_time(ci->created_ns, 0, t, sizeof(t));
	{
		struct tm tm;
		time_t sec = (time_t)(ci->created_ns / 1000000000ull);

		gmtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	printf("# vigil capture %s: format %u, abi %u, host %s, started %s\n", path,
	       ci->version, ci->abi_version, ci->hostname[0] ? ci->hostname : "?", t);
	printf("# %u cpus, snaplen %u, flags%s%s%s\n", ci->nr_cpus, ci->snaplen,
	       ci->flags & CAPTURE_F_ENV ? " env" : "",
	       ci->flags & CAPTURE_F_SNAPSHOT ? " snapshot" : "",
	       ci->flags & (CAPTURE_F_ENV | CAPTURE_F_SNAPSHOT) ? "" : " none");
}

static int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else {
			fprintf(c == 'h' ? stdout : stderr, "usage: vigil dump FILE [--json]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: vigil dump FILE [--json]\n");
		return 2;
	}
	const char *path = argv[optind];
	char err[512];
	/* "-": read the capture from stdin (e.g. through ssh or zstd -d) */
	struct capture_reader *r = strcmp(path, "-")
		? capture_reader_open(path, err, sizeof(err))
		: capture_reader_open_stream(stdin, "stdin", err, sizeof(err));

	if (!r) {
		fprintf(stderr, "vigil dump: %s\n", err);
		return 1;
	}
	const struct capture_info *ci = capture_reader_info(r);
	struct evt ev;
	int rc;
	enum capture_section shown = 0;

	if (!json)
		print_header(path, ci);
	while ((rc = capture_reader_next(r, &ev, err, sizeof(err))) == 1) {
		enum capture_section s = capture_reader_section(r);

		if (json) {
			struct json_object *o = evt_format_json(&ev, ci->boot_offset_ns,
								section_name(s));

			if (!o) {
				snprintf(err, sizeof(err), "out of memory");
				rc = -1;
				break;
			}
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		} else {
			if (s != shown)
				printf("# %s\n", section_name(s));
			evt_print_text(stdout, &ev, ci->boot_offset_ns);
		}
		shown = s;
	}
	if (fflush(stdout) != 0)
		rc = -1, snprintf(err, sizeof(err), "stdout: write error");
	if (rc < 0)
		fprintf(stderr, "vigil dump: %s\n", err);
	else if (!capture_reader_complete(r))
		fprintf(stderr, "vigil dump: %s: warning: no end block: the capture was not "
			"closed cleanly (killed or crashed); all whole records were printed\n",
			path);
	capture_reader_close(r);
	return rc < 0 ? 1 : 0;
}

VIGIL_COMMAND(dump, cmd_dump, "dump FILE [--json]",
	      "print a capture file, one event per line")
