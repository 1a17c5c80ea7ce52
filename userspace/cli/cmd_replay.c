/* SPDX-License-Identifier: MIT */
/*
 * cmd_replay.c - `vigil replay FILE -r RULES [--json]`: runs a capture file
 * through the whole userspace pipeline (state -> rules -> alert -> policy
 * -> outputs), as `vigil run` would have on the live system.
 *
 * Deterministic: the state is never filled from /proc, container metadata
 * comes only from the file's CONTAINER records, users from --root's
 * passwd/group (none by default), times from the records, and the
 * configuration is the built-in one unless -c names a file (never
 * /etc/vigil/vigil.yaml by itself); so the same file gives the same alerts,
 * byte for byte, apart from --hostname (default: the hostname stored in the
 * capture, else the configuration's hostname:, else this host's name).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "cli/command.h"
#include "cli/run.h"
#include "event/event.h"
#include "state/state.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil replay FILE -r RULES [-r RULES]... [--json] [--hostname NAME]\n"
		"                    [--root DIR] [-c CONFIG] [--profile P] [-o FILE] [--stats]\n"
		"  -r RULES        rules file, directory or builtin:rules (repeatable)\n"
		"  --json          alerts as JSON lines (Falco's shape)\n"
		"  --hostname N    hostname in alerts (default: the capture's; with -c it\n"
		"                  still wins over the configuration's hostname:)\n"
		"  --root DIR      read passwd/group (and runtime files) under DIR\n"
		"  -c CONFIG       configuration (outputs, policy); default: built-in, even\n"
		"                  when /etc/vigil/vigil.yaml exists\n"
		"  --stats         print the state's counters to stderr at the end\n");
}

static int cmd_replay(int argc, char **argv)
{
	enum { O_JSON = 256, O_HOST, O_ROOT, O_PROFILE, O_STATS, O_HELP };
	static const struct option lo[] = {
		{ "rules", required_argument, 0, 'r' },
		{ "config", required_argument, 0, 'c' },
		{ "output", required_argument, 0, 'o' },
		{ "json", no_argument, 0, O_JSON },
		{ "hostname", required_argument, 0, O_HOST },
		{ "root", required_argument, 0, O_ROOT },
		{ "profile", required_argument, 0, O_PROFILE },
		{ "stats", no_argument, 0, O_STATS },
		{ "help", no_argument, 0, O_HELP },
		{ 0, 0, 0, 0 },
	};
	struct run_opts o;
	const char *hostname = NULL, *root = NULL;
	bool stats = false;
	int c;

	memset(&o, 0, sizeof(o));
	o.no_journald = true;
	o.no_default_config = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:c:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o.nrules == RUN_MAX_RULE_ARGS) {
				fprintf(stderr, "vigil replay: more than %d -r\n", RUN_MAX_RULE_ARGS);
				return 2;
			}
			o.rules[o.nrules++] = optarg;
			break;
		case 'c': o.config = optarg; o.config_given = true; break;
		case 'o': o.json_file = optarg; break;
		case O_JSON: o.json = true; break;
		case O_HOST: hostname = optarg; break;
		case O_ROOT: root = optarg; break;
		case O_PROFILE: o.profile = optarg; break;
		case O_STATS: stats = true; break;
		case 'h': case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (!o.nrules) {
		fprintf(stderr, "vigil replay: give the rules with -r (e.g. -r builtin:rules)\n");
		return 2;
	}
	o.capture = argv[optind];

	char err[1024], capture_host[65] = "";
	int rc = 1;
	struct state *st = NULL;
	struct run_gen *g = NULL;
	struct run_pipe *p = NULL;
	struct run_source *src = NULL;

	/* the capture's own hostname, for the default */
	struct capture_reader *r = capture_reader_open(o.capture, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "vigil replay: %s\n", err);
		return 1;
	}
	snprintf(capture_host, sizeof(capture_host), "%s", capture_reader_info(r)->hostname);
	capture_reader_close(r);

	src = run_source_capture(o.capture, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "vigil replay: %s\n", err);
		return 1;
	}
	struct state_cfg scfg;
	memset(&scfg, 0, sizeof(scfg));
	scfg.live = false;
	scfg.root = root;
	scfg.hostname = hostname ? hostname : capture_host[0] ? capture_host : NULL;
	o.hostname = scfg.hostname;	/* over the configuration's hostname: */
	scfg.boot_offset_ns = src->boot_offset_ns;
	st = state_new(&scfg, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "vigil replay: state: %s\n", err);
		goto out;
	}
	g = run_gen_new(&o, st, NULL, err, sizeof(err));
	if (!g) {
		fprintf(stderr, "vigil replay: %s\n", err);
		goto out;
	}
	p = run_pipe_new(st, src->boot_offset_ns, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "vigil replay: %s\n", err);
		goto out;
	}
	run_pipe_use(p, g);
	for (;;) {
		struct evt ev;
		int n = src->next(src, &ev, 0, err, sizeof(err));
		if (n == 1) {
			run_pipe_event(p, &ev);
			continue;
		}
		if (n == 2 || n == 0)
			break;
		fprintf(stderr, "vigil replay: %s\n", err);
		goto out;
	}
	rc = 0;
	const struct run_pipe_stats *ps = run_pipe_stats(p);
	fprintf(stderr, "vigil replay: %llu events, %llu rule matches, %llu alerts\n",
		(unsigned long long)ps->events, (unsigned long long)ps->matches,
		(unsigned long long)ps->alerts);
	if (stats) {
		const struct state_stats *s = state_stats(st);
#define REPLAY_X_STAT(n, d) fprintf(stderr, "  state.%-18s %llu\n", #n, (unsigned long long)s->n);
		STATE_STATS(REPLAY_X_STAT)
#undef REPLAY_X_STAT
	}
out:
	run_gen_free(g, RUN_DRAIN_MS);
	run_pipe_free(p);
	if (src)
		src->close(src);
	state_free(st);
	return rc;
}

VIGIL_COMMAND(replay, cmd_replay, "replay FILE -r RULES [--json] [--hostname N]",
	      "run a capture file through state, rules and outputs (deterministic)")
