/* SPDX-License-Identifier: MIT */
/* state_proc.c - processes and threads from fork, exec, exit, credential
 * and chdir events, and from PROC_SNAP/FD_SNAP snapshot records. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "state/state_int.h"

/* Parameter index of exec param `name` in EXECVE/EXECVEAT/PROC_SNAP
 * (PROC_SNAP has tid and pid before the exec params). */
#define XP(base, name) ((unsigned)(base) + VIGIL_P_EXECVE_##name)

static void set_param_str(const struct evt *ev, unsigned idx, char **dst)
{
	size_t len;
	const char *s = evt_get_str(ev, idx, &len);
	st_set_str(dst, s ? s : "", s ? len : 0);
}

static void set_cwd(struct st_proc *p, const char *s, size_t len)
{
	char buf[PATH_MAX];
	int n = st_path_join(NULL, s, len, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	if (buf[n - 1] != '/') {
		buf[n++] = '/';
		buf[n] = 0;
	}
	st_set_str(&p->cwd, buf, (size_t)n);
}

/* Fills p from the exec parameters of ev (EXECVE, EXECVEAT, PROC_SNAP). */
static void apply_exec_params(struct state *st, struct st_proc *p, const struct evt *ev,
			      unsigned base)
{
	size_t len;
	const char *a = evt_get_str(ev, XP(base, args), &len);
	free(p->exe);
	free(p->args);
	p->exe = p->args = NULL;
	p->args_len = 0;
	if (a && len) {
		size_t l0 = strnlen(a, len);
		p->exe = st_strndup(a, l0);
		if (l0 + 1 < len) {
			p->args = st_strndup(a + l0 + 1, len - l0 - 1);
			p->args_len = p->args ? len - l0 - 1 : 0;
		}
	} else {
		set_param_str(ev, XP(base, filename), &p->exe);
	}
	const char *e = evt_get_str(ev, XP(base, env), &len);
	free(p->env);
	p->env = e && len ? st_strndup(e, len) : NULL;
	p->env_len = p->env ? len : 0;
	set_param_str(ev, XP(base, exe), &p->exepath);
	if (p->exepath && !p->exepath[0]) {
		const char *f = evt_get_str(ev, XP(base, filename), &len);
		st_set_str(&p->exepath, f ? f : "", f ? len : 0);
	}
	set_param_str(ev, XP(base, comm), &p->comm);
	if (p->comm && !p->comm[0]) {
		free(p->comm);
		p->comm = NULL;
	}
	const char *c = evt_get_str(ev, XP(base, cwd), &len);
	if (c && len)
		set_cwd(p, c, len);
	uint32_t ppid = (uint32_t)evt_get_u64(ev, XP(base, ppid), 0);
	if (ppid) {
		p->ppid = ppid;
		struct st_proc *pp = idmap_get(&st->procs, ppid);
		if (pp)
			pp->flags |= ST_PROC_FORKED;	/* has children to reparent */
	}
	p->vpid = (uint32_t)evt_get_u64(ev, XP(base, vpid), p->vpid);
	p->pgid = (uint32_t)evt_get_u64(ev, XP(base, pgid), p->pgid);
	p->vpgid = (uint32_t)evt_get_u64(ev, XP(base, vpgid), p->vpgid);
	p->sid = (uint32_t)evt_get_u64(ev, XP(base, sid), p->sid);
	p->uid = (uint32_t)evt_get_u64(ev, XP(base, uid), p->uid);
	p->gid = (uint32_t)evt_get_u64(ev, XP(base, gid), p->gid);
	p->euid = (uint32_t)evt_get_u64(ev, XP(base, euid), p->euid);
	p->egid = (uint32_t)evt_get_u64(ev, XP(base, egid), p->egid);
	p->loginuid = (uint32_t)evt_get_u64(ev, XP(base, loginuid), p->loginuid);
	p->tty = (uint32_t)evt_get_u64(ev, XP(base, tty), p->tty);
	p->cap_inh = evt_get_u64(ev, XP(base, cap_inheritable), p->cap_inh);
	p->cap_prm = evt_get_u64(ev, XP(base, cap_permitted), p->cap_prm);
	p->cap_eff = evt_get_u64(ev, XP(base, cap_effective), p->cap_eff);
	p->exe_ino = evt_get_u64(ev, XP(base, exe_ino), 0);
	p->exe_ctime = evt_get_u64(ev, XP(base, exe_ctime), 0);
	p->exe_mtime = evt_get_u64(ev, XP(base, exe_mtime), 0);
	p->exec_flags = (uint32_t)evt_get_u64(ev, XP(base, flags), 0);
	p->pidns = (uint32_t)evt_get_u64(ev, XP(base, pidns), p->pidns);
	p->mntns = (uint32_t)evt_get_u64(ev, XP(base, mntns), p->mntns);
	p->netns = (uint32_t)evt_get_u64(ev, XP(base, netns), p->netns);
	p->userns = (uint32_t)evt_get_u64(ev, XP(base, userns), p->userns);
	const char *cg = evt_get_str(ev, XP(base, cgroup), &len);
	if (cg) {
		st_set_str(&p->cgroup, cg, len);
		st_proc_set_container(p, st_container_for_cgroup(st, cg, len, p->pid));
	}
	p->flags &= ~ST_PROC_INCOMPLETE;
}

/* A successful exec by thread t. */
static void apply_exec(struct state *st, struct st_thread *t, const struct evt *ev)
{
	if (evt_get_s64(ev, 0, -1) != 0)
		return;		/* failed: nothing changes */
	struct st_proc *p = t->proc;
	uint32_t pid = p->pid;
	/* exec kills the other threads; the exec'ing thread becomes the
	 * leader (takes the pid as its tid) */
	if (p->nthreads > 1 || t->tid != pid) {
		p->refs++;
		uint32_t *victims = malloc(p->nthreads * sizeof(*victims));
		size_t n = 0;
		uint64_t k;
		void *v;
		for (size_t i = 0; victims && idmap_next(&st->threads, &i, &k, &v);)
			if (((struct st_thread *)v)->proc == p && n < p->nthreads)
				victims[n++] = (uint32_t)k;
		uint32_t vtid = t->vtid;
		for (size_t i = 0; i < n; i++)
			st_thread_remove(st, victims[i]);
		free(victims);
		if (!idmap_get(&st->procs, pid)) {
			/* the last thread removal unlisted p: list it again */
			p->refs++;
			idmap_put(&st->procs, pid, p);
			st->stats.procs = st->procs.count;
		}
		t = st_thread_add(st, pid, p);
		if (t)
			t->vtid = vtid;
		st_proc_put(st, p);
		if (!t)
			return;
	}
	apply_exec_params(st, p, ev, 0);
	p->exec_ts = ev->hdr->ts + (uint64_t)st->cfg.boot_offset_ns;
	/* the thread that exec'd is the leader now: its vtid is the vpid */
	t->vtid = p->vpid;
	st_fd_close_on_exec(st, p);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void apply_fork(struct state *st, struct st_thread *parent, const struct evt *ev)
{
	uint32_t ctid = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_FORK_child_tid, 0);
	uint32_t cpid = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_FORK_child_pid, 0);
	uint32_t cvtid = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_FORK_child_vtid, ctid);
	uint32_t flags = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_FORK_flags, 0);
	struct st_proc *pp = parent->proc;

	if (!ctid || !cpid || ctid == parent->tid) {
		st->stats.inconsistent++;
		return;
	}
	if (flags & VIGIL_FORK_THREAD) {
		if (cpid != pp->pid) {
			st->stats.inconsistent++;
			return;
		}
		struct st_thread *t = st_thread_add(st, ctid, pp);
		if (t)
			t->vtid = cvtid;
		return;
	}
	if (cpid != ctid) {
		st->stats.inconsistent++;
		return;
	}
	struct st_thread *old = idmap_get(&st->threads, ctid);
	if (old) {
		st->stats.inconsistent++;
		st_thread_remove(st, ctid);
	}
	pp->refs++;		/* keep the parent through the insertions */
	pp->flags |= ST_PROC_FORKED;
	struct st_proc *c = st_proc_new(st, cpid);
	if (!c) {
		st_proc_put(st, pp);
		return;
	}
	struct st_fdtab *fresh = c->fdtab;
	c->flags = pp->flags & ST_PROC_INCOMPLETE;
	c->ppid = pp->pid;
	c->vpid = cvtid;
	c->pgid = pp->pgid;
	c->vpgid = pp->vpgid;
	c->sid = pp->sid;
	c->uid = pp->uid; c->gid = pp->gid; c->euid = pp->euid; c->egid = pp->egid;
	c->loginuid = pp->loginuid;
	c->tty = pp->tty;
	c->exec_flags = pp->exec_flags;
	c->pidns = pp->pidns; c->mntns = pp->mntns; c->netns = pp->netns;
	c->userns = pp->userns;
	c->cap_inh = pp->cap_inh; c->cap_prm = pp->cap_prm; c->cap_eff = pp->cap_eff;
	c->exe_ino = pp->exe_ino; c->exe_ctime = pp->exe_ctime; c->exe_mtime = pp->exe_mtime;
	c->start_ts = ev->hdr->ts + (uint64_t)st->cfg.boot_offset_ns;
	c->exec_ts = pp->exec_ts;
	c->comm = dup_or_null(pp->comm);
	c->exe = dup_or_null(pp->exe);
	c->exepath = dup_or_null(pp->exepath);
	if (pp->args && (c->args = malloc(pp->args_len + 1))) {
		memcpy(c->args, pp->args, pp->args_len + 1);
		c->args_len = pp->args_len;
	}
	if (pp->env && (c->env = malloc(pp->env_len + 1))) {
		memcpy(c->env, pp->env, pp->env_len + 1);
		c->env_len = pp->env_len;
	}
	c->cwd = dup_or_null(pp->cwd);
	c->cgroup = dup_or_null(pp->cgroup);
	st_proc_set_container(c, pp->container);
	if (flags & VIGIL_FORK_FILES) {
		st_fdtab_put(st, fresh);
		c->fdtab = pp->fdtab;
		c->fdtab->refs++;
	} else {
		struct st_fdtab *copy = st_fdtab_copy(st, pp->fdtab);
		if (copy) {
			st_fdtab_put(st, fresh);
			c->fdtab = copy;
		}
	}
	struct st_thread *t = st_thread_add(st, ctid, c);
	if (t)
		t->vtid = cvtid;
	else
		st_proc_unlist(st, c);
	st_proc_put(st, pp);
}

