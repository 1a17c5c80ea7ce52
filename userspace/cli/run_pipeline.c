/* SPDX-License-Identifier: MIT */
/*
 * run_pipeline.c - the per-event path of `vigil run`:
 *
 *   state_apply -> events the state generated (CONTAINER), each through the
 *   same path -> rules_eval -> alert (context from the fields) -> policy ->
 *   router -> state_apply_post
 *
 * plus the periodic work: policy follow-ups (dedup counts, summaries) and
 * the ring-drop alert, rate-limited with a token bucket as Falco does
 * (syscall_event_drops: one alert per 30 s by default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/run.h"
#include "config/config.h"
#include "event/event.h"
#include "fields/fields.h"
#include "output/metrics.h"
#include "rules/rules.h"
#include "state/state.h"

#define MAX_OUTFIELDS	128
#define MAX_GENERATED	(64u << 10)	/* bytes of generated records per event */
#define CTX_VALUE_MAX	256

struct run_pipe {
	struct state *st;
	struct metrics *m;
	struct metric *m_events[VIGIL_EVT_NR];	/* looked up on first use */
	struct run_gen *g;
	int64_t boot_offset_ns;
	const struct evt *cur;
	struct run_pipe_stats stats;
	/* alert context, extracted through the field stage */
	struct field_ctx fctx;
	struct field_ref ctx_ref[ALERT_CTX_N];
	bool ctx_ok[ALERT_CTX_N];
	char ctx_val[ALERT_CTX_N][CTX_VALUE_MAX];
	struct alert_field fields[MAX_OUTFIELDS];
	/* drop alerts */
	double tokens;
	struct timespec last_refill;
	bool bucket_started;
	uint64_t drops_reported;
	/* generated records, copied out of the state before they are applied */
	uint8_t gen[MAX_GENERATED] __attribute__((aligned(8)));
};

/* The field that gives each alert context key (alert/alert.h). */
static const char *ctx_field(enum alert_ctx c)
{
	const char *n = alert_ctx_name(c);

	if (!strcmp(n, "owner"))
		return "vigil.owner";
	if (!strcmp(n, "environment"))
		return NULL;	/* stamped by the policy */
	return n;
}

void run_pipe_set_metrics(struct run_pipe *p, struct metrics *m)
{
	p->m = m;
}

struct run_pipe *run_pipe_new(struct state *st, int64_t boot_offset_ns,
			      char *err, size_t errlen)
{
	struct run_pipe *p = calloc(1, sizeof(*p));
	char ferr[160];

	if (!p) {
		snprintf(err, errlen, "pipeline: out of memory");
		return NULL;
	}
	p->st = st;
	p->boot_offset_ns = boot_offset_ns;
	field_ctx_init(&p->fctx, st);
	for (int c = 0; c < ALERT_CTX_N; c++) {
		const char *f = ctx_field((enum alert_ctx)c);

		p->ctx_ok[c] = f && field_resolve(f, strlen(f), &p->ctx_ref[c],
						  ferr, sizeof(ferr)) == 0;
	}
	return p;
}

void run_pipe_free(struct run_pipe *p)
{
	free(p);
}

void run_pipe_use(struct run_pipe *p, struct run_gen *g)
{
	p->g = g;
}

