/* SPDX-License-Identifier: MIT */
/*
 * mkseeds.c - writes the seed corpora of fuzz_decode and fuzz_capture
 * (test/fuzz/corpus/{decode,capture}/) with the real builder and writer.
 * Not a fuzz target. Rebuild the seeds after an ABI change:
 *   make -C userspace lib && cc -std=c11 -D_GNU_SOURCE -Iuserspace -Ikmod \
 *     -o /tmp/mkseeds test/fuzz/mkseeds.c build/release/libvigil.a && /tmp/mkseeds
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/capture.h"

static _Alignas(8) uint8_t recs[8][1024];
static size_t lens[8];

static void save(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		return;
	}
	fclose(f);
}

int main(void)
{
	struct evt_builder b;
	struct evt_sockaddr l = { .family = AF_INET, .addr = { 10, 0, 0, 1 }, .port = 5000 };
	struct evt_sockaddr r = { .family = AF_INET, .addr = { 5, 6, 7, 8 }, .port = 80 };

	evt_build_begin(&b, recs[0], 1024, VIGIL_EVT_OPENAT, 1000, 10, 10);
	evt_build_u64(&b, 3);
	evt_build_u64(&b, (uint64_t)-100);
	evt_build_str(&b, "/etc/passwd");
	evt_build_u32(&b, 02000000);
	evt_build_u32(&b, 0);
	evt_build_u32(&b, 0x803);
	evt_build_u64(&b, 42);
	lens[0] = evt_build_end(&b);

	evt_build_begin(&b, recs[1], 1024, VIGIL_EVT_CONNECT, 2000, 11, 11);
	evt_build_u64(&b, 0);
	evt_build_u64(&b, 4);
	evt_build_sockaddr(&b, &r);
	evt_build_tuple(&b, &l, &r);
	lens[1] = evt_build_end(&b);

	evt_build_begin(&b, recs[2], 1024, VIGIL_EVT_EXECVE, 3000, 12, 12);
	for (unsigned i = 0; i < VIGIL_NP_EXECVE; i++) {
		enum vigil_param_type t = evt_table[VIGIL_EVT_EXECVE].params[i].type;

		if (i == VIGIL_P_EXECVE_args)
			evt_build_bytes(&b, "ls\0-l\0", 6, 0);
		else if (evt_ptype[t].size == 8)
			evt_build_u64(&b, i);
		else if (evt_ptype[t].size == 4)
			evt_build_u32(&b, i);
		else
			evt_build_bytes(&b, "/bin/ls", 7, i == VIGIL_P_EXECVE_cwd ? VIGIL_PARAM_TRUNC : 0);
	}
	lens[2] = evt_build_end(&b);

	evt_build_begin(&b, recs[3], 1024, VIGIL_EVT_PAD, 0, 0, 0);
	lens[3] = evt_build_end(&b);

	save("test/fuzz/corpus/decode/openat", recs[0], lens[0]);
	save("test/fuzz/corpus/decode/connect", recs[1], lens[1]);
	save("test/fuzz/corpus/decode/execve", recs[2], lens[2]);
	{	/* a ring's worth: pad, openat, connect */
		uint8_t all[4096];
		size_t n = 0;

		for (int i = 3; i >= 0; i -= 1) {
			if (i == 2)
				continue;
			memcpy(all + n, recs[i], lens[i]);
			n += lens[i];
		}
		save("test/fuzz/corpus/decode/ring", all, n);
	}

	char err[256];
	struct capture_writer_opts o = { .hostname = "seed", .nr_cpus = 2 };
	struct capture_writer *w = capture_writer_open("test/fuzz/corpus/capture/small.vcap",
						       &o, err, sizeof(err));

	if (!w) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	capture_writer_section(w, CAPTURE_SNAPSHOT, err, sizeof(err));
	capture_writer_append(w, recs[0], lens[0], err, sizeof(err));
	capture_writer_section(w, CAPTURE_LIVE, err, sizeof(err));
	for (int i = 0; i < 3; i++)
		capture_writer_append(w, recs[i], lens[i], err, sizeof(err));
	return capture_writer_close(w, err, sizeof(err)) ? 1 : 0;
}
