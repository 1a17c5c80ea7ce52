/* SPDX-License-Identifier: MIT */
/* fields_proc.c - proc.*, thread.*, user.*, group.* fields. */
#include <stdio.h>
#include <string.h>

#include "fields/fields_int.h"

/* Capabilities by bit number (linux/capability.h), for thread.cap_*. */
#define CAP_NAMES(X)							\
	X(CHOWN) X(DAC_OVERRIDE) X(DAC_READ_SEARCH) X(FOWNER) X(FSETID)	\
	X(KILL) X(SETGID) X(SETUID) X(SETPCAP) X(LINUX_IMMUTABLE)	\
	X(NET_BIND_SERVICE) X(NET_BROADCAST) X(NET_ADMIN) X(NET_RAW)	\
	X(IPC_LOCK) X(IPC_OWNER) X(SYS_MODULE) X(SYS_RAWIO) X(SYS_CHROOT) \
	X(SYS_PTRACE) X(SYS_PACCT) X(SYS_ADMIN) X(SYS_BOOT) X(SYS_NICE)	\
	X(SYS_RESOURCE) X(SYS_TIME) X(SYS_TTY_CONFIG) X(MKNOD) X(LEASE)	\
	X(AUDIT_WRITE) X(AUDIT_CONTROL) X(SETFCAP) X(MAC_OVERRIDE)	\
	X(MAC_ADMIN) X(SYSLOG) X(WAKE_ALARM) X(BLOCK_SUSPEND) X(AUDIT_READ) \
	X(PERFMON) X(BPF) X(CHECKPOINT_RESTORE)

static const char *const cap_names[] = {
#define CAP_X_NAME(n) "CAP_" #n,
	CAP_NAMES(CAP_X_NAME)
#undef CAP_X_NAME
};

/* "proc.args": argv[1..] joined by spaces. */
static size_t join_args(const char *a, size_t len, char *out)
{
	size_t n = len;
	while (n && a[n - 1] == 0)
		n--;
	for (size_t i = 0; i < n; i++)
		out[i] = a[i] ? a[i] : ' ';
	return n;
}

static int proc_args(struct field_ctx *ctx, const struct st_proc *p, struct fv *out)
{
	if (!p->args)
		return fx_cstr(out, FT_STRING, "");
	char *buf = fx_alloc(ctx, p->args_len + 1);
	if (!buf)
		return 0;
	size_t n = join_args(p->args, p->args_len, buf);
	buf[n] = 0;
	return fx_str(out, FT_STRING, buf, n);
}

/* "head args" (proc.cmdline: head = name, proc.exeline: head = exe) */
static int proc_line(struct field_ctx *ctx, const struct st_proc *p, const char *head,
		     struct fv *out)
{
	if (!head)
		return 0;
	size_t hl = strlen(head);
	char *buf = fx_alloc(ctx, hl + p->args_len + 2);
	if (!buf)
		return 0;
	memcpy(buf, head, hl);
	size_t n = hl;
	if (p->args && p->args_len) {
		size_t an = join_args(p->args, p->args_len, buf + hl + 1);
		if (an) {
			buf[hl] = ' ';
			n = hl + 1 + an;
		}
	}
	buf[n] = 0;
	return fx_str(out, FT_STRING, buf, n);
}

static const char *proc_name(const struct st_proc *p)
{
	if (p->comm)
		return p->comm;
	if (p->exepath) {
		const char *s = strrchr(p->exepath, '/');
		return s ? s + 1 : p->exepath;
	}
	return NULL;
}

static size_t count_args(const struct st_proc *p, size_t *lenargs)
{
	size_t n = 0, l = 0;
	if (p->args) {
		size_t len = p->args_len;
		while (len && p->args[len - 1] == 0)
			len--;
		if (len) {
			n = 1;
			for (size_t i = 0; i < len; i++)
				n += p->args[i] == 0;
		}
		l = len;
	}
	if (lenargs)
		*lenargs = l;
	return n;
}

int fx_proc_num(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	struct st_proc *p = fx_proc(ctx);
	if (!p)
		return 0;
	struct st_proc *pp;
	size_t l;
	switch (ref->id) {
	case FID_PROC_PID: return fx_i64(out, p->pid);
	case FID_PROC_VPID: return fx_i64(out, p->vpid);
	case FID_PROC_PPID: return p->ppid ? fx_i64(out, p->ppid) : 0;
	case FID_PROC_PVPID:
		pp = state_parent(ctx->st, p);
		return pp ? fx_i64(out, pp->vpid) : 0;
	case FID_PROC_SID: return fx_i64(out, p->sid);
	case FID_PROC_VPGID: return fx_i64(out, p->vpgid);
	case FID_PROC_NTHREADS: return fx_i64(out, p->nthreads);
	case FID_PROC_TTY: return fx_i64(out, p->tty);
	case FID_PROC_CMDNARGS: return fx_i64(out, (int64_t)count_args(p, NULL));
	case FID_PROC_CMDLENARGS:
		count_args(p, &l);
		return fx_i64(out, (int64_t)l);
	case FID_PROC_EXE_INO: return fx_i64(out, (int64_t)p->exe_ino);
	default: return 0;
	}
}

