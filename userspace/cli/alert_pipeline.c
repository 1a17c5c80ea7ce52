/* SPDX-License-Identifier: MIT */
/* alert_pipeline.c - wiring of config, policy, router and metrics. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/alert_pipeline.h"

int alert_pipeline_open(struct alert_pipeline **out, const char *config_path,
			char *err, size_t errlen)
{
	struct alert_pipeline *ap = calloc(1, sizeof(*ap));

	*out = NULL;
	if (!ap) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (config_load(config_path, &ap->cfg, err, errlen))
		goto fail;
	if (ap->cfg->warnings)
		fputs(ap->cfg->warnings, stderr);
	ap->metrics = metrics_new();
	if (!ap->metrics) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ap->policy = policy_new(&ap->cfg->policy, err, errlen);
	if (!ap->policy)
		goto fail;
	/* A running sensor with the same configuration has the port: the
	 * alerts still go out, unmetered by HTTP (noted, not an error). */
	if (ap->cfg->metrics_enabled &&
	    metrics_serve(ap->metrics, ap->cfg->metrics_listen, ap->cfg->metrics_port,
			  &ap->metrics_port, err, errlen)) {
		fprintf(stderr, "note: metrics not served: %s (a running `vigil run` may "
			"have the port); continuing without\n", err);
		ap->metrics_port = 0;
	}
	ap->router = router_new(&ap->cfg->out, ap->metrics, err, errlen);
	if (!ap->router)
		goto fail;
	*out = ap;
	return 0;
fail:
	alert_pipeline_close(ap, 0);
	return -1;
}

static void count_verdict(struct alert_pipeline *ap, const struct alert *a,
			  enum policy_verdict v)
{
	static const enum metrics_family fam[POLICY_VERDICT_N] = {
		[POLICY_PASS] = METRICS_FAMILY_N,
		[POLICY_BELOW_PRIORITY] = METRICS_ALERTS_EXCEPTED,
		[POLICY_EXCEPTED] = METRICS_ALERTS_EXCEPTED,
		[POLICY_SILENCED] = METRICS_ALERTS_SILENCED,
		[POLICY_DEDUPED] = METRICS_ALERTS_DEDUPED,
		[POLICY_RATE_LIMITED] = METRICS_ALERTS_RATE_LIMITED,
	};
	const char *lab[1] = { a->rule };

	if (fam[v] != METRICS_FAMILY_N)
		metrics_add(ap->metrics, fam[v], lab, 1);
}

enum policy_verdict alert_pipeline_submit(struct alert_pipeline *ap, struct alert *a,
					  time_t now)
{
	enum policy_verdict v;
	const char *lab[5];

	if (!a->hostname)
		a->hostname = ap->cfg->hostname;
	v = policy_decide(ap->policy, a, now);
	lab[0] = a->rule;
	lab[1] = alert_priority_lower(a->priority);
	lab[2] = a->ctx[ALERT_CTX_K8S_NS];
	lab[3] = a->ctx[ALERT_CTX_OWNER];
	lab[4] = a->ctx[ALERT_CTX_ENVIRONMENT];
	metrics_add(ap->metrics, METRICS_RULE_MATCHES, lab, 1);
	count_verdict(ap, a, v);
	if (v == POLICY_PASS || (v == POLICY_SILENCED && a->silenced))
		router_submit(ap->router, a);
	return v;
}

static void emit(const struct alert *a, void *arg)
{
	struct alert_pipeline *ap = arg;
	struct alert b = *a;

	if (!b.hostname)
		b.hostname = ap->cfg->hostname;
	router_submit(ap->router, &b);
}

int alert_pipeline_tick(struct alert_pipeline *ap, time_t now)
{
	return policy_tick(ap->policy, now, emit, ap);
}

void alert_pipeline_reopen(struct alert_pipeline *ap)
{
	if (ap && ap->router)
		router_reopen(ap->router);
}

void alert_pipeline_close(struct alert_pipeline *ap, unsigned drain_ms)
{
	if (!ap)
		return;
	router_close(ap->router, drain_ms);
	policy_free(ap->policy);
	metrics_free(ap->metrics);
	config_free(ap->cfg);
	free(ap);
}
