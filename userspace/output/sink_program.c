/* SPDX-License-Identifier: MIT */
/*
 * sink_program.c - alerts (JSON or text lines) to the stdin of a command run
 * with /bin/sh -c. If it dies, it is restarted with backoff (100 ms doubling
 * to 5 s). Writes poll so a stuck reader never keeps the sink from closing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/sink.h"

struct prog_priv {
	pid_t pid;
	int fd;
	unsigned backoff_ms;
	unsigned restarts;
};

/*
 * The command runs in its own process group, so that what `sh -c` started
 * (a pipeline, a `sleep`) goes with it: SIGTERM to the group, then SIGKILL
 * if the shell has not gone within half a second. Nothing outlives the
 * engine holding its stdout or stderr open.
 */
static void kill_group(pid_t pid)
{
	kill(-pid, SIGTERM);
	for (int i = 0; i < 10; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			kill(-pid, SIGKILL);	/* stragglers of the group */
			return;
		}
		struct timespec ts = { 0, 50000000L };

		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void prog_reap(struct prog_priv *p, bool kill_it)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->pid > 0) {
		if (kill_it)
			kill_group(p->pid);
		else
			waitpid(p->pid, NULL, 0);
	}
	p->pid = -1;
}

static int prog_start(struct out_sink *s, char *err, size_t errlen)
{
	struct prog_priv *p = s->priv;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		if (err)
			snprintf(err, errlen, "output '%s': pipe: %s", s->c->name, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		if (err)
			snprintf(err, errlen, "output '%s': fork: %s", s->c->name, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		dup2(fds[0], 0);
		execl("/bin/sh", "sh", "-c", s->c->command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);	/* both sides: no race with kill_group() */
	close(fds[0]);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	p->pid = pid;
	p->fd = fds[1];
	return 0;
}

static int prog_open(struct out_sink *s, char *err, size_t errlen)
{
	struct prog_priv *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "output '%s': out of memory", s->c->name);
		return -1;
	}
	p->pid = -1;
	p->fd = -1;
	p->backoff_ms = 100;
	s->priv = p;
	if (prog_start(s, err, errlen)) {
		free(p);
		s->priv = NULL;
		return -1;
	}
	return 0;
}

/* 0 written, -1 the reader is gone, -2 stopping */
static int write_all(struct out_sink *s, int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w > 0) {
			buf += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			if (out_sink_stopping(s))
				return -2;
			poll(&pf, 1, 100);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		return -1;
	}
	return 0;
}

static size_t prog_send(struct out_sink *s, struct alert *const *a, size_t n)
{
	struct prog_priv *p = s->priv;
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		char *line = s->c->format == OUT_FORMAT_TEXT ? alert_text(a[i]) : alert_json(a[i]);
		size_t len;
		int tries = 0, rc = -1;

		if (!line)
			continue;
		len = strlen(line);
		line[len++] = '\n';
		while (tries++ < 2) {
			if (p->fd < 0) {
				if (out_sink_sleep(s, p->backoff_ms))
					break;
				if (p->backoff_ms < 5000)
					p->backoff_ms *= 2;
				if (prog_start(s, NULL, 0))
					continue;
				p->restarts++;
				fprintf(stderr, "vigil: output '%s': restarted '%s' (%u)\n",
					s->c->name, s->c->command, p->restarts);
			}
			rc = write_all(s, p->fd, line, len);
			if (rc == 0) {
				p->backoff_ms = 100;
				break;
			}
			if (rc == -2)
				break;
			prog_reap(p, false);	/* it died: restart next round */
		}
		if (rc == 0)
			ok++;
		free(line);
	}
	return ok;
}

static void prog_close(struct out_sink *s)
{
	struct prog_priv *p = s->priv;

	if (!p)
		return;
	if (p->fd >= 0) {
		close(p->fd);	/* EOF: a well-behaved reader exits */
		p->fd = -1;
	}
	if (p->pid > 0) {
		for (int i = 0; i < 20; i++) {	/* up to 1 s to finish */
			if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
				kill(-p->pid, SIGKILL);	/* what it left running */
				p->pid = -1;
				break;
			}
			struct timespec ts = { 0, 50000000L };

			nanosleep(&ts, NULL);
		}
		if (p->pid > 0)
			prog_reap(p, true);
	}
	free(p);
	s->priv = NULL;
}

const struct out_sink_ops out_sink_PROGRAM_ops = {
	.open = prog_open,
	.send = prog_send,
	.close = prog_close,
};
