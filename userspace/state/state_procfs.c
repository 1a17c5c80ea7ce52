/* SPDX-License-Identifier: MIT */
/* state_procfs.c - seeding from <root>/proc, and writing the state back out
 * as PROC_SNAP / FD_SNAP / CONTAINER records (the capture snapshot). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "state/state_int.h"

static size_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t n = 0;
	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	return n;
}

static size_t read_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	return (size_t)n;
}

static uint32_t ns_ino(const char *dir, const char *ns)
{
	char path[PATH_MAX + 96], buf[64];
	snprintf(path, sizeof(path), "%s/ns/%s", dir, ns);
	if (!read_link(path, buf, sizeof(buf)))
		return 0;
	const char *b = strchr(buf, '[');
	return b ? (uint32_t)strtoul(b + 1, NULL, 10) : 0;
}

static uint64_t boot_time_ns(void)
{
	struct timespec rt, mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &mono);
	return ((uint64_t)rt.tv_sec - (uint64_t)mono.tv_sec) * 1000000000u +
	       (uint64_t)rt.tv_nsec - (uint64_t)mono.tv_nsec;
}

/* last value of a "Key:\ta\tb\tc" line of /proc/PID/status, by column */
static bool status_field(const char *status, const char *key, unsigned col, uint64_t *out, int base)
{
	size_t kl = strlen(key);
	for (const char *l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, kl) || l[kl] != ':')
			continue;
		const char *p = l + kl + 1;
		for (unsigned c = 0; c <= col; c++) {
			while (*p == ' ' || *p == '\t')
				p++;
			char *end;
			unsigned long long v = strtoull(p, &end, base);
			if (end == p)
				return false;
			if (c == col) {
				*out = v;
				return true;
			}
			p = end;
		}
	}
	return false;
}

static bool status_last(const char *status, const char *key, uint64_t *out)
{
	for (unsigned col = 8; col < 9; col--) {
		if (status_field(status, key, col, out, 10))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ sockets
 * /proc/PID/net/{tcp,tcp6,udp,udp6,unix} (per network namespace, read once
 * per namespace while seeding) map socket inodes to addresses. */
struct sockinfo {
	uint8_t family, proto, listen;
	uint8_t lip[16], rip[16];
	uint16_t lport, rport;
	char *path;
};

struct socktab {
	struct idmap byino;		/* inode -> struct sockinfo */
	struct idmap netns_done;	/* netns inode -> (void *)1 */
};

static void hex_addr(const char *h, size_t n, uint8_t *out)
{
	/* groups of 8 hex digits, each a native-endian 32-bit word */
	for (size_t g = 0; g * 8 < n && g < 4; g++) {
		char w[9];
		memcpy(w, h + g * 8, 8);
		w[8] = 0;
		uint32_t v = (uint32_t)strtoul(w, NULL, 16);
		memcpy(out + g * 4, &v, 4);
	}
}

static void load_inet(struct socktab *t, const char *path, uint8_t family, uint8_t proto)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[512];
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return;
	}
	size_t alen = family == AF_INET ? 8 : 32;
	while (fgets(line, sizeof(line), f)) {
		char la[40], ra[40];
		unsigned lport, rport, stt;
		unsigned long long ino;
		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*s %*s %*s %*u %*u %llu",
			   la, &lport, ra, &rport, &stt, &ino) != 6 || !ino)
			continue;
		if (strlen(la) != alen || strlen(ra) != alen || idmap_get(&t->byino, ino))
			continue;
		struct sockinfo *si = calloc(1, sizeof(*si));
		if (!si)
			break;
		si->family = family;
		si->proto = proto;
		hex_addr(la, alen, si->lip);
		hex_addr(ra, alen, si->rip);
		si->lport = (uint16_t)lport;
		si->rport = (uint16_t)rport;
		si->listen = proto == IPPROTO_TCP && stt == 0x0A;
		if (idmap_put(&t->byino, ino, si) == si)
			free(si);
	}
	fclose(f);
}

