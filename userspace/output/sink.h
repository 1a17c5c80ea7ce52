/* SPDX-License-Identifier: MIT */
/* sink.h - what a sink implements (internal to output/). */
#ifndef VIGIL_OUTPUT_SINK_H
#define VIGIL_OUTPUT_SINK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "output/router.h"

struct out_sink;

struct out_sink_ops {
	/* Called once from router_new (main thread). */
	int (*open)(struct out_sink *s, char *err, size_t errlen);
	/* Called on the worker thread: deliver n alerts, return how many were
	 * delivered (the rest count as failed). May block; must give up when
	 * out_sink_stopping(s). */
	size_t (*send)(struct out_sink *s, struct alert *const *a, size_t n);
	/* Worker thread, between sends, after router_reopen(). Optional. */
	void (*reopen)(struct out_sink *s);
	/* Worker thread, periodically (about every 100 ms). Optional. */
	void (*tick)(struct out_sink *s);
	void (*close)(struct out_sink *s);
};

struct out_sink {
	const struct out_sink_conf *c;
	const struct out_sink_ops *ops;
	void *priv;
	/* queue */
	pthread_mutex_t lock;
	pthread_cond_t cv, idle;
	struct alert **q;
	size_t head, n;
	bool busy, started;
	atomic_bool stop, reopen;
	pthread_t thread;
	/* counters */
	_Atomic uint64_t queued, sent, failed, dropped;
	struct metric *m_sent, *m_failed, *m_dropped;
};

static inline bool out_sink_stopping(struct out_sink *s)
{
	return atomic_load(&s->stop);
}

/* Sleeps up to ms, returning early (true) when the sink is stopping. */
bool out_sink_sleep(struct out_sink *s, unsigned ms);

#define X(id, name) extern const struct out_sink_ops out_sink_##id##_ops;
OUT_SINK_TYPE_TABLE(X)
#undef X

#endif
