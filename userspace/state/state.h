/* SPDX-License-Identifier: MIT */
/*
 * state.h - the state stage (DESIGN §1): turns decoded events into the
 * threads, processes, file descriptors, users and containers that rule
 * fields read.
 *
 * Calling order, per event:
 *
 *     state_apply(st, ev);      // before the rules: forks, execs, opens,
 *                               // dups, connects... are applied
 *     ... rules run, fields read the state ...
 *     state_apply_post(st, ev); // after the rules: close removes the fd,
 *                               // PROC_EXIT removes the thread/process
 *
 * so a rule on `close` still sees fd.name of the fd being closed, and a
 * rule on `procexit` still sees the exiting process.
 *
 * State never trusts its input: an event that contradicts the state (an
 * fd or tid out of range, a missing parameter, a fork of an unknown parent)
 * is counted in the stats and handled without corrupting the tables.
 * Tables are bounded (max threads, max fds per process); what does not fit
 * is counted as an eviction or a drop.
 *
 * The struct definitions below are read by the field stage (fields/); they
 * are owned by the state: nothing outside state/ writes them.
 */
#ifndef VIGIL_STATE_H
#define VIGIL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/idmap.h"

struct evt;

/* ---------------------------------------------------------------- config */
struct state_cfg {
	unsigned max_threads;		/* 0 = default (131072) */
	unsigned max_fds;		/* per fd table; 0 = default (4096) */
	unsigned max_containers;	/* 0 = default (4096) */
	bool live;			/* fill unknown processes from /proc and
					 * containers from the runtimes' files;
					 * never set in replay */
	const char *root;		/* prefix for /proc, /etc, /run, /var/lib
					 * (tests); NULL or "" = "/" */
	const char *hostname;		/* evt.hostname; NULL = $VIGIL_HOSTNAME
					 * if set and not empty, else
					 * gethostname() */
	int64_t boot_offset_ns;		/* realtime - monotonic: evt.rawtime =
					 * hdr.ts + boot_offset_ns */
	/* vigil.owner: the first of these keys found in the pod labels, then
	 * the container labels, NUL-separated, double-NUL terminated; NULL =
	 * "team\0app.kubernetes.io/owner\0" */
	const char *owner_keys;
};

/* ----------------------------------------------------------------- stats */
#define STATE_STATS(X)							\
	X(events,        "events applied")				\
	X(threads,       "threads in the table now")			\
	X(procs,         "processes in the table now")			\
	X(fds,           "fds in all tables now")			\
	X(containers,    "containers known now")			\
	X(thread_miss,   "events of a thread not in the table")		\
	X(fd_miss,       "events naming an fd not in the table")	\
	X(proc_filled,   "unknown processes filled from /proc")		\
	X(incomplete,    "processes created incomplete (no exec/snapshot seen)") \
	X(evict_thread,  "threads evicted because the table was full")	\
	X(evict_fd,      "fds refused because the fd table was full")	\
	X(evict_container, "containers evicted because the table was full") \
	X(exited,        "processes removed at exit")			\
	X(inconsistent,  "events refused or repaired as inconsistent")	\
	X(container_events, "CONTAINER events generated")

struct state_stats {
#define STATE_X_STAT(n, d) uint64_t n;
	STATE_STATS(STATE_X_STAT)
#undef STATE_X_STAT
};

/* ------------------------------------------------------------ containers */
struct st_kv {
	char *key, *val;
};

struct st_mount {
	char *source, *dest, *mode;	/* mode: "ro" or "rw" */
	bool rw;
	char *propagation;
};

struct st_container {
	char *id;			/* 12..64 hex chars, or "host" */
	char *runtime;			/* docker, containerd, cri-o, podman, runc */
	char *name, *image, *image_repo, *image_tag, *image_digest;
	bool privileged, host_pid, host_network, host_ipc;
	bool meta_loaded;		/* metadata found in the runtime's files */
	bool start_queued;		/* its container-start event was made */
	uint8_t meta_tries;		/* load_meta() calls so far (bounded) */
	uint64_t first_seen_ts;		/* ns since the epoch, for start_ts */
	uint64_t start_ts;		/* ns since the epoch, 0 = unknown */
	struct st_mount *mounts;
	unsigned nmounts;
	struct st_kv *labels;		/* container labels / OCI annotations */
	unsigned nlabels;
	char *k8s_ns, *k8s_pod, *k8s_pod_uid;
	struct st_kv *pod_labels;
	unsigned npod_labels;
	char *owner;			/* vigil.owner, or NULL */
	uint32_t pid;			/* a pid seen in it (init) */
	char *cgroup;			/* a cgroup path known to be this container's */
	uint64_t last_seen;		/* event number, for eviction */
	unsigned nprocs;		/* processes in it (only unused ones are evicted) */
};

/* ------------------------------------------------------------------- fds */
enum st_fd_role { ST_ROLE_NONE, ST_ROLE_CLIENT, ST_ROLE_SERVER };

struct st_fd {
	char typechar;			/* Falco's: f 4 6 u p e s l i t n d m o b */
	uint8_t l4proto;		/* IPPROTO_TCP / IPPROTO_UDP / 0 */
	uint8_t family;			/* AF_INET, AF_INET6, AF_UNIX, 0 */
	uint8_t role;			/* enum st_fd_role */
	uint32_t flags;			/* open flags, O_CLOEXEC tracked */
	uint64_t ino;
	uint8_t lip[16], rip[16];	/* local / remote address */
	uint16_t lport, rport;
	char *name;			/* absolute path, tuple text, or pipe:[ino] */
	char *nameraw;			/* path as the syscall gave it */
};

