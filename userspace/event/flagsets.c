/* SPDX-License-Identifier: MIT */
/*
 * flagsets.c - one table per flag set, then the renderer. Values are the
 * x86_64 kernel ABI's (include/uapi), written as numbers so that libc's
 * definitions cannot differ from what the module reports.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "event/flagsets.h"

/* B: a flag bit (mask = value). M: a value under a mask. */
#define B(v, n) { (v), (v), n },
#define M(v, m, n) { (v), (m), n },
/* E: an enum value (mask unused). */
#define E(v, n) { (v), 0, n },

#define O_ACCMODE_ 03u
static const struct flag_name fs_open[] = {
	M(00, O_ACCMODE_, "O_RDONLY") M(01, O_ACCMODE_, "O_WRONLY")
	M(02, O_ACCMODE_, "O_RDWR")
	B(0100, "O_CREAT") B(0200, "O_EXCL") B(0400, "O_NOCTTY")
	B(01000, "O_TRUNC") B(02000, "O_APPEND") B(04000, "O_NONBLOCK")
	B(04010000, "O_SYNC") B(010000, "O_DSYNC") B(020000, "O_ASYNC")
	B(040000, "O_DIRECT") B(0100000, "O_LARGEFILE")
	B(020200000, "O_TMPFILE") B(0200000, "O_DIRECTORY")
	B(0400000, "O_NOFOLLOW") B(01000000, "O_NOATIME")
	B(02000000, "O_CLOEXEC") B(010000000, "O_PATH")
};

static const struct flag_name fs_clone[] = {
	/* clone(2) keeps the child's exit signal in the low byte (CSIGNAL) */
	M(17, 0xff, "SIGCHLD")
	B(0x100, "CLONE_VM") B(0x200, "CLONE_FS") B(0x400, "CLONE_FILES")
	B(0x800, "CLONE_SIGHAND") B(0x1000, "CLONE_PIDFD")
	B(0x2000, "CLONE_PTRACE") B(0x4000, "CLONE_VFORK")
	B(0x8000, "CLONE_PARENT") B(0x10000, "CLONE_THREAD")
	B(0x20000, "CLONE_NEWNS") B(0x40000, "CLONE_SYSVSEM")
	B(0x80000, "CLONE_SETTLS") B(0x100000, "CLONE_PARENT_SETTID")
	B(0x200000, "CLONE_CHILD_CLEARTID") B(0x400000, "CLONE_DETACHED")
	B(0x800000, "CLONE_UNTRACED") B(0x1000000, "CLONE_CHILD_SETTID")
	B(0x2000000, "CLONE_NEWCGROUP") B(0x4000000, "CLONE_NEWUTS")
	B(0x8000000, "CLONE_NEWIPC") B(0x10000000, "CLONE_NEWUSER")
	B(0x20000000, "CLONE_NEWPID") B(0x40000000, "CLONE_NEWNET")
	B(0x80000000u, "CLONE_IO") B(0x100000000ull, "CLONE_CLEAR_SIGHAND")
	B(0x200000000ull, "CLONE_INTO_CGROUP")
};

static const struct flag_name fs_at[] = {
	B(0x100, "AT_SYMLINK_NOFOLLOW") B(0x200, "AT_REMOVEDIR")
	B(0x400, "AT_SYMLINK_FOLLOW") B(0x800, "AT_NO_AUTOMOUNT")
	B(0x1000, "AT_EMPTY_PATH")
};

static const struct flag_name fs_rename[] = {
	B(1, "RENAME_NOREPLACE") B(2, "RENAME_EXCHANGE") B(4, "RENAME_WHITEOUT")
};

