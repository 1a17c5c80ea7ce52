/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vigil_abi.h - everything the kernel module and userspace must agree on.
 *
 * This header is the contract between kmod/ and userspace/: ioctl numbers,
 * the layout of each per-CPU ring, the record format, and the event table.
 * It is included by the module (kernel types) and by the engine (uapi types).
 * Change the table or any struct here and bump VIGIL_ABI_VERSION.
 *
 * Architecture: x86_64 only for now (syscall numbers are x86_64 __NR_*).
 */
#ifndef VIGIL_ABI_H
#define VIGIL_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#include <asm/unistd.h>
#else
#include <linux/types.h>
#include <sys/ioctl.h>
#include <asm/unistd.h>
#endif

#define VIGIL_ABI_VERSION	3u	/* 2: CONTAINER has `meta` (JSON); 3: exec
					 * records and PROC_SNAP have `userns` */
#define VIGIL_DEVICE_NAME	"vigil"
#define VIGIL_DEVICE_PATH	"/dev/vigil"

/* ------------------------------------------------------------------------
 * Ring layout
 *
 * One ring per possible CPU (index 0 .. nr_rings-1, see VIGIL_IOC_INFO).
 * Each ring occupies `stride = 2 * VIGIL_PAGE_SIZE + ring_size` bytes of the
 * device's mmap space, starting at `cpu * stride`:
 *
 *   +0               consumer page (mmap read-write): struct vigil_ring_cons
 *   +PAGE            producer page (mmap read-only):  struct vigil_ring_prod
 *   +2*PAGE          data, ring_size bytes (mmap read-only)
 *
 * so a reader makes two mappings per CPU: the consumer page alone (RW), and
 * the producer page plus data in one read-only mapping.
 *
 * Concurrency rules (single producer = the CPU, preemption disabled while a
 * record is written; single consumer = the one process that opened the
 * device):
 *  - head and tail are free-running byte counters (never wrapped); the
 *    offset of a position is `pos & (ring_size - 1)`.
 *  - The producer writes the record, then publishes it with a release store
 *    of head. The consumer reads head with an acquire load, then the
 *    records between tail and head.
 *  - The consumer releases space with a release store of tail after it has
 *    finished reading the records. The producer reads tail with an acquire
 *    load and never trusts it: a tail outside [head - ring_size, head] is
 *    treated as "ring full" and counted under VIGIL_DROP_BADTAIL.
 *  - Records never straddle the end of the data area: when a record does
 *    not fit before the end, the producer writes a VIGIL_EVT_PAD record
 *    (header only, len = bytes to the end) and starts at offset 0.
 *    If the space left before the end is smaller than a header (8 or 16
 *    bytes: records are 8-byte aligned, the header is 24), no PAD is
 *    written there and the consumer skips to the start by itself.
 *  - The producer wakes the poll() waiters when the unread bytes reach
 *    cons.watermark (bytes; 0 means as soon as there is one record):
 *    after publishing head it checks, behind a full barrier, whether a
 *    reader sleeps in poll() and, only then, re-reads tail; no lock is
 *    taken in probe context (the wake-up is an irq_work). poll() reports
 *    POLLIN while any ring holds at least the watermark.
 * ------------------------------------------------------------------------ */
#define VIGIL_PAGE_SIZE		4096u
#define VIGIL_RING_SIZE_DEFAULT	(8u << 20)
#define VIGIL_RING_SIZE_MIN	(64u << 10)
#define VIGIL_RING_SIZE_MAX	(256u << 20)
#define VIGIL_RECORD_ALIGN	8u

/* Why a record was lost. One counter per cause, per CPU. */
#define VIGIL_DROP_CAUSES(X)						\
	X(FULL,     "full",     "ring had no room for the record")	\
	X(BADTAIL,  "badtail",  "consumer tail out of range")		\
	X(TOOBIG,   "toobig",   "record larger than the scratch buffer") \
	X(NESTED,   "nested",   "probe re-entered on the same CPU")

enum vigil_drop_cause {
#define VIGIL_X_DROP(id, name, desc) VIGIL_DROP_##id,
	VIGIL_DROP_CAUSES(VIGIL_X_DROP)
#undef VIGIL_X_DROP
	VIGIL_DROP_NR
};

/* Consumer page: the only thing userspace may write. */
struct vigil_ring_cons {
	__u64 tail;		/* bytes consumed (free-running) */
	__u64 watermark;	/* wake poll() when head - tail >= watermark */
};

/* Producer page: written by the kernel only. */
struct vigil_ring_prod {
	__u64 head;		/* bytes produced (free-running) */
	__u64 size;		/* data area size, power of two */
	__u64 events;		/* records written (not counting PAD) */
	__u64 drops[VIGIL_DROP_NR];
	__u64 faults;		/* user-memory reads that failed */
	__u64 truncations;	/* values cut at the snaplen */
	__u64 bytes;		/* record bytes written */
};

