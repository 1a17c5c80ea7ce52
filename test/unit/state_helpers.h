/* SPDX-License-Identifier: MIT */
/*
 * state_helpers.h - builds events with the real builder (event/event.h),
 * decodes them with the real decoder, applies them to a real state and
 * reads fields through the real field stage. Shared by test_state.c and
 * test_fields.c (and the replay fixture generator).
 */
#ifndef VIGIL_TEST_STATE_HELPERS_H
#define VIGIL_TEST_STATE_HELPERS_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "event/event.h"
#include "fields/fields.h"
#include "state/state.h"

struct tev {
	uint8_t buf[VIGIL_RECORD_MAX];
	size_t len;
	struct evt ev;
};

static uint64_t th_ts = 1000000000ull;
static uint64_t th_num;

static inline void th_begin(struct evt_builder *b, struct tev *t, unsigned type,
			    uint32_t tid, uint32_t pid)
{
	th_ts += 1000;
	evt_build_begin(b, t->buf, sizeof(t->buf), type, th_ts, tid, pid);
}

static inline struct evt *th_end(struct evt_builder *b, struct tev *t)
{
	t->len = evt_build_end(b);
	if (!t->len) {
		fprintf(stderr, "builder failed for type %u\n", b->type);
		abort();
	}
	enum evt_decode_err e = evt_decode(t->buf, t->len, &t->ev);
	if (e != EVT_OK) {
		fprintf(stderr, "decode failed: %s\n", evt_decode_strerror(e));
		abort();
	}
	t->ev.num = ++th_num;
	return &t->ev;
}

/* argv as "a\0b\0c\0" */
static inline void th_strarray(struct evt_builder *b, const char *const *argv)
{
	char buf[4096];
	size_t n = 0;
	for (int i = 0; argv && argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(buf + n, argv[i], l);
		n += l;
	}
	if (n)
		evt_build_bytes(b, buf, n, 0);
	else
		evt_build_empty(b, 0);
}

struct th_exec {
	int64_t res;
	const char *exe;		/* full path */
	const char *const *argv;
	const char *const *env;
	const char *cwd;
	uint32_t ppid, vpid, pgid, sid, uid, gid, loginuid, tty;
	const char *cgroup;
	uint64_t cap_eff;
	uint32_t flags;
	uint32_t userns;		/* 0: the initial user namespace */
	const char *comm;
};

static inline void th_exec_params(struct evt_builder *b, const struct th_exec *x, uint32_t tid,
				  uint32_t pid)
{
	evt_build_u64(b, (uint64_t)x->res);
	evt_build_str(b, x->exe);
	th_strarray(b, x->argv);
	th_strarray(b, x->env);
	evt_build_str(b, x->exe);
	evt_build_str(b, x->cwd ? x->cwd : "/");
	evt_build_u64(b, x->ppid);
	evt_build_u64(b, tid);			/* vtid */
	evt_build_u64(b, x->vpid ? x->vpid : pid);
	evt_build_u64(b, x->pgid ? x->pgid : pid);
	evt_build_u64(b, x->pgid ? x->pgid : pid);	/* vpgid */
	evt_build_u64(b, x->sid ? x->sid : pid);
	evt_build_u32(b, x->uid);
	evt_build_u32(b, x->gid);
	evt_build_u32(b, x->uid);
	evt_build_u32(b, x->gid);
	evt_build_u32(b, x->loginuid);
	evt_build_u32(b, x->tty);
	evt_build_str(b, x->cgroup ? x->cgroup : "/user.slice");
	evt_build_u64(b, 0);
	evt_build_u64(b, x->cap_eff);
	evt_build_u64(b, x->cap_eff);
	evt_build_u64(b, 1234);			/* exe_ino */
	evt_build_u64(b, 5000);			/* ctime */
	evt_build_u64(b, 6000);			/* mtime */
	evt_build_u32(b, x->flags);
	evt_build_u32(b, 4026531836u);
	evt_build_u32(b, 4026531840u);
	evt_build_u32(b, 4026531992u);
	evt_build_u32(b, x->userns ? x->userns : 4026531837u);	/* userns */
	const char *comm = x->comm;
	if (!comm) {
		const char *s = strrchr(x->exe, '/');
		comm = s ? s + 1 : x->exe;
	}
	evt_build_str(b, comm);
	evt_build_u64(b, (uint64_t)(int64_t)AT_FDCWD);
	evt_build_u32(b, 0);
}

static inline struct evt *ev_exec(struct tev *t, uint32_t tid, uint32_t pid, const struct th_exec *x)
{
	struct evt_builder b;
	th_begin(&b, t, VIGIL_EVT_EXECVE, tid, pid);
	th_exec_params(&b, x, tid, pid);
	return th_end(&b, t);
}

static inline struct evt *ev_snap(struct tev *t, uint32_t tid, uint32_t pid, const struct th_exec *x)
{
	struct evt_builder b;
	th_begin(&b, t, VIGIL_EVT_PROC_SNAP, tid, pid);
	evt_build_u64(&b, tid);
	evt_build_u64(&b, pid);
	th_exec_params(&b, x, tid, pid);
	evt_build_u64(&b, 500000000ull);
	return th_end(&b, t);
}

