/* SPDX-License-Identifier: MIT */
/*
 * run_gen.c - one generation of `vigil run`: configuration, rules, policy,
 * router and the event bitmap, built together so that a reload (SIGHUP)
 * either replaces all of them or none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "cli/run.h"
#include "cli/run_embedded.h"
#include "config/config.h"
#include "event/event.h"
#include "rules/rules.h"
#include "state/state.h"

#define BUILTIN_PREFIX "builtin:"

/* Event types the state stage reads to keep threads, fds, users and
 * containers right, whatever the rules ask for. */
static const char *const state_event_names[] = {
	"execve", "execveat", "clone", "clone3", "fork", "vfork", "procfork",
	"procexit", "open", "openat", "openat2", "creat", "close", "dup",
	"dup2", "dup3", "fcntl", "pipe", "pipe2", "socket", "socketpair",
	"connect", "accept", "accept4", "bind", "chdir", "fchdir", "setuid",
	"setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"memfd_create",
};

static void bitmap_set(struct vigil_evt_bitmap *b, unsigned t)
{
	if (t < VIGIL_EVT_NR)
		b->bits[t / 64] |= 1ull << (t % 64);
}

void run_state_events(struct vigil_evt_bitmap *b)
{
	for (size_t i = 0; i < sizeof(state_event_names) / sizeof(*state_event_names); i++) {
		int t = evt_type_by_name(state_event_names[i]);

		if (t >= 0)
			bitmap_set(b, (unsigned)t);
	}
}

static void note_source(struct run_gen *g, const char *what)
{
	size_t n = strlen(g->sources);

	snprintf(g->sources + n, sizeof(g->sources) - n, "%s%s", n ? ", " : "", what);
}

/* Loads one entry of the rules list: builtin:rules (all the embedded
 * defaults), builtin:NAME (one embedded file or profile), a directory, or
 * a file. Returns the number of errors, or -1 when it names nothing. */
static int load_rules_entry(struct run_gen *g, const char *ent, char *err, size_t errlen)
{
	struct stat sb;

	if (!strncmp(ent, BUILTIN_PREFIX, strlen(BUILTIN_PREFIX))) {
		const char *name = ent + strlen(BUILTIN_PREFIX);
		const struct run_embedded_file *f = NULL;
		int nerr = 0;

		if (!strcmp(name, "rules")) {
			for (unsigned i = 0; i < run_default_rules_n; i++) {
				char label[128];

				snprintf(label, sizeof(label), "builtin:%s", run_default_rules[i].name);
				nerr += rules_load_text(g->rules, label, run_default_rules[i].text);
			}
			note_source(g, ent);
			return nerr;
		}
		for (unsigned i = 0; i < run_default_rules_n && !f; i++)
			if (!strcmp(run_default_rules[i].name, name))
				f = &run_default_rules[i];
		if (!f)
			f = run_profile_find(name);
		if (!f) {
			snprintf(err, errlen, "rules: no built-in rules file '%s' (builtin:rules, "
				 "builtin:prod, builtin:dev, or a file name of rules/)", name);
			return -1;
		}
		note_source(g, ent);
		return rules_load_text(g->rules, ent, f->text);
	}
	if (stat(ent, &sb) != 0) {
		snprintf(err, errlen, "rules: %s: %s", ent, strerror(errno));
		return -1;
	}
	note_source(g, ent);
	return S_ISDIR(sb.st_mode) ? rules_load_dir(g->rules, ent)
				   : rules_load_file(g->rules, ent);
}

static int load_profile(struct run_gen *g, const char *prof, char *err, size_t errlen)
{
	const struct run_embedded_file *f;
	char path[512];

	if (strchr(prof, '/') || access(prof, R_OK) == 0)
		return load_rules_entry(g, prof, err, errlen);
	f = run_profile_find(prof);
	if (!f) {
		snprintf(err, errlen, "--profile %s: no such profile (built in: dev, prod) "
			 "and no such file", prof);
		return -1;
	}
	snprintf(path, sizeof(path), BUILTIN_PREFIX "%s", f->name);
	return load_rules_entry(g, path, err, errlen);
}

static void print_diags(const struct rules_engine *e)
{
	const struct diag_list *d = rules_diags(e);

	for (size_t i = 0; d && i < d->n; i++)
		if (d->v[i].sev == DIAG_ERROR)
			diag_print(&d->v[i], stderr);
	if (d && d->nwarn)
		fprintf(stderr, "vigil run: %zu rule warning(s); `vigil validate` lists them\n",
			d->nwarn);
}

static int load_rules(struct run_gen *g, const struct run_opts *o, struct state *st,
		      char *err, size_t errlen)
{
	const char *builtin = BUILTIN_PREFIX "rules";
	const char *const *list = &builtin;
	size_t n = 1;
	int nerr = 0, r;

	g->rules = rules_new();
	if (!g->rules) {
		snprintf(err, errlen, "rules: out of memory");
		return -1;
	}
	if (g->cfg && g->cfg->match_all)
		rules_set_matching(g->rules, RULES_MATCH_ALL);
	if (o->nrules) {
		list = o->rules;
		n = o->nrules;
	} else if (g->cfg && g->cfg->nrules_files) {
		list = (const char *const *)g->cfg->rules_files;
		n = g->cfg->nrules_files;
	}
	for (size_t i = 0; i < n; i++) {
		r = load_rules_entry(g, list[i], err, errlen);
		if (r < 0)
			return -1;
		nerr += r;
	}
	if (o->profile) {
		r = load_profile(g, o->profile, err, errlen);
		if (r < 0)
			return -1;
		nerr += r;
	}
	nerr += rules_finish(g->rules);
	if (nerr) {
		print_diags(g->rules);
		snprintf(err, errlen, "rules: %d error(s) in %s", nerr, g->sources);
		return -1;
	}
	print_diags(g->rules);

	g->nrules = rules_count(g->rules);
	run_state_events(&g->events);
	for (size_t i = 0; i < g->nrules; i++) {
		const struct rule_info *ri = rules_get(g->rules, i);
		const unsigned long long *bits;

		if (!ri->enabled || !ri->compiled)
			continue;
		g->nenabled++;
		bits = rules_evtypes(g->rules, i);
		for (unsigned w = 0; bits && w < VIGIL_EVT_BITMAP_WORDS; w++)
			g->events.bits[w] |= bits[w];
	}
	g->rctx = rules_ctx_new(g->rules, st);
	if (!g->rctx) {
		snprintf(err, errlen, "rules: out of memory for the evaluation context");
		return -1;
	}
	return 0;
}