/* ------------------------------------------------------------------------
 * Record format
 *
 *   struct vigil_evt_hdr
 *   __u16 lens[nparams]      low 14 bits: byte length of parameter i;
 *                            VIGIL_PARAM_FAULT / VIGIL_PARAM_TRUNC flags
 *   values, packed in order, no padding between them
 *   padding to VIGIL_RECORD_ALIGN (included in hdr.len)
 *
 * Value encodings (little endian, by the parameter's type below):
 *   S64/U64/FD/PID/ERRNO/FLAGS64/DEV64   8 bytes
 *   U32/UID/GID/MODE/FLAGS32/ENUM/DEV    4 bytes
 *   PATH/STR                bytes, no NUL
 *   STRARRAY                NUL-terminated strings back to back (argv/env)
 *   BYTES                   raw bytes (read/write data)
 *   SOCKADDR                __u8 family, then per family:
 *                             AF_INET:  4 addr bytes (network order), __u16 port
 *                             AF_INET6: 16 addr bytes, __u16 port
 *                             AF_UNIX:  path bytes (abstract: leading '\0')
 *                           port in host order
 *   SOCKTUPLE               __u8 family, then
 *                             AF_INET:  saddr[4] sport daddr[4] dport
 *                             AF_INET6: saddr[16] sport daddr[16] dport
 *                             AF_UNIX:  path bytes of the peer or local name
 *                           "s" is the local end, "d" the remote end.
 * A parameter of length 0 means "no value" (and FAULT says why, if set).
 * ------------------------------------------------------------------------ */
#define VIGIL_PARAM_LEN_MASK	0x3fffu
#define VIGIL_PARAM_FAULT	0x8000u	/* user memory could not be read */
#define VIGIL_PARAM_TRUNC	0x4000u	/* value cut at the snaplen */
#define VIGIL_PARAM_MAX_LEN	VIGIL_PARAM_LEN_MASK
#define VIGIL_MAX_PARAMS	48u	/* procinfo has 35 */
#define VIGIL_RECORD_MAX	(64u << 10)	/* whole record, header included */
#define VIGIL_SNAPLEN_DEFAULT	256u	/* BYTES values */
#define VIGIL_STRLEN_MAX	4096u	/* PATH/STR/STRARRAY values */

struct vigil_evt_hdr {
	__u64 ts;		/* CLOCK_MONOTONIC ns (ktime_get_ns) */
	__u32 tid;		/* thread id, as the host sees it */
	__u32 pid;		/* thread group id, as the host sees it */
	__u32 len;		/* whole record in bytes, aligned, hdr included */
	__u16 type;		/* enum vigil_event_type */
	__u8  nparams;
	__u8  cpu;		/* producing CPU (low 8 bits), for diagnostics */
};

/* ------------------------------------------------------------------------
 * Parameter types: id, fixed size (0 = variable), and how to print it.
 * ------------------------------------------------------------------------ */
#define VIGIL_PARAM_TYPES(X)						\
	X(S64,       8, "int64")						\
	X(U64,       8, "uint64")						\
	X(U32,       4, "uint32")						\
	X(FD,        8, "fd")							\
	X(PID,       8, "pid")							\
	X(ERRNO,     8, "errno")	/* syscall return: <0 is -errno */	\
	X(UID,       4, "uid")							\
	X(GID,       4, "gid")							\
	X(MODE,      4, "mode")						\
	X(DEV,       4, "dev")		/* new_encode_dev() */		\
	X(FLAGS32,   4, "flags")	/* named by the param's flag set */	\
	X(FLAGS64,   8, "flags")						\
	X(ENUM,      4, "enum")		/* one value of the flag set */	\
	X(PATH,      0, "path")						\
	X(STR,       0, "string")						\
	X(STRARRAY,  0, "strings")						\
	X(BYTES,     0, "bytes")						\
	X(SOCKADDR,  0, "sockaddr")						\
	X(SOCKTUPLE, 0, "socktuple")

enum vigil_param_type {
#define VIGIL_X_PT(id, size, name) VIGIL_PT_##id,
	VIGIL_PARAM_TYPES(VIGIL_X_PT)
#undef VIGIL_X_PT
	VIGIL_PT_NR
};

/*
 * Flag sets: how FLAGS32/FLAGS64/ENUM parameters are named when printed
 * (evt.arg.flags = O_WRONLY|O_CREAT). The values live in userspace
 * (event/flagsets.h); only the ids are shared.
 */
#define VIGIL_FLAG_SETS(X)						\
	X(NONE)		X(OPEN)		X(CLONE)	X(AT)		\
	X(RENAME)	X(PTRACE)	X(SOCKFAMILY)	X(SOCKTYPE)	\
	X(FCNTL)	X(MOUNT)	X(UMOUNT)	X(NS)		\
	X(MEMFD)	X(BPFCMD)	X(FORK)		X(EXEC)		\
	X(ACCEPT)	X(FINITMOD)	X(DUP3)		X(SIGNAL)

