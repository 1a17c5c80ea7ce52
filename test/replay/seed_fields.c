/* SPDX-License-Identifier: MIT */
/*
 * seed_fields.c - seeds a live state from this host's /proc (and runtime
 * files) and prints fields of one process, as the rules would see them on
 * an event of that process:  seed_fields PID FIELD...
 * Used by test/replay/run.sh against a real runc container.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/state_helpers.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: seed_fields PID FIELD...\n");
		return 2;
	}
	uint32_t pid = (uint32_t)strtoul(argv[1], NULL, 10);
	struct state_cfg c;
	memset(&c, 0, sizeof(c));
	c.live = true;
	char err[256];
	struct state *st = state_new(&c, err, sizeof(err));
	if (!st || state_seed_from_proc(st, err, sizeof(err)) < 0) {
		fprintf(stderr, "seed_fields: %s\n", err);
		return 1;
	}
	static struct tev t;
	int64_t v[] = { 0, 999 };
	struct evt *e = ev_nums(&t, VIGIL_EVT_CLOSE, pid, pid, 2, v);
	state_apply(st, e);
	for (int i = 2; i < argc; i++)
		printf("%s=%s\n", argv[i], th_field(st, e, argv[i]));
	state_free(st);
	return 0;
}
