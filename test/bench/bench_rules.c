/* SPDX-License-Identifier: MIT */
/*
 * bench_rules.c - evaluation speed of the rules stage (event-type index +
 * VM + lazy field extraction), on one core.
 *
 *   bench_rules [-n EVENTS] [-p POOL] [-s SEED] [-t] RULEFILE|DIR...
 * (-t: also a breakdown of cycles by event type)
 *
 * Builds a process tree and fd tables through the state stage (PROC_SNAP /
 * FD_SNAP), then a pool of -p POOL (default 8192) distinct generated events
 * (in the pipeline an event is evaluated right after it was decoded, so it
 * is in cache; a pool much larger than the caches measures memory misses
 * instead: try -p 65536) in a realistic, mostly
 * benign mix (opens, reads/writes, closes, execs, connects, accepts,
 * clones, ...), and evaluates N events drawn from the pool. Only
 * rules_eval() is timed. Prints events/s, ns/event and matches.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "event/event.h"
#include "rules/rules.h"
#include "state/state.h"

#define POOL_MAX 65536
#define NPROC 64

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct proc {
	uint32_t pid, ppid;
	const char *comm, *exe, *args;
};

/* A small realistic host: systemd, sshd sessions, a web server, a
 * database, cron, containers' shims. */
static const struct proc procs[] = {
	{ 1, 0, "systemd", "/usr/lib/systemd/systemd", "systemd" },
	{ 300, 1, "sshd", "/usr/sbin/sshd", "sshd\0-D" },
	{ 310, 300, "sshd", "/usr/sbin/sshd", "sshd: alice" },
	{ 320, 310, "bash", "/usr/bin/bash", "-bash" },
	{ 400, 1, "nginx", "/usr/sbin/nginx", "nginx\0-g\0daemon off;" },
	{ 401, 400, "nginx", "/usr/sbin/nginx", "nginx: worker process" },
	{ 402, 400, "nginx", "/usr/sbin/nginx", "nginx: worker process" },
	{ 500, 1, "postgres", "/usr/lib/postgresql/15/bin/postgres", "postgres\0-D\0/var/lib/postgresql" },
	{ 501, 500, "postgres", "/usr/lib/postgresql/15/bin/postgres", "postgres: checkpointer" },
	{ 600, 1, "cron", "/usr/sbin/cron", "cron\0-f" },
	{ 700, 1, "containerd", "/usr/bin/containerd", "containerd" },
	{ 710, 700, "containerd-shim", "/usr/bin/containerd-shim-runc-v2", "containerd-shim-runc-v2" },
	{ 720, 710, "java", "/usr/bin/java", "java\0-jar\0app.jar" },
	{ 730, 710, "python3", "/usr/bin/python3.11", "python3\0app.py" },
	{ 800, 1, "node", "/usr/bin/node", "node\0server.js" },
	{ 900, 320, "vim", "/usr/bin/vim", "vim\0notes.txt" },
};
#define NP (sizeof(procs) / sizeof(procs[0]))

