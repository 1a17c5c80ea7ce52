/* SPDX-License-Identifier: MIT */
/*
 * sink_file.c - JSON lines in a file. Rotates past max_size (path -> path.1
 * -> ... -> path.KEEP), reopens on router_reopen() (SIGHUP, for logrotate),
 * fsync never/always/every fsync_ms. A failed write (disk full) counts as a
 * failed alert; the sink goes on with the next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/sink.h"

struct file_priv {
	int fd;
	uint64_t size;
	struct timespec last_sync;
	bool dirty;
	bool warned;
};

static int file_openfd(struct out_sink *s, char *err, size_t errlen)
{
	struct file_priv *p = s->priv;
	struct stat st;

	p->fd = open(s->c->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (p->fd < 0) {
		if (err)
			snprintf(err, errlen, "output '%s': cannot open %s: %s",
				 s->c->name, s->c->path, strerror(errno));
		return -1;
	}
	p->size = fstat(p->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

static int file_open(struct out_sink *s, char *err, size_t errlen)
{
	struct file_priv *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "output '%s': out of memory", s->c->name);
		return -1;
	}
	s->priv = p;
	if (file_openfd(s, err, errlen)) {
		free(p);
		s->priv = NULL;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &p->last_sync);
	return 0;
}

static void file_rotate(struct out_sink *s)
{
	struct file_priv *p = s->priv;
	size_t len = strlen(s->c->path) + 16;
	char *from = malloc(len), *to = malloc(len);

	if (!from || !to)
		goto out;
	if (s->c->fsync != OUT_FSYNC_NEVER)
		fsync(p->fd);
	close(p->fd);
	p->fd = -1;
	if (s->c->keep == 0) {
		unlink(s->c->path);
	} else {
		for (unsigned i = s->c->keep; i > 1; i--) {
			snprintf(from, len, "%s.%u", s->c->path, i - 1);
			snprintf(to, len, "%s.%u", s->c->path, i);
			rename(from, to);	/* ENOENT is fine */
		}
		snprintf(to, len, "%s.1", s->c->path);
		rename(s->c->path, to);
	}
	file_openfd(s, NULL, 0);
out:
	free(from);
	free(to);
}

static void maybe_sync(struct out_sink *s)
{
	struct file_priv *p = s->priv;
	struct timespec now;

	if (!p->dirty || p->fd < 0 || s->c->fsync != OUT_FSYNC_INTERVAL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - p->last_sync.tv_sec) * 1000 +
	    (now.tv_nsec - p->last_sync.tv_nsec) / 1000000 >= (long)s->c->fsync_ms) {
		fdatasync(p->fd);
		p->last_sync = now;
		p->dirty = false;
	}
}

/* Writes all of buf or fails: returns len, or how much got written before
 * the error (errno set; -1 if nothing). */
static ssize_t write_line(int fd, const char *buf, size_t len)
{
	size_t off = 0;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return off ? (ssize_t)off : -1;
		}
		off += (size_t)w;
	}
	return (ssize_t)off;
}

static size_t file_send(struct out_sink *s, struct alert *const *a, size_t n)
{
	struct file_priv *p = s->priv;
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		char *line = alert_json(a[i]);
		size_t len;
		ssize_t w;

		if (!line)
			continue;
		len = strlen(line);
		line[len++] = '\n';	/* replaces the NUL: written by length */
		if (p->fd < 0)
			file_openfd(s, NULL, 0);
		if (s->c->max_size && p->size && p->size + len > s->c->max_size)
			file_rotate(s);
		w = write_line(p->fd, line, len);
		if (w == (ssize_t)len) {
			ok++;
			p->size += len;
			p->dirty = true;
			if (s->c->fsync == OUT_FSYNC_ALWAYS)
				fdatasync(p->fd);
		} else {
			int e = errno;

			if (w > 0) {
				/* a torn line: cut it off so the file stays JSON lines */
				if (ftruncate(p->fd, (off_t)p->size) < 0)
					p->size += (uint64_t)w;
			}
			if (!p->warned) {
				fprintf(stderr, "vigil: output '%s': write to %s failed: %s "
					"(counted; further failures are only counted)\n",
					s->c->name, s->c->path,
					strerror(e));
				p->warned = true;
			}
		}
		free(line);
	}
	maybe_sync(s);
	return ok;
}

static void file_reopen(struct out_sink *s)
{
	struct file_priv *p = s->priv;

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	file_openfd(s, NULL, 0);
	p->warned = false;
}

static void file_tick(struct out_sink *s)
{
	maybe_sync(s);
}

static void file_close(struct out_sink *s)
{
	struct file_priv *p = s->priv;

	if (!p)
		return;
	if (p->fd >= 0) {
		if (s->c->fsync != OUT_FSYNC_NEVER)
			fdatasync(p->fd);
		close(p->fd);
	}
	free(p);
	s->priv = NULL;
}

const struct out_sink_ops out_sink_FILE_ops = {
	.open = file_open,
	.send = file_send,
	.reopen = file_reopen,
	.tick = file_tick,
	.close = file_close,
};