static const struct flag_name fs_ptrace[] = {
	E(0, "PTRACE_TRACEME") E(1, "PTRACE_PEEKTEXT") E(2, "PTRACE_PEEKDATA")
	E(3, "PTRACE_PEEKUSR") E(4, "PTRACE_POKETEXT") E(5, "PTRACE_POKEDATA")
	E(6, "PTRACE_POKEUSR") E(7, "PTRACE_CONT") E(8, "PTRACE_KILL")
	E(9, "PTRACE_SINGLESTEP") E(12, "PTRACE_GETREGS") E(13, "PTRACE_SETREGS")
	E(14, "PTRACE_GETFPREGS") E(15, "PTRACE_SETFPREGS") E(16, "PTRACE_ATTACH")
	E(17, "PTRACE_DETACH") E(18, "PTRACE_GETFPXREGS") E(19, "PTRACE_SETFPXREGS")
	E(24, "PTRACE_SYSCALL") E(30, "PTRACE_ARCH_PRCTL") E(31, "PTRACE_SYSEMU")
	E(32, "PTRACE_SYSEMU_SINGLESTEP") E(33, "PTRACE_SINGLEBLOCK")
	E(0x4200, "PTRACE_SETOPTIONS") E(0x4201, "PTRACE_GETEVENTMSG")
	E(0x4202, "PTRACE_GETSIGINFO") E(0x4203, "PTRACE_SETSIGINFO")
	E(0x4204, "PTRACE_GETREGSET") E(0x4205, "PTRACE_SETREGSET")
	E(0x4206, "PTRACE_SEIZE") E(0x4207, "PTRACE_INTERRUPT")
	E(0x4208, "PTRACE_LISTEN") E(0x4209, "PTRACE_PEEKSIGINFO")
	E(0x420a, "PTRACE_GETSIGMASK") E(0x420b, "PTRACE_SETSIGMASK")
	E(0x420c, "PTRACE_SECCOMP_GET_FILTER") E(0x420d, "PTRACE_SECCOMP_GET_METADATA")
	E(0x420e, "PTRACE_GET_SYSCALL_INFO")
};

static const struct flag_name fs_sockfamily[] = {
	E(0, "AF_UNSPEC") E(1, "AF_UNIX") E(2, "AF_INET") E(3, "AF_AX25")
	E(4, "AF_IPX") E(5, "AF_APPLETALK") E(6, "AF_NETROM") E(7, "AF_BRIDGE")
	E(8, "AF_ATMPVC") E(9, "AF_X25") E(10, "AF_INET6") E(11, "AF_ROSE")
	E(12, "AF_DECnet") E(15, "AF_KEY") E(16, "AF_NETLINK") E(17, "AF_PACKET")
	E(21, "AF_RDS") E(23, "AF_IRDA") E(26, "AF_LLC") E(29, "AF_CAN")
	E(30, "AF_TIPC") E(31, "AF_BLUETOOTH") E(38, "AF_ALG") E(40, "AF_VSOCK")
	E(41, "AF_KCM") E(42, "AF_QIPCRTR") E(44, "AF_XDP") E(45, "AF_MCTP")
};

#define SOCK_TYPE_MASK_ 0xfu
static const struct flag_name fs_socktype[] = {
	M(1, SOCK_TYPE_MASK_, "SOCK_STREAM") M(2, SOCK_TYPE_MASK_, "SOCK_DGRAM")
	M(3, SOCK_TYPE_MASK_, "SOCK_RAW") M(4, SOCK_TYPE_MASK_, "SOCK_RDM")
	M(5, SOCK_TYPE_MASK_, "SOCK_SEQPACKET") M(6, SOCK_TYPE_MASK_, "SOCK_DCCP")
	M(10, SOCK_TYPE_MASK_, "SOCK_PACKET")
	B(04000, "SOCK_NONBLOCK") B(02000000, "SOCK_CLOEXEC")
};