static void load_unix(struct socktab *t, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[PATH_MAX + 128];
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long ino;
		int off = 0;
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %llu%n", &ino, &off) != 1 || !ino)
			continue;
		if (idmap_get(&t->byino, ino))
			continue;
		struct sockinfo *si = calloc(1, sizeof(*si));
		if (!si)
			break;
		si->family = AF_UNIX;
		char *pth = line + off;
		while (*pth == ' ')
			pth++;
		pth[strcspn(pth, "\n")] = 0;
		si->path = strdup(pth);
		if (idmap_put(&t->byino, ino, si) == si) {
			free(si->path);
			free(si);
		}
	}
	fclose(f);
}

static void socktab_load(struct state *st, struct socktab *t, uint32_t pid, uint32_t netns)
{
	if (idmap_get(&t->netns_done, netns ? netns : 1))
		return;
	idmap_put(&t->netns_done, netns ? netns : 1, (void *)1);
	char path[PATH_MAX + 64];
	static const struct { const char *name; uint8_t fam, proto; } files[] = {
		{ "tcp", AF_INET, IPPROTO_TCP }, { "tcp6", AF_INET6, IPPROTO_TCP },
		{ "udp", AF_INET, IPPROTO_UDP }, { "udp6", AF_INET6, IPPROTO_UDP },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(path, sizeof(path), "%s/proc/%u/net/%s", st->root, pid, files[i].name);
		load_inet(t, path, files[i].fam, files[i].proto);
	}
	snprintf(path, sizeof(path), "%s/proc/%u/net/unix", st->root, pid);
	load_unix(t, path);
}

static void socktab_free(struct socktab *t)
{
	uint64_t k;
	void *v;
	for (size_t i = 0; idmap_next(&t->byino, &i, &k, &v);) {
		free(((struct sockinfo *)v)->path);
		free(v);
	}
	idmap_free(&t->byino);
	idmap_free(&t->netns_done);
}

/* fills a socket fd from the table */
static void fd_from_sock(struct st_fd *f, const struct sockinfo *si)
{
	struct evt_sockaddr l, r;
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	l.family = r.family = si->family;
	if (si->family == AF_UNIX) {
		if (si->path && si->path[0]) {
			r.path = si->path;
			r.pathlen = strlen(si->path);
			st_fd_set_tuple(f, &l, &r, ST_ROLE_CLIENT);
		}
		f->typechar = 'u';
		f->family = AF_UNIX;
		return;
	}
	memcpy(l.addr, si->lip, 16);
	memcpy(r.addr, si->rip, 16);
	l.port = si->lport;
	r.port = si->rport;
	f->l4proto = si->proto;
	/* a listener, or the end with the well-known (lower) port, is the server */
	bool server = si->listen || !si->rport || si->lport < si->rport;
	st_fd_set_tuple(f, &l, &r, server ? ST_ROLE_SERVER : ST_ROLE_CLIENT);
	if (si->listen || !si->rport) {
		char ip[64], buf[96];
		inet_ntop(si->family, si->lip, ip, sizeof(ip));
		snprintf(buf, sizeof(buf), "%s:%u", ip, si->lport);
		free(f->name);
		f->name = strdup(buf);
	}
}

static struct socktab *cur_socks;	/* set while seeding */