static void sink_defaults(struct out_sink_conf *s, const char *name, enum out_sink_type t)
{
	memset(s, 0, sizeof(*s));
	s->name = (char *)name;
	s->type = t;
	s->min_priority = ALERT_PRIO_DEBUG;
	s->queue = 4096;
	s->batch = 1;
	s->silenced = t == OUT_SINK_FILE;
	s->format = OUT_FORMAT_TEXT;
	s->facility = LOG_LOCAL0;
	s->fsync = OUT_FSYNC_NEVER;
}

/* The sinks: the configuration's, or stdout + journald by default; plus
 * the JSON file of -o. */
static int make_outputs(struct run_gen *g, const struct run_opts *o, char *err, size_t errlen)
{
	size_t n = 0, cap = (g->cfg ? g->cfg->out.nsinks : 2) + 1;

	g->sinks = calloc(cap, sizeof(*g->sinks));
	if (!g->sinks) {
		snprintf(err, errlen, "outputs: out of memory");
		return -1;
	}
	if (g->cfg) {
		memcpy(g->sinks, g->cfg->out.sinks, g->cfg->out.nsinks * sizeof(*g->sinks));
		n = g->cfg->out.nsinks;
		g->out.routes = g->cfg->out.routes;
		g->out.nroutes = g->cfg->out.nroutes;
	} else {
		if (!o->no_stdout) {
			sink_defaults(&g->sinks[n], "stdout", OUT_SINK_STDOUT);
			g->sinks[n++].format = o->json ? OUT_FORMAT_JSON : OUT_FORMAT_TEXT;
		}
		if (!o->no_journald)
			sink_defaults(&g->sinks[n++], "journald", OUT_SINK_JOURNALD);
	}
	if (o->json_file) {
		sink_defaults(&g->sinks[n], "json-file", OUT_SINK_FILE);
		g->sinks[n].path = (char *)o->json_file;
		g->sinks[n].format = OUT_FORMAT_JSON;
		g->sinks[n].keep = 1;
		n++;
		if (g->out.nroutes)
			fprintf(stderr, "vigil run: note: the configuration has routes; "
				"-o %s gets only the alerts a route sends to sink \"json-file\"\n",
				o->json_file);
	}
	if (!n) {
		snprintf(err, errlen, "outputs: no sink left (--no-stdout and --no-journald "
			 "without -o FILE or a configuration)");
		return -1;
	}
	g->out.sinks = g->sinks;
	g->out.nsinks = n;
	return 0;
}

const char *run_config_path(const struct run_opts *o)
{
	if (o->config)
		return o->config;
	if (!o->no_default_config && access(RUN_DEFAULT_CONFIG, F_OK) == 0)
		return RUN_DEFAULT_CONFIG;
	return NULL;
}

struct run_gen *run_gen_new(const struct run_opts *o, struct state *st,
			    struct metrics *m, char *err, size_t errlen)
{
	struct run_gen *g = calloc(1, sizeof(*g));
	const char *cfgpath = run_config_path(o);
	char sub[512];

	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (cfgpath && config_load(cfgpath, &g->cfg, err, errlen) != 0)
		goto fail;
	if (g->cfg && g->cfg->warnings)
		fputs(g->cfg->warnings, stderr);
	if (g->cfg && g->cfg->nowner_labels &&
	    state_set_owner_keys(st, g->cfg->owner_labels, g->cfg->nowner_labels) != 0) {
		snprintf(err, errlen, "owner_labels: out of memory");
		goto fail;
	}
	if (load_rules(g, o, st, err, errlen) != 0)
		goto fail;
	if (!g->cfg) {
		g->pol_default.min_priority = -1;
	}
	g->policy = policy_new(g->cfg ? &g->cfg->policy : &g->pol_default, sub, sizeof(sub));
	if (!g->policy) {
		snprintf(err, errlen, "policy: %s", sub);
		goto fail;
	}
	if (make_outputs(g, o, err, errlen) != 0)
		goto fail;
	g->router = router_new(&g->out, m, sub, sizeof(sub));
	if (!g->router) {
		snprintf(err, errlen, "outputs: %s", sub);
		goto fail;
	}
	if (o->hostname)
		g->hostname = o->hostname;
	else if (g->cfg && g->cfg->hostname)
		g->hostname = g->cfg->hostname;
	else
		g->hostname = state_hostname(st);
	return g;
fail:
	run_gen_free(g, 0);
	return NULL;
}

void run_gen_free(struct run_gen *g, unsigned drain_ms)
{
	if (!g)
		return;
	if (g->router)
		router_close(g->router, drain_ms);
	if (g->policy)
		policy_free(g->policy);
	if (g->rctx)
		rules_ctx_free(g->rctx);
	if (g->rules)
		rules_free(g->rules);
	free(g->sinks);
	if (g->cfg)
		config_free(g->cfg);
	free(g);
}