static void apply_creds(struct st_proc *p, const struct evt *ev)
{
	if (evt_get_s64(ev, 0, -1) != 0)
		return;
	uint64_t a = evt_get_u64(ev, 1, UINT32_MAX), b = evt_get_u64(ev, 2, UINT32_MAX);
	switch (ev->hdr->type) {
	case VIGIL_EVT_SETUID:
		p->uid = p->euid = (uint32_t)a;
		break;
	case VIGIL_EVT_SETGID:
		p->gid = p->egid = (uint32_t)a;
		break;
	case VIGIL_EVT_SETREUID:
	case VIGIL_EVT_SETRESUID:
		if ((uint32_t)a != UINT32_MAX)
			p->uid = (uint32_t)a;
		if ((uint32_t)b != UINT32_MAX)
			p->euid = (uint32_t)b;
		break;
	case VIGIL_EVT_SETREGID:
	case VIGIL_EVT_SETRESGID:
		if ((uint32_t)a != UINT32_MAX)
			p->gid = (uint32_t)a;
		if ((uint32_t)b != UINT32_MAX)
			p->egid = (uint32_t)b;
		break;
	default:
		break;
	}
}

static int apply_proc_snap(struct state *st, const struct evt *ev)
{
	uint32_t tid = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_SNAP_tid, 0);
	uint32_t pid = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_SNAP_pid, 0);
	if (!tid || !pid) {
		st->stats.inconsistent++;
		return -1;
	}
	struct st_proc *p = idmap_get(&st->procs, pid);
	bool fresh = !p;
	if (!p && !(p = st_proc_new(st, pid)))
		return -1;
	if (fresh || (p->flags & ST_PROC_INCOMPLETE) || tid == pid) {
		apply_exec_params(st, p, ev, 2);
		p->start_ts = evt_get_u64(ev, VIGIL_P_PROC_SNAP_start_ts, p->start_ts);
	}
	struct st_thread *t = idmap_get(&st->threads, tid);
	if (t && t->proc != p)
		st_thread_remove(st, tid), t = NULL;
	if (!t)
		t = st_thread_add(st, tid, p);
	if (t)
		t->vtid = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_SNAP_vtid, tid);
	else if (!p->nthreads)
		st_proc_unlist(st, p);
	return t ? 0 : -1;
}