static const struct flag_name fs_fcntl[] = {
	E(0, "F_DUPFD") E(1, "F_GETFD") E(2, "F_SETFD") E(3, "F_GETFL")
	E(4, "F_SETFL") E(5, "F_GETLK") E(6, "F_SETLK") E(7, "F_SETLKW")
	E(8, "F_SETOWN") E(9, "F_GETOWN") E(10, "F_SETSIG") E(11, "F_GETSIG")
	E(15, "F_SETOWN_EX") E(16, "F_GETOWN_EX") E(17, "F_GETOWNER_UIDS")
	E(36, "F_OFD_GETLK") E(37, "F_OFD_SETLK") E(38, "F_OFD_SETLKW")
	E(1024, "F_SETLEASE") E(1025, "F_GETLEASE") E(1026, "F_NOTIFY")
	E(1030, "F_DUPFD_CLOEXEC") E(1031, "F_SETPIPE_SZ") E(1032, "F_GETPIPE_SZ")
	E(1033, "F_ADD_SEALS") E(1034, "F_GET_SEALS") E(1035, "F_GET_RW_HINT")
	E(1036, "F_SET_RW_HINT") E(1037, "F_GET_FILE_RW_HINT")
	E(1038, "F_SET_FILE_RW_HINT")
};

static const struct flag_name fs_mount[] = {
	/* the old magic in the top 16 bits: the kernel strips it first */
	M(0xc0ed0000u, 0xffff0000u, "MS_MGC_VAL")
	B(1, "MS_RDONLY") B(2, "MS_NOSUID") B(4, "MS_NODEV") B(8, "MS_NOEXEC")
	B(16, "MS_SYNCHRONOUS") B(32, "MS_REMOUNT") B(64, "MS_MANDLOCK")
	B(128, "MS_DIRSYNC") B(256, "MS_NOSYMFOLLOW") B(1024, "MS_NOATIME")
	B(2048, "MS_NODIRATIME") B(4096, "MS_BIND") B(8192, "MS_MOVE")
	B(16384, "MS_REC") B(32768, "MS_SILENT") B(1u << 16, "MS_POSIXACL")
	B(1u << 17, "MS_UNBINDABLE") B(1u << 18, "MS_PRIVATE")
	B(1u << 19, "MS_SLAVE") B(1u << 20, "MS_SHARED")
	B(1u << 21, "MS_RELATIME") B(1u << 22, "MS_KERNMOUNT")
	B(1u << 23, "MS_I_VERSION") B(1u << 24, "MS_STRICTATIME")
	B(1u << 25, "MS_LAZYTIME")
};

static const struct flag_name fs_umount[] = {
	B(1, "MNT_FORCE") B(2, "MNT_DETACH") B(4, "MNT_EXPIRE")
	B(8, "UMOUNT_NOFOLLOW")
};

/* setns nstype and unshare flags */
static const struct flag_name fs_ns[] = {
	B(0x80, "CLONE_NEWTIME") B(0x200, "CLONE_FS") B(0x400, "CLONE_FILES")
	B(0x20000, "CLONE_NEWNS") B(0x40000, "CLONE_SYSVSEM")
	B(0x2000000, "CLONE_NEWCGROUP") B(0x4000000, "CLONE_NEWUTS")
	B(0x8000000, "CLONE_NEWIPC") B(0x10000000, "CLONE_NEWUSER")
	B(0x20000000, "CLONE_NEWPID") B(0x40000000, "CLONE_NEWNET")
};

static const struct flag_name fs_memfd[] = {
	B(1, "MFD_CLOEXEC") B(2, "MFD_ALLOW_SEALING") B(4, "MFD_HUGETLB")
	B(8, "MFD_NOEXEC_SEAL") B(0x10, "MFD_EXEC")
};

