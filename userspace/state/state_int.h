/* SPDX-License-Identifier: MIT */
/* state_int.h - inside the state stage. */
#ifndef VIGIL_STATE_INT_H
#define VIGIL_STATE_INT_H

#include <limits.h>

#include "event/event.h"
#include "state/state.h"

#define STATE_DEF_MAX_THREADS	131072u
#define STATE_DEF_MAX_FDS	4096u
#define STATE_DEF_MAX_CONTAINERS 4096u
#define STATE_PEND_MAX		(64u << 10)

struct st_userdb;

struct state {
	struct state_cfg cfg;
	char root[PATH_MAX];		/* "" = / */
	char hostname[256];
	char *owner_keys;		/* NUL-separated, double-NUL ended */
	size_t owner_keys_len;
	bool files_ok;			/* may read runtime/user files under root */
	struct idmap threads;		/* tid -> st_thread */
	struct idmap procs;		/* pid -> st_proc */
	struct st_container **containers;
	unsigned ncontainers, capcontainers;
	struct st_container host;	/* never in the list */
	struct st_userdb *userdbs;	/* host first, then per container */
	struct state_stats stats;
	uint64_t now_num;		/* events applied so far (LRU clock) */
	int8_t fdparam[VIGIL_EVT_NR];	/* index of the event's fd param, -1 */
	/* a temporary fd for failed opens (state_event_fd) */
	struct st_fd tmpfd;
	char tmpname[PATH_MAX];
	/* generated events (CONTAINER), drained by state_pending_event() */
	uint8_t *pend;
	size_t pend_len, pend_off;
	uint64_t cur_ts;
};

/* state.c */
char *st_strndup(const char *s, size_t n);
void st_set_str(char **dst, const char *s, size_t n);
void st_proc_set_container(struct st_proc *p, struct st_container *c);
struct st_thread *st_thread_get(struct state *st, uint32_t tid, uint32_t pid);
struct st_proc *st_proc_new(struct state *st, uint32_t pid);
void st_proc_put(struct state *st, struct st_proc *p);
struct st_thread *st_thread_add(struct state *st, uint32_t tid, struct st_proc *p);
void st_thread_remove(struct state *st, uint32_t tid);
void st_proc_unlist(struct state *st, struct st_proc *p);
int st_path_join(const char *base, const char *path, size_t len, char *out, size_t size);

/* state_fd.c */
struct st_fdtab *st_fdtab_new(void);
struct st_fdtab *st_fdtab_copy(struct state *st, const struct st_fdtab *src);
void st_fdtab_put(struct state *st, struct st_fdtab *t);
struct st_fd *st_fd_add(struct state *st, struct st_proc *p, int64_t fd);
void st_fd_remove(struct state *st, struct st_proc *p, int64_t fd);
void st_fd_free(struct st_fd *f);
struct st_fd *st_fd_dup(struct state *st, struct st_proc *p, int64_t oldfd, int64_t newfd,
			bool cloexec);
void st_fd_close_on_exec(struct state *st, struct st_proc *p);
void st_fd_set_tuple(struct st_fd *f, const struct evt_sockaddr *local,
		     const struct evt_sockaddr *remote, int role);
int st_fd_apply(struct state *st, struct st_proc *p, const struct evt *ev);
void st_fd_apply_post(struct state *st, struct st_proc *p, const struct evt *ev);

/* state_proc.c (exec, fork, exit, snapshots, /proc) */
int st_proc_apply(struct state *st, struct st_thread *t, const struct evt *ev);
void st_proc_apply_post(struct state *st, const struct evt *ev);
struct st_proc *st_proc_fill_from_procfs(struct state *st, uint32_t pid);

/* state_container.c */
struct st_container *st_container_for_cgroup(struct state *st, const char *cg, size_t len,
					      uint32_t pid);
struct st_container *st_container_get(struct state *st, const char *id, bool create);
void st_container_free(struct st_container *c);
void st_containers_free(struct state *st);
void st_container_apply(struct state *st, const struct evt *ev);
void st_containers_set_owner(struct state *st);
size_t st_container_record(const struct st_container *c, uint64_t ts, void *buf, size_t cap);

/* state_users.c */
void st_userdbs_free(struct state *st);
void st_userdb_drop(struct state *st, const struct st_container *c);

#endif