static int apply_fd_snap(struct state *st, const struct evt *ev)
{
	uint32_t pid = (uint32_t)evt_get_u64(ev, VIGIL_P_FD_SNAP_pid, 0);
	int64_t fd = evt_get_s64(ev, VIGIL_P_FD_SNAP_fd, -1);
	struct st_proc *p = idmap_get(&st->procs, pid);
	if (!p || fd < 0) {
		st->stats.inconsistent++;
		return -1;
	}
	struct st_fd *f = st_fd_add(st, p, fd);
	if (!f)
		return -1;
	uint32_t tc = (uint32_t)evt_get_u64(ev, VIGIL_P_FD_SNAP_typechar, 'o');
	f->typechar = tc > 32 && tc < 127 ? (char)tc : 'o';
	f->flags = (uint32_t)evt_get_u64(ev, VIGIL_P_FD_SNAP_flags, 0);
	f->ino = evt_get_u64(ev, VIGIL_P_FD_SNAP_ino, 0);
	size_t len;
	const char *n = evt_get_str(ev, VIGIL_P_FD_SNAP_name, &len);
	f->name = st_strndup(n ? n : "", n ? len : 0);
	struct evt_sockaddr l, r;
	if (evt_get_tuple(ev, VIGIL_P_FD_SNAP_tuple, &l, &r)) {
		/* role: /proc does not say which end is the server; take the
		 * end with the lower port (22 vs 50123), as servers listen on
		 * well-known ports and clients get ephemeral ones */
		char keep = f->typechar;
		st_fd_set_tuple(f, &l, &r, r.port && r.port < l.port ? ST_ROLE_CLIENT : ST_ROLE_SERVER);
		if (keep == 'u')
			f->typechar = 'u';
		if (n && len) {		/* the snapshot's name says it best */
			free(f->name);
			f->name = st_strndup(n, len);
		}
	}
	return 0;
}

