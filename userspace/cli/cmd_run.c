/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - `vigil run`: the sensor. Loads the configuration
 * (/etc/vigil/vigil.yaml if it exists, else built-in defaults: the rules
 * embedded in the binary, alerts to stdout and journald), opens the kernel
 * module's rings, tells the module which event types the rules and the
 * state need, and streams alerts.
 *
 * Signals: SIGHUP reloads configuration and rules as one unit (a bad file
 * keeps the running set; the reason goes to stderr and out as an internal
 * alert). SIGTERM/SIGINT stop capture, drain what the rings still hold and
 * the sinks' queues, and exit 0.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/command.h"
#include "cli/run.h"
#include "config/config.h"
#include "event/event.h"
#include "output/metrics.h"
#include "rules/rules.h"
#include "state/state.h"

#define DRAIN_MAX_RECORDS	(1u << 22)

static volatile sig_atomic_t want_stop, want_reload;

static void on_stop(int sig)
{
	(void)sig;
	want_stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	want_reload = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;	/* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil run [-c CONFIG] [-r RULES]... [--profile NAME|FILE] [--json]\n"
		"                 [-o FILE] [--no-stdout] [--no-journald] [--capture FILE]\n"
		"                 [--ring-size BYTES] [--drop-alert-rate PER_S] [--dry-run]\n"
		"  -c CONFIG       configuration (default " RUN_DEFAULT_CONFIG " if it exists,\n"
		"                  else built-in defaults: embedded rules, stdout + journald)\n"
		"  -r RULES        rules file, directory, or builtin:rules / builtin:NAME;\n"
		"                  repeatable, in order; replaces the configuration's list\n"
		"  --profile P     environment profile loaded after the rules: dev, prod\n"
		"                  (built in) or a file\n"
		"  --json          stdout alerts as JSON lines (built-in outputs)\n"
		"  -o FILE         also write JSON-lines alerts to FILE\n"
		"  --capture FILE  read records from a capture file instead of the module\n"
		"  --ring-size B   bytes per CPU ring (power of two; default: ring_size: of\n"
		"                  the configuration, else the module's 8 MiB)\n"
		"  --drop-alert-rate R  ring-drop alerts per second at most (default 1/30)\n"
		"  --dry-run       load and check everything, print what would run, exit\n");
}

static void summary(const struct run_gen *g, const char *what)
{
	unsigned ntypes = 0;

	for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
		ntypes += (g->events.bits[t / 64] >> (t % 64)) & 1;
	fprintf(stderr, "vigil run: %s: %zu rules (%zu enabled) from %s; %u event types; %zu sink(s)\n",
		what, g->nrules, g->nenabled, g->sources, ntypes, g->out.nsinks);
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	enum { O_PROFILE = 256, O_JSON, O_NOSTDOUT, O_NOJOURNALD, O_CAPTURE, O_DRY,
	       O_DROPRATE, O_RINGSIZE, O_HELP };
	static const struct option lo[] = {
		{ "config", required_argument, 0, 'c' },
		{ "rules", required_argument, 0, 'r' },
		{ "output", required_argument, 0, 'o' },
		{ "profile", required_argument, 0, O_PROFILE },
		{ "json", no_argument, 0, O_JSON },
		{ "no-stdout", no_argument, 0, O_NOSTDOUT },
		{ "no-journald", no_argument, 0, O_NOJOURNALD },
		{ "capture", required_argument, 0, O_CAPTURE },
		{ "dry-run", no_argument, 0, O_DRY },
		{ "drop-alert-rate", required_argument, 0, O_DROPRATE },
		{ "ring-size", required_argument, 0, O_RINGSIZE },
		{ "help", no_argument, 0, O_HELP },
		{ 0, 0, 0, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->drop_alert_rate = 1.0 / 30;	/* Falco's syscall_event_drops default */
	o->drop_alert_burst = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; o->config_given = true; break;
		case 'r':
			if (o->nrules == RUN_MAX_RULE_ARGS) {
				fprintf(stderr, "vigil run: more than %d -r\n", RUN_MAX_RULE_ARGS);
				return -1;
			}
			o->rules[o->nrules++] = optarg;
			break;
		case 'o': o->json_file = optarg; break;
		case O_PROFILE: o->profile = optarg; break;
		case O_JSON: o->json = true; break;
		case O_NOSTDOUT: o->no_stdout = true; break;
		case O_NOJOURNALD: o->no_journald = true; break;
		case O_CAPTURE: o->capture = optarg; break;
		case O_DRY: o->dry_run = true; break;
		case O_DROPRATE: {
			char *end;

			o->drop_alert_rate = strtod(optarg, &end);
			if (*end || o->drop_alert_rate < 0) {
				fprintf(stderr, "vigil run: --drop-alert-rate %s: not a rate\n", optarg);
				return -1;
			}
			break;
		}
		case O_RINGSIZE: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 0);

			if (*end || v < VIGIL_RING_SIZE_MIN || v > VIGIL_RING_SIZE_MAX || (v & (v - 1))) {
				fprintf(stderr, "vigil run: --ring-size %s: a power of two from %u to %u\n",
					optarg, VIGIL_RING_SIZE_MIN, VIGIL_RING_SIZE_MAX);
				return -1;
			}
			o->ring_size = (unsigned)v;
			break;
		}
		case 'h': case O_HELP: usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigil run: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* SIGHUP: a complete new generation, or the old one stays. */
