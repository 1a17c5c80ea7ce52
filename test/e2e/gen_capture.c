/* SPDX-License-Identifier: MIT */
/*
 * gen_capture.c - writes the capture file of the host part of the e2e
 * layer: a short, scripted stream of events (built with the event builder,
 * written with the capture writer), so `vigil run --capture FILE` can be
 * checked end to end without a kernel module.
 *
 *   gen_capture OUT.cap < SCRIPT
 *
 * SCRIPT: one event per line, `TYPE TID key=value ...`; values for params
 * not named are empty (strings) or 0 (numbers); STRARRAY values separate
 * their strings with '|'. Parameters are filled by name from the event
 * table, so the script does not depend on parameter order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "event/event.h"

static const char *lookup(char **kv, int n, const char *name)
{
	size_t l = strlen(name);

	for (int i = 0; i < n; i++)
		if (!strncmp(kv[i], name, l) && kv[i][l] == '=')
			return kv[i] + l + 1;
	return NULL;
}

int main(int argc, char **argv)
{
	static uint8_t rec[VIGIL_RECORD_MAX] __attribute__((aligned(8)));
	struct capture_writer_opts wo = { 0 };
	struct capture_writer *w;
	char line[8192], err[256];
	uint64_t ts = 1000000000ull;
	int lineno = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_capture OUT.cap < SCRIPT\n");
		return 2;
	}
	wo.hostname = "e2e-host";
	w = capture_writer_open(argv[1], &wo, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "gen_capture: %s\n", err);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *kv[64], *tok, *save = NULL, *type, *tid;
		int n = 0, t;
		struct evt_builder b;
		size_t len;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		type = strtok_r(line, " ", &save);
		tid = strtok_r(NULL, " ", &save);
		while (n < 64 && (tok = strtok_r(NULL, " ", &save)))
			kv[n++] = tok;
		t = type ? evt_type_by_name(type) : -1;
		if (t < 0 || !tid) {
			fprintf(stderr, "gen_capture: line %d: unknown event type '%s'\n", lineno, type);
			return 1;
		}
		ts += 1000000;
		evt_build_begin(&b, rec, sizeof(rec), (unsigned)t, ts, (uint32_t)atoi(tid),
				(uint32_t)atoi(tid));
		for (unsigned i = 0; i < evt_table[t].nparams; i++) {
			const struct evt_param_info *pi = &evt_table[t].params[i];
			const char *v = lookup(kv, n, pi->name);

			switch (pi->type) {
			case VIGIL_PT_S64: case VIGIL_PT_U64: case VIGIL_PT_FD: case VIGIL_PT_PID:
			case VIGIL_PT_ERRNO: case VIGIL_PT_FLAGS64:
				evt_build_u64(&b, v ? (uint64_t)strtoll(v, NULL, 0) : 0);
				break;
			case VIGIL_PT_U32: case VIGIL_PT_UID: case VIGIL_PT_GID: case VIGIL_PT_MODE:
			case VIGIL_PT_DEV: case VIGIL_PT_FLAGS32: case VIGIL_PT_ENUM:
				evt_build_u32(&b, v ? (uint32_t)strtoul(v, NULL, 0) : 0);
				break;
			case VIGIL_PT_STRARRAY: {
				char buf[4096];
				size_t l = v ? strlen(v) : 0;

				if (l >= sizeof(buf))
					l = sizeof(buf) - 1;
				memcpy(buf, v ? v : "", l);
				buf[l] = 0;
				for (size_t j = 0; j < l; j++)
					if (buf[j] == '|')
						buf[j] = 0;
				if (l)
					evt_build_bytes(&b, buf, l + 1, 0);
				else
					evt_build_empty(&b, 0);
				break;
			}
			case VIGIL_PT_PATH: case VIGIL_PT_STR:
				if (v)
					evt_build_str(&b, v);
				else
					evt_build_empty(&b, 0);
				break;
			default:
				evt_build_empty(&b, 0);
			}
		}
		len = evt_build_end(&b);
		if (!len) {
			fprintf(stderr, "gen_capture: line %d: the record does not build\n", lineno);
			return 1;
		}
		if (capture_writer_append(w, rec, len, err, sizeof(err)) != 0) {
			fprintf(stderr, "gen_capture: line %d: %s\n", lineno, err);
			return 1;
		}
	}
	if (capture_writer_close(w, err, sizeof(err)) != 0) {
		fprintf(stderr, "gen_capture: %s\n", err);
		return 1;
	}
	return 0;
}
