/* SPDX-License-Identifier: MIT */
/* state.c - the state object, the thread and process tables, lookups. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/state_int.h"

static const char default_owner_keys[] = "team\0app.kubernetes.io/owner\0";

char *st_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void st_set_str(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = s ? st_strndup(s, n) : NULL;
}

struct state *state_new(const struct state_cfg *cfg, char *err, size_t errlen)
{
	struct state *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "state_new: out of memory");
		return NULL;
	}
	if (cfg)
		st->cfg = *cfg;
	if (!st->cfg.max_threads)
		st->cfg.max_threads = STATE_DEF_MAX_THREADS;
	if (!st->cfg.max_fds)
		st->cfg.max_fds = STATE_DEF_MAX_FDS;
	if (!st->cfg.max_containers)
		st->cfg.max_containers = STATE_DEF_MAX_CONTAINERS;
	if (st->cfg.root && strcmp(st->cfg.root, "/")) {
		size_t n = strlen(st->cfg.root);
		while (n > 1 && st->cfg.root[n - 1] == '/')
			n--;
		if (n >= sizeof(st->root)) {
			snprintf(err, errlen, "state_new: root path too long");
			free(st);
			return NULL;
		}
		memcpy(st->root, st->cfg.root, n);
		st->root[n] = 0;
	}
	st->files_ok = st->cfg.live || st->root[0];
	st->cfg.root = st->root;
	const char *envhost = getenv("VIGIL_HOSTNAME");
	if (st->cfg.hostname)
		snprintf(st->hostname, sizeof(st->hostname), "%s", st->cfg.hostname);
	else if (envhost && *envhost)
		snprintf(st->hostname, sizeof(st->hostname), "%s", envhost);
	else if (gethostname(st->hostname, sizeof(st->hostname) - 1))
		snprintf(st->hostname, sizeof(st->hostname), "unknown");
	st->cfg.hostname = st->hostname;
	const char *ok = st->cfg.owner_keys ? st->cfg.owner_keys : default_owner_keys;
	size_t okl = 0;
	while (ok[okl] || ok[okl + 1])
		okl++;
	okl += 2;
	st->owner_keys = malloc(okl);
	if (!st->owner_keys) {
		snprintf(err, errlen, "state_new: out of memory");
		free(st);
		return NULL;
	}
	memcpy(st->owner_keys, ok, okl);
	st->owner_keys_len = okl;
	st->cfg.owner_keys = st->owner_keys;
	idmap_init(&st->threads);
	idmap_init(&st->procs);
	st->host.id = (char *)"host";
	st->host.name = (char *)"host";
	st->host.runtime = (char *)"host";
	for (unsigned t = 0; t < VIGIL_EVT_NR; t++) {
		int i = -1;
		switch (t) {
		case VIGIL_EVT_OPEN: case VIGIL_EVT_OPENAT: case VIGIL_EVT_OPENAT2:
		case VIGIL_EVT_CREAT: case VIGIL_EVT_SOCKET: case VIGIL_EVT_ACCEPT:
		case VIGIL_EVT_ACCEPT4: case VIGIL_EVT_MEMFD_CREATE: case VIGIL_EVT_DUP:
		case VIGIL_EVT_DUP2: case VIGIL_EVT_DUP3:
			i = 0;
			break;
		case VIGIL_EVT_PIPE: case VIGIL_EVT_PIPE2: case VIGIL_EVT_SOCKETPAIR:
			i = 1;
			break;
		case VIGIL_EVT_FD_SNAP:
			i = VIGIL_P_FD_SNAP_fd;
			break;
		default:
			i = evt_param_index(t, "fd");
			break;
		}
		st->fdparam[t] = (int8_t)i;
	}
	return st;
}

void st_proc_set_container(struct st_proc *p, struct st_container *c)
{
	if (p->container)
		p->container->nprocs--;
	p->container = c;
	if (c)
		c->nprocs++;
}

static void st_proc_free(struct state *st, struct st_proc *p)
{
	st_proc_set_container(p, NULL);
	if (p->fdtab)
		st_fdtab_put(st, p->fdtab);
	free(p->comm);
	free(p->exe);
	free(p->exepath);
	free(p->args);
	free(p->env);
	free(p->cwd);
	free(p->cgroup);
	free(p);
}

void st_proc_put(struct state *st, struct st_proc *p)
{
	if (p && --p->refs == 0)
		st_proc_free(st, p);
}

void state_free(struct state *st)
{
	if (!st)
		return;
	uint64_t k;
	void *v;
	for (size_t i = 0; idmap_next(&st->threads, &i, &k, &v);) {
		struct st_thread *t = v;
		st_proc_put(st, t->proc);
		free(t);
	}
	for (size_t i = 0; idmap_next(&st->procs, &i, &k, &v);)
		st_proc_put(st, v);
	idmap_free(&st->threads);
	idmap_free(&st->procs);
	st_containers_free(st);
	st_userdbs_free(st);
	free(st->pend);
	free(st->owner_keys);
	free(st);
}

/* ---------------------------------------------------------------- tables */
struct st_proc *st_proc_new(struct state *st, uint32_t pid)
{
	struct st_proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = p->vpid = pid;
	p->loginuid = UINT32_MAX;
	p->fdtab = st_fdtab_new();
	if (!p->fdtab) {
		free(p);
		return NULL;
	}
	p->refs = 1;		/* the procs table */
	struct st_proc *old = idmap_put(&st->procs, pid, p);
	if (old == p) {		/* no memory */
		st_proc_free(st, p);
		return NULL;
	}
	if (old) {		/* a stale process of the same pid */
		st->stats.inconsistent++;
		old->flags |= ST_PROC_EXITED;
		st_proc_put(st, old);
	}
	st->stats.procs = st->procs.count;
	return p;
}

