/* SPDX-License-Identifier: MIT */
/*
 * config.h - vigil.yaml: alerting, noise control, outputs, routes, metrics,
 * environment profiles. Strict: an unknown key, a bad value or a reference to
 * nothing is an error "FILE:LINE:COL: where.key: why", and nothing is
 * returned half-built. See scripts/vigil.example.yaml for every key.
 *
 *   struct vigil_config *cfg;
 *   if (config_load(path, &cfg, err, sizeof(err))) -> error in err
 *   cfg->warnings: load-time notes (expired exceptions), or NULL
 *   policy_new(&cfg->policy, ...); router_new(&cfg->out, metrics, ...);
 *   the rules loader takes cfg->rules_files (from the environment profile)
 *   config_free(cfg) after the policy and router are gone.
 */
#ifndef VIGIL_CONFIG_CONFIG_H
#define VIGIL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "alert/policy.h"
#include "output/router.h"

struct vigil_config {
	const char *file;		/* as given to config_load */
	const char *hostname;		/* "hostname:", else $VIGIL_HOSTNAME (if
					 * set and not empty), else gethostname() */
	const char *environment;	/* selected profile, NULL if none */
	char **rules_files;		/* the profile's (or top-level) list */
	size_t nrules_files;
	struct policy_conf policy;
	struct out_conf out;
	bool metrics_enabled;
	const char *metrics_listen;	/* default 127.0.0.1 */
	unsigned metrics_port;		/* default 9376 */
	/* owner_labels: pod/container label keys whose first found value is
	 * vigil.owner (state stage); NULL = the state's default */
	char **owner_labels;
	size_t nowner_labels;
	/* capture settings, read when `vigil run` opens the device (a reload
	 * does not change them); 0 = the module's default. --ring-size wins. */
	unsigned ring_size;		/* bytes per CPU ring, power of two */
	unsigned snaplen;		/* bytes kept of BYTES values */
	/* rule_matching: all: an event raises an alert for every rule it
	 * matches, in rule order (default first: the first rule only, as
	 * Falco's default) */
	bool match_all;
	char *warnings;			/* "FILE:LINE: ...\n" lines, or NULL */
	/* private: every allocation, freed by config_free */
	void **allocs_;
	size_t nallocs_, callocs_;
};

/* 0 on success; -1 with "FILE:LINE:COL: key: why" in err. */
int config_load(const char *path, struct vigil_config **out, char *err, size_t errlen);
/* The same from a buffer; name is used in messages. now is the time used
 * for load-time expiry reports (0 = time(NULL)). */
int config_parse(const char *buf, size_t len, const char *name, time_t now,
		 struct vigil_config **out, char *err, size_t errlen);
void config_free(struct vigil_config *cfg);

/* Helpers shared with tests: "90s", "5m", "2h", "1d" or plain seconds;
 * "10M", "512K", "1G" or bytes; -1 if malformed. */
long long config_parse_duration(const char *s);
long long config_parse_size(const char *s);
/* "2026-12-31", "2026-12-31T23:00:00Z", "...+01:00"; -1 if malformed. */
time_t config_parse_time(const char *s);

#endif
