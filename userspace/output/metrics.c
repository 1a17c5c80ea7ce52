/* SPDX-License-Identifier: MIT */
/* metrics.c - series registry, text rendering and a tiny HTTP server. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output/metrics.h"
#include "vigil_abi.h"

static const struct {
	const char *name, *type, *help, *labels;
	int nlabels;
} fam_tab[METRICS_FAMILY_N] = {
#define X(id, name, type, help, labels, n) [METRICS_##id] = { name, type, help, labels, n },
	METRICS_FAMILY_TABLE(X)
#undef X
};

struct metric {
	struct metric *next;
	_Atomic uint64_t v;
	char *labels[METRICS_MAX_LABELS];
};

struct metrics {
	pthread_mutex_t lock;
	struct metric *fam[METRICS_FAMILY_N];	/* append order kept */
	struct metric **tail[METRICS_FAMILY_N];
	/* server */
	int lfd, stop_pipe[2];
	bool serving;
	pthread_t thread;
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	for (int i = 0; i < METRICS_FAMILY_N; i++)
		m->tail[i] = &m->fam[i];
	m->lfd = m->stop_pipe[0] = m->stop_pipe[1] = -1;
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	if (m->serving) {
		if (write(m->stop_pipe[1], "x", 1) < 0)
			perror("metrics: stop");
		pthread_join(m->thread, NULL);
		close(m->stop_pipe[0]);
		close(m->stop_pipe[1]);
		close(m->lfd);
	}
	for (int i = 0; i < METRICS_FAMILY_N; i++)
		while (m->fam[i]) {
			struct metric *s = m->fam[i];

			m->fam[i] = s->next;
			for (int k = 0; k < METRICS_MAX_LABELS; k++)
				free(s->labels[k]);
			free(s);
		}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static const char *lab(const char *const *labels, int i)
{
	return labels && labels[i] ? labels[i] : "";
}