void st_proc_unlist(struct state *st, struct st_proc *p)
{
	if (idmap_get(&st->procs, p->pid) == p) {
		idmap_del(&st->procs, p->pid);
		st->stats.procs = st->procs.count;
		st_proc_put(st, p);
	}
}

void st_thread_remove(struct state *st, uint32_t tid)
{
	struct st_thread *t = idmap_del(&st->threads, tid);
	if (!t)
		return;
	struct st_proc *p = t->proc;
	p->nthreads--;
	/* a process whose every thread is gone is gone */
	if (!p->nthreads)
		st_proc_unlist(st, p);
	st_proc_put(st, p);
	free(t);
	st->stats.threads = st->threads.count;
}

/* Table full: evict the least recently seen threads (about 1/16 of the
 * table at once, so that eviction is amortized). */
static void st_evict_threads(struct state *st)
{
	uint64_t oldest = UINT64_MAX, k;
	void *v;
	for (size_t i = 0; idmap_next(&st->threads, &i, &k, &v);) {
		struct st_thread *t = v;
		if (t->last_seen < oldest)
			oldest = t->last_seen;
	}
	uint64_t cut = oldest + (st->now_num - oldest) / 16;
	size_t n = 0, cap = st->threads.count / 8 + 1;
	uint32_t *victims = malloc(cap * sizeof(*victims));
	if (!victims)
		return;
	for (size_t i = 0; n < cap && idmap_next(&st->threads, &i, &k, &v);) {
		struct st_thread *t = v;
		if (t->last_seen <= cut && t->last_seen < st->now_num)
			victims[n++] = (uint32_t)k;
	}
	for (size_t i = 0; i < n; i++)
		st_thread_remove(st, victims[i]);
	st->stats.evict_thread += n;
	free(victims);
}

struct st_thread *st_thread_add(struct state *st, uint32_t tid, struct st_proc *p)
{
	if (idmap_get(&st->threads, tid)) {
		st->stats.inconsistent++;
		st_thread_remove(st, tid);
	}
	if (st->threads.count >= st->cfg.max_threads) {
		p->refs++;	/* keep p while evicting */
		st_evict_threads(st);
		bool gone = p->refs == 1;
		st_proc_put(st, p);
		if (gone || st->threads.count >= st->cfg.max_threads)
			return NULL;
	}
	struct st_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = t->vtid = tid;
	t->proc = p;
	t->last_seen = st->now_num;
	if (idmap_put(&st->threads, tid, t) == t) {
		free(t);
		return NULL;
	}
	p->refs++;
	p->nthreads++;
	st->stats.threads = st->threads.count;
	return t;
}

/* The thread of an event; created when unknown (filled from /proc when
 * live, else marked incomplete). */
struct st_thread *st_thread_get(struct state *st, uint32_t tid, uint32_t pid)
{
	struct st_thread *t = idmap_get(&st->threads, tid);
	if (t) {
		if (t->proc->pid != pid) {
			/* the tid was reused by another process */
			st->stats.inconsistent++;
			st_thread_remove(st, tid);
		} else {
			t->last_seen = st->now_num;
			return t;
		}
	}
	if (!tid || !pid)
		return NULL;
	st->stats.thread_miss++;
	struct st_proc *p = idmap_get(&st->procs, pid);
	if (!p && st->cfg.live)
		p = st_proc_fill_from_procfs(st, pid);
	if (!p) {
		p = st_proc_new(st, pid);
		if (!p)
			return NULL;
		p->flags |= ST_PROC_INCOMPLETE;
		st->stats.incomplete++;
	}
	t = st_thread_add(st, tid, p);
	if (!t && !p->nthreads)
		st_proc_unlist(st, p);
	return t;
}

/* ------------------------------------------------------------- lookups */
struct st_thread *state_thread(struct state *st, uint32_t tid)
{
	return idmap_get(&st->threads, tid);
}

struct st_proc *state_proc(struct state *st, uint32_t pid)
{
	return idmap_get(&st->procs, pid);
}

struct st_proc *state_parent(struct state *st, const struct st_proc *p)
{
	if (!p || !p->ppid || p->ppid == p->pid)
		return NULL;
	return idmap_get(&st->procs, p->ppid);
}