enum vigil_flag_set {
#define VIGIL_X_FS(id) VIGIL_FS_##id,
	VIGIL_FLAG_SETS(VIGIL_X_FS)
#undef VIGIL_X_FS
	VIGIL_FS_NR
};

/*
 * Flags of VIGIL_EVT_PROC_FORK (flag set FORK): what the child shares
 * with its parent, computed in the kernel from the task structs.
 */
#define VIGIL_FORK_THREAD	0x01u	/* same thread group (CLONE_THREAD) */
#define VIGIL_FORK_FILES	0x02u	/* shares the fd table (CLONE_FILES) */
#define VIGIL_FORK_FS		0x04u	/* shares cwd/root (CLONE_FS) */
#define VIGIL_FORK_VM		0x08u	/* shares the address space (CLONE_VM) */
#define VIGIL_FORK_NEWPIDNS	0x10u	/* child is in a new pid namespace */

/* Flags of the `flags` parameter of EXECVE/EXECVEAT (flag set EXEC). */
#define VIGIL_EXEC_UPPER_LAYER	0x01u	/* exe on an overlayfs upper layer */
#define VIGIL_EXEC_FROM_MEMFD	0x02u	/* exe is a memfd (fileless) */
#define VIGIL_EXEC_TTY		0x04u	/* has a controlling tty */

/* Flags of PROC_EXIT (`flags`). */
#define VIGIL_EXIT_GROUP_DEAD	0x01u	/* last thread of the group */

/* ------------------------------------------------------------------------
 * The event table.
 *
 * EV(ID, name, source, nr, params...)
 *   ID      enum suffix: VIGIL_EVT_<ID>
 *   name    evt.type as rules spell it
 *   source  SYSCALL (sys_exit of syscall `nr`), SCHED (a sched_process_*
 *           tracepoint, nr = -1), or USER (made by userspace: capture
 *           snapshots and engine events; the module never emits them)
 *   nr      x86_64 syscall number, or -1
 *   params  P(ID, name, TYPE, FLAGSET) in record order; the event id is
 *           repeated so that each parameter gets an index constant
 *
 * Syscall events are written once, at syscall exit: arguments are taken
 * from the saved registers and user memory at that point, and the first
 * parameter is always the return value.
 * EXECVE/EXECVEAT that succeed are written from sched_process_exec (the
 * registers are gone by sys_exit); failed ones at sys_exit. Both carry the
 * same parameters.
 * ------------------------------------------------------------------------ */
#define VIGIL_EXEC_PARAMS(P, ev)					\
	P(ev, res, ERRNO, NONE)		P(ev, filename, PATH, NONE)		\
	P(ev, args, STRARRAY, NONE)		P(ev, env, STRARRAY, NONE)		\
	P(ev, exe, PATH, NONE)		P(ev, cwd, PATH, NONE)		\
	P(ev, ppid, PID, NONE)		P(ev, vtid, PID, NONE)		\
	P(ev, vpid, PID, NONE)		P(ev, pgid, PID, NONE)		\
	P(ev, vpgid, PID, NONE)		P(ev, sid, PID, NONE)		\
	P(ev, uid, UID, NONE)		P(ev, gid, GID, NONE)		\
	P(ev, euid, UID, NONE)		P(ev, egid, GID, NONE)		\
	P(ev, loginuid, UID, NONE)		P(ev, tty, DEV, NONE)		\
	P(ev, cgroup, PATH, NONE)		P(ev, cap_inheritable, U64, NONE)	\
	P(ev, cap_permitted, U64, NONE)	P(ev, cap_effective, U64, NONE)	\
	P(ev, exe_ino, U64, NONE)		P(ev, exe_ctime, U64, NONE)		\
	P(ev, exe_mtime, U64, NONE)		P(ev, flags, FLAGS32, EXEC)		\
	P(ev, pidns, U32, NONE)		P(ev, mntns, U32, NONE)		\
	P(ev, netns, U32, NONE)		P(ev, userns, U32, NONE)		\
	P(ev, comm, STR, NONE)		P(ev, dirfd, FD, NONE)		\
	P(ev, at_flags, FLAGS32, AT)