struct metric *metrics_series(struct metrics *m, enum metrics_family fam,
			      const char *const *labels)
{
	struct metric *s;
	int n;

	if ((unsigned)fam >= METRICS_FAMILY_N)
		return NULL;
	n = fam_tab[fam].nlabels;
	pthread_mutex_lock(&m->lock);
	for (s = m->fam[fam]; s; s = s->next) {
		int k;

		for (k = 0; k < n; k++)
			if (strcmp(s->labels[k], lab(labels, k)))
				break;
		if (k == n)
			goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto out;
	for (int k = 0; k < n; k++) {
		s->labels[k] = strdup(lab(labels, k));
		if (!s->labels[k]) {
			for (int j = 0; j < k; j++)
				free(s->labels[j]);
			free(s);
			s = NULL;
			goto out;
		}
	}
	*m->tail[fam] = s;
	m->tail[fam] = &s->next;
out:
	pthread_mutex_unlock(&m->lock);
	return s;
}

void metric_add(struct metric *s, uint64_t n)
{
	if (s)
		atomic_fetch_add_explicit(&s->v, n, memory_order_relaxed);
}

void metric_set(struct metric *s, uint64_t v)
{
	if (s)
		atomic_store_explicit(&s->v, v, memory_order_relaxed);
}

uint64_t metric_get(const struct metric *s)
{
	return s ? atomic_load_explicit(&((struct metric *)s)->v, memory_order_relaxed) : 0;
}

void metrics_add(struct metrics *m, enum metrics_family fam,
		 const char *const *labels, uint64_t n)
{
	if (m)
		metric_add(metrics_series(m, fam, labels), n);
}

static const char *const drop_cause_names[VIGIL_DROP_NR] = {
#define X_DROP(id, name, desc) [VIGIL_DROP_##id] = name,
	VIGIL_DROP_CAUSES(X_DROP)
#undef X_DROP
};

void metrics_ring_stats(struct metrics *m, unsigned cpu, const struct vigil_cpu_stats *st)
{
	char cpus[16];
	const char *lab[2] = { cpus, NULL };

	if (!m || !st)
		return;
	snprintf(cpus, sizeof(cpus), "%u", cpu);
	for (unsigned d = 0; d < VIGIL_DROP_NR; d++) {
		lab[1] = drop_cause_names[d];
		metric_set(metrics_series(m, METRICS_DROPS, lab), st->drops[d]);
	}
	metric_set(metrics_series(m, METRICS_RING_FAULTS, lab), st->faults);
	metric_set(metrics_series(m, METRICS_RING_TRUNCATIONS, lab), st->truncations);
}

uint64_t metrics_family_sum(struct metrics *m, enum metrics_family fam)
{
	uint64_t sum = 0;

	if (!m || (unsigned)fam >= METRICS_FAMILY_N)
		return 0;
	pthread_mutex_lock(&m->lock);
	for (struct metric *s = m->fam[fam]; s; s = s->next)
		sum += metric_get(s);
	pthread_mutex_unlock(&m->lock);
	return sum;
}

/* --- rendering --- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void bput(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->len + n + 1) * 2;
		char *np = realloc(b->p, nc);

		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void bstr(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

static void bescaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			bstr(b, "\\\\");
		else if (*s == '"')
			bstr(b, "\\\"");
		else if (*s == '\n')
			bstr(b, "\\n");
		else
			bput(b, s, 1);
	}
}

char *metrics_render(struct metrics *m)
{
	struct buf b = { 0 };
	char num[32];

	pthread_mutex_lock(&m->lock);
	for (int f = 0; f < METRICS_FAMILY_N; f++) {
		char names[128], *save = NULL, *lname[METRICS_MAX_LABELS] = { 0 };
		int n = 0;

		snprintf(names, sizeof(names), "%s", fam_tab[f].labels);
		for (char *t = strtok_r(names, ",", &save); t && n < METRICS_MAX_LABELS;
		     t = strtok_r(NULL, ",", &save))
			lname[n++] = t;
		bstr(&b, "# HELP ");
		bstr(&b, fam_tab[f].name);
		bstr(&b, " ");
		bstr(&b, fam_tab[f].help);
		bstr(&b, "\n# TYPE ");
		bstr(&b, fam_tab[f].name);
		bstr(&b, " ");
		bstr(&b, fam_tab[f].type);
		bstr(&b, "\n");
		for (struct metric *s = m->fam[f]; s; s = s->next) {
			bstr(&b, fam_tab[f].name);
			if (n)
				bstr(&b, "{");
			for (int k = 0; k < n; k++) {
				if (k)
					bstr(&b, ",");
				bstr(&b, lname[k]);
				bstr(&b, "=\"");
				bescaped(&b, s->labels[k]);
				bstr(&b, "\"");
			}
			snprintf(num, sizeof(num), "%s %llu\n", n ? "}" : "",
				 (unsigned long long)metric_get(s));
			bstr(&b, num);
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (b.oom || !b.p) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* --- the server --- */

static void serve_one(struct metrics *m, int fd)
{
	char req[2048], hdr[256], *body;
	size_t got = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	/* read the request head (with a short timeout) */
	while (got < sizeof(req) - 1 && poll(&p, 1, 2000) > 0) {
		ssize_t r = read(fd, req + got, sizeof(req) - 1 - got);

		if (r <= 0)
			break;
		got += (size_t)r;
		req[got] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = 0;
	if (strncmp(req, "GET /metrics", 12) && strncmp(req, "GET / ", 6)) {
		const char *nf = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

		if (write(fd, nf, strlen(nf)) < 0)
			return;
		return;
	}
	body = metrics_render(m);
	if (!body)
		return;
	snprintf(hdr, sizeof(hdr),
		 "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(body));
	if (write(fd, hdr, strlen(hdr)) >= 0) {
		size_t len = strlen(body), off = 0;

		while (off < len) {
			ssize_t w = write(fd, body + off, len - off);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	free(body);
}

static void *serve_thread(void *arg)
{
	struct metrics *m = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = m->lfd, .events = POLLIN },
			{ .fd = m->stop_pipe[0], .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN) {
			int fd = accept(m->lfd, NULL, NULL);

			if (fd >= 0) {
				serve_one(m, fd);
				close(fd);
			}
		}
	}
	return NULL;
}

int metrics_serve(struct metrics *m, const char *addr, unsigned port,
		  unsigned *bound, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t sl = sizeof(sa);
	int one = 1;

	if (m->serving) {
		snprintf(err, errlen, "metrics: already serving");
		return -1;
	}
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "metrics: bad listen address '%s'", addr);
		return -1;
	}
	m->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->lfd < 0) {
		snprintf(err, errlen, "metrics: socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(m->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(m->lfd, 16) < 0) {
		snprintf(err, errlen, "metrics: listen on %s:%u: %s", addr, port, strerror(errno));
		goto fail;
	}
	getsockname(m->lfd, (struct sockaddr *)&sa, &sl);
	if (bound)
		*bound = ntohs(sa.sin_port);
	if (pipe2(m->stop_pipe, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "metrics: pipe: %s", strerror(errno));
		goto fail;
	}
	if (pthread_create(&m->thread, NULL, serve_thread, m)) {
		snprintf(err, errlen, "metrics: cannot start the server thread");
		close(m->stop_pipe[0]);
		close(m->stop_pipe[1]);
		goto fail;
	}
	m->serving = true;
	return 0;
fail:
	close(m->lfd);
	m->lfd = -1;
	return -1;
}