static struct run_gen *reload(const struct run_opts *o, struct run_gen *old, struct state *st,
			      struct metrics *m, struct run_source *src, struct run_pipe *p)
{
	char err[1024];
	struct run_gen *g = run_gen_new(o, st, m, err, sizeof(err));

	if (g && src->set_events(src, &g->events, err, sizeof(err)) != 0) {
		run_gen_free(g, 0);
		g = NULL;
	}
	if (!g) {
		char out[1200];
		struct alert_field f = { "reason", err };

		fprintf(stderr, "vigil run: reload failed, the running rules and configuration "
			"stay in force: %s\n", err);
		snprintf(out, sizeof(out), "Reload failed, running rules kept (reason=%s)", err);
		run_pipe_internal(p, "vigil internal: reload failed", ALERT_PRIO_ERROR, out, &f, 1);
		src->set_events(src, &old->events, err, sizeof(err));
		return old;
	}
	run_pipe_use(p, g);
	run_gen_free(old, RUN_DRAIN_MS);
	summary(g, "reloaded");
	return g;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct state_cfg scfg;
	struct state *st = NULL;
	struct run_source *src = NULL;
	struct run_gen *g = NULL;
	struct run_pipe *p = NULL;
	struct metrics *m = NULL;
	char err[1024], hostname[256] = "";
	unsigned ring_snaplen = 0;
	int rc = 1, r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r > 0 ? 0 : 2;
	install_signals();

	if (!o.capture && !o.dry_run) {
		/* the capture settings (and the hostname of evt.hostname) are
		 * read once, before the device is opened */
		const char *cfgpath = run_config_path(&o);
		struct vigil_config *cfg = NULL;

		if (cfgpath && config_load(cfgpath, &cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "vigil run: %s\n", err);
			return 1;
		}
		if (cfg && !o.ring_size)
			o.ring_size = cfg->ring_size;
		if (cfg)
			ring_snaplen = cfg->snaplen;
		if (cfg)
			snprintf(hostname, sizeof(hostname), "%s", cfg->hostname);
		config_free(cfg);
	}
	if (o.capture)
		src = run_source_capture(o.capture, err, sizeof(err));
	else if (!o.dry_run)
		src = run_source_ring(o.ring_size, ring_snaplen, err, sizeof(err));
	if (!src && !o.dry_run) {
		fprintf(stderr, "vigil run: %s\n", err);
		if (!o.capture)
			fprintf(stderr, "vigil run: is the module loaded? (modprobe vigil, "
				"or dkms install; `make demo` runs it in a VM)\n");
		return 1;
	}