static void fill_fds(struct state *st, struct st_proc *p, const char *dir)
{
	char path[PATH_MAX + 128], link[PATH_MAX], info[512];
	snprintf(path, sizeof(path), "%s/fd", dir);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < 0)
			continue;
		snprintf(path, sizeof(path), "%s/fd/%ld", dir, fd);
		size_t n = read_link(path, link, sizeof(link));
		if (!n)
			continue;
		struct st_fd *f = st_fd_add(st, p, fd);
		if (!f)
			break;
		snprintf(path, sizeof(path), "%s/fdinfo/%ld", dir, fd);
		uint64_t flags = 0;
		if (read_file(path, info, sizeof(info)))
			status_field(info, "flags", 0, &flags, 8);
		f->flags = (uint32_t)flags;
		struct stat sb;
		snprintf(path, sizeof(path), "%s/fd/%ld", dir, fd);
		if (!stat(path, &sb))
			f->ino = sb.st_ino;
		if (link[0] == '/') {
			f->typechar = S_ISDIR(sb.st_mode) ? 'd' : 'f';
			f->name = strdup(link);
		} else if (!strncmp(link, "socket:", 7)) {
			f->typechar = 'u';	/* refined below when it is an inet socket */
			f->family = AF_UNIX;
			f->name = strdup("");
			if (cur_socks) {
				socktab_load(st, cur_socks, p->pid, p->netns);
				const struct sockinfo *si = idmap_get(&cur_socks->byino,
								      strtoull(link + 8, NULL, 10));
				if (si)
					fd_from_sock(f, si);
			}
		} else if (!strncmp(link, "pipe:", 5)) {
			f->typechar = 'p';
			f->name = strdup(link);
		} else if (!strncmp(link, "anon_inode:", 11)) {
			const char *k = link + 11;
			f->typechar = strstr(k, "eventfd") ? 'e' : strstr(k, "eventpoll") ? 'l' :
				      strstr(k, "signalfd") ? 's' : strstr(k, "inotify") ? 'i' :
				      strstr(k, "timerfd") ? 't' : strstr(k, "bpf") ? 'b' : 'o';
			f->name = strdup(link);
		} else if (!strncmp(link, "/memfd:", 7)) {
			f->typechar = 'm';
			f->name = strdup(link + 1);
		} else {
			f->typechar = 'o';
			f->name = strdup(link);
		}
	}
	closedir(d);
}

/* Reads one process from <root>/proc/<pid>, lists it, and returns it (with
 * no thread: the caller adds them). */
