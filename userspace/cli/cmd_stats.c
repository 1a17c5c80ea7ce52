/* SPDX-License-Identifier: MIT */
/*
 * cmd_stats.c - `vigil stats [--dev PATH]`: the module's per-CPU counters:
 * events, drops by cause (VIGIL_DROP_CAUSES), faults, truncations, bytes,
 * and ring fill (unread bytes / ring size), then totals.
 *
 * The device allows one opener: while `vigil run` or `vigil capture` holds
 * it, this command says so, and when the configuration (-c, default
 * /etc/vigil/vigil.yaml) enables metrics it prints the running engine's
 * counters from its metrics endpoint instead (exit 0); otherwise exit 1.
 * The module allocates the rings, and so the counters, per open: what this
 * command shows is its own (idle) session, which it says in a note.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/command.h"
#include "cli/metrics_client.h"
#include "cli/run.h"
#include "ring/ring.h"

#define STATS_USAGE "usage: vigil stats [--dev PATH] [-c CONFIG]\n"

static const char *const drop_names[VIGIL_DROP_NR] = {
#define X_DROP(id, name, desc) [VIGIL_DROP_##id] = name,
	VIGIL_DROP_CAUSES(X_DROP)
#undef X_DROP
};

/* The device is busy: the running engine's counters from its metrics. */
static int stats_from_metrics(const char *dev, const char *cfgpath)
{
	char url[512], err[1024], *body;
	unsigned ncpu = 0;
	bool found;

	fprintf(stderr, "vigil stats: %s is busy: a running `vigil run` or `vigil capture` "
		"holds it (one opener at a time)\n", dev);
	if (mc_url_from_config(cfgpath, url, sizeof(url), err, sizeof(err)) != 0) {
		fprintf(stderr, "vigil stats: cannot ask the running engine instead: %s\n"
			"vigil stats: `vigil run` serves these counters as metrics "
			"(vigil_drops_total{cpu,cause}) when metrics are enabled; `vigil capture` "
			"prints them when it ends\n", err);
		return 1;
	}
	body = mc_fetch(url, 5, err, sizeof(err));
	if (!body) {
		fprintf(stderr, "vigil stats: cannot ask the running engine instead: %s\n", err);
		return 1;
	}
	/* CPUs: every cpu="N" of the fault counter (one series per ring) */
	for (const char *l = strstr(body, "\nvigil_ring_faults_total{cpu=\""); l;
	     l = strstr(l + 1, "\nvigil_ring_faults_total{cpu=\"")) {
		unsigned long c = strtoul(l + strlen("\nvigil_ring_faults_total{cpu=\""), NULL, 10);

		if (c < RING_MERGE_MAX && c + 1 > ncpu)
			ncpu = (unsigned)c + 1;
	}
	printf("the running engine's counters (from %s; the module's, since it opened %s):\n",
	       url, dev);
	printf("%4s", "cpu");
	for (unsigned d = 0; d < VIGIL_DROP_NR; d++)
		printf(" %10s", drop_names[d]);
	printf(" %10s %10s\n", "faults", "truncs");
	for (unsigned cpu = 0; cpu < ncpu; cpu++) {
		char cs[16];
		const char *kv[] = { "cpu", cs, "cause", NULL, NULL };
		double faults, truncs;

		snprintf(cs, sizeof(cs), "%u", cpu);
		kv[2] = NULL;	/* cpu only */
		faults = mc_sum(body, "vigil_ring_faults_total", kv, &found);
		if (!found)
			continue;
		truncs = mc_sum(body, "vigil_ring_truncations_total", kv, &found);
		kv[2] = "cause";
		printf("%4u", cpu);
		for (unsigned d = 0; d < VIGIL_DROP_NR; d++) {
			kv[3] = drop_names[d];
			printf(" %10.0f", mc_sum(body, "vigil_drops_total", kv, &found));
		}
		printf(" %10.0f %10.0f\n", faults, truncs);
	}
	printf("%4s events decoded %.0f, records lost %.0f\n", "all",
	       mc_sum(body, "vigil_events_total", NULL, &found),
	       mc_sum(body, "vigil_drops_total", NULL, &found));
	free(body);
	return 0;
}

static int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dev = VIGIL_DEVICE_PATH, *cfgpath = RUN_DEFAULT_CONFIG;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'D') {
			dev = optarg;
		} else if (c == 'c') {
			cfgpath = optarg;
		} else {
			fprintf(c == 'h' ? stdout : stderr, STATS_USAGE);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, STATS_USAGE);
		return 2;
	}
	char err[512];
	struct vigil_info info;
	int fd = ring_open_control(dev, &info, err, sizeof(err));

	if (fd < 0) {
		if (errno == EBUSY)
			return stats_from_metrics(dev, cfgpath);
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

VIGIL_COMMAND(stats, cmd_stats, "stats [--dev PATH] [-c CONFIG]",
	      "per-CPU event, drop, fault and truncation counters of the module")