static const char *const paths[] = {
	"/etc/ld.so.cache", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/proc/self/stat",
	"/var/log/nginx/access.log", "/var/www/html/index.html", "/tmp/tmp.8d7f",
	"/var/lib/postgresql/15/main/base/16384/2619", "/etc/passwd", "/home/alice/notes.txt",
	"/usr/share/zoneinfo/UTC", "/dev/null", "/sys/fs/cgroup/memory.max",
	"/etc/hosts", "/etc/resolv.conf", "/usr/lib/jvm/lib/modules", "/app/app.py",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static const char *const wpaths[] = {
	"/var/log/nginx/access.log", "/tmp/tmp.8d7f", "/var/lib/postgresql/15/main/pg_wal/0001",
	"/home/alice/notes.txt", "/app/cache/session.db", "/var/log/app.log",
};
#define NWPATHS (sizeof(wpaths) / sizeof(wpaths[0]))
static const char *const tpaths[] = { "/tmp/tmp.8d7f", "/app/cache/session.db.tmp", "/home/alice/.viminfo.tmp" };

static const char *fdname(size_t pi, int fd)
{
	if (fd == 14)
		return "/etc/shadow";
	return fd >= 11 ? wpaths[(pi + (size_t)fd) % NWPATHS] : paths[(pi + (size_t)fd) % NPATHS];
}

static size_t build_snap(uint8_t *buf, const struct proc *p)
{
	struct evt_builder b;
	size_t alen = 0;

	while (p->args[alen] || p->args[alen + 1])
		alen++;
	alen += 2;
	evt_build_begin(&b, buf, 65536, VIGIL_EVT_PROC_SNAP, 1000, p->pid, p->pid);
	for (unsigned i = 0; i < evt_table[VIGIL_EVT_PROC_SNAP].nparams; i++) {
		const char *n = evt_table[VIGIL_EVT_PROC_SNAP].params[i].name;

		if (!strcmp(n, "tid") || !strcmp(n, "pid") || !strcmp(n, "vtid") || !strcmp(n, "vpid"))
			evt_build_u64(&b, p->pid);
		else if (!strcmp(n, "ppid"))
			evt_build_u64(&b, p->ppid);
		else if (!strcmp(n, "comm"))
			evt_build_str(&b, p->comm);
		else if (!strcmp(n, "exe") || !strcmp(n, "filename"))
			evt_build_str(&b, p->exe);
		else if (!strcmp(n, "args"))
			evt_build_bytes(&b, p->args, alen - 1, 0);
		else if (!strcmp(n, "cwd"))
			evt_build_str(&b, "/");
		else if (!strcmp(n, "uid") || !strcmp(n, "euid") || !strcmp(n, "gid") ||
			 !strcmp(n, "egid"))
			evt_build_u32(&b, p->pid == 320 || p->pid == 900 ? 1000 : 0);
		else if (!strcmp(n, "loginuid"))
			evt_build_u32(&b, p->pid == 320 || p->pid == 900 ? 1000 : 0xffffffffu);
		else if (!strcmp(n, "cgroup"))
			evt_build_str(&b, p->ppid == 710 ? "/system.slice/containerd.service/kubepods-besteffort-pod1234.slice:cri-containerd:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" : "/system.slice");
		else if (!strcmp(n, "start_ts"))
			evt_build_u64(&b, 1000);
		else
			evt_build_empty(&b, 0);
	}
	return evt_build_end(&b);
}

static void put_addr(struct evt_sockaddr *sa, const char *ip, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->family = AF_INET;
	inet_pton(AF_INET, ip, sa->addr);
	sa->port = port;
}

/* One generated event of the mix into buf; returns its length. */
static size_t gen(uint8_t *buf)
{
	size_t pi = 1 + rnd() % (NP - 1);
	const struct proc *p = &procs[pi];
	unsigned r = (unsigned)(rnd() % 1000), type;
	struct evt_builder b;
	struct evt_sockaddr l, rm;

	if (r < 300)
		type = VIGIL_EVT_OPENAT;
	else if (r < 480)
		type = VIGIL_EVT_READ;
	else if (r < 600)
		type = VIGIL_EVT_WRITE;
	else if (r < 720)
		type = VIGIL_EVT_CLOSE;
	else if (r < 760)
		type = VIGIL_EVT_EXECVE;
	else if (r < 810)
		type = VIGIL_EVT_CONNECT;
	else if (r < 840)
		type = VIGIL_EVT_ACCEPT4;
	else if (r < 870)
		type = VIGIL_EVT_CLONE;
	else if (r < 900)
		type = VIGIL_EVT_SENDTO;
	else if (r < 930)
		type = VIGIL_EVT_FCNTL;
	else if (r < 950)
		type = VIGIL_EVT_UNLINKAT;
	else if (r < 965)
		type = VIGIL_EVT_RENAMEAT2;
	else if (r < 975)
		type = VIGIL_EVT_DUP2;
	else if (r < 985)
		type = VIGIL_EVT_SOCKET;
	else if (r < 990)
		type = VIGIL_EVT_MKDIRAT;
	else if (r < 995)
		type = VIGIL_EVT_SETUID;
	else
		type = VIGIL_EVT_PROC_EXIT;
	evt_build_begin(&b, buf, 65536, type, 2000000000ull, p->pid, p->pid);
	/* fds 3..7 are files read, 8..10 sockets, 11..13 files written (see
	 * the snapshot); an open names the file its fd has in the state */
	bool wr = type == VIGIL_EVT_OPENAT && rnd() % 5 == 0;
	int64_t fd = wr ? 11 + (int64_t)(rnd() % 3) : 3 + (int64_t)(rnd() % 8);

	if (wr && rnd() % 200 == 0)
		fd = 14;	/* the rare bad one: /etc/shadow opened for writing */
	const char *path = fdname(pi, (int)fd);

	if (type != VIGIL_EVT_OPENAT && type != VIGIL_EVT_EXECVE)
		path = tpaths[rnd() % 3];	/* renames, unlinks, mkdirs of temp files */

	for (unsigned i = 0; i < evt_table[type].nparams; i++) {
		const struct evt_param_info *pi = &evt_table[type].params[i];
		const char *n = pi->name;

		switch (pi->type) {
		case VIGIL_PT_PATH:
		case VIGIL_PT_STR:
			if (!strcmp(n, "comm"))
				evt_build_str(&b, p->comm);
			else if (!strcmp(n, "exe") || !strcmp(n, "filename"))
				evt_build_str(&b, type == VIGIL_EVT_EXECVE && rnd() % 4 == 0 ?
					      "/usr/bin/ls" : p->exe);
			else if (!strcmp(n, "cwd"))
				evt_build_str(&b, "/");
			else
				evt_build_str(&b, path);
			break;
		case VIGIL_PT_STRARRAY:
			if (!strcmp(n, "args"))
				evt_build_bytes(&b, "ls\0-la\0", 7, 0);
			else
				evt_build_empty(&b, 0);
			break;
		case VIGIL_PT_BYTES:
			evt_build_bytes(&b, "GET / HTTP/1.1\r\nHost: x\r\n", 25, 0);
			break;
		case VIGIL_PT_SOCKADDR:
			put_addr(&l, rnd() % 4 ? "10.0.3.7" : "93.184.216.34", rnd() % 2 ? 443 : 5432);
			evt_build_sockaddr(&b, &l);
			break;
		case VIGIL_PT_SOCKTUPLE:
			put_addr(&l, "10.0.0.5", (uint16_t)(30000 + rnd() % 30000));
			put_addr(&rm, rnd() % 4 ? "10.0.3.7" : "93.184.216.34", rnd() % 2 ? 443 : 5432);
			evt_build_tuple(&b, &l, &rm);
			break;
		case VIGIL_PT_FLAGS32:
			evt_build_u32(&b, wr ? 0x441 : 0);	/* O_WRONLY|O_CREAT|O_APPEND */
			break;
		default:
			if (i == 0 && (pi->type == VIGIL_PT_FD || pi->type == VIGIL_PT_S64 ||
				       pi->type == VIGIL_PT_ERRNO || pi->type == VIGIL_PT_PID))
				evt_build_u64(&b, (uint64_t)(rnd() % 20 ? (type == VIGIL_EVT_OPENAT ||
					type == VIGIL_EVT_ACCEPT4 || type == VIGIL_EVT_SOCKET ? fd : 0) : -2));
			else if (pi->type == VIGIL_PT_FD)
				evt_build_u64(&b, (uint64_t)(!strcmp(n, "dirfd") ? -100 : fd));
			else if (evt_table[type].params[i].type == VIGIL_PT_U32 ||
				 pi->type == VIGIL_PT_UID || pi->type == VIGIL_PT_GID ||
				 pi->type == VIGIL_PT_MODE || pi->type == VIGIL_PT_DEV ||
				 pi->type == VIGIL_PT_ENUM)
				evt_build_u32(&b, (uint32_t)(rnd() % 3));
			else
				evt_build_u64(&b, rnd() % 64);
			break;
		}
	}
	return evt_build_end(&b);
}

static struct { const char *name; unsigned long n; } hits[64];

static void on_match(const struct rule_match *m, void *arg)
{
	for (int i = 0; i < 64; i++)
		if (hits[i].name == m->rule->name || !hits[i].name) {
			hits[i].name = m->rule->name;
			hits[i].n++;
			break;
		}
	++*(unsigned long *)arg;
}

/* The host: every process (PROC_SNAP) with fds 3..14 (FD_SNAP): files,
 * and TCP sockets at 8..10. */
static void build_host(struct state *st)
{
	static uint8_t buf[65536];

	for (size_t i = 0; i < NP; i++) {
		size_t len = build_snap(buf, &procs[i]);
		struct evt ev;

		if (len && evt_decode(buf, len, &ev) == EVT_OK)
			state_apply(st, &ev);
		for (int fd = 3; fd < 15; fd++) {
			struct evt_builder b;

			evt_build_begin(&b, buf, sizeof(buf), VIGIL_EVT_FD_SNAP, 1000, procs[i].pid,
					procs[i].pid);
			evt_build_u64(&b, procs[i].pid);
			evt_build_u64(&b, (uint64_t)fd);
			if (fd < 8 || fd >= 11) {
				evt_build_u32(&b, 'f');
				evt_build_str(&b, fdname(i, fd));
				evt_build_u32(&b, 0);
				evt_build_empty(&b, 0);
			} else {
				struct evt_sockaddr l, r;

				put_addr(&l, "10.0.0.5", (uint16_t)(40000 + fd));
				put_addr(&r, "10.0.3.7", 5432);
				evt_build_u32(&b, '4');
				evt_build_empty(&b, 0);
				evt_build_u32(&b, 0);
				evt_build_tuple(&b, &l, &r);
			}
			evt_build_u64(&b, 1234);
			len = evt_build_end(&b);
			if (len && evt_decode(buf, len, &ev) == EVT_OK)
				state_apply(st, &ev);
		}
	}
}

/* Up to want generated events, stored 8-byte aligned in store (cap bytes)
 * and decoded into pool; returns how many. */
static size_t build_pool(uint8_t *store, size_t cap, struct evt *pool, size_t want)
{
	static uint8_t buf[65536];
	size_t used = 0, npool = 0;

	while (npool < want) {
		size_t len = gen(buf);

		if (!len || used + len > cap)
			break;
		memcpy(store + used, buf, len);
		if (evt_decode(store + used, len, &pool[npool]) == EVT_OK)
			npool++;
		used += (len + 7) & ~(size_t)7;
	}
	return npool;
}

/* Loads a rules argument: every file of a directory, or one file. */
static void load_rules_arg(struct rules_engine *e, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		rules_load_dir(e, path);
	else
		rules_load_file(e, path);
}

/* Compiles the loaded rules with matching "all"; on errors prints them to
 * @out and returns nonzero. */
static int finish_rules_all(struct rules_engine *e, FILE *out)
{
	rules_set_matching(e, RULES_MATCH_ALL);
	if (!rules_finish(e))
		return 0;
	const struct diag_list *d = rules_diags(e);

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].sev == DIAG_ERROR)
			diag_print(&d->v[i], out);
	return 1;
}