#define VIGIL_EVENT_TABLE(EV, P)					\
	/* process lifecycle */						\
	EV(EXECVE, "execve", SYSCALL, __NR_execve, VIGIL_EXEC_PARAMS(P, EXECVE))	\
	EV(EXECVEAT, "execveat", SYSCALL, __NR_execveat, VIGIL_EXEC_PARAMS(P, EXECVEAT)) \
	EV(CLONE, "clone", SYSCALL, __NR_clone,				\
	   P(CLONE, res, PID, NONE) P(CLONE, flags, FLAGS64, CLONE))			\
	EV(CLONE3, "clone3", SYSCALL, __NR_clone3,			\
	   P(CLONE3, res, PID, NONE) P(CLONE3, flags, FLAGS64, CLONE))			\
	EV(FORK, "fork", SYSCALL, __NR_fork, P(FORK, res, PID, NONE))		\
	EV(VFORK, "vfork", SYSCALL, __NR_vfork, P(VFORK, res, PID, NONE))	\
	EV(PROC_FORK, "procfork", SCHED, -1,				\
	   P(PROC_FORK, child_tid, PID, NONE) P(PROC_FORK, child_pid, PID, NONE)		\
	   P(PROC_FORK, child_vtid, PID, NONE) P(PROC_FORK, flags, FLAGS32, FORK))		\
	EV(PROC_EXIT, "procexit", SCHED, -1,				\
	   P(PROC_EXIT, status, S64, NONE) P(PROC_EXIT, flags, FLAGS32, NONE)		\
	   P(PROC_EXIT, reaper, PID, NONE))					\
	/* files */							\
	EV(OPEN, "open", SYSCALL, __NR_open,				\
	   P(OPEN, fd, FD, NONE) P(OPEN, name, PATH, NONE) P(OPEN, flags, FLAGS32, OPEN)	\
	   P(OPEN, mode, MODE, NONE) P(OPEN, dev, DEV, NONE) P(OPEN, ino, U64, NONE))	\
	EV(OPENAT, "openat", SYSCALL, __NR_openat,			\
	   P(OPENAT, fd, FD, NONE) P(OPENAT, dirfd, FD, NONE) P(OPENAT, name, PATH, NONE)	\
	   P(OPENAT, flags, FLAGS32, OPEN) P(OPENAT, mode, MODE, NONE) P(OPENAT, dev, DEV, NONE) \
	   P(OPENAT, ino, U64, NONE))						\
	EV(OPENAT2, "openat2", SYSCALL, __NR_openat2,			\
	   P(OPENAT2, fd, FD, NONE) P(OPENAT2, dirfd, FD, NONE) P(OPENAT2, name, PATH, NONE)	\
	   P(OPENAT2, flags, FLAGS32, OPEN) P(OPENAT2, mode, MODE, NONE) P(OPENAT2, dev, DEV, NONE) \
	   P(OPENAT2, ino, U64, NONE) P(OPENAT2, resolve, U64, NONE))			\
	EV(CREAT, "creat", SYSCALL, __NR_creat,				\
	   P(CREAT, fd, FD, NONE) P(CREAT, name, PATH, NONE) P(CREAT, mode, MODE, NONE)	\
	   P(CREAT, dev, DEV, NONE) P(CREAT, ino, U64, NONE))				\
	EV(CLOSE, "close", SYSCALL, __NR_close,				\
	   P(CLOSE, res, ERRNO, NONE) P(CLOSE, fd, FD, NONE))				\
	EV(DUP, "dup", SYSCALL, __NR_dup,				\
	   P(DUP, res, FD, NONE) P(DUP, oldfd, FD, NONE))				\
	EV(DUP2, "dup2", SYSCALL, __NR_dup2,				\
	   P(DUP2, res, FD, NONE) P(DUP2, oldfd, FD, NONE) P(DUP2, newfd, FD, NONE))	\
	EV(DUP3, "dup3", SYSCALL, __NR_dup3,				\
	   P(DUP3, res, FD, NONE) P(DUP3, oldfd, FD, NONE) P(DUP3, newfd, FD, NONE)	\
	   P(DUP3, flags, FLAGS32, DUP3))					\
	EV(FCNTL, "fcntl", SYSCALL, __NR_fcntl,				\
	   P(FCNTL, res, S64, NONE) P(FCNTL, fd, FD, NONE) P(FCNTL, cmd, ENUM, FCNTL)	\
	   P(FCNTL, arg, U64, NONE))						\
	EV(PIPE, "pipe", SYSCALL, __NR_pipe,				\
	   P(PIPE, res, ERRNO, NONE) P(PIPE, fd1, FD, NONE) P(PIPE, fd2, FD, NONE))	\
	EV(PIPE2, "pipe2", SYSCALL, __NR_pipe2,				\
	   P(PIPE2, res, ERRNO, NONE) P(PIPE2, fd1, FD, NONE) P(PIPE2, fd2, FD, NONE)	\
	   P(PIPE2, flags, FLAGS32, OPEN))					\
	EV(READ, "read", SYSCALL, __NR_read,				\
	   P(READ, res, S64, NONE) P(READ, fd, FD, NONE) P(READ, size, U64, NONE)	\
	   P(READ, data, BYTES, NONE))					\
	EV(WRITE, "write", SYSCALL, __NR_write,				\
	   P(WRITE, res, S64, NONE) P(WRITE, fd, FD, NONE) P(WRITE, size, U64, NONE)	\
	   P(WRITE, data, BYTES, NONE))					\
	EV(UNLINK, "unlink", SYSCALL, __NR_unlink,			\
	   P(UNLINK, res, ERRNO, NONE) P(UNLINK, path, PATH, NONE))			\
	EV(UNLINKAT, "unlinkat", SYSCALL, __NR_unlinkat,		\
	   P(UNLINKAT, res, ERRNO, NONE) P(UNLINKAT, dirfd, FD, NONE) P(UNLINKAT, name, PATH, NONE)	\
	   P(UNLINKAT, flags, FLAGS32, AT))					\
	EV(RENAME, "rename", SYSCALL, __NR_rename,			\
	   P(RENAME, res, ERRNO, NONE) P(RENAME, oldpath, PATH, NONE)			\
	   P(RENAME, newpath, PATH, NONE))					\
	EV(RENAMEAT, "renameat", SYSCALL, __NR_renameat,		\
	   P(RENAMEAT, res, ERRNO, NONE) P(RENAMEAT, olddirfd, FD, NONE)			\
	   P(RENAMEAT, oldpath, PATH, NONE) P(RENAMEAT, newdirfd, FD, NONE)			\
	   P(RENAMEAT, newpath, PATH, NONE))					\
	EV(RENAMEAT2, "renameat2", SYSCALL, __NR_renameat2,		\
	   P(RENAMEAT2, res, ERRNO, NONE) P(RENAMEAT2, olddirfd, FD, NONE)			\
	   P(RENAMEAT2, oldpath, PATH, NONE) P(RENAMEAT2, newdirfd, FD, NONE)			\
	   P(RENAMEAT2, newpath, PATH, NONE) P(RENAMEAT2, flags, FLAGS32, RENAME))		\
	EV(LINK, "link", SYSCALL, __NR_link,				\
	   P(LINK, res, ERRNO, NONE) P(LINK, oldpath, PATH, NONE)			\
	   P(LINK, newpath, PATH, NONE))					\
	EV(LINKAT, "linkat", SYSCALL, __NR_linkat,			\
	   P(LINKAT, res, ERRNO, NONE) P(LINKAT, olddir, FD, NONE)			\
	   P(LINKAT, oldpath, PATH, NONE) P(LINKAT, newdir, FD, NONE)			\
	   P(LINKAT, newpath, PATH, NONE) P(LINKAT, flags, FLAGS32, AT))		\
	EV(SYMLINK, "symlink", SYSCALL, __NR_symlink,			\
	   P(SYMLINK, res, ERRNO, NONE) P(SYMLINK, target, PATH, NONE)			\
	   P(SYMLINK, linkpath, PATH, NONE))					\
	EV(SYMLINKAT, "symlinkat", SYSCALL, __NR_symlinkat,		\
	   P(SYMLINKAT, res, ERRNO, NONE) P(SYMLINKAT, target, PATH, NONE)			\
	   P(SYMLINKAT, linkdirfd, FD, NONE) P(SYMLINKAT, linkpath, PATH, NONE))		\
	EV(MKDIR, "mkdir", SYSCALL, __NR_mkdir,				\
	   P(MKDIR, res, ERRNO, NONE) P(MKDIR, path, PATH, NONE) P(MKDIR, mode, MODE, NONE))	\
	EV(MKDIRAT, "mkdirat", SYSCALL, __NR_mkdirat,			\
	   P(MKDIRAT, res, ERRNO, NONE) P(MKDIRAT, dirfd, FD, NONE) P(MKDIRAT, path, PATH, NONE)	\
	   P(MKDIRAT, mode, MODE, NONE))						\
	EV(RMDIR, "rmdir", SYSCALL, __NR_rmdir,				\
	   P(RMDIR, res, ERRNO, NONE) P(RMDIR, path, PATH, NONE))			\
	EV(CHMOD, "chmod", SYSCALL, __NR_chmod,				\
	   P(CHMOD, res, ERRNO, NONE) P(CHMOD, filename, PATH, NONE)			\
	   P(CHMOD, mode, MODE, NONE))						\
	EV(FCHMOD, "fchmod", SYSCALL, __NR_fchmod,			\
	   P(FCHMOD, res, ERRNO, NONE) P(FCHMOD, fd, FD, NONE) P(FCHMOD, mode, MODE, NONE))	\
	EV(FCHMODAT, "fchmodat", SYSCALL, __NR_fchmodat,		\
	   P(FCHMODAT, res, ERRNO, NONE) P(FCHMODAT, dirfd, FD, NONE)			\
	   P(FCHMODAT, filename, PATH, NONE) P(FCHMODAT, mode, MODE, NONE))			\
	EV(CHOWN, "chown", SYSCALL, __NR_chown,				\
	   P(CHOWN, res, ERRNO, NONE) P(CHOWN, path, PATH, NONE) P(CHOWN, uid, UID, NONE)	\
	   P(CHOWN, gid, GID, NONE))						\
	EV(LCHOWN, "lchown", SYSCALL, __NR_lchown,			\
	   P(LCHOWN, res, ERRNO, NONE) P(LCHOWN, path, PATH, NONE) P(LCHOWN, uid, UID, NONE)	\
	   P(LCHOWN, gid, GID, NONE))						\
	EV(FCHOWN, "fchown", SYSCALL, __NR_fchown,			\
	   P(FCHOWN, res, ERRNO, NONE) P(FCHOWN, fd, FD, NONE) P(FCHOWN, uid, UID, NONE)	\
	   P(FCHOWN, gid, GID, NONE))						\
	EV(FCHOWNAT, "fchownat", SYSCALL, __NR_fchownat,		\
	   P(FCHOWNAT, res, ERRNO, NONE) P(FCHOWNAT, dirfd, FD, NONE) P(FCHOWNAT, pathname, PATH, NONE) \
	   P(FCHOWNAT, uid, UID, NONE) P(FCHOWNAT, gid, GID, NONE) P(FCHOWNAT, flags, FLAGS32, AT))	\
	EV(TRUNCATE, "truncate", SYSCALL, __NR_truncate,		\
	   P(TRUNCATE, res, ERRNO, NONE) P(TRUNCATE, path, PATH, NONE) P(TRUNCATE, length, U64, NONE)) \
	EV(FTRUNCATE, "ftruncate", SYSCALL, __NR_ftruncate,		\
	   P(FTRUNCATE, res, ERRNO, NONE) P(FTRUNCATE, fd, FD, NONE) P(FTRUNCATE, length, U64, NONE))	\
	EV(CHDIR, "chdir", SYSCALL, __NR_chdir,				\
	   P(CHDIR, res, ERRNO, NONE) P(CHDIR, path, PATH, NONE))			\
	EV(FCHDIR, "fchdir", SYSCALL, __NR_fchdir,			\
	   P(FCHDIR, res, ERRNO, NONE) P(FCHDIR, fd, FD, NONE))				\
	/* network */							\
	EV(SOCKET, "socket", SYSCALL, __NR_socket,			\
	   P(SOCKET, fd, FD, NONE) P(SOCKET, domain, ENUM, SOCKFAMILY)			\
	   P(SOCKET, type, FLAGS32, SOCKTYPE) P(SOCKET, proto, U32, NONE))		\
	EV(SOCKETPAIR, "socketpair", SYSCALL, __NR_socketpair,		\
	   P(SOCKETPAIR, res, ERRNO, NONE) P(SOCKETPAIR, fd1, FD, NONE) P(SOCKETPAIR, fd2, FD, NONE)	\
	   P(SOCKETPAIR, domain, ENUM, SOCKFAMILY) P(SOCKETPAIR, type, FLAGS32, SOCKTYPE)	\
	   P(SOCKETPAIR, proto, U32, NONE))						\
	EV(CONNECT, "connect", SYSCALL, __NR_connect,			\
	   P(CONNECT, res, ERRNO, NONE) P(CONNECT, fd, FD, NONE) P(CONNECT, addr, SOCKADDR, NONE)	\
	   P(CONNECT, tuple, SOCKTUPLE, NONE))					\
	EV(ACCEPT, "accept", SYSCALL, __NR_accept,			\
	   P(ACCEPT, fd, FD, NONE) P(ACCEPT, lfd, FD, NONE) P(ACCEPT, tuple, SOCKTUPLE, NONE)	\
	   P(ACCEPT, flags, FLAGS32, ACCEPT))					\
	EV(ACCEPT4, "accept4", SYSCALL, __NR_accept4,			\
	   P(ACCEPT4, fd, FD, NONE) P(ACCEPT4, lfd, FD, NONE) P(ACCEPT4, tuple, SOCKTUPLE, NONE)	\
	   P(ACCEPT4, flags, FLAGS32, ACCEPT))					\
	EV(BIND, "bind", SYSCALL, __NR_bind,				\
	   P(BIND, res, ERRNO, NONE) P(BIND, fd, FD, NONE) P(BIND, addr, SOCKADDR, NONE))	\
	EV(LISTEN, "listen", SYSCALL, __NR_listen,			\
	   P(LISTEN, res, ERRNO, NONE) P(LISTEN, fd, FD, NONE) P(LISTEN, backlog, U32, NONE))	\
	EV(SENDTO, "sendto", SYSCALL, __NR_sendto,			\
	   P(SENDTO, res, S64, NONE) P(SENDTO, fd, FD, NONE) P(SENDTO, size, U64, NONE)		\
	   P(SENDTO, addr, SOCKADDR, NONE) P(SENDTO, tuple, SOCKTUPLE, NONE)		\
	   P(SENDTO, data, BYTES, NONE))					\
	EV(SENDMSG, "sendmsg", SYSCALL, __NR_sendmsg,			\
	   P(SENDMSG, res, S64, NONE) P(SENDMSG, fd, FD, NONE) P(SENDMSG, size, U64, NONE)		\
	   P(SENDMSG, addr, SOCKADDR, NONE) P(SENDMSG, tuple, SOCKTUPLE, NONE))		\
	/* privileges, namespaces, mounts */				\
	EV(SETUID, "setuid", SYSCALL, __NR_setuid,			\
	   P(SETUID, res, ERRNO, NONE) P(SETUID, uid, UID, NONE))			\
	EV(SETGID, "setgid", SYSCALL, __NR_setgid,			\
	   P(SETGID, res, ERRNO, NONE) P(SETGID, gid, GID, NONE))			\
	EV(SETREUID, "setreuid", SYSCALL, __NR_setreuid,		\
	   P(SETREUID, res, ERRNO, NONE) P(SETREUID, ruid, UID, NONE) P(SETREUID, euid, UID, NONE))	\
	EV(SETREGID, "setregid", SYSCALL, __NR_setregid,		\
	   P(SETREGID, res, ERRNO, NONE) P(SETREGID, rgid, GID, NONE) P(SETREGID, egid, GID, NONE))	\
	EV(SETRESUID, "setresuid", SYSCALL, __NR_setresuid,		\
	   P(SETRESUID, res, ERRNO, NONE) P(SETRESUID, ruid, UID, NONE) P(SETRESUID, euid, UID, NONE)	\
	   P(SETRESUID, suid, UID, NONE))						\
	EV(SETRESGID, "setresgid", SYSCALL, __NR_setresgid,		\
	   P(SETRESGID, res, ERRNO, NONE) P(SETRESGID, rgid, GID, NONE) P(SETRESGID, egid, GID, NONE)	\
	   P(SETRESGID, sgid, GID, NONE))						\
	EV(SETNS, "setns", SYSCALL, __NR_setns,				\
	   P(SETNS, res, ERRNO, NONE) P(SETNS, fd, FD, NONE) P(SETNS, nstype, FLAGS32, NS))	\
	EV(UNSHARE, "unshare", SYSCALL, __NR_unshare,			\
	   P(UNSHARE, res, ERRNO, NONE) P(UNSHARE, flags, FLAGS32, NS))			\
	EV(MOUNT, "mount", SYSCALL, __NR_mount,				\
	   P(MOUNT, res, ERRNO, NONE) P(MOUNT, dev, STR, NONE) P(MOUNT, dir, PATH, NONE)	\
	   P(MOUNT, type, STR, NONE) P(MOUNT, flags, FLAGS64, MOUNT))			\
	EV(UMOUNT2, "umount2", SYSCALL, __NR_umount2,			\
	   P(UMOUNT2, res, ERRNO, NONE) P(UMOUNT2, name, PATH, NONE)			\
	   P(UMOUNT2, flags, FLAGS32, UMOUNT))					\
	EV(CHROOT, "chroot", SYSCALL, __NR_chroot,			\
	   P(CHROOT, res, ERRNO, NONE) P(CHROOT, path, PATH, NONE))			\
	EV(PIVOT_ROOT, "pivot_root", SYSCALL, __NR_pivot_root,		\
	   P(PIVOT_ROOT, res, ERRNO, NONE) P(PIVOT_ROOT, new_root, PATH, NONE)			\
	   P(PIVOT_ROOT, put_old, PATH, NONE))					\
	EV(PTRACE, "ptrace", SYSCALL, __NR_ptrace,			\
	   P(PTRACE, res, S64, NONE) P(PTRACE, request, ENUM, PTRACE) P(PTRACE, pid, PID, NONE)) \
	EV(INIT_MODULE, "init_module", SYSCALL, __NR_init_module,	\
	   P(INIT_MODULE, res, ERRNO, NONE) P(INIT_MODULE, length, U64, NONE) P(INIT_MODULE, uargs, STR, NONE)) \
	EV(FINIT_MODULE, "finit_module", SYSCALL, __NR_finit_module,	\
	   P(FINIT_MODULE, res, ERRNO, NONE) P(FINIT_MODULE, fd, FD, NONE) P(FINIT_MODULE, uargs, STR, NONE)	\
	   P(FINIT_MODULE, flags, FLAGS32, FINITMOD))					\
	EV(MEMFD_CREATE, "memfd_create", SYSCALL, __NR_memfd_create,	\
	   P(MEMFD_CREATE, fd, FD, NONE) P(MEMFD_CREATE, name, STR, NONE) P(MEMFD_CREATE, flags, FLAGS32, MEMFD))	\
	EV(BPF, "bpf", SYSCALL, __NR_bpf,				\
	   P(BPF, res, S64, NONE) P(BPF, cmd, ENUM, BPFCMD))			\
	EV(KILL, "kill", SYSCALL, __NR_kill,				\
	   P(KILL, res, ERRNO, NONE) P(KILL, pid, PID, NONE) P(KILL, sig, ENUM, SIGNAL))	\
	/* made by userspace, never by the module */			\
	EV(PAD, "pad", USER, -1, )					\
	EV(PROC_SNAP, "procinfo", USER, -1,				\
	   P(PROC_SNAP, tid, PID, NONE) P(PROC_SNAP, pid, PID, NONE) VIGIL_EXEC_PARAMS(P, PROC_SNAP)	\
	   P(PROC_SNAP, start_ts, U64, NONE))					\
	EV(FD_SNAP, "fdinfo", USER, -1,					\
	   P(FD_SNAP, pid, PID, NONE) P(FD_SNAP, fd, FD, NONE) P(FD_SNAP, typechar, U32, NONE)	\
	   P(FD_SNAP, name, PATH, NONE) P(FD_SNAP, flags, FLAGS32, OPEN)			\
	   P(FD_SNAP, tuple, SOCKTUPLE, NONE) P(FD_SNAP, ino, U64, NONE))		\
	EV(CONTAINER, "container", USER, -1,				\
	   P(CONTAINER, id, STR, NONE) P(CONTAINER, name, STR, NONE) P(CONTAINER, image, STR, NONE)	\
	   P(CONTAINER, pid, PID, NONE) P(CONTAINER, meta, STR, NONE))					\
	EV(DROP, "drop", USER, -1,					\
	   P(DROP, cpu, U32, NONE) P(DROP, cause, U32, NONE) P(DROP, count, U64, NONE))

