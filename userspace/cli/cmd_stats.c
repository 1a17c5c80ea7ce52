/* SPDX-License-Identifier: MIT */
/*
 * cmd_stats.c - `vigil stats [--dev PATH]`: the module's per-CPU counters:
 * events, drops by cause (VIGIL_DROP_CAUSES), faults, truncations, bytes,
 * and ring fill (unread bytes / ring size), then totals.
 *
 * The device allows one opener: while `vigil run` or `vigil capture` holds
 * it, this command says so (their own reports carry the same counters).
 * The module allocates the rings, and so the counters, per open: what this
 * command shows is its own (idle) session, which it says in a note.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/command.h"
#include "ring/ring.h"

static const char *const drop_names[VIGIL_DROP_NR] = {
#define X_DROP(id, name, desc) [VIGIL_DROP_##id] = name,
	VIGIL_DROP_CAUSES(X_DROP)
#undef X_DROP
};

static int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dev = VIGIL_DEVICE_PATH;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'D') {
			dev = optarg;
		} else {
			fprintf(c == 'h' ? stdout : stderr, "usage: vigil stats [--dev PATH]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: vigil stats [--dev PATH]\n");
		return 2;
	}
	char err[512];
	struct vigil_info info;
	int fd = ring_open_control(dev, &info, err, sizeof(err));

	if (fd < 0) {
		fprintf(stderr, "vigil stats: %s\n", err);
		return 1;
	}
	printf("module abi %u (this vigil: %u), %u rings of %u bytes, snaplen %u, %s\n",
	       info.abi_version, VIGIL_ABI_VERSION, info.nr_rings, info.ring_size,
	       info.snaplen, info.running ? "running" : "stopped");
	printf("%4s %6s %12s", "cpu", "online", "events");
	for (unsigned d = 0; d < VIGIL_DROP_NR; d++)
		printf(" %10s", drop_names[d]);
	printf(" %10s %10s %14s %6s\n", "faults", "truncs", "bytes", "fill");

	struct vigil_cpu_stats tot;
	int rc = 0;

	memset(&tot, 0, sizeof(tot));
	for (unsigned cpu = 0; cpu < info.nr_rings; cpu++) {
		struct vigil_cpu_stats st;

		int pr = ring_get_stats(fd, dev, cpu, &st, err, sizeof(err));

		if (pr < 0) {
			fprintf(stderr, "vigil stats: %s\n", err);
			rc = 1;
			break;
		}
		if (pr > 0) {
			printf("%4u %6s\n", cpu, "absent");
			continue;
		}
		uint64_t unread = st.head - st.tail;
		double fill = info.ring_size && unread <= info.ring_size
			      ? 100.0 * (double)unread / info.ring_size : 100.0;

		printf("%4u %6s %12llu", cpu, st.online ? "yes" : "no", st.events);
		for (unsigned d = 0; d < VIGIL_DROP_NR; d++) {
			printf(" %10llu", st.drops[d]);
			tot.drops[d] += st.drops[d];
		}
		printf(" %10llu" " %10llu" " %14llu" " %5.1f%%\n", st.faults,
		       st.truncations, st.bytes, fill);
		tot.events += st.events;
		tot.faults += st.faults;
		tot.truncations += st.truncations;
		tot.bytes += st.bytes;
	}
	printf("%4s %6s %12llu", "all", "", tot.events);
	for (unsigned d = 0; d < VIGIL_DROP_NR; d++)
		printf(" %10llu", tot.drops[d]);
	printf(" %10llu" " %10llu" " %14llu" "\n", tot.faults, tot.truncations,
	       tot.bytes);
	if (!info.running)
		printf("note: the module keeps these counters per open of %s (they start at 0 "
		       "for this command); `vigil capture` and `vigil run` report their own "
		       "session's counters\n", dev);
	close(fd);
	return rc;
}

VIGIL_COMMAND(stats, cmd_stats, "stats [--dev PATH]",
	      "per-CPU event, drop, fault and truncation counters of the module")