int main(int argc, char **argv)
{
	long n = 1000000;
	bool per_type = false;
	size_t POOL = 8192;
	struct rules_engine *e = rules_new();
	struct state_cfg cfg = { .hostname = "bench" };
	char err[256];
	struct state *st = state_new(&cfg, err, sizeof(err));
	struct evt *pool = calloc(POOL_MAX, sizeof(*pool));
	uint8_t *store = malloc((size_t)POOL_MAX * 512);
	size_t npool = 0;
	uint32_t *order;
	unsigned long matches = 0;
	struct timespec t0, t1, c0, c1;
	int nfiles = 0;

	if (!e || !st || !pool || !store)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = atol(argv[++i]);
			continue;
		}
		if (!strcmp(argv[i], "-t")) {
			per_type = true;
			continue;
		}
		if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			POOL = (size_t)atol(argv[++i]);
			if (POOL < 1 || POOL > POOL_MAX)
				POOL = POOL_MAX;
			continue;
		}
		if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			rng = strtoull(argv[++i], NULL, 0) | 1;
			continue;
		}
		load_rules_arg(e, argv[i]);
		nfiles++;
	}
	if (!nfiles) {
		fprintf(stderr, "usage: bench_rules [-n EVENTS] RULEFILE|DIR...\n");
		return 2;
	}
	if (finish_rules_all(e, stderr))
		return 1;
	build_host(st);
	npool = build_pool(store, (size_t)POOL_MAX * 512, pool, POOL);
	order = malloc((size_t)n * sizeof(*order));
	if (!order || !npool)
		return 1;
	for (long i = 0; i < n; i++)
		order[i] = (uint32_t)(rnd() % npool);
	struct rules_ctx *c = rules_ctx_new(e, st);

	/* warm up, then time */
	for (size_t i = 0; i < npool; i++) {
		pool[i].num = i + 1;
		rules_eval(e, c, &pool[i], on_match, &matches);
	}
	matches = 0;
	memset(hits, 0, sizeof(hits));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	for (long i = 0; i < n; i++) {
		pool[order[i]].num = (uint64_t)i + 1;	/* numbered from 1, as the reader does */
		rules_eval(e, c, &pool[order[i]], on_match, &matches);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cs = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	size_t enabled = 0;

	for (size_t i = 0; i < rules_count(e); i++)
		enabled += rules_get(e, i)->enabled && rules_get(e, i)->compiled;
	printf("rules: %zu loaded, %zu enabled\n", rules_count(e), enabled);
	{
		unsigned long runs = 0;
		unsigned per[VIGIL_EVT_NR] = { 0 };

		for (size_t i = 0; i < rules_count(e); i++) {
			const unsigned long long *bits = rules_evtypes(e, i);

			if (!rules_get(e, i)->enabled || !rules_get(e, i)->compiled)
				continue;
			for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
				per[t] += (bits[t / 64] >> (t % 64)) & 1;
		}
		for (long i = 0; i < n; i++)
			runs += per[pool[order[i]].hdr->type];
		printf("index: %.2f rules run per event on average (openat %u, execve %u, "
		       "read %u, connect %u)\n", (double)runs / (double)n, per[VIGIL_EVT_OPENAT],
		       per[VIGIL_EVT_EXECVE], per[VIGIL_EVT_READ], per[VIGIL_EVT_CONNECT]);
	}
	printf("events: %ld (pool %zu distinct), matches: %lu (%.3f%%)\n", n, npool, matches,
	       100.0 * (double)matches / (double)n);
	printf("wall: %.3f s, %.0f ns/event, %.2f M events/s\n", s, s * 1e9 / (double)n,
	       (double)n / s / 1e6);
	printf("cpu:  %.3f s, %.0f ns/event, %.2f M events/s (thread CPU time: what one "
	       "core does when it is not shared)\n", cs, cs * 1e9 / (double)n, (double)n / cs / 1e6);
	if (per_type) {	/* where the time goes, by event type (rdtsc around each call) */
		static unsigned long long cyc[VIGIL_EVT_NR], cnt[VIGIL_EVT_NR], total;

		for (long i = 0; i < n; i++) {
			const struct evt *ev = &pool[order[i]];
			unsigned long long a = __builtin_ia32_rdtsc();

			rules_eval(e, c, ev, NULL, NULL);
			a = __builtin_ia32_rdtsc() - a;
			cyc[ev->hdr->type] += a;
			cnt[ev->hdr->type]++;
			total += a;
		}
		for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
			if (cnt[t])
				printf("  %-12s %5.1f%% of events %5.1f%% of cycles %6.0f cycles/event\n",
				       evt_table[t].name, 100.0 * (double)cnt[t] / (double)n,
				       100.0 * (double)cyc[t] / (double)total, (double)cyc[t] / (double)cnt[t]);
	}
	for (int i = 0; i < 64 && hits[i].name; i++)
		printf("  matched %7lu  %s\n", hits[i].n, hits[i].name);
	rules_ctx_free(c);
	rules_free(e);
	state_free(st);
	free(order);
	free(pool);
	free(store);
	return 0;
}