struct st_proc *st_proc_fill_from_procfs(struct state *st, uint32_t pid)
{
	char dir[PATH_MAX + 32], path[PATH_MAX + 96], buf[8192];
	snprintf(dir, sizeof(dir), "%s/proc/%u", st->root, pid);
	snprintf(path, sizeof(path), "%s/stat", dir);
	size_t n = read_file(path, buf, sizeof(buf));
	char *rp = n ? strrchr(buf, ')') : NULL;
	char *lp = n ? strchr(buf, '(') : NULL;
	if (!rp || !lp)
		return NULL;
	struct st_proc *p = st_proc_new(st, pid);
	if (!p)
		return NULL;
	p->comm = st_strndup(lp + 1, (size_t)(rp - lp - 1));
	unsigned long long ppid = 0, pgrp = 0, sid = 0, tty = 0, start = 0;
	/* fields after ')': state ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime */
	if (sscanf(rp + 2, "%*c %llu %llu %llu %llu %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &ppid, &pgrp, &sid, &tty, &start) == 5) {
		p->ppid = (uint32_t)ppid;
		struct st_proc *pp = idmap_get(&st->procs, p->ppid);
		if (pp)
			pp->flags |= ST_PROC_FORKED;
		p->pgid = p->vpgid = (uint32_t)pgrp;
		p->sid = (uint32_t)sid;
		p->tty = (uint32_t)tty;
		long hz = sysconf(_SC_CLK_TCK);
		p->start_ts = boot_time_ns() + start * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100));
	}
	snprintf(path, sizeof(path), "%s/status", dir);
	if (read_file(path, buf, sizeof(buf))) {
		uint64_t v;
		if (status_field(buf, "Uid", 0, &v, 10)) p->uid = (uint32_t)v;
		if (status_field(buf, "Uid", 1, &v, 10)) p->euid = (uint32_t)v;
		if (status_field(buf, "Gid", 0, &v, 10)) p->gid = (uint32_t)v;
		if (status_field(buf, "Gid", 1, &v, 10)) p->egid = (uint32_t)v;
		if (status_last(buf, "NStgid", &v)) p->vpid = (uint32_t)v;
		if (status_last(buf, "NSpgid", &v)) p->vpgid = (uint32_t)v;
		if (status_field(buf, "CapInh", 0, &v, 16)) p->cap_inh = v;
		if (status_field(buf, "CapPrm", 0, &v, 16)) p->cap_prm = v;
		if (status_field(buf, "CapEff", 0, &v, 16)) p->cap_eff = v;
	}
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	n = read_file(path, buf, sizeof(buf));
	if (n) {
		size_t l0 = strnlen(buf, n);
		p->exe = st_strndup(buf, l0);
		if (l0 + 1 < n) {
			p->args = st_strndup(buf + l0 + 1, n - l0 - 1);
			p->args_len = p->args ? n - l0 - 1 : 0;
		}
	}
	snprintf(path, sizeof(path), "%s/exe", dir);
	if ((n = read_link(path, buf, sizeof(buf)))) {
		char *del = strstr(buf, " (deleted)");
		if (del)
			*del = 0;
		p->exepath = strdup(buf);
		struct stat sb;
		if (!stat(path, &sb)) {
			p->exe_ino = sb.st_ino;
			p->exe_ctime = (uint64_t)sb.st_ctim.tv_sec * 1000000000u + (uint64_t)sb.st_ctim.tv_nsec;
			p->exe_mtime = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
		}
		if (!strncmp(buf, "/memfd:", 7))
			p->exec_flags |= VIGIL_EXEC_FROM_MEMFD;
	}
	snprintf(path, sizeof(path), "%s/cwd", dir);
	if ((n = read_link(path, buf, sizeof(buf) - 1))) {
		if (buf[n - 1] != '/') {
			buf[n++] = '/';
			buf[n] = 0;
		}
		p->cwd = strdup(buf);
	}
	snprintf(path, sizeof(path), "%s/loginuid", dir);
	if (read_file(path, buf, sizeof(buf)))
		p->loginuid = (uint32_t)strtoul(buf, NULL, 10);
	p->pidns = ns_ino(dir, "pid");
	p->mntns = ns_ino(dir, "mnt");
	p->netns = ns_ino(dir, "net");
	p->userns = ns_ino(dir, "user");
	snprintf(path, sizeof(path), "%s/cgroup", dir);
	if ((n = read_file(path, buf, sizeof(buf)))) {
		/* cgroup v2: "0::/path"; v1: take the first line with a path */
		char *line = strstr(buf, "0::");
		line = line ? line + 3 : strchr(buf, '/');
		if (line) {
			size_t l = strcspn(line, "\n");
			p->cgroup = st_strndup(line, l);
			st_proc_set_container(p, st_container_for_cgroup(st, line, l, pid));
		}
	}
	if (cur_socks) {
		fill_fds(st, p, dir);
	} else {
		/* a process first seen mid-stream: its own socket table */
		struct socktab socks;
		idmap_init(&socks.byino);
		idmap_init(&socks.netns_done);
		cur_socks = &socks;
		fill_fds(st, p, dir);
		cur_socks = NULL;
		socktab_free(&socks);
	}
	p->flags |= ST_PROC_FROM_PROCFS;
	st->stats.proc_filled++;
	return p;
}

int state_seed_from_proc(struct state *st, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/proc", st->root);
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "state_seed_from_proc: cannot open %s", path);
		return -1;
	}
	int count = 0;
	pid_t self = getpid();
	struct socktab socks;
	idmap_init(&socks.byino);
	idmap_init(&socks.netns_done);
	cur_socks = &socks;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		if (*end || end == de->d_name || !pid || pid > UINT32_MAX)
			continue;
		if (!st->root[0] && (pid_t)pid == self)
			continue;	/* the engine never watches itself */
		if (idmap_get(&st->procs, pid))
			continue;
		struct st_proc *p = st_proc_fill_from_procfs(st, (uint32_t)pid);
		if (!p)
			continue;
		count++;
		snprintf(path, sizeof(path), "%s/proc/%lu/task", st->root, pid);
		DIR *td = opendir(path);
		struct dirent *te;
		bool any = false;
		while (td && (te = readdir(td))) {
			unsigned long tid = strtoul(te->d_name, &end, 10);
			if (*end || end == te->d_name || !tid)
				continue;
			if (st_thread_add(st, (uint32_t)tid, p))
				any = true;
		}
		if (td)
			closedir(td);
		if (!any && !st_thread_add(st, (uint32_t)pid, p))
			st_proc_unlist(st, p);
	}
	closedir(d);
	cur_socks = NULL;
	socktab_free(&socks);
	return count;
}

