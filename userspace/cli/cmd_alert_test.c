/* SPDX-License-Identifier: MIT */
/*
 * cmd_alert_test.c - `vigil alert-test -c CONFIG ...`: pushes synthetic
 * alerts through config -> policy -> router -> sinks, the same path
 * `vigil run` uses, and prints per-sink counts and submit timings on stderr:
 *   alert-test: submitted N passed P ...; submit avg A ns max M ns
 *   sink NAME: queued Q sent S failed F dropped D
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/alert_pipeline.h"
#include "cli/command.h"

static struct alert_pipeline *g_ap;

static void on_hup(int sig)
{
	(void)sig;
	alert_pipeline_reopen(g_ap);
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vigil alert-test -c CONFIG [--count N] [--rule NAME] [--priority P]\n"
		"         [--tag T]... [--field NAME=VALUE]... [--ctx KEY=VALUE]...\n"
		"         [--output TEXT] [--now RFC3339] [--step-ms MS] [--interval-ms MS]\n"
		"         [--hold S] [--drain-ms MS] [--unique KEY]\n"
		"  --ctx keys: container.id container.name container.image k8s.ns.name\n"
		"              k8s.pod.name owner environment proc.name proc.exepath user.name\n"
		"  --now fixes the policy clock (silences/dedup); --step-ms advances it per alert\n"
		"  --interval-ms paces submissions; --hold keeps metrics served S seconds\n"
		"  --unique KEY gives context key or output field KEY a different value per alert\n");
}

#define MAXN 32

static int cmd_alert_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'n' },
		{ "rule", required_argument, NULL, 'r' },
		{ "priority", required_argument, NULL, 'p' },
		{ "tag", required_argument, NULL, 't' },
		{ "field", required_argument, NULL, 'f' },
		{ "ctx", required_argument, NULL, 'x' },
		{ "output", required_argument, NULL, 'o' },
		{ "now", required_argument, NULL, 'N' },
		{ "step-ms", required_argument, NULL, 'S' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, 'H' },
		{ "drain-ms", required_argument, NULL, 'd' },
		{ "unique", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *config = NULL, *rule = "Synthetic alert", *output = NULL, *unique = NULL;
	const char *tags[MAXN];
	struct alert_field fields[MAXN + 1];
	const char *ctx[ALERT_CTX_N] = { 0 };
	size_t ntags = 0, nfields = 0;
	long count = 1, step_ms = 0, interval_ms = 0, hold = 0, drain_ms = 10000;
	int prio = ALERT_PRIO_WARNING, c;
	time_t fixed = 0;
	uint64_t verdicts[POLICY_VERDICT_N] = { 0 }, tsum = 0, tmax = 0;
	char err[1024];

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:n:r:p:t:f:x:o:h", opts, NULL)) != -1) {
		char *eq;

		switch (c) {
		case 'c': config = optarg; break;
		case 'n': count = atol(optarg); break;
		case 'r': rule = optarg; break;
		case 'o': output = optarg; break;
		case 'u': unique = optarg; break;
		case 'S': step_ms = atol(optarg); break;
		case 'i': interval_ms = atol(optarg); break;
		case 'H': hold = atol(optarg); break;
		case 'd': drain_ms = atol(optarg); break;
		case 'p':
			prio = alert_priority_parse(optarg);
			if (prio < 0) {
				fprintf(stderr, "vigil alert-test: unknown priority '%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			if (ntags < MAXN)
				tags[ntags++] = optarg;
			break;
		case 'f':
		case 'x':
			eq = strchr(optarg, '=');
			if (!eq) {
				fprintf(stderr, "vigil alert-test: expected KEY=VALUE, got '%s'\n", optarg);
				return 2;
			}
			*eq = 0;
			if (c == 'f') {
				if (nfields < MAXN)
					fields[nfields++] = (struct alert_field){ optarg, eq + 1 };
			} else {
				int k = alert_ctx_lookup(optarg);

				if (k < 0) {
					fprintf(stderr, "vigil alert-test: unknown context key '%s'\n",
						optarg);
					return 2;
				}
				ctx[k] = eq + 1;
			}
			break;
		case 'N':
			fixed = config_parse_time(optarg);
			if (fixed == (time_t)-1) {
				fprintf(stderr, "vigil alert-test: bad time '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (!config || count < 0) {
		usage();
		return 2;
	}
	if (alert_pipeline_open(&g_ap, config, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		return 1;
	}
	signal(SIGHUP, on_hup);
	if (g_ap->metrics_port)
		fprintf(stderr, "alert-test: metrics on %s:%u\n", g_ap->cfg->metrics_listen,
			g_ap->metrics_port);

	for (long i = 0; i < count; i++) {
		struct alert a = { 0 };
		char out[512], uval[32];
		uint64_t wall = fixed ? (uint64_t)fixed * 1000000000ull +
					(uint64_t)(i * step_ms) * 1000000ull
				      : now_ns(CLOCK_REALTIME), t0, dt;
		size_t nf = nfields;

		if (unique)
			snprintf(uval, sizeof(uval), "%ld", i);
		if (unique && alert_ctx_lookup(unique) < 0)
			fields[nf++] = (struct alert_field){ unique, uval };
		snprintf(out, sizeof(out), "%s (seq=%ld)", output ? output : rule, i);
		a.time_ns = wall;
		a.rule = rule;
		a.priority = (enum alert_priority)prio;
		a.source = "syscall";
		a.output = out;
		a.tags = tags;
		a.ntags = ntags;
		a.fields = fields;
		a.nfields = nf;
		memcpy(a.ctx, ctx, sizeof(ctx));
		if (unique && alert_ctx_lookup(unique) >= 0)
			a.ctx[alert_ctx_lookup(unique)] = uval;
		t0 = now_ns(CLOCK_MONOTONIC);
		verdicts[alert_pipeline_submit(g_ap, &a, (time_t)(wall / 1000000000ull))]++;
		dt = now_ns(CLOCK_MONOTONIC) - t0;
		tsum += dt;
		if (dt > tmax)
			tmax = dt;
		if (interval_ms) {
			struct timespec ts = { interval_ms / 1000, (interval_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	{
		/* flush dedup follow-ups and the summary */
		time_t end = fixed ? fixed + (time_t)(count * step_ms / 1000) : time(NULL);

		alert_pipeline_tick(g_ap, end);
		alert_pipeline_tick(g_ap, end + (time_t)g_ap->cfg->policy.dedup_window_s +
				    (time_t)g_ap->cfg->policy.summary_interval_s + 1);
	}
	fprintf(stderr, "alert-test: submitted %ld", count);
	for (int v = 0; v < POLICY_VERDICT_N; v++)
		fprintf(stderr, " %s %llu", policy_verdict_name(v),
			(unsigned long long)verdicts[v]);
	fprintf(stderr, "; submit avg %llu ns max %llu ns\n",
		(unsigned long long)(count ? tsum / (uint64_t)count : 0),
		(unsigned long long)tmax);
	router_drain(g_ap->router, (unsigned)drain_ms);
	while (hold-- > 0)
		sleep(1);
	for (size_t i = 0; i < router_nsinks(g_ap->router); i++) {
		struct out_sink_stats st = router_stats(g_ap->router, i);

		fprintf(stderr, "sink %s: queued %llu sent %llu failed %llu dropped %llu\n",
			st.name, (unsigned long long)st.queued, (unsigned long long)st.sent,
			(unsigned long long)st.failed, (unsigned long long)st.dropped);
	}
	signal(SIGHUP, SIG_DFL);
	alert_pipeline_close(g_ap, 0);
	g_ap = NULL;
	return 0;
}

VIGIL_COMMAND_NAMED(alert_test, "alert-test", cmd_alert_test,
		    "alert-test -c CONFIG [--count N] [--rule R] ...",
		    "push synthetic alerts through policy, routes and sinks")