int st_proc_apply(struct state *st, struct st_thread *t, const struct evt *ev)
{
	size_t len;
	const char *s;
	switch (ev->hdr->type) {
	case VIGIL_EVT_PROC_SNAP:
		return apply_proc_snap(st, ev);
	case VIGIL_EVT_FD_SNAP:
		return apply_fd_snap(st, ev);
	case VIGIL_EVT_PROC_FORK:
		apply_fork(st, t, ev);
		return 0;
	case VIGIL_EVT_EXECVE:
	case VIGIL_EVT_EXECVEAT:
		apply_exec(st, t, ev);
		return 0;
	case VIGIL_EVT_PROC_EXIT:
		return 0;	/* removal happens after the rules */
	case VIGIL_EVT_CHDIR:
		if (evt_get_s64(ev, 0, -1) == 0 && (s = evt_get_str(ev, VIGIL_P_CHDIR_path, &len))) {
			char buf[PATH_MAX];
			size_t n = state_resolve_path(st, t->proc, AT_FDCWD, s, len, buf, sizeof(buf));
			if (n)
				set_cwd(t->proc, buf, n);
		}
		return 0;
	case VIGIL_EVT_FCHDIR:
		if (evt_get_s64(ev, 0, -1) == 0) {
			struct st_fd *f = state_fd(st, t->proc, evt_get_s64(ev, VIGIL_P_FCHDIR_fd, -1));
			if (f && f->name && f->name[0] == '/')
				set_cwd(t->proc, f->name, strlen(f->name));
			else
				st->stats.fd_miss++;
		}
		return 0;
	default:
		apply_creds(t->proc, ev);
		return 0;
	}
}

/* PROC_EXIT, after the rules: the thread goes; when the group is dead the
 * process goes too, and its children are reparented to the reaper. */
void st_proc_apply_post(struct state *st, const struct evt *ev)
{
	uint32_t tid = ev->hdr->tid;
	struct st_thread *t = idmap_get(&st->threads, tid);
	if (!t)
		return;
	struct st_proc *p = t->proc;
	uint32_t flags = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_EXIT_flags, 0);
	uint32_t reaper = (uint32_t)evt_get_u64(ev, VIGIL_P_PROC_EXIT_reaper, 0);
	bool dead = (flags & VIGIL_EXIT_GROUP_DEAD) || p->nthreads == 1;
	if (dead) {
		uint64_t k;
		void *v;
		/* reparent the children (only a process that forked has any) */
		for (size_t i = 0; (p->flags & ST_PROC_FORKED) && idmap_next(&st->procs, &i, &k, &v);) {
			struct st_proc *c = v;
			if (c->ppid == p->pid && c != p)
				c->ppid = reaper ? reaper : 1;
		}
		struct st_proc *rp = idmap_get(&st->procs, reaper ? reaper : 1);
		if (rp && (p->flags & ST_PROC_FORKED))
			rp->flags |= ST_PROC_FORKED;
		p->flags |= ST_PROC_EXITED;
		p->refs++;
		st_proc_unlist(st, p);
		st_thread_remove(st, tid);
		/* remove every thread left (normally none) */
		while (p->nthreads) {
			uint32_t victim = 0;
			for (size_t i = 0; idmap_next(&st->threads, &i, &k, &v);)
				if (((struct st_thread *)v)->proc == p) {
					victim = (uint32_t)k;
					break;
				}
			if (!victim)
				break;
			st_thread_remove(st, victim);
		}
		st_proc_put(st, p);
		st->stats.exited++;
	} else {
		st_thread_remove(st, tid);
	}
}
