/* SPDX-License-Identifier: MIT */
/*
 * bench_state.c - memory and speed of the state stage.
 *
 *   bench_state NPROCS NFDS NEVENTS
 *
 * 1. Fills the state with NPROCS processes of NFDS fds each, through
 *    PROC_SNAP/FD_SNAP records (the way a capture's snapshot arrives), and
 *    reports the process RSS before and after (KiB, from /proc/self/status)
 *    and the bytes per process.
 * 2. NEVENTS events of a realistic mix (open, read, close, fork+exec+exit,
 *    connect) through state_apply + field extraction of six common fields +
 *    state_apply_post: events/s and ns/event.
 * 3. Writes the whole state as a snapshot: records and time.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/state_helpers.h"

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct tev T;

static void fd_snap(struct state *st, uint32_t pid, int64_t fd, const char *name)
{
	struct evt_builder b;
	th_begin(&b, &T, VIGIL_EVT_FD_SNAP, pid, pid);
	evt_build_u64(&b, pid);
	evt_build_u64(&b, (uint64_t)fd);
	evt_build_u32(&b, 'f');
	evt_build_str(&b, name);
	evt_build_u32(&b, O_RDONLY);
	evt_build_empty(&b, 0);
	evt_build_u64(&b, (uint64_t)fd);
	state_apply(st, th_end(&b, &T));
}

static long nsnap;
static int count_rec(void *arg, const void *rec, size_t len)
{
	(void)arg; (void)rec; (void)len;
	nsnap++;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned nprocs = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
	unsigned nfds = argc > 2 ? (unsigned)atoi(argv[2]) : 50;
	unsigned long nevents = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000000;
	struct state_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.hostname = "bench";
	char err[256];
	long rss0 = rss_kib();
	struct state *st = state_new(&cfg, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	static const char *const argv_[] = { "/usr/sbin/nginx", "-g", "daemon off;", NULL };
	double t0 = now_s();
	char name[128];
	for (unsigned i = 0; i < nprocs; i++) {
		uint32_t pid = 1000 + i;
		struct th_exec x = { .exe = "/usr/sbin/nginx", .argv = argv_, .cwd = "/var/www",
				     .ppid = i ? 1000 : 1, .uid = 33, .gid = 33,
				     .cgroup = "/system.slice/nginx.service" };
		state_apply(st, ev_snap(&T, pid, pid, &x));
		for (unsigned fd = 0; fd < nfds; fd++) {
			snprintf(name, sizeof(name), "/var/www/html/site-%u/assets/file-%u.css", i % 100, fd);
			fd_snap(st, pid, fd, name);
		}
	}
	double t1 = now_s();
	long rss1 = rss_kib();
	const struct state_stats *s = state_stats(st);
	printf("state fill: %u processes x %u fds = %llu fds in %.2f s (%.0f records/s)\n",
	       nprocs, nfds, (unsigned long long)s->fds, t1 - t0,
	       nprocs * (nfds + 1.0) / (t1 - t0));
	printf("state RSS: %ld KiB before, %ld KiB after: %.1f MiB for the tables, %.0f bytes/process, %.0f bytes/fd\n",
	       rss0, rss1, (rss1 - rss0) / 1024.0, (rss1 - rss0) * 1024.0 / nprocs,
	       (rss1 - rss0) * 1024.0 / ((double)nprocs * (nfds ? nfds : 1)));

	/* event mix */
	static const char *const fields[] = { "proc.name", "proc.pname", "fd.name", "user.uid",
					      "container.id", "proc.aname[2]" };
	struct field_ref refs[6];
	for (int i = 0; i < 6; i++)
		field_resolve(fields[i], strlen(fields[i]), &refs[i], err, sizeof(err));
	static struct field_ctx ctx;
	field_ctx_init(&ctx, st);
	static const char *const sh_argv[] = { "sh", "-c", "true", NULL };
	uint32_t next_pid = 200000;
	double t2 = now_s();
	for (unsigned long n = 0; n < nevents;) {
		uint32_t pid = 1000 + (uint32_t)(n * 7919 % nprocs);
		struct evt *e[6];
		int k = 0;
		unsigned phase = (unsigned)(n / 5 % 10);
		if (phase < 8) {
			e[k++] = ev_openat(&T, pid, pid, 60, AT_FDCWD, "conf/site.conf", O_RDONLY);
		} else if (phase == 8) {
			e[k++] = ev_fork(&T, pid, pid, next_pid, next_pid, 0);
		} else {
			struct th_exec x = { .exe = "/bin/sh", .argv = sh_argv, .ppid = pid };
			e[k++] = ev_exec(&T, next_pid, next_pid, &x);
		}
		for (int j = 0; j < k; j++) {
			state_apply(st, e[j]);
			field_ctx_reset(&ctx, e[j]);
			struct fv v[4];
			for (int f = 0; f < 6; f++)
				field_extract(&ctx, &refs[f], v, 4);
			state_apply_post(st, e[j]);
			n++;
		}
		/* balance: close what was opened, exit what was forked */
		if (phase < 8) {
			int64_t c[] = { 0, 60 };
			struct evt *ce = ev_nums(&T, VIGIL_EVT_CLOSE, pid, pid, 2, c);
			state_apply(st, ce);
			state_apply_post(st, ce);
			n++;
		} else if (phase == 9) {
			struct evt *x = ev_exit(&T, next_pid, next_pid, VIGIL_EXIT_GROUP_DEAD, 1);
			state_apply(st, x);
			state_apply_post(st, x);
			next_pid++;
			n++;
		}
	}
	double t3 = now_s();
	printf("event mix (open/close, fork/exec/exit; 6 fields extracted each): %lu events in %.2f s: %.0f events/s, %.0f ns/event\n",
	       nevents, t3 - t2, nevents / (t3 - t2), (t3 - t2) * 1e9 / nevents);
	printf("after the mix: %llu threads, %llu processes, %llu fds, %llu exited, RSS %ld KiB\n",
	       (unsigned long long)s->threads, (unsigned long long)s->procs,
	       (unsigned long long)s->fds, (unsigned long long)s->exited, rss_kib());
	double t4 = now_s();
	state_write_snapshot(st, 1, count_rec, NULL, err, sizeof(err));
	double t5 = now_s();
	printf("snapshot: %ld records in %.2f s\n", nsnap, t5 - t4);
	state_free(st);
	return 0;
}