static inline struct evt *ev_fork(struct tev *t, uint32_t tid, uint32_t pid, uint32_t ctid,
				  uint32_t cpid, uint32_t flags)
{
	struct evt_builder b;
	th_begin(&b, t, VIGIL_EVT_PROC_FORK, tid, pid);
	evt_build_u64(&b, ctid);
	evt_build_u64(&b, cpid);
	evt_build_u64(&b, ctid);
	evt_build_u32(&b, flags);
	return th_end(&b, t);
}

static inline struct evt *ev_exit(struct tev *t, uint32_t tid, uint32_t pid, uint32_t flags,
				  uint32_t reaper)
{
	struct evt_builder b;
	th_begin(&b, t, VIGIL_EVT_PROC_EXIT, tid, pid);
	evt_build_u64(&b, 0);
	evt_build_u32(&b, flags);
	evt_build_u64(&b, reaper);
	return th_end(&b, t);
}

static inline struct evt *ev_openat(struct tev *t, uint32_t tid, uint32_t pid, int64_t fd,
				    int64_t dirfd, const char *path, uint32_t flags)
{
	struct evt_builder b;
	th_begin(&b, t, VIGIL_EVT_OPENAT, tid, pid);
	evt_build_u64(&b, (uint64_t)fd);
	evt_build_u64(&b, (uint64_t)dirfd);
	evt_build_str(&b, path);
	evt_build_u32(&b, flags);
	evt_build_u32(&b, 0644);
	evt_build_u32(&b, 0);
	evt_build_u64(&b, 77);
	return th_end(&b, t);
}

/* Events whose params are all 8-byte numbers: (type, v0, v1, ...). */
static inline struct evt *ev_nums(struct tev *t, unsigned type, uint32_t tid, uint32_t pid,
				  int n, const int64_t *v)
{
	struct evt_builder b;
	th_begin(&b, t, type, tid, pid);
	for (int i = 0; i < n; i++) {
		enum vigil_param_type pt = evt_table[type].params[i].type;
		if (pt == VIGIL_PT_U32 || pt == VIGIL_PT_UID || pt == VIGIL_PT_GID ||
		    pt == VIGIL_PT_MODE || pt == VIGIL_PT_DEV || pt == VIGIL_PT_FLAGS32 ||
		    pt == VIGIL_PT_ENUM)
			evt_build_u32(&b, (uint32_t)v[i]);
		else
			evt_build_u64(&b, (uint64_t)v[i]);
	}
	return th_end(&b, t);
}

static inline struct evt_sockaddr th_sa(int fam, const char *ip, uint16_t port)
{
	struct evt_sockaddr s;
	memset(&s, 0, sizeof(s));
	s.family = (uint8_t)fam;
	s.port = port;
	if (fam == AF_UNIX) {
		s.path = ip;
		s.pathlen = strlen(ip);
	} else {
		inet_pton(fam, ip, s.addr);
	}
	return s;
}

static inline struct evt *ev_connect(struct tev *t, uint32_t tid, uint32_t pid, int64_t fd,
				     struct evt_sockaddr l, struct evt_sockaddr r)
{
	struct evt_builder b;
	th_begin(&b, t, VIGIL_EVT_CONNECT, tid, pid);
	evt_build_u64(&b, 0);
	evt_build_u64(&b, (uint64_t)fd);
	evt_build_sockaddr(&b, &r);
	evt_build_tuple(&b, &l, &r);
	return th_end(&b, t);
}

static inline struct evt *ev_accept(struct tev *t, uint32_t tid, uint32_t pid, int64_t fd,
				    int64_t lfd, struct evt_sockaddr l, struct evt_sockaddr r)
{
	struct evt_builder b;
	th_begin(&b, t, VIGIL_EVT_ACCEPT4, tid, pid);
	evt_build_u64(&b, (uint64_t)fd);
	evt_build_u64(&b, (uint64_t)lfd);
	evt_build_tuple(&b, &l, &r);
	evt_build_u32(&b, 0);
	return th_end(&b, t);
}

/* Applies ev (pre step only: the caller runs post when it wants to). */
static inline int th_apply(struct state *st, struct evt *ev)
{
	return state_apply(st, ev);
}

/* Field value(s) as text, comma-joined; "<NA>" when missing; "<BAD>" when
 * the name does not resolve. */
static inline const char *th_field(struct state *st, const struct evt *ev, const char *name)
{
	static struct field_ctx ctx;
	static char out[8192];
	struct field_ref ref;
	char err[256];
	if (field_resolve(name, strlen(name), &ref, err, sizeof(err)))
		return "<BAD>";
	field_ctx_init(&ctx, st);
	field_ctx_reset(&ctx, ev);
	struct fv v[16];
	int n = field_extract(&ctx, &ref, v, 16);
	if (n <= 0)
		return "<NA>";
	size_t o = 0;
	for (int i = 0; i < n && o < sizeof(out) - 1; i++) {
		if (i)
			out[o++] = ',';
		size_t need = fv_render(&v[i], out + o, sizeof(out) - o);
		o += need < sizeof(out) - o ? need : sizeof(out) - o - 1;
	}
	out[o] = 0;
	return out;
}

#endif