/* ------------------------------------------------------------ snapshot */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void build_strarray(struct evt_builder *b, const char *head, const char *rest, size_t rl)
{
	size_t hl = head ? strlen(head) : 0;
	size_t n = hl + 1 + rl;
	char *buf = malloc(n + 1);
	if (!buf) {
		evt_build_empty(b, VIGIL_PARAM_TRUNC);
		return;
	}
	if (hl)
		memcpy(buf, head, hl);
	buf[hl] = 0;
	if (rl)
		memcpy(buf + hl + 1, rest, rl);
	if (rl && rest[rl - 1] != 0)
		buf[n++] = 0;
	if (n > VIGIL_PARAM_MAX_LEN)
		evt_build_bytes(b, buf, VIGIL_PARAM_MAX_LEN, VIGIL_PARAM_TRUNC);
	else
		evt_build_bytes(b, buf, n - (rl ? 0 : 0), 0);
	free(buf);
}

static size_t proc_snap_record(const struct st_proc *p, uint32_t tid, uint32_t vtid, uint64_t ts,
			       void *buf, size_t cap)
{
	struct evt_builder b;
	evt_build_begin(&b, buf, cap, VIGIL_EVT_PROC_SNAP, ts, tid, p->pid);
	evt_build_u64(&b, tid);
	evt_build_u64(&b, p->pid);
	evt_build_u64(&b, 0);				/* res */
	evt_build_str(&b, p->exepath ? p->exepath : "");	/* filename */
	build_strarray(&b, p->exe, p->args, p->args ? p->args_len : 0);
	if (p->env && p->env_len)
		evt_build_bytes(&b, p->env, p->env_len, 0);
	else
		evt_build_empty(&b, 0);
	evt_build_str(&b, p->exepath ? p->exepath : "");
	evt_build_str(&b, p->cwd ? p->cwd : "");
	evt_build_u64(&b, p->ppid);
	evt_build_u64(&b, vtid);
	evt_build_u64(&b, p->vpid);
	evt_build_u64(&b, p->pgid);
	evt_build_u64(&b, p->vpgid);
	evt_build_u64(&b, p->sid);
	evt_build_u32(&b, p->uid);
	evt_build_u32(&b, p->gid);
	evt_build_u32(&b, p->euid);
	evt_build_u32(&b, p->egid);
	evt_build_u32(&b, p->loginuid);
	evt_build_u32(&b, p->tty);
	evt_build_str(&b, p->cgroup ? p->cgroup : "");
	evt_build_u64(&b, p->cap_inh);
	evt_build_u64(&b, p->cap_prm);
	evt_build_u64(&b, p->cap_eff);
	evt_build_u64(&b, p->exe_ino);
	evt_build_u64(&b, p->exe_ctime);
	evt_build_u64(&b, p->exe_mtime);
	evt_build_u32(&b, p->exec_flags);
	evt_build_u32(&b, p->pidns);
	evt_build_u32(&b, p->mntns);
	evt_build_u32(&b, p->netns);
	evt_build_u32(&b, p->userns);
	evt_build_str(&b, p->comm ? p->comm : "");
	evt_build_u64(&b, (uint64_t)(int64_t)AT_FDCWD);	/* dirfd */
	evt_build_u32(&b, 0);				/* at_flags */
	evt_build_u64(&b, p->start_ts);
	return evt_build_end(&b);
}