const struct run_pipe_stats *run_pipe_stats(const struct run_pipe *p)
{
	return &p->stats;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Metric family per policy verdict (none for PASS). */
static enum metrics_family verdict_family(enum policy_verdict v)
{
	switch (v) {
	case POLICY_BELOW_PRIORITY: case POLICY_EXCEPTED: return METRICS_ALERTS_EXCEPTED;
	case POLICY_SILENCED: return METRICS_ALERTS_SILENCED;
	case POLICY_DEDUPED: return METRICS_ALERTS_DEDUPED;
	case POLICY_RATE_LIMITED: return METRICS_ALERTS_RATE_LIMITED;
	default: return METRICS_FAMILY_N;
	}
}

static void submit(struct run_pipe *p, struct alert *a, bool through_policy)
{
	enum policy_verdict v = POLICY_PASS;

	if (through_policy) {
		const char *lab[5];

		v = policy_decide(p->g->policy, a, time(NULL));
		lab[0] = a->rule;
		lab[1] = alert_priority_lower(a->priority);
		lab[2] = a->ctx[ALERT_CTX_K8S_NS];
		lab[3] = a->ctx[ALERT_CTX_OWNER];
		lab[4] = a->ctx[ALERT_CTX_ENVIRONMENT];
		if (p->m) {
			metrics_add(p->m, METRICS_RULE_MATCHES, lab, 1);
			if (verdict_family(v) != METRICS_FAMILY_N)
				metrics_add(p->m, verdict_family(v), lab, 1);
		}
	}
	if (v == POLICY_PASS || (v == POLICY_SILENCED && a->silenced)) {
		router_submit(p->g->router, a);
		p->stats.alerts++;
	} else {
		p->stats.suppressed++;
	}
}

static void on_match(const struct rule_match *m, void *arg)
{
	struct run_pipe *p = arg;
	const struct evt *ev = p->cur;
	struct alert a;
	int prio;

	memset(&a, 0, sizeof(a));
	p->stats.matches++;
	a.time_ns = ev->hdr->ts ? (uint64_t)((int64_t)ev->hdr->ts + p->boot_offset_ns)
				: realtime_ns();
	a.rule = m->rule->name;
	prio = alert_priority_parse(rule_priority_name(m->rule->priority));
	a.priority = prio < 0 ? ALERT_PRIO_WARNING : (enum alert_priority)prio;
	a.source = m->rule->source ? m->rule->source : "syscall";
	a.hostname = p->g->hostname;
	a.output = m->output;
	a.tags = (const char **)m->rule->tags;
	a.ntags = m->rule->ntags;
	a.nfields = m->noutfields < MAX_OUTFIELDS ? m->noutfields : MAX_OUTFIELDS;
	for (size_t i = 0; i < a.nfields; i++) {
		p->fields[i].name = m->outfields[i].name;
		p->fields[i].value = m->outfields[i].value;
	}
	a.fields = p->fields;

	field_ctx_reset(&p->fctx, ev);
	for (int c = 0; c < ALERT_CTX_N; c++) {
		struct fv v;

		if (!p->ctx_ok[c] || field_extract(&p->fctx, &p->ctx_ref[c], &v, 1) < 1)
			continue;
		fv_render(&v, p->ctx_val[c], CTX_VALUE_MAX);
		a.ctx[c] = p->ctx_val[c];
	}
	submit(p, &a, true);
}

static void eval(struct run_pipe *p, const struct evt *ev)
{
	p->cur = ev;
	rules_eval(p->g->rules, p->g->rctx, ev, on_match, p);
	p->cur = NULL;
}

/* Records the state made while applying ev (a CONTAINER event when a
 * container is first seen) go through the whole path before ev's rules
 * run, so "container started" comes before what happens in it. */
static void run_generated(struct run_pipe *p, const struct evt *cause)
{
	size_t used = 0, len;
	const void *rec;

	while ((rec = state_pending_event(p->st, &len)) != NULL) {
		if (len > sizeof(p->gen) - used) {
			p->stats.refused++;
			continue;
		}
		memcpy(p->gen + used, rec, len);
		used += len;
	}
	for (size_t off = 0; off < used;) {
		struct evt gev;
		const struct vigil_evt_hdr *h = (const void *)(p->gen + off);

		if (evt_decode(p->gen + off, used - off, &gev) != EVT_OK) {
			p->stats.refused++;
			break;
		}
		gev.num = cause->num;
		off += h->len;
		p->stats.generated++;
		state_apply(p->st, &gev);
		eval(p, &gev);
		state_apply_post(p->st, &gev);
	}
}

static void count_event(struct run_pipe *p, const struct evt *ev)
{
	unsigned t = ev->hdr->type;

	if (!p->m || t >= VIGIL_EVT_NR)
		return;
	if (!p->m_events[t]) {
		const char *lab[1] = { evt_table[t].name };

		p->m_events[t] = metrics_series(p->m, METRICS_EVENTS, lab);
		if (!p->m_events[t])
			return;
	}
	metric_add(p->m_events[t], 1);
}

static void state_gauges(struct run_pipe *p)
{
	const struct state_stats *s = state_stats(p->st);
	static const char *const names[] = { "threads", "procs", "fds", "containers" };
	uint64_t v[4];

	if (!p->m || !s)
		return;
	v[0] = s->threads; v[1] = s->procs; v[2] = s->fds; v[3] = s->containers;
	for (int i = 0; i < 4; i++) {
		const char *lab[1] = { names[i] };
		struct metric *mm = metrics_series(p->m, METRICS_STATE_ENTRIES, lab);

		if (mm)
			metric_set(mm, v[i]);
	}
}

void run_pipe_event(struct run_pipe *p, const struct evt *ev)
{
	p->stats.events++;
	count_event(p, ev);
	if (state_apply(p->st, ev) != 0)
		p->stats.refused++;	/* counted by the state too; rules still run */
	run_generated(p, ev);
	eval(p, ev);
	state_apply_post(p->st, ev);
}

static void emit_followup(const struct alert *a, void *arg)
{
	struct run_pipe *p = arg;

	router_submit(p->g->router, a);
	p->stats.alerts++;
}

static double elapsed_s(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (to->tv_nsec - from->tv_nsec) / 1e9;
}

void run_pipe_tick(struct run_pipe *p, time_t now, uint64_t drops_total,
		   double rate, double burst)
{
	struct timespec mono;

	policy_tick(p->g->policy, now, emit_followup, p);
	state_gauges(p);
	if (p->m)
		metric_set(metrics_series(p->m, METRICS_TICK, NULL), (uint64_t)now);

	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (!p->bucket_started) {
		p->tokens = burst;
		p->last_refill = mono;
		p->bucket_started = true;
	}
	p->tokens += elapsed_s(&p->last_refill, &mono) * rate;
	if (p->tokens > burst)
		p->tokens = burst;
	p->last_refill = mono;

	if (drops_total <= p->drops_reported || p->tokens < 1.0)
		return;
	p->tokens -= 1.0;

	uint64_t n = drops_total - p->drops_reported;
	char out[320], nbuf[32], tbuf[32];
	struct alert_field f[2] = {
		{ "n_drops", nbuf }, { "n_drops_total", tbuf },
	};

	snprintf(nbuf, sizeof(nbuf), "%llu", (unsigned long long)n);
	snprintf(tbuf, sizeof(tbuf), "%llu", (unsigned long long)drops_total);
	snprintf(out, sizeof(out),
		 "Event drops detected: %llu records lost in the kernel rings since the "
		 "last report (%llu in all); alerts may be missing for that time "
		 "(n_drops=%llu n_drops_total=%llu)",
		 (unsigned long long)n, (unsigned long long)drops_total,
		 (unsigned long long)n, (unsigned long long)drops_total);
	p->drops_reported = drops_total;
	p->stats.drop_alerts++;
	p->stats.drops_seen = drops_total;
	run_pipe_internal(p, "vigil internal: event drops", ALERT_PRIO_CRITICAL, out, f, 2);
}

void run_pipe_internal(struct run_pipe *p, const char *rule, enum alert_priority prio,
		       const char *output, const struct alert_field *f, size_t nf)
{
	static const char *tags[] = { "vigil_internal" };
	struct alert a;

	memset(&a, 0, sizeof(a));
	a.time_ns = realtime_ns();
	a.rule = rule;
	a.priority = prio;
	a.source = "internal";
	a.hostname = p->g->hostname;
	/* Not through the policy (nothing may silence or rate-limit these
	 * beyond their own bucket), but stamped as the policy stamps rule
	 * alerts, so that routes by environment get them. */
	if (p->g->cfg)
		a.ctx[ALERT_CTX_ENVIRONMENT] = p->g->cfg->environment;
	a.output = output;
	a.tags = tags;
	a.ntags = 1;
	a.fields = f;
	a.nfields = nf;
	submit(p, &a, false);
}