struct st_fdtab {
	unsigned refs;			/* processes sharing it (FORK_FILES) */
	struct idmap fds;		/* fd number -> struct st_fd */
};

/* ------------------------------------------------------------- processes */
#define ST_PROC_INCOMPLETE	0x01u	/* no exec or snapshot seen */
#define ST_PROC_EXITED		0x02u	/* the group leader exited */
#define ST_PROC_FROM_PROCFS	0x04u	/* filled from /proc */
#define ST_PROC_FORKED		0x08u	/* forked a child (may have children) */

struct st_proc {
	unsigned refs;			/* threads + tables holding it */
	unsigned nthreads;
	unsigned flags;			/* ST_PROC_* */
	uint32_t pid, ppid, vpid, pgid, vpgid, sid;
	uint32_t uid, gid, euid, egid, loginuid;
	uint32_t tty;
	uint32_t exec_flags;		/* VIGIL_EXEC_* */
	uint32_t pidns, mntns, netns, userns;
	uint64_t cap_inh, cap_prm, cap_eff;
	uint64_t exe_ino, exe_ctime, exe_mtime;
	uint64_t start_ts;		/* process start, ns since the epoch */
	uint64_t exec_ts;		/* last exec, ns since the epoch */
	char *comm;			/* proc.name */
	char *exe;			/* argv[0] (proc.exe) */
	char *exepath;			/* full path of the executable */
	char *args;			/* argv[1..], NUL-separated */
	size_t args_len;
	char *env;
	size_t env_len;
	char *cwd;			/* always ends with '/' */
	char *cgroup;
	struct st_container *container;	/* NULL = host */
	struct st_fdtab *fdtab;
};

struct st_thread {
	uint32_t tid, vtid;
	struct st_proc *proc;
	uint64_t last_seen;		/* event number, for eviction */
};

/* ------------------------------------------------------------- the state */
struct state;

/* Returns NULL on allocation failure (err says so). */
struct state *state_new(const struct state_cfg *cfg, char *err, size_t errlen);
void state_free(struct state *st);

/* Applies an event (see the calling order above). Returns 0, or -1 when the
 * event was refused as inconsistent (counted; the state is unchanged). */
int state_apply(struct state *st, const struct evt *ev);
void state_apply_post(struct state *st, const struct evt *ev);

/* Lookups used by the fields. */
struct st_thread *state_thread(struct state *st, uint32_t tid);
struct st_proc *state_proc(struct state *st, uint32_t pid);
struct st_proc *state_parent(struct state *st, const struct st_proc *p);
/* The fd an event is about (its fd/res parameter; for a failed open, a
 * temporary entry built from the path), or NULL. */
struct st_fd *state_event_fd(struct state *st, const struct evt *ev, int64_t *fdnum);
struct st_fd *state_fd(struct state *st, const struct st_proc *p, int64_t fd);
/* Resolves path (len bytes) against dirfd (AT_FDCWD = cwd) of process p
 * into buf as a normalized absolute path. Returns the length, or 0. */
size_t state_resolve_path(struct state *st, const struct st_proc *p, int64_t dirfd,
			  const char *path, size_t len, char *buf, size_t size);

/* Users and groups, as seen from the process (its container's passwd and
 * group files when it is in a container). NULL when unknown. */
const char *state_user_name(struct state *st, const struct st_proc *p, uint32_t uid);
const char *state_group_name(struct state *st, const struct st_proc *p, uint32_t gid);

/* Replaces the vigil.owner label keys (cfg.owner_keys), in order of
 * preference; recomputes the owner of the known containers. n = 0 restores
 * the default. 0, or -1 when out of memory (the old keys stay). */
int state_set_owner_keys(struct state *st, char *const *keys, size_t n);

const char *state_hostname(const struct state *st);
int64_t state_boot_offset(const struct state *st);
const struct state_stats *state_stats(const struct state *st);
const struct state_cfg *state_cfg(const struct state *st);

/* Containers. */
struct st_container *state_container(struct state *st, const char *id);
/* Container id from a cgroup path (Docker, containerd, CRI-O, Podman,
 * runc); writes "" for the host. Returns the runtime name or NULL. */
const char *state_container_id_from_cgroup(const char *cgroup, size_t len,
					   char *id, size_t idlen);

/*
 * Events that the state itself generates (CONTAINER, when it first sees a
 * container). After state_apply(), the pipeline drains them and runs them
 * through state_apply + rules like any other event, until it returns NULL.
 * Each is a full record; the pointer stays valid until that NULL (applying
 * a generated event never generates another). Only generated when live:
 * in replay the capture file holds the ones `vigil capture` saw.
 */
const void *state_pending_event(struct state *st, size_t *len);

/* ----------------------------------------------------- /proc and snapshot */
/* Reads every process, thread and fd from <root>/proc. Returns the number of
 * processes read, or -1 (err says why). */
int state_seed_from_proc(struct state *st, char *err, size_t errlen);

/*
 * Writes the state as PROC_SNAP, FD_SNAP and CONTAINER records (builder:
 * event/event.h), one call of emit() per record, in a stable order
 * (containers, then processes by pid, each followed by its fds by number).
 * ts is the timestamp given to every record. Returns the number of records,
 * or -1 if emit() failed (it returns non-zero) or a record did not fit.
 */
typedef int (*state_emit_fn)(void *arg, const void *rec, size_t len);
long state_write_snapshot(struct state *st, uint64_t ts, state_emit_fn emit, void *arg,
			  char *err, size_t errlen);

#endif