static size_t fd_snap_record(const struct st_proc *p, int64_t fd, const struct st_fd *f,
			     uint64_t ts, void *buf, size_t cap)
{
	struct evt_builder b;
	evt_build_begin(&b, buf, cap, VIGIL_EVT_FD_SNAP, ts, p->pid, p->pid);
	evt_build_u64(&b, p->pid);
	evt_build_u64(&b, (uint64_t)fd);
	evt_build_u32(&b, (uint32_t)(unsigned char)f->typechar);
	evt_build_str(&b, f->name ? f->name : "");
	evt_build_u32(&b, f->flags);
	if (f->family == AF_INET || f->family == AF_INET6) {
		struct evt_sockaddr l = { .family = f->family, .port = f->lport };
		struct evt_sockaddr r = { .family = f->family, .port = f->rport };
		memcpy(l.addr, f->lip, 16);
		memcpy(r.addr, f->rip, 16);
		evt_build_tuple(&b, &l, &r);
	} else {
		evt_build_empty(&b, 0);
	}
	evt_build_u64(&b, f->ino);
	return evt_build_end(&b);
}

long state_write_snapshot(struct state *st, uint64_t ts, state_emit_fn emit, void *arg,
			  char *err, size_t errlen)
{
	long count = 0;
	uint8_t *buf = malloc(VIGIL_RECORD_MAX);
	uint64_t *keys = NULL;
	if (!buf)
		goto oom;
	for (unsigned i = 0; i < st->ncontainers; i++) {
		size_t n = st_container_record(st->containers[i], ts, buf, VIGIL_RECORD_MAX);
		if (!n) {
			snprintf(err, errlen, "state_write_snapshot: container %s does not fit a record",
				 st->containers[i]->id);
			goto fail;
		}
		if (emit(arg, buf, n))
			goto emit_failed;
		count++;
	}
	/* threads sorted by (pid, tid): the leader's record first */
	size_t nt = st->threads.count, k = 0;
	keys = malloc((nt + 1) * sizeof(*keys));
	if (!keys)
		goto oom;
	uint64_t key;
	void *v;
	for (size_t i = 0; idmap_next(&st->threads, &i, &key, &v);) {
		struct st_thread *t = v;
		uint32_t order = t->tid == t->proc->pid ? 0 : t->tid;
		keys[k++] = (uint64_t)t->proc->pid << 32 | order;
	}
	qsort(keys, k, sizeof(*keys), cmp_u64);
	for (size_t i = 0; i < k; i++) {
		uint32_t pid = (uint32_t)(keys[i] >> 32), tid = (uint32_t)keys[i];
		if (!tid)
			tid = pid;
		struct st_thread *t = idmap_get(&st->threads, tid);
		if (!t)
			continue;
		struct st_proc *p = t->proc;
		size_t n = proc_snap_record(p, tid, t->vtid, ts, buf, VIGIL_RECORD_MAX);
		if (!n) {
			snprintf(err, errlen, "state_write_snapshot: thread %u does not fit a record", tid);
			goto fail;
		}
		if (emit(arg, buf, n))
			goto emit_failed;
		count++;
		/* after the last thread of a process: its fds, by number */
		if (i + 1 < k && (uint32_t)(keys[i + 1] >> 32) == pid)
			continue;
		if (!p->fdtab || !p->fdtab->fds.count)
			continue;
		uint64_t *fds = malloc(p->fdtab->fds.count * sizeof(*fds));
		if (!fds)
			goto oom;
		size_t nf = 0;
		for (size_t j = 0; idmap_next(&p->fdtab->fds, &j, &key, &v);)
			fds[nf++] = key;
		qsort(fds, nf, sizeof(*fds), cmp_u64);
		for (size_t j = 0; j < nf; j++) {
			n = fd_snap_record(p, (int64_t)fds[j], idmap_get(&p->fdtab->fds, fds[j]), ts,
					   buf, VIGIL_RECORD_MAX);
			if (!n || emit(arg, buf, n)) {
				free(fds);
				if (!n) {
					snprintf(err, errlen, "state_write_snapshot: fd does not fit a record");
					goto fail;
				}
				goto emit_failed;
			}
			count++;
		}
		free(fds);
	}
	free(keys);
	free(buf);
	return count;
oom:
	snprintf(err, errlen, "state_write_snapshot: out of memory");
	goto fail;
emit_failed:
	snprintf(err, errlen, "state_write_snapshot: writing record %ld failed", count + 1);
fail:
	free(keys);
	free(buf);
	return -1;
}
