/* SPDX-License-Identifier: MIT */
/* router.c - routes, per-sink bounded queues and worker threads. */
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/metrics.h"
#include "output/router.h"
#include "output/sink.h"

static const char *const type_names[OUT_SINK_TYPE_N] = {
#define X(id, name) [OUT_SINK_##id] = name,
	OUT_SINK_TYPE_TABLE(X)
#undef X
};

static const struct out_sink_ops *const type_ops[OUT_SINK_TYPE_N] = {
#define X(id, name) [OUT_SINK_##id] = &out_sink_##id##_ops,
	OUT_SINK_TYPE_TABLE(X)
#undef X
};

const char *out_sink_type_name(enum out_sink_type t)
{
	return (unsigned)t < OUT_SINK_TYPE_N ? type_names[t] : "?";
}

int out_sink_type_parse(const char *s)
{
	for (int i = 0; s && i < OUT_SINK_TYPE_N; i++)
		if (!strcmp(s, type_names[i]))
			return i;
	return -1;
}

struct router {
	const struct out_conf *c;
	size_t n;
	struct out_sink *sinks;
	/* routes resolved to sink indexes: route i -> bitmap over sinks */
	unsigned char **route_sinks;
};

static void deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

bool out_sink_sleep(struct out_sink *s, unsigned ms)
{
	struct timespec ts;

	deadline_in(&ts, ms);
	pthread_mutex_lock(&s->lock);
	while (!atomic_load(&s->stop)) {
		if (pthread_cond_timedwait(&s->cv, &s->lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&s->lock);
	return atomic_load(&s->stop);
}

static void *worker(void *arg)
{
	struct out_sink *s = arg;
	size_t batch = s->c->batch ? s->c->batch : 1, cap = s->c->queue;
	struct alert **take = calloc(batch, sizeof(*take));
	sigset_t all;

	/* writes to a dead program must give EPIPE, not kill the engine */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (!take)
		return NULL;
	for (;;) {
		size_t k = 0;
		struct timespec ts;

		pthread_mutex_lock(&s->lock);
		deadline_in(&ts, 100);
		while (!s->n && !atomic_load(&s->stop) && !atomic_load(&s->reopen)) {
			if (pthread_cond_timedwait(&s->cv, &s->lock, &ts) == ETIMEDOUT)
				break;
		}
		if (atomic_load(&s->stop)) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		while (k < batch && s->n) {
			take[k++] = s->q[s->head];
			s->head = (s->head + 1) % cap;
			s->n--;
		}
		s->busy = k > 0;
		pthread_mutex_unlock(&s->lock);

		if (atomic_exchange(&s->reopen, false) && s->ops->reopen)
			s->ops->reopen(s);
		if (k) {
			size_t ok = s->ops->send(s, take, k);

			if (ok > k)
				ok = k;
			atomic_fetch_add(&s->sent, ok);
			atomic_fetch_add(&s->failed, k - ok);
			metric_add(s->m_sent, ok);
			metric_add(s->m_failed, k - ok);
			for (size_t i = 0; i < k; i++)
				alert_put(take[i]);
		} else if (s->ops->tick) {
			s->ops->tick(s);
		}
		pthread_mutex_lock(&s->lock);
		s->busy = false;
		if (!s->n)
			pthread_cond_broadcast(&s->idle);
		pthread_mutex_unlock(&s->lock);
	}
	free(take);
	return NULL;
}

static bool any_glob(char **globs, size_t n, const char *v)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (v && fnmatch(globs[i], v, 0) == 0)
			return true;
	return false;
}

static bool route_matches(const struct out_route_conf *rt, const struct alert *a)
{
	bool tag = !rt->ntags;

	if (rt->min_priority >= 0 && (int)a->priority > rt->min_priority)
		return false;
	for (size_t i = 0; !tag && i < rt->ntags; i++)
		tag = alert_has_tag(a, rt->tags[i]);
	return tag && any_glob(rt->rules, rt->nrules, a->rule) &&
	       any_glob(rt->environments, rt->nenvironments,
			a->ctx[ALERT_CTX_ENVIRONMENT]) &&
	       any_glob(rt->owners, rt->nowners, a->ctx[ALERT_CTX_OWNER]);
}

static void sink_destroy(struct out_sink *s)
{
	if (s->started) {
		atomic_store(&s->stop, true);
		pthread_mutex_lock(&s->lock);
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	if (s->ops && s->started)
		s->ops->close(s);
	if (s->q) {
		/* what is still queued at close is lost: count it */
		for (size_t i = 0; i < s->n; i++)
			alert_put(s->q[(s->head + i) % s->c->queue]);
		atomic_fetch_add(&s->dropped, s->n);
		metric_add(s->m_dropped, s->n);
		s->n = 0;
	}
	free(s->q);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->idle);
}

struct router *router_new(const struct out_conf *c, struct metrics *m,
			  char *err, size_t errlen)
{
	struct router *r = calloc(1, sizeof(*r));
	pthread_condattr_t ca;
	size_t i;

	if (!r)
		goto oom;
	r->c = c;
	r->sinks = calloc(c->nsinks ? c->nsinks : 1, sizeof(*r->sinks));
	r->route_sinks = calloc(c->nroutes ? c->nroutes : 1, sizeof(*r->route_sinks));
	if (!r->sinks || !r->route_sinks)
		goto oom;
	for (i = 0; i < c->nroutes; i++) {
		r->route_sinks[i] = calloc(c->nsinks ? c->nsinks : 1, 1);
		if (!r->route_sinks[i])
			goto oom;
		for (size_t k = 0; k < c->routes[i].nsinks; k++) {
			size_t j;

			for (j = 0; j < c->nsinks; j++)
				if (!strcmp(c->sinks[j].name, c->routes[i].sinks[k]))
					break;
			if (j == c->nsinks) {
				snprintf(err, errlen, "route %zu (line %d): no output named '%s'",
					 i + 1, c->routes[i].line, c->routes[i].sinks[k]);
				goto fail;
			}
			r->route_sinks[i][j] = 1;
		}
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (i = 0; i < c->nsinks; i++) {
		struct out_sink *s = &r->sinks[i];
		const char *lab[1] = { c->sinks[i].name };

		s->c = &c->sinks[i];
		pthread_mutex_init(&s->lock, NULL);
		pthread_cond_init(&s->cv, &ca);
		pthread_cond_init(&s->idle, &ca);
		r->n = i + 1;
		if ((unsigned)s->c->type >= OUT_SINK_TYPE_N || !s->c->queue) {
			snprintf(err, errlen, "output '%s': bad type or empty queue", s->c->name);
			goto fail;
		}
		s->ops = type_ops[s->c->type];
		s->q = calloc(s->c->queue, sizeof(*s->q));
		if (!s->q)
			goto oom;
		if (m) {
			s->m_sent = metrics_series(m, METRICS_SINK_SENT, lab);
			s->m_failed = metrics_series(m, METRICS_SINK_FAILED, lab);
			s->m_dropped = metrics_series(m, METRICS_SINK_DROPPED, lab);
		}
		if (s->ops->open(s, err, errlen))
			goto fail;
		if (pthread_create(&s->thread, NULL, worker, s)) {
			s->ops->close(s);
			snprintf(err, errlen, "output '%s': cannot start its thread", s->c->name);
			goto fail;
		}
		s->started = true;
	}
	pthread_condattr_destroy(&ca);
	return r;
oom:
	snprintf(err, errlen, "router: out of memory");
fail:
	router_close(r, 0);
	return NULL;
}

int router_submit(struct router *r, const struct alert *a)
{
	struct alert *copy = NULL;
	int queued = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct out_sink *s = &r->sinks[i];
		bool want = !r->c->nroutes;

		if ((int)a->priority > s->c->min_priority)
			continue;
		if (a->silenced && !s->c->silenced)
			continue;
		for (size_t k = 0; !want && k < r->c->nroutes; k++)
			want = r->route_sinks[k][i] && route_matches(&r->c->routes[k], a);
		if (!want)
			continue;
		if (!copy)
			copy = alert_dup(a);	/* its first reference is ours */
		if (!copy) {
			atomic_fetch_add(&s->dropped, 1);
			metric_add(s->m_dropped, 1);
			continue;
		}
		alert_ref(copy);		/* the queue's */
		pthread_mutex_lock(&s->lock);
		if (s->n < s->c->queue) {
			s->q[(s->head + s->n) % s->c->queue] = copy;
			s->n++;
			pthread_cond_signal(&s->cv);
			pthread_mutex_unlock(&s->lock);
			atomic_fetch_add(&s->queued, 1);
			queued++;
		} else {
			pthread_mutex_unlock(&s->lock);
			alert_put(copy);
			atomic_fetch_add(&s->dropped, 1);
			metric_add(s->m_dropped, 1);
		}
	}
	if (copy)
		alert_put(copy);	/* the submitter's reference */
	return queued;
}

void router_reopen(struct router *r)
{
	for (size_t i = 0; r && i < r->n; i++)
		atomic_store(&r->sinks[i].reopen, true);
}

int router_drain(struct router *r, unsigned timeout_ms)
{
	struct timespec ts;
	int rc = 0;

	deadline_in(&ts, timeout_ms);
	for (size_t i = 0; i < r->n; i++) {
		struct out_sink *s = &r->sinks[i];

		pthread_mutex_lock(&s->lock);
		while ((s->n || s->busy) && s->started) {
			if (pthread_cond_timedwait(&s->idle, &s->lock, &ts) == ETIMEDOUT) {
				rc = -1;
				break;
			}
		}
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

void router_close(struct router *r, unsigned timeout_ms)
{
	if (!r)
		return;
	if (timeout_ms && r->sinks)
		router_drain(r, timeout_ms);
	for (size_t i = 0; i < r->n; i++)
		sink_destroy(&r->sinks[i]);
	for (size_t i = 0; r->route_sinks && i < r->c->nroutes; i++)
		free(r->route_sinks[i]);
	free(r->route_sinks);
	free(r->sinks);
	free(r);
}

size_t router_nsinks(const struct router *r)
{
	return r->n;
}

struct out_sink_stats router_stats(const struct router *r, size_t i)
{
	struct out_sink_stats st = { 0 };

	if (i < r->n) {
		struct out_sink *s = &r->sinks[i];

		st.name = s->c->name;
		st.queued = atomic_load(&s->queued);
		st.sent = atomic_load(&s->sent);
		st.failed = atomic_load(&s->failed);
		st.dropped = atomic_load(&s->dropped);
	}
	return st;
}