/* The process of the session leader / group leader, found by vpid among
 * the processes of the same pid namespace (we know host pids only for
 * the ones we saw; a leader in the host namespace has pid == vpid). */
static struct st_proc *leader(struct field_ctx *ctx, const struct st_proc *p, uint32_t vid)
{
	if (!vid)
		return NULL;
	if (p->vpid == vid)
		return (struct st_proc *)p;
	/* walk the ancestors: a group or session leader is usually one */
	struct st_proc *a = state_parent(ctx->st, p);
	for (int i = 0; a && i < 64; i++, a = state_parent(ctx->st, a))
		if (a->vpid == vid && a->pidns == p->pidns)
			return a;
	if (p->pidns == 0 || vid == p->pid) {
		a = state_proc(ctx->st, vid);
		if (a)
			return a;
	}
	return NULL;
}

int fx_proc_str(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	struct st_proc *p = fx_proc(ctx);
	if (!p)
		return 0;
	switch (ref->id) {
	case FID_PROC_NAME: return fx_cstr(out, FT_STRING, proc_name(p));
	case FID_PROC_EXE: return fx_cstr(out, FT_STRING, p->exe);
	case FID_PROC_EXEPATH: return fx_cstr(out, FT_PATH, p->exepath);
	case FID_PROC_ARGS: return proc_args(ctx, p, out);
	case FID_PROC_CMDLINE: return proc_line(ctx, p, proc_name(p), out);
	case FID_PROC_EXELINE: return proc_line(ctx, p, p->exe, out);
	case FID_PROC_CWD: return fx_cstr(out, FT_PATH, p->cwd);
	default: break;
	}
	struct st_proc *q;
	switch (ref->id) {
	case FID_PROC_SNAME:
		q = leader(ctx, p, p->sid);
		return q ? fx_cstr(out, FT_STRING, proc_name(q)) : 0;
	case FID_PROC_VPGID_NAME:
	case FID_PROC_VPGID_EXE:
	case FID_PROC_VPGID_EXEPATH:
		q = leader(ctx, p, p->vpgid);
		if (!q)
			return 0;
		return fx_cstr(out, FT_STRING, ref->id == FID_PROC_VPGID_NAME ? proc_name(q) :
			       ref->id == FID_PROC_VPGID_EXE ? q->exe : q->exepath);
	default:
		break;
	}
	q = state_parent(ctx->st, p);
	if (!q)
		return 0;
	switch (ref->id) {
	case FID_PROC_PNAME: return fx_cstr(out, FT_STRING, proc_name(q));
	case FID_PROC_PEXE: return fx_cstr(out, FT_STRING, q->exe);
	case FID_PROC_PEXEPATH: return fx_cstr(out, FT_PATH, q->exepath);
	case FID_PROC_PCMDLINE: return proc_line(ctx, q, proc_name(q), out);
	default: return 0;
	}
}

int fx_proc_env(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	struct st_proc *p = fx_proc(ctx);
	if (!p || !p->env)
		return 0;
	if (!ref->has_arg) {
		char *buf = fx_alloc(ctx, p->env_len + 1);
		if (!buf)
			return 0;
		size_t n = join_args(p->env, p->env_len, buf);
		buf[n] = 0;
		return fx_str(out, FT_STRING, buf, n);
	}
	size_t kl = strlen(ref->key);
	for (size_t i = 0; i < p->env_len;) {
		const char *e = p->env + i;
		size_t el = strnlen(e, p->env_len - i);
		if (el > kl && !memcmp(e, ref->key, kl) && e[kl] == '=')
			return fx_str(out, FT_STRING, e + kl + 1, el - kl - 1);
		i += el + 1;
	}
	return 0;
}

static int anc_value(struct field_ctx *ctx, unsigned id, struct st_proc *a, struct fv *out)
{
	switch (id) {
	case FID_PROC_ANAME: return fx_cstr(out, FT_STRING, proc_name(a));
	case FID_PROC_APID: return fx_i64(out, a->pid);
	case FID_PROC_AEXE: return fx_cstr(out, FT_STRING, a->exe);
	case FID_PROC_AEXEPATH: return fx_cstr(out, FT_PATH, a->exepath);
	default: return proc_line(ctx, a, proc_name(a), out);
	}
}

/* proc.aname[N]: N = 0 is the process itself, 1 its parent...; without
 * [N], every ancestor (parent upwards), as a list. */
int fx_proc_anc(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	struct st_proc *p = fx_proc(ctx);
	if (!p)
		return 0;
	if (ref->index >= 0) {
		struct st_proc *a = p;
		for (int i = 0; a && i < ref->index; i++)
			a = state_parent(ctx->st, a);
		return a ? anc_value(ctx, ref->id, a, out) : 0;
	}
	int n = 0;
	struct st_proc *a = state_parent(ctx->st, p);
	for (int guard = 0; a && n < max && guard < 256; guard++) {
		n += anc_value(ctx, ref->id, a, &out[n]);
		a = state_parent(ctx->st, a);
	}
	return n;
}

