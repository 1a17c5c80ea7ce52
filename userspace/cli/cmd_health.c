/* SPDX-License-Identifier: MIT */
/*
 * cmd_health.c - `vigil health [-c CONFIG] [--url URL] [--max-age S]
 * [--min-events N]`: is the running `vigil run` alive? For liveness probes
 * (the Kubernetes DaemonSet) and operators.
 *
 * `vigil run` holds /dev/vigil (one opener), so nothing else can ask the
 * module; the engine's metrics endpoint is the way in. This command GETs
 * http://LISTEN:PORT/metrics from the configuration (metrics must be
 * enabled; LISTEN 0.0.0.0 is reached on 127.0.0.1) and checks:
 *   - the endpoint answers;
 *   - vigil_tick_timestamp_seconds (set by the run loop about once a
 *     second) is at most --max-age seconds old (default 30): the loop is
 *     not stuck;
 *   - the events decoded so far (sum of vigil_events_total) are at least
 *     --min-events (default 0): the module delivers.
 * Prints one line ("ok: ..." or "unhealthy: ...") and exits 0 or 1; 2 on
 * usage or configuration errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/command.h"
#include "cli/metrics_client.h"
#include "cli/run.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil health [-c CONFIG] [--url URL] [--max-age S] [--min-events N]\n"
		"  -c CONFIG       where the metrics endpoint is (default " RUN_DEFAULT_CONFIG ");\n"
		"                  its metrics: must be enabled\n"
		"  --url URL       the endpoint instead (http://127.0.0.1:9376/metrics)\n"
		"  --max-age S     the run loop's last tick at most S seconds ago (default 30)\n"
		"  --min-events N  at least N events decoded since the engine started (default 0)\n"
		"  --timeout S     HTTP timeout (default 5)\n");
}

static int cmd_health(int argc, char **argv)
{
	enum { O_URL = 256, O_MAXAGE, O_MINEV, O_TIMEOUT, O_HELP };
	static const struct option lo[] = {
		{ "config", required_argument, 0, 'c' },
		{ "url", required_argument, 0, O_URL },
		{ "max-age", required_argument, 0, O_MAXAGE },
		{ "min-events", required_argument, 0, O_MINEV },
		{ "timeout", required_argument, 0, O_TIMEOUT },
		{ "help", no_argument, 0, O_HELP },
		{ 0, 0, 0, 0 },
	};
	const char *cfgpath = RUN_DEFAULT_CONFIG, *url = NULL;
	double max_age = 30, min_events = 0, timeout = 5;
	char urlbuf[512], err[1024];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		char *end = NULL;

		switch (c) {
		case 'c': cfgpath = optarg; break;
		case O_URL: url = optarg; break;
		case O_MAXAGE: max_age = strtod(optarg, &end); break;
		case O_MINEV: min_events = strtod(optarg, &end); break;
		case O_TIMEOUT: timeout = strtod(optarg, &end); break;
		case 'h': case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (end && (*end || end == optarg)) {
			fprintf(stderr, "vigil health: %s: not a number\n", optarg);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!url) {
		int r = mc_url_from_config(cfgpath, urlbuf, sizeof(urlbuf), err, sizeof(err));

		if (r) {
			fprintf(stderr, "vigil health: %s%s\n", err, r > 0 ?
				"; the running engine is reached through its metrics endpoint" : "");
			return 2;
		}
		url = urlbuf;
	}

	char *body = mc_fetch(url, timeout, err, sizeof(err));
	int rc = 1;

	if (!body) {
		printf("unhealthy: %s\n", err);
		return 1;
	}

	bool have_tick, have_ev, have_drops;
	double tick = mc_sum(body, "vigil_tick_timestamp_seconds", NULL, &have_tick);
	double events = mc_sum(body, "vigil_events_total", NULL, &have_ev);
	double drops = mc_sum(body, "vigil_drops_total", NULL, &have_drops);
	double age = (double)time(NULL) - tick;

	if (!have_tick) {
		printf("unhealthy: %s: no vigil_tick_timestamp_seconds: not the metrics of a "
		       "running `vigil run` (or it has not ticked yet)\n", url);
	} else if (age > max_age) {
		printf("unhealthy: the run loop last ticked %.0f s ago (more than %.0f s): "
		       "stalled\n", age, max_age);
	} else if (events < min_events) {
		printf("unhealthy: %.0f events decoded since the start, fewer than %.0f: "
		       "is capture running?\n", events, min_events);
	} else {
		printf("ok: last tick %.0f s ago, %.0f events, %.0f records lost in the rings\n",
		       age < 0 ? 0 : age, events, drops);
		rc = 0;
	}
	free(body);
	return rc;
}
VIGIL_COMMAND(health, cmd_health, "health [-c CONFIG] [--url URL] [--max-age S]",
	      "is the running engine alive? (its metrics endpoint; for liveness probes)")