	memset(&scfg, 0, sizeof(scfg));
	scfg.live = src && src->live;
	scfg.boot_offset_ns = src ? src->boot_offset_ns : 0;
	scfg.hostname = hostname[0] ? hostname : NULL;
	st = state_new(&scfg, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "vigil run: state: %s\n", err);
		goto out;
	}
	m = metrics_new();
	g = run_gen_new(&o, st, m, err, sizeof(err));
	if (!g) {
		fprintf(stderr, "vigil run: %s\n", err);
		goto out;
	}
	summary(g, o.dry_run ? "dry run" : "loaded");
	if (o.dry_run) {
		for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
			if ((g->events.bits[t / 64] >> (t % 64)) & 1)
				printf("%s\n", evt_table[t].name);
		rc = 0;
		goto out;
	}
	if (g->cfg && g->cfg->metrics_enabled &&
	    metrics_serve(m, g->cfg->metrics_listen, g->cfg->metrics_port, NULL,
			  err, sizeof(err)) != 0)
		fprintf(stderr, "vigil run: metrics: %s (continuing without)\n", err);
	if (src->live) {
		int n = state_seed_from_proc(st, err, sizeof(err));

		if (n < 0)
			fprintf(stderr, "vigil run: /proc: %s (processes fill in as seen)\n", err);
	}
	p = run_pipe_new(st, src->boot_offset_ns, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "vigil run: %s\n", err);
		goto out;
	}
	run_pipe_use(p, g);
	run_pipe_set_metrics(p, m);
	if (src->set_events(src, &g->events, err, sizeof(err)) != 0) {
		fprintf(stderr, "vigil run: %s\n", err);
		goto out;
	}

	fprintf(stderr, "vigil run: capturing (pid %d); SIGHUP reloads, SIGTERM stops\n",
		(int)getpid());

	uint64_t next_tick = mono_ms() + 1000;

	rc = 0;
	while (!want_stop) {
		struct evt ev;

		if (want_reload) {
			want_reload = 0;
			g = reload(&o, g, st, m, src, p);
		}
		r = src->next(src, &ev, 200, err, sizeof(err));
		if (r == 1)
			run_pipe_event(p, &ev);
		else if (r == 2)
			break;
		else if (r < 0) {
			fprintf(stderr, "vigil run: %s\n", err);
			rc = 1;
			break;
		}
		if (mono_ms() >= next_tick) {
			run_pipe_tick(p, time(NULL), run_source_metrics(src, m),
				      o.drop_alert_rate, o.drop_alert_burst);
			next_tick = mono_ms() + 1000;
		}
	}
	if (want_stop && src->live) {
		/* Stop capture, then hand what the rings still hold to the rules. */
		struct evt ev;
		unsigned n = 0;

		if (src->stop(src, err, sizeof(err)) != 0)
			fprintf(stderr, "vigil run: stop: %s\n", err);
		while (n < DRAIN_MAX_RECORDS && src->next(src, &ev, 0, err, sizeof(err)) == 1) {
			run_pipe_event(p, &ev);
			n++;
		}
		fprintf(stderr, "vigil run: stopping: %u records drained from the rings\n", n);
	}
	{
		uint64_t drops = run_source_metrics(src, m);
		const struct run_pipe_stats *s = run_pipe_stats(p);

		run_pipe_tick(p, time(NULL), drops, o.drop_alert_rate, o.drop_alert_burst);
		fprintf(stderr, "vigil run: %llu events, %llu rule matches, %llu alerts sent, "
			"%llu suppressed by policy, %llu records lost in the rings, %llu drop alerts\n",
			(unsigned long long)s->events, (unsigned long long)s->matches,
			(unsigned long long)s->alerts, (unsigned long long)s->suppressed,
			(unsigned long long)drops, (unsigned long long)s->drop_alerts);
	}
out:
	run_gen_free(g, RUN_DRAIN_MS);	/* drains the sinks' queues */
	run_pipe_free(p);
	if (src)
		src->close(src);
	if (st)
		state_free(st);
	if (m)
		metrics_free(m);
	return rc;
}

VIGIL_COMMAND(run, cmd_run,
	      "run [-c CONFIG] [-r RULES]... [--profile P] [-o FILE]",
	      "run the sensor: rules on live events, alerts to the sinks")