static const struct flag_name fs_bpfcmd[] = {
	E(0, "BPF_MAP_CREATE") E(1, "BPF_MAP_LOOKUP_ELEM") E(2, "BPF_MAP_UPDATE_ELEM")
	E(3, "BPF_MAP_DELETE_ELEM") E(4, "BPF_MAP_GET_NEXT_KEY") E(5, "BPF_PROG_LOAD")
	E(6, "BPF_OBJ_PIN") E(7, "BPF_OBJ_GET") E(8, "BPF_PROG_ATTACH")
	E(9, "BPF_PROG_DETACH") E(10, "BPF_PROG_TEST_RUN") E(11, "BPF_PROG_GET_NEXT_ID")
	E(12, "BPF_MAP_GET_NEXT_ID") E(13, "BPF_PROG_GET_FD_BY_ID")
	E(14, "BPF_MAP_GET_FD_BY_ID") E(15, "BPF_OBJ_GET_INFO_BY_FD")
	E(16, "BPF_PROG_QUERY") E(17, "BPF_RAW_TRACEPOINT_OPEN") E(18, "BPF_BTF_LOAD")
	E(19, "BPF_BTF_GET_FD_BY_ID") E(20, "BPF_TASK_FD_QUERY")
	E(21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM") E(22, "BPF_MAP_FREEZE")
	E(23, "BPF_BTF_GET_NEXT_ID") E(24, "BPF_MAP_LOOKUP_BATCH")
	E(25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH") E(26, "BPF_MAP_UPDATE_BATCH")
	E(27, "BPF_MAP_DELETE_BATCH") E(28, "BPF_LINK_CREATE") E(29, "BPF_LINK_UPDATE")
	E(30, "BPF_LINK_GET_FD_BY_ID") E(31, "BPF_LINK_GET_NEXT_ID")
	E(32, "BPF_ENABLE_STATS") E(33, "BPF_ITER_CREATE") E(34, "BPF_LINK_DETACH")
	E(35, "BPF_PROG_BIND_MAP") E(36, "BPF_TOKEN_CREATE")
};

static const struct flag_name fs_fork[] = {
	B(VIGIL_FORK_THREAD, "VIGIL_FORK_THREAD") B(VIGIL_FORK_FILES, "VIGIL_FORK_FILES")
	B(VIGIL_FORK_FS, "VIGIL_FORK_FS") B(VIGIL_FORK_VM, "VIGIL_FORK_VM")
	B(VIGIL_FORK_NEWPIDNS, "VIGIL_FORK_NEWPIDNS")
};

static const struct flag_name fs_exec[] = {
	B(VIGIL_EXEC_UPPER_LAYER, "VIGIL_EXEC_UPPER_LAYER")
	B(VIGIL_EXEC_FROM_MEMFD, "VIGIL_EXEC_FROM_MEMFD")
	B(VIGIL_EXEC_TTY, "VIGIL_EXEC_TTY")
};

static const struct flag_name fs_accept[] = {
	B(04000, "SOCK_NONBLOCK") B(02000000, "SOCK_CLOEXEC")
};

static const struct flag_name fs_finitmod[] = {
	B(1, "MODULE_INIT_IGNORE_MODVERSIONS") B(2, "MODULE_INIT_IGNORE_VERMAGIC")
	B(4, "MODULE_INIT_COMPRESSED_FILE")
};

static const struct flag_name fs_dup3[] = {
	B(02000000, "O_CLOEXEC")
};

static const struct flag_name fs_signal[] = {
	E(1, "SIGHUP") E(2, "SIGINT") E(3, "SIGQUIT") E(4, "SIGILL") E(5, "SIGTRAP")
	E(6, "SIGABRT") E(7, "SIGBUS") E(8, "SIGFPE") E(9, "SIGKILL") E(10, "SIGUSR1")
	E(11, "SIGSEGV") E(12, "SIGUSR2") E(13, "SIGPIPE") E(14, "SIGALRM")
	E(15, "SIGTERM") E(16, "SIGSTKFLT") E(17, "SIGCHLD") E(18, "SIGCONT")
	E(19, "SIGSTOP") E(20, "SIGTSTP") E(21, "SIGTTIN") E(22, "SIGTTOU")
	E(23, "SIGURG") E(24, "SIGXCPU") E(25, "SIGXFSZ") E(26, "SIGVTALRM")
	E(27, "SIGPROF") E(28, "SIGWINCH") E(29, "SIGIO") E(30, "SIGPWR")
	E(31, "SIGSYS")
};

#undef B
#undef M
#undef E

/* Which table serves which flag set id. The list is VIGIL_FLAG_SETS, so a
 * set added to the ABI without a table here fails to compile. */
#define FS_TAB_NONE		NULL, 0
#define FS_TAB(arr)		arr, sizeof(arr) / sizeof(arr[0])
#define FS_TAB_OPEN		FS_TAB(fs_open)
#define FS_TAB_CLONE		FS_TAB(fs_clone)
#define FS_TAB_AT		FS_TAB(fs_at)
#define FS_TAB_RENAME		FS_TAB(fs_rename)
#define FS_TAB_PTRACE		FS_TAB(fs_ptrace)
#define FS_TAB_SOCKFAMILY	FS_TAB(fs_sockfamily)
#define FS_TAB_SOCKTYPE		FS_TAB(fs_socktype)
#define FS_TAB_FCNTL		FS_TAB(fs_fcntl)
#define FS_TAB_MOUNT		FS_TAB(fs_mount)
#define FS_TAB_UMOUNT		FS_TAB(fs_umount)
#define FS_TAB_NS		FS_TAB(fs_ns)
#define FS_TAB_MEMFD		FS_TAB(fs_memfd)
#define FS_TAB_BPFCMD		FS_TAB(fs_bpfcmd)
#define FS_TAB_FORK		FS_TAB(fs_fork)
#define FS_TAB_EXEC		FS_TAB(fs_exec)
#define FS_TAB_ACCEPT		FS_TAB(fs_accept)
#define FS_TAB_FINITMOD		FS_TAB(fs_finitmod)
#define FS_TAB_DUP3		FS_TAB(fs_dup3)
#define FS_TAB_SIGNAL		FS_TAB(fs_signal)

const struct flag_set evt_flagsets[VIGIL_FS_NR] = {
#define X_FS(id) [VIGIL_FS_##id] = { #id, FS_TAB_##id },
	VIGIL_FLAG_SETS(X_FS)
#undef X_FS
};

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len - 1;

		memcpy(o->buf + o->len, s, n < room ? n : room);
		o->buf[o->len + (n < room ? n : room)] = '\0';
	}
	o->len += n;
}