int fx_proc_bool(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	struct st_proc *p = fx_proc(ctx);
	if (!p)
		return 0;
	switch (ref->id) {
	case FID_PROC_IS_SID_LEADER: return fx_bool(out, p->sid && p->sid == p->vpid);
	case FID_PROC_IS_VPGID_LEADER: return fx_bool(out, p->vpgid && p->vpgid == p->vpid);
	case FID_PROC_IS_EXE_UPPER_LAYER: return fx_bool(out, p->exec_flags & VIGIL_EXEC_UPPER_LAYER);
	case FID_PROC_IS_EXE_FROM_MEMFD: return fx_bool(out, p->exec_flags & VIGIL_EXEC_FROM_MEMFD);
	default: return fx_bool(out, p->flags & ST_PROC_INCOMPLETE);
	}
}

static uint64_t now_ns(struct field_ctx *ctx)
{
	return ctx->ev->hdr->ts + (uint64_t)state_boot_offset(ctx->st);
}

int fx_proc_time(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	struct st_proc *p = fx_proc(ctx);
	if (!p)
		return 0;
	struct st_proc *pp;
	switch (ref->id) {
	case FID_PROC_PID_TS:
		return p->start_ts ? fx_u64(out, FT_ABSTIME, p->start_ts) : 0;
	case FID_PROC_DURATION:
		return p->start_ts ? fx_i64(out, (int64_t)(now_ns(ctx) - p->start_ts)) : 0;
	case FID_PROC_PPID_TS:
		pp = state_parent(ctx->st, p);
		return pp && pp->start_ts ? fx_u64(out, FT_ABSTIME, pp->start_ts) : 0;
	case FID_PROC_PPID_DURATION:
		pp = state_parent(ctx->st, p);
		return pp && pp->start_ts ? fx_i64(out, (int64_t)(now_ns(ctx) - pp->start_ts)) : 0;
	case FID_PROC_EXE_INO_CTIME:
		return p->exe_ctime ? fx_u64(out, FT_ABSTIME, p->exe_ctime) : 0;
	case FID_PROC_EXE_INO_MTIME:
		return p->exe_mtime ? fx_u64(out, FT_ABSTIME, p->exe_mtime) : 0;
	default:	/* ctime_duration_proc_start */
		if (!p->exe_ctime || !p->start_ts)
			return 0;
		return fx_i64(out, (int64_t)(p->start_ts - p->exe_ctime));
	}
}

static int caps_text(struct field_ctx *ctx, uint64_t caps, struct fv *out)
{
	size_t start = ctx->used;
	char *buf = fx_alloc(ctx, 1);
	if (!buf)
		return 0;
	size_t n = 0;
	for (unsigned i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if (!(caps & (1ull << i)))
			continue;
		size_t l = strlen(cap_names[i]) + (n ? 1 : 0);
		if (!fx_alloc(ctx, l))
			return 0;
		snprintf(buf + n, l + 1, "%s%s", n ? " " : "", cap_names[i]);
		n += l;
	}
	buf[n] = 0;
	ctx->used = start + n + 1;
	return fx_str(out, FT_STRING, buf, n);
}

int fx_thread_f(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	struct st_thread *t = fx_thread(ctx);
	if (!t)
		return 0;
	struct st_proc *p = t->proc;
	switch (ref->id) {
	case FID_THREAD_TID: return fx_i64(out, t->tid);
	case FID_THREAD_VTID: return fx_i64(out, t->vtid);
	case FID_THREAD_ISMAIN: return fx_bool(out, t->tid == p->pid);
	case FID_THREAD_CAP_EFFECTIVE: return caps_text(ctx, p->cap_eff, out);
	case FID_THREAD_CAP_PERMITTED: return caps_text(ctx, p->cap_prm, out);
	default: return caps_text(ctx, p->cap_inh, out);
	}
}

int fx_user(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	struct st_proc *p = fx_proc(ctx);
	if (!p)
		return 0;
	switch (ref->id) {
	case FID_USER_UID: return fx_i64(out, p->uid);
	case FID_USER_NAME: return fx_cstr(out, FT_STRING, state_user_name(ctx->st, p, p->uid));
	case FID_USER_LOGINUID:
		return fx_i64(out, p->loginuid == UINT32_MAX ? -1 : (int64_t)p->loginuid);
	case FID_USER_LOGINNAME:
		if (p->loginuid == UINT32_MAX)
			return 0;
		return fx_cstr(out, FT_STRING, state_user_name(ctx->st, p, p->loginuid));
	case FID_GROUP_GID: return fx_i64(out, p->gid);
	default: return fx_cstr(out, FT_STRING, state_group_name(ctx->st, p, p->gid));
	}
}