enum vigil_event_type {
#define VIGIL_X_EVT(id, name, src, nr, ...) VIGIL_EVT_##id,
#define VIGIL_X_NOP(ev, n, t, f)
	VIGIL_EVENT_TABLE(VIGIL_X_EVT, VIGIL_X_NOP)
#undef VIGIL_X_EVT
#undef VIGIL_X_NOP
	VIGIL_EVT_NR
};

enum vigil_event_source {
	VIGIL_SRC_SYSCALL,
	VIGIL_SRC_SCHED,
	VIGIL_SRC_USER,
};

/*
 * Per-event parameter index constants: VIGIL_P_<EVENT>_<param>, plus
 * VIGIL_NP_<EVENT> (the parameter count), so fillers and decoders name
 * parameters instead of counting them.
 */
#define VIGIL_X_PIDX(ev, n, t, f) VIGIL_P_##ev##_##n,
#define VIGIL_X_PENUM(id, name, src, nr, ...)				\
	enum { __VA_ARGS__ VIGIL_NP_##id };
VIGIL_EVENT_TABLE(VIGIL_X_PENUM, VIGIL_X_PIDX)
#undef VIGIL_X_PENUM
#undef VIGIL_X_PIDX

/* Bitmap over event types: which ones the module emits. */
#define VIGIL_EVT_BITMAP_WORDS	((VIGIL_EVT_NR + 63) / 64)
struct vigil_evt_bitmap {
	__u64 bits[VIGIL_EVT_BITMAP_WORDS];
};

/* ------------------------------------------------------------------------
 * Control (ioctl on /dev/vigil). Only CAP_SYS_ADMIN may open the device,
 * and only one opener at a time. Capture starts stopped, with an empty
 * event bitmap; configure, mmap, then START.
 * ------------------------------------------------------------------------ */
struct vigil_info {
	__u32 abi_version;	/* VIGIL_ABI_VERSION of the module */
	__u32 nr_rings;		/* rings = possible CPUs, ids 0..nr_rings-1 */
	__u32 ring_size;	/* data bytes per ring */
	__u32 page_size;	/* VIGIL_PAGE_SIZE */
	__u32 snaplen;
	__u32 nr_events;	/* VIGIL_EVT_NR of the module */
	__u32 flags;		/* VIGIL_CAPTURE_* */
	__u32 running;
};

struct vigil_cpu_stats {
	__u32 cpu;		/* in: ring index */
	__u32 online;		/* out */
	__u64 head;
	__u64 tail;
	__u64 events;
	__u64 drops[VIGIL_DROP_NR];
	__u64 faults;
	__u64 truncations;
	__u64 bytes;
};

/* Capture options (VIGIL_IOC_SET_FLAGS). */
#define VIGIL_CAPTURE_ENV	0x01u	/* fill the env parameter of exec */

#define VIGIL_IOC_MAGIC		'v'
#define VIGIL_IOC_INFO		_IOR(VIGIL_IOC_MAGIC, 1, struct vigil_info)
#define VIGIL_IOC_START		_IO(VIGIL_IOC_MAGIC, 2)
#define VIGIL_IOC_STOP		_IO(VIGIL_IOC_MAGIC, 3)
#define VIGIL_IOC_SET_EVENTS	_IOW(VIGIL_IOC_MAGIC, 4, struct vigil_evt_bitmap)
#define VIGIL_IOC_SET_RING_SIZE	_IOW(VIGIL_IOC_MAGIC, 5, __u32)
#define VIGIL_IOC_SET_SNAPLEN	_IOW(VIGIL_IOC_MAGIC, 6, __u32)
#define VIGIL_IOC_GET_STATS	_IOWR(VIGIL_IOC_MAGIC, 7, struct vigil_cpu_stats)
#define VIGIL_IOC_SET_FLAGS	_IOW(VIGIL_IOC_MAGIC, 8, __u32)

#endif /* VIGIL_ABI_H */
