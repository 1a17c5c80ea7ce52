/* SPDX-License-Identifier: MIT */
/*
 * alert_pipeline.h - config -> policy -> router -> sinks, plus metrics, in
 * one object: what `vigil alert-test`, `vigil run` and `vigil replay` share.
 *
 *   struct alert_pipeline *ap;
 *   if (alert_pipeline_open(&ap, "/etc/vigil/vigil.yaml", err, sizeof(err)))
 *           fail (nothing was started);
 *   ap->cfg->rules_files  -> the rules loader
 *   ap->metrics           -> feed events/drops/state sizes (output/metrics.h)
 *   for each rule match: fill a struct alert, alert_pipeline_submit(ap, &a, now)
 *   about once a second: alert_pipeline_tick(ap, now)
 *   on SIGHUP: alert_pipeline_reopen(ap) (async-signal-safe)
 *   alert_pipeline_close(ap, drain_ms)
 */
#ifndef VIGIL_CLI_ALERT_PIPELINE_H
#define VIGIL_CLI_ALERT_PIPELINE_H

#include <time.h>

#include "alert/policy.h"
#include "config/config.h"
#include "output/metrics.h"
#include "output/router.h"

struct alert_pipeline {
	struct vigil_config *cfg;
	struct metrics *metrics;
	struct policy *policy;
	struct router *router;
	unsigned metrics_port;		/* bound port when serving, else 0 (also
					 * when the port was taken: noted on
					 * stderr, not an error) */
};

int alert_pipeline_open(struct alert_pipeline **out, const char *config_path,
			char *err, size_t errlen);
/* Counts the match, applies the policy, routes. a may be modified (policy).
 * Returns the verdict. */
enum policy_verdict alert_pipeline_submit(struct alert_pipeline *ap, struct alert *a,
					  time_t now);
int alert_pipeline_tick(struct alert_pipeline *ap, time_t now);
void alert_pipeline_reopen(struct alert_pipeline *ap);
void alert_pipeline_close(struct alert_pipeline *ap, unsigned drain_ms);

#endif