size_t evt_flags_render(enum vigil_flag_set fs, uint64_t v, bool is_enum,
			char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	char num[32];

	if (size)
		buf[0] = '\0';
	const struct flag_set *set = (unsigned)fs < VIGIL_FS_NR ? &evt_flagsets[fs] : NULL;

	if (!set || !set->n) {
		int n = snprintf(num, sizeof(num), "%" PRIu64, v);

		put(&o, num, (size_t)n);
		return o.len;
	}
	if (is_enum) {
		for (size_t i = 0; i < set->n; i++)
			if (set->v[i].value == v) {
				put(&o, set->v[i].name, strlen(set->v[i].name));
				return o.len;
			}
		int n = snprintf(num, sizeof(num), "%" PRIu64, v);

		put(&o, num, (size_t)n);
		return o.len;
	}
	uint64_t left = v;
	bool any = false;

	for (size_t i = 0; i < set->n; i++) {
		const struct flag_name *f = &set->v[i];

		/* a plain zero-valued bit never matches; a zero under a
		 * mask (O_RDONLY) does, once */
		if ((left & f->mask) != f->value || (!f->mask))
			continue;
		if (f->value == 0 && (v & f->mask) != 0)
			continue;
		if (any)
			put(&o, "|", 1);
		put(&o, f->name, strlen(f->name));
		any = true;
		left &= ~f->mask;
	}
	if (left || !any) {
		int n = left ? snprintf(num, sizeof(num), "0x%" PRIx64, left)
			     : snprintf(num, sizeof(num), "0");

		if (any)
			put(&o, "|", 1);
		put(&o, num, (size_t)n);
	}
	return o.len;
}

bool evt_flag_by_name(enum vigil_flag_set fs, const char *name, uint64_t *value)
{
	if ((unsigned)fs >= VIGIL_FS_NR || !name)
		return false;
	const struct flag_set *set = &evt_flagsets[fs];

	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name)) {
			if (value)
				*value = set->v[i].value;
			return true;
		}
	return false;
}