int state_set_owner_keys(struct state *st, char *const *keys, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(keys[i]) + 1;
	if (!n)
		len = sizeof(default_owner_keys);
	char *buf = malloc(len + 1);
	if (!buf)
		return -1;
	if (!n) {
		memcpy(buf, default_owner_keys, sizeof(default_owner_keys));
	} else {
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (!keys[i][0])
				continue;	/* an empty key would end the list */
			size_t l = strlen(keys[i]) + 1;
			memcpy(buf + o, keys[i], l);
			o += l;
		}
		buf[o] = 0;
		buf[o + 1] = 0;
	}
	free(st->owner_keys);
	st->owner_keys = buf;
	st->cfg.owner_keys = buf;
	st_containers_set_owner(st);
	return 0;
}

const char *state_hostname(const struct state *st)
{
	return st->hostname;
}

int64_t state_boot_offset(const struct state *st)
{
	return st->cfg.boot_offset_ns;
}

const struct state_stats *state_stats(const struct state *st)
{
	return &st->stats;
}

const struct state_cfg *state_cfg(const struct state *st)
{
	return &st->cfg;
}

/* Normalizes base + path ("." and ".." and "//" removed) into out. */
int st_path_join(const char *base, const char *path, size_t len, char *out, size_t size)
{
	if (size < 2)
		return 0;
	size_t o = 0;
	out[o++] = '/';
	const char *parts[2] = { base, path };
	size_t lens[2] = { base ? strlen(base) : 0, len };
	if (len && path[0] == '/')
		lens[0] = 0;
	for (int k = 0; k < 2; k++) {
		const char *s = parts[k];
		size_t n = lens[k], i = 0;
		while (i < n) {
			while (i < n && s[i] == '/')
				i++;
			size_t j = i;
			while (j < n && s[j] != '/')
				j++;
			size_t cl = j - i;
			if (cl == 0 || (cl == 1 && s[i] == '.')) {
				/* skip */
			} else if (cl == 2 && s[i] == '.' && s[i + 1] == '.') {
				if (o > 1) {
					o--;
					while (o > 1 && out[o - 1] != '/')
						o--;
				}
			} else {
				if (o + cl + 2 > size)
					return 0;
				memcpy(out + o, s + i, cl);
				o += cl;
				out[o++] = '/';
			}
			i = j;
		}
	}
	if (o > 1)
		o--;		/* no trailing slash */
	out[o] = 0;
	return (int)o;
}

size_t state_resolve_path(struct state *st, const struct st_proc *p, int64_t dirfd,
			  const char *path, size_t len, char *buf, size_t size)
{
	const char *base = p ? p->cwd : NULL;
	if (len && path[0] != '/' && dirfd != AT_FDCWD) {
		struct st_fd *d = p ? state_fd(st, p, dirfd) : NULL;
		if (!d || !d->name || d->name[0] != '/') {
			st->stats.fd_miss++;
			return 0;
		}
		base = d->name;
	}
	if (len && path[0] != '/' && !base)
		return 0;
	return (size_t)st_path_join(base, path, len, buf, size);
}

/* ------------------------------------------------------------ applying */
int state_apply(struct state *st, const struct evt *ev)
{
	const struct vigil_evt_hdr *h = ev->hdr;
	st->now_num++;
	st->stats.events++;
	st->cur_ts = h->ts;
	switch (h->type) {
	case VIGIL_EVT_PROC_SNAP:
	case VIGIL_EVT_FD_SNAP:
		return st_proc_apply(st, NULL, ev);
	case VIGIL_EVT_CONTAINER:
		st_container_apply(st, ev);
		return 0;
	case VIGIL_EVT_DROP:
	case VIGIL_EVT_PAD:
		return 0;
	default:
		break;
	}
	struct st_thread *t = st_thread_get(st, h->tid, h->pid);
	if (!t) {
		st->stats.inconsistent++;
		return -1;
	}
	if (h->type == VIGIL_EVT_PROC_FORK || h->type == VIGIL_EVT_EXECVE ||
	    h->type == VIGIL_EVT_EXECVEAT || h->type == VIGIL_EVT_PROC_EXIT ||
	    (h->type >= VIGIL_EVT_SETUID && h->type <= VIGIL_EVT_SETRESGID) ||
	    h->type == VIGIL_EVT_CHDIR || h->type == VIGIL_EVT_FCHDIR)
		return st_proc_apply(st, t, ev);
	return st_fd_apply(st, t->proc, ev);
}

void state_apply_post(struct state *st, const struct evt *ev)
{
	const struct vigil_evt_hdr *h = ev->hdr;
	if (h->type == VIGIL_EVT_PROC_EXIT) {
		st_proc_apply_post(st, ev);
		return;
	}
	struct st_thread *t = idmap_get(&st->threads, h->tid);
	if (t)
		st_fd_apply_post(st, t->proc, ev);
}

const void *state_pending_event(struct state *st, size_t *len)
{
	if (st->pend_off >= st->pend_len) {
		st->pend_off = st->pend_len = 0;
		return NULL;
	}
	const uint8_t *rec = st->pend + st->pend_off;
	struct vigil_evt_hdr h;
	memcpy(&h, rec, sizeof(h));
	st->pend_off += h.len;
	*len = h.len;
	return rec;
}
