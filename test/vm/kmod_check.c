/* SPDX-License-Identifier: MIT */
/*
 * kmod_check.c - the module's own VM test: drives /dev/vigil directly
 * (ioctls, mmap, poll, the ring protocol of vigil_abi.h), makes known
 * syscalls in child processes and checks the records that come back,
 * parameter by parameter. Runs as root inside the test VM after insmod:
 *
 *   kmod_check            prints PASS:/FAIL: kmod/<case> lines, exit 1 on a failure
 *
 * Independent of the engine: it decodes records with nothing but the ABI
 * header, so a module bug cannot hide behind a reader bug (and the other
 * way round).
 */
#include "vigil_abi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void result(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS: kmod/%s\n", name);
	} else {
		failures++;
		printf("FAIL: kmod/%s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

/* ---- the event table, as the module sees it ---------------------------- */

#define X_NP(id, name, src, nr, ...) [VIGIL_EVT_##id] = VIGIL_NP_##id,
#define X_NOP(ev, n, t, f)
static const int evt_np[VIGIL_EVT_NR] = { VIGIL_EVENT_TABLE(X_NP, X_NOP) };
#define X_ROW(id, name, src, nr, ...) [VIGIL_EVT_##id] = { __VA_ARGS__ },
#define X_PT(ev, n, t, f) VIGIL_PT_##t,
static const unsigned char evt_pt[VIGIL_EVT_NR][VIGIL_MAX_PARAMS] = {
	VIGIL_EVENT_TABLE(X_ROW, X_PT)
};
#define X_SRC(id, name, src, nr, ...) [VIGIL_EVT_##id] = VIGIL_SRC_##src,
static const int evt_src[VIGIL_EVT_NR] = { VIGIL_EVENT_TABLE(X_SRC, X_NOP) };
#define X_NAME(id, name, src, nr, ...) [VIGIL_EVT_##id] = name,
static const char *const evt_name[VIGIL_EVT_NR] = { VIGIL_EVENT_TABLE(X_NAME, X_NOP) };
#define X_SZ(id, size, name) [VIGIL_PT_##id] = size,
static const int pt_size[VIGIL_PT_NR] = { VIGIL_PARAM_TYPES(X_SZ) };

/* ---- rings -------------------------------------------------------------- */

struct ring {
	volatile struct vigil_ring_cons *cons;
	const volatile struct vigil_ring_prod *prod;
	const uint8_t *data;
	uint64_t size;
};

static struct vigil_info info;
static struct ring rings[256];
static int nrings;

static int map_rings(int fd)
{
	size_t stride;
	int i;

	if (ioctl(fd, VIGIL_IOC_INFO, &info))
		return -1;
	stride = 2 * VIGIL_PAGE_SIZE + info.ring_size;
	nrings = info.nr_rings < 256 ? info.nr_rings : 256;
	for (i = 0; i < nrings; i++) {
		off_t off = (off_t)i * stride;
		void *c = mmap(NULL, VIGIL_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
		void *p = mmap(NULL, VIGIL_PAGE_SIZE + info.ring_size, PROT_READ, MAP_SHARED, fd,
			       off + VIGIL_PAGE_SIZE);

		if (c == MAP_FAILED || p == MAP_FAILED)
			return -1;
		rings[i].cons = c;
		rings[i].prod = p;
		rings[i].data = (const uint8_t *)p + VIGIL_PAGE_SIZE;
		rings[i].size = info.ring_size;
	}
	return 0;
}

static void unmap_rings(void)
{
	int i;

	for (i = 0; i < nrings; i++) {
		munmap((void *)rings[i].cons, VIGIL_PAGE_SIZE);
		munmap((void *)rings[i].prod, VIGIL_PAGE_SIZE + rings[i].size);
	}
	nrings = 0;
}

/* A record copied out of a ring. */
struct rec {
	struct vigil_evt_hdr h;
	uint16_t lens[VIGIL_MAX_PARAMS];
	const uint8_t *val[VIGIL_MAX_PARAMS];
	uint8_t *mem;
};

static struct rec *recs;
static size_t nrecs, caprecs;
static unsigned long bad_records, pads, wraps;
static char bad_why[200];

static void bad(const char *fmt, ...)
{
	va_list ap;

	if (!bad_records++) {
		va_start(ap, fmt);
		vsnprintf(bad_why, sizeof(bad_why), fmt, ap);
		va_end(ap);
	}
}

/* Checks one record's framing against the table; keeps it when @keep. */
static void take(const uint8_t *p, uint32_t len, bool keep)
{
	struct vigil_evt_hdr h;
	struct rec r;
	uint32_t pos, i;

	memcpy(&h, p, sizeof(h));
	if (h.type >= VIGIL_EVT_NR || evt_src[h.type] == VIGIL_SRC_USER) {
		bad("type %u", h.type);
		return;
	}
	if (h.nparams != evt_np[h.type]) {
		bad("type %u: nparams %u, table says %d", h.type, h.nparams, evt_np[h.type]);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.h = h;
	pos = sizeof(h) + 2 * h.nparams;
	memcpy(r.lens, p + sizeof(h), 2 * h.nparams);
	for (i = 0; i < h.nparams; i++) {
		uint32_t l = r.lens[i] & VIGIL_PARAM_LEN_MASK;
		int fixed = pt_size[evt_pt[h.type][i]];

		if (fixed && l && (int)l != fixed) {
			bad("type %u param %u: length %u for a %d-byte type", h.type, i, l, fixed);
			return;
		}
		pos += l;
	}
	if (pos > len || (pos + 7) / 8 * 8 != len) {
		bad("type %u: values end at %u, record length %u", h.type, pos, len);
		return;
	}
	if (!keep)
		return;
	r.mem = malloc(len);
	memcpy(r.mem, p, len);
	pos = sizeof(h) + 2 * h.nparams;
	for (i = 0; i < h.nparams; i++) {
		r.val[i] = r.mem + pos;
		pos += r.lens[i] & VIGIL_PARAM_LEN_MASK;
	}
	if (nrecs == caprecs) {
		caprecs = caprecs ? 2 * caprecs : 1024;
		recs = realloc(recs, caprecs * sizeof(*recs));
	}
	recs[nrecs++] = r;
}

/* Reads every published record of every ring; returns how many. */
static unsigned long drain(bool keep)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < nrings; i++) {
		struct ring *rg = &rings[i];
		uint64_t head = __atomic_load_n(&rg->prod->head, __ATOMIC_ACQUIRE);
		uint64_t tail = rg->cons->tail;

		while (tail < head) {
			uint64_t off = tail & (rg->size - 1);
			struct vigil_evt_hdr h;

			if (rg->size - off < sizeof(h)) {	/* no room for a PAD */
				tail += rg->size - off;
				wraps++;
				continue;
			}
			memcpy(&h, rg->data + off, sizeof(h));
			if (h.len < sizeof(h) || h.len % VIGIL_RECORD_ALIGN ||
			    h.len > rg->size - off || tail + h.len > head) {
				bad("ring %d at %llu: record length %u", i,
				    (unsigned long long)tail, h.len);
				tail = head;
				break;
			}
			if (h.type == VIGIL_EVT_PAD) {
				pads++;
				wraps++;
			} else {
				take(rg->data + off, h.len, keep);
				n++;
			}
			tail += h.len;
		}
		__atomic_store_n(&rg->cons->tail, tail, __ATOMIC_RELEASE);
	}
	return n;
}

static void free_recs(void)
{
	size_t i;

	for (i = 0; i < nrecs; i++)
		free(recs[i].mem);
	nrecs = 0;
}

static int64_t p_int(const struct rec *r, int i)
{
	uint32_t l = r->lens[i] & VIGIL_PARAM_LEN_MASK;
	int64_t v = 0;

	if (l == 8)
		memcpy(&v, r->val[i], 8);
	else if (l == 4) {
		uint32_t u;

		memcpy(&u, r->val[i], 4);
		v = u;
	}
	return v;
}

static bool p_is(const struct rec *r, int i, const void *s, size_t n)
{
	return (r->lens[i] & VIGIL_PARAM_LEN_MASK) == n && !memcmp(r->val[i], s, n);
}

static bool p_str(const struct rec *r, int i, const char *s)
{
	return p_is(r, i, s, strlen(s));
}

static const char *p_show(const struct rec *r, int i)
{
	static char buf[160];
	uint32_t l = r->lens[i] & VIGIL_PARAM_LEN_MASK, j;
	char *o = buf;

	for (j = 0; j < l && o < buf + sizeof(buf) - 5; j++) {
		uint8_t c = r->val[i][j];

		if (c >= 32 && c < 127)
			*o++ = c;
		else
			o += sprintf(o, "\\%02x", c);
	}
	*o = 0;
	return buf;
}

/* The first kept record of @type from thread group @pid matching @pred. */
static const struct rec *find(int type, int pid, bool (*pred)(const struct rec *, const void *),
			      const void *arg)
{
	size_t i;

	for (i = 0; i < nrecs; i++)
		if (recs[i].h.type == type && (pid < 0 || (int)recs[i].h.pid == pid) &&
		    (!pred || pred(&recs[i], arg)))
			return &recs[i];
	return NULL;
}

/* ---- the workload -------------------------------------------------------- */

#define FILE1	"/tmp/kmod-check-file"
#define USOCK	"/tmp/kmod-check.sock"
#define PAYLOAD	"hello vigil"

struct shared {		/* what the workload child reports back */
	int fd, tcp_port, listen_fd, conn_fd, acc_fd, grandchild;
	int upath_fd, exitpid, memfd_child;
};

static int exec_memfd_with_tty(char **argv, char **envp);

static void workload(struct shared *sh)
{
	static char longpath[5000];
	int fd, l, c, a, us, uc, pid, st;
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	socklen_t sl = sizeof(in);

	fd = syscall(SYS_openat, AT_FDCWD, FILE1, O_CREAT | O_WRONLY | O_TRUNC, 0640);
	sh->fd = fd;
	syscall(SYS_write, fd, PAYLOAD, strlen(PAYLOAD));
	syscall(SYS_close, fd);
	syscall(SYS_open, (const char *)1, O_RDONLY);		/* EFAULT */
	memset(longpath, 'a', sizeof(longpath) - 1);
	syscall(SYS_open, longpath, O_RDONLY);			/* ENAMETOOLONG */
	syscall(SYS_unlink, FILE1);

	l = socket(AF_INET, SOCK_STREAM, 0);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(l, (struct sockaddr *)&in, sizeof(in));
	listen(l, 4);
	getsockname(l, (struct sockaddr *)&in, &sl);
	sh->tcp_port = ntohs(in.sin_port);
	sh->listen_fd = l;
	c = socket(AF_INET, SOCK_STREAM, 0);
	sh->conn_fd = c;
	syscall(SYS_connect, c, (struct sockaddr *)&in, sizeof(in));
	a = syscall(SYS_accept4, l, NULL, NULL, 0);
	sh->acc_fd = a;
	close(a);
	close(c);
	close(l);

	unlink(USOCK);
	us = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(un.sun_path, USOCK);
	bind(us, (struct sockaddr *)&un, sizeof(un));
	listen(us, 1);
	uc = socket(AF_UNIX, SOCK_STREAM, 0);
	sh->upath_fd = uc;
	syscall(SYS_connect, uc, (struct sockaddr *)&un, sizeof(un));
	close(uc);
	close(us);
	unlink(USOCK);

	{
		char *argv[] = { "true", "arg-one", NULL };
		char *envp[] = { "KMOD_CHECK_ENV=1", NULL };

		syscall(SYS_execve, "/nonexistent/prog", argv, envp);	/* ENOENT */
		pid = fork();
		if (pid == 0) {
			syscall(SYS_execve, "/bin/busybox", argv, envp);
			_exit(99);
		}
		sh->grandchild = pid;
		waitpid(pid, &st, 0);
		sh->memfd_child = exec_memfd_with_tty(argv, envp);
	}
	pid = fork();
	if (pid == 0)
		_exit(7);
	waitpid(pid, &st, 0);
	sh->exitpid = pid;
}

/*
 * A session leader with a pty as its controlling tty execs busybox from a
 * memfd (fileless): the exec record must say FROM_MEMFD and TTY.
 */
static int exec_memfd_with_tty(char **argv, char **envp)
{
	int pid = fork(), st;

	if (pid == 0) {
		char buf[65536];
		int in = open("/bin/busybox", O_RDONLY), mfd, m, n;
		char *pts;

		mfd = syscall(SYS_memfd_create, "kmod-check", 0);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(mfd, buf, n) != n)
				_exit(90);
		setsid();
		m = posix_openpt(O_RDWR);
		if (m < 0 || grantpt(m) || unlockpt(m) || !(pts = ptsname(m)))
			_exit(91);
		if (open(pts, O_RDWR) < 0)	/* becomes the controlling tty */
			_exit(92);
		syscall(SYS_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
		_exit(93);
	}
	waitpid(pid, &st, 0);
	return pid;
}

static int run_child(void (*fn)(struct shared *), struct shared *sh)
{
	int pid = fork(), st;

	if (pid == 0) {
		fn(sh);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return pid;
}

/* ---- predicates ------------------------------------------------------------ */

static bool name_is(const struct rec *r, const void *s)
{
	return p_str(r, VIGIL_P_OPENAT_name, s);
}

static bool open_res_is(const struct rec *r, const void *v)
{
	return p_int(r, VIGIL_P_OPEN_fd) == *(const long *)v;
}

static bool fd_is(const struct rec *r, const void *v)
{
	return p_int(r, 1) == *(const int *)v;	/* param 1 is the fd for close/connect/write */
}

static bool fork_child_is(const struct rec *r, const void *v)
{
	return p_int(r, VIGIL_P_PROC_FORK_child_pid) == *(const int *)v;
}

static bool path1_is(const struct rec *r, const void *s)
{
	return p_str(r, 1, s);
}

/* connect: the first byte of the address is the family */
static bool addr_family_is(const struct rec *r, const void *fam)
{
	return (r->lens[VIGIL_P_CONNECT_addr] & VIGIL_PARAM_LEN_MASK) >= 1 &&
	       r->val[VIGIL_P_CONNECT_addr][0] == *(const uint8_t *)fam;
}

static bool str_at(const struct rec *r, const void *s)
{
	return p_str(r, VIGIL_P_EXECVE_filename, s);
}

/* ---- the cases ---------------------------------------------------------------- */

static void check_records(int child, const struct shared *sh)
{
	const struct rec *r;
	long v;
	int i;

	r = find(VIGIL_EVT_OPENAT, child, name_is, FILE1);
	result(r && p_int(r, VIGIL_P_OPENAT_fd) == sh->fd &&
	       p_int(r, VIGIL_P_OPENAT_dirfd) == AT_FDCWD &&
	       (p_int(r, VIGIL_P_OPENAT_flags) & (O_CREAT | O_WRONLY)) == (O_CREAT | O_WRONLY) &&
	       p_int(r, VIGIL_P_OPENAT_mode) == 0640 &&
	       (r->lens[VIGIL_P_OPENAT_ino] & VIGIL_PARAM_LEN_MASK) == 8 &&
	       (r->lens[VIGIL_P_OPENAT_dev] & VIGIL_PARAM_LEN_MASK) == 4,
	       "openat", r ? "fd %lld dirfd %lld flags %llo mode %llo" : "no openat record for %s",
	       r ? (long long)p_int(r, 0) : (long long)0, r ? (long long)p_int(r, 1) : 0LL,
	       r ? (long long)p_int(r, 3) : 0LL, r ? (long long)p_int(r, 4) : 0LL, FILE1);
	if (!r)
		printf("    (openat wanted %s)\n", FILE1);

	r = find(VIGIL_EVT_WRITE, child, fd_is, &sh->fd);
	result(r && p_int(r, VIGIL_P_WRITE_res) == (int)strlen(PAYLOAD) &&
	       p_str(r, VIGIL_P_WRITE_data, PAYLOAD), "write-data",
	       r ? "res %lld data '%s'" : "no write record", r ? (long long)p_int(r, 0) : 0LL,
	       r ? p_show(r, VIGIL_P_WRITE_data) : "");

	r = find(VIGIL_EVT_CLOSE, child, fd_is, &sh->fd);
	result(r && p_int(r, VIGIL_P_CLOSE_res) == 0, "close", "no close(%d) record", sh->fd);

	v = -EFAULT;
	r = find(VIGIL_EVT_OPEN, child, open_res_is, &v);
	result(r && (r->lens[VIGIL_P_OPEN_name] & VIGIL_PARAM_FAULT) &&
	       !(r->lens[VIGIL_P_OPEN_name] & VIGIL_PARAM_LEN_MASK), "param-fault",
	       r ? "name lens 0x%x" : "no open record with -EFAULT", r ? r->lens[VIGIL_P_OPEN_name] : 0);

	v = -ENAMETOOLONG;
	r = find(VIGIL_EVT_OPEN, child, open_res_is, &v);
	result(r && (r->lens[VIGIL_P_OPEN_name] & VIGIL_PARAM_TRUNC) &&
	       (r->lens[VIGIL_P_OPEN_name] & VIGIL_PARAM_LEN_MASK) == VIGIL_STRLEN_MAX,
	       "param-trunc", r ? "name lens 0x%x" : "no open record with -ENAMETOOLONG",
	       r ? r->lens[VIGIL_P_OPEN_name] : 0);

	r = find(VIGIL_EVT_UNLINK, child, path1_is, FILE1);
	result(r && p_int(r, 0) == 0 && p_str(r, VIGIL_P_UNLINK_path, FILE1), "unlink",
	       r ? "res %lld path '%s'" : "no unlink record", r ? (long long)p_int(r, 0) : 0LL,
	       r ? p_show(r, 1) : "");

	/* connect to 127.0.0.1:port: addr and tuple */
	r = find(VIGIL_EVT_CONNECT, child, addr_family_is, "\x02");
	{
		uint8_t a[7] = { AF_INET, 127, 0, 0, 1 };
		uint16_t port = sh->tcp_port;

		memcpy(a + 5, &port, 2);
		result(r && p_int(r, 0) == 0 && p_is(r, VIGIL_P_CONNECT_addr, a, 7) &&
		       (r->lens[VIGIL_P_CONNECT_tuple] & VIGIL_PARAM_LEN_MASK) == 13 &&
		       !memcmp(r->val[VIGIL_P_CONNECT_tuple] + 7, a + 1, 6) &&
		       !memcmp(r->val[VIGIL_P_CONNECT_tuple] + 1, a + 1, 4),
		       "connect-inet", r ? "res %lld addr '%s'" : "no connect record",
		       r ? (long long)p_int(r, 0) : 0LL, r ? p_show(r, 2) : "");
	}
	r = find(VIGIL_EVT_ACCEPT4, child, NULL, NULL);
	{
		uint16_t port = sh->tcp_port, sport = 0;

		if (r && (r->lens[VIGIL_P_ACCEPT4_tuple] & VIGIL_PARAM_LEN_MASK) == 13)
			memcpy(&sport, r->val[VIGIL_P_ACCEPT4_tuple] + 5, 2);
		result(r && p_int(r, 0) == sh->acc_fd && p_int(r, 1) == sh->listen_fd &&
		       sport == port, "accept-tuple",
		       r ? "fd %lld lfd %lld local port %u (want %u)" : "no accept4 record",
		       r ? (long long)p_int(r, 0) : 0LL, r ? (long long)p_int(r, 1) : 0LL, sport, port);
	}
	r = find(VIGIL_EVT_CONNECT, child, addr_family_is, "\x01");
	{
		char want[64];

		want[0] = AF_UNIX;
		strcpy(want + 1, USOCK);
		result(r && p_int(r, 0) == 0 && p_is(r, VIGIL_P_CONNECT_addr, want, 1 + strlen(USOCK)) &&
		       p_is(r, VIGIL_P_CONNECT_tuple, want, 1 + strlen(USOCK)),
		       "connect-unix", r ? "addr '%s' tuple '%s'" : "no unix connect record",
		       r ? p_show(r, 2) : "", r ? p_show(r, 3) : "");
	}

	/* failed exec at sys_exit */
	r = find(VIGIL_EVT_EXECVE, child, str_at, "/nonexistent/prog");
	result(r && p_int(r, 0) == -ENOENT &&
	       p_is(r, VIGIL_P_EXECVE_args, "true\0arg-one", 13) &&
	       p_is(r, VIGIL_P_EXECVE_env, "KMOD_CHECK_ENV=1", 17), "exec-failed",
	       r ? "res %lld args '%s'" : "no failed execve record", r ? (long long)p_int(r, 0) : 0LL,
	       r ? p_show(r, 2) : "");

	/* successful exec from sched_process_exec */
	r = find(VIGIL_EVT_EXECVE, sh->grandchild, str_at, "/bin/busybox");
	result(r && p_int(r, 0) == 0 &&
	       p_is(r, VIGIL_P_EXECVE_args, "true\0arg-one", 13) &&
	       p_is(r, VIGIL_P_EXECVE_env, "KMOD_CHECK_ENV=1", 17) &&
	       p_str(r, VIGIL_P_EXECVE_exe, "/bin/busybox") &&
	       p_str(r, VIGIL_P_EXECVE_cwd, "/tmp") &&
	       p_int(r, VIGIL_P_EXECVE_ppid) == child &&
	       p_int(r, VIGIL_P_EXECVE_uid) == 0 && p_int(r, VIGIL_P_EXECVE_euid) == 0 &&
	       p_int(r, VIGIL_P_EXECVE_cap_effective) != 0 &&
	       (r->lens[VIGIL_P_EXECVE_exe_ino] & VIGIL_PARAM_LEN_MASK) == 8 &&
	       p_int(r, VIGIL_P_EXECVE_pidns) != 0 && p_int(r, VIGIL_P_EXECVE_mntns) != 0 &&
	       p_int(r, VIGIL_P_EXECVE_netns) != 0 && p_int(r, VIGIL_P_EXECVE_userns) != 0 &&
	       (r->lens[VIGIL_P_EXECVE_cgroup] & VIGIL_PARAM_LEN_MASK) >= 1 &&
	       p_str(r, VIGIL_P_EXECVE_comm, "busybox"), "exec-sched",
	       r ? "args '%s' exe '%s' cwd '%s'" : "no execve record from pid %d",
	       r ? p_show(r, 2) : "", r ? p_show(r, 4) : "", r ? p_show(r, 5) : "");
	if (r)
		printf("    exec: cgroup '%s'", p_show(r, VIGIL_P_EXECVE_cgroup)),
		printf(" ppid %lld caps %llx ns %lld/%lld/%lld/%lld\n", (long long)p_int(r, VIGIL_P_EXECVE_ppid),
		       (long long)p_int(r, VIGIL_P_EXECVE_cap_effective),
		       (long long)p_int(r, VIGIL_P_EXECVE_pidns),
		       (long long)p_int(r, VIGIL_P_EXECVE_mntns),
		       (long long)p_int(r, VIGIL_P_EXECVE_netns),
		       (long long)p_int(r, VIGIL_P_EXECVE_userns));
	else
		printf("    (grandchild %d)\n", sh->grandchild);

	r = find(VIGIL_EVT_EXECVEAT, sh->memfd_child, NULL, NULL);
	result(r && p_int(r, 0) == 0 &&
	       (p_int(r, VIGIL_P_EXECVEAT_flags) & (VIGIL_EXEC_FROM_MEMFD | VIGIL_EXEC_TTY)) ==
	       (VIGIL_EXEC_FROM_MEMFD | VIGIL_EXEC_TTY) &&
	       (p_int(r, VIGIL_P_EXECVEAT_flags) & VIGIL_EXEC_UPPER_LAYER) == 0 &&
	       p_int(r, VIGIL_P_EXECVEAT_tty) != 0 &&
	       p_int(r, VIGIL_P_EXECVEAT_dirfd) >= 3 &&
	       p_int(r, VIGIL_P_EXECVEAT_at_flags) == AT_EMPTY_PATH &&
	       !memcmp(r->val[VIGIL_P_EXECVEAT_exe], "/memfd:kmod-check", 17),
	       "exec-memfd-tty", r ? "flags 0x%llx tty 0x%llx exe '%s'" : "no execveat record from %d",
	       r ? (long long)p_int(r, VIGIL_P_EXECVEAT_flags) : (long long)sh->memfd_child,
	       r ? (long long)p_int(r, VIGIL_P_EXECVEAT_tty) : 0LL,
	       r ? p_show(r, VIGIL_P_EXECVEAT_exe) : "");
	if (!r) {
		size_t k;

		printf("    records of %d:", sh->memfd_child);
		for (k = 0; k < nrecs; k++)
			if ((int)recs[k].h.pid == sh->memfd_child)
				printf(" %s(%lld)[%s]", evt_name[recs[k].h.type], (long long)p_int(&recs[k], 0),
				       recs[k].h.type == VIGIL_EVT_EXECVE ? p_show(&recs[k], 1) : "");
		printf("\n");
	}
	r = find(VIGIL_EVT_EXECVE, sh->grandchild, NULL, NULL);
	result(r && !(p_int(r, VIGIL_P_EXECVE_flags) & (VIGIL_EXEC_FROM_MEMFD | VIGIL_EXEC_TTY)) &&
	       !(r->lens[VIGIL_P_EXECVE_dirfd] & VIGIL_PARAM_LEN_MASK),
	       "exec-flags-plain", "flags 0x%llx for a plain exec without a tty",
	       r ? (long long)p_int(r, VIGIL_P_EXECVE_flags) : -1LL);

	r = find(VIGIL_EVT_PROC_FORK, child, fork_child_is, &sh->grandchild);
	result(r && p_int(r, VIGIL_P_PROC_FORK_child_tid) == sh->grandchild &&
	       p_int(r, VIGIL_P_PROC_FORK_flags) == 0, "procfork",
	       r ? "flags %lld" : "no procfork record for child %d",
	       r ? (long long)p_int(r, 3) : (long long)sh->grandchild);

	r = find(VIGIL_EVT_PROC_EXIT, sh->exitpid, NULL, NULL);
	result(r && p_int(r, VIGIL_P_PROC_EXIT_status) == (7 << 8) &&
	       p_int(r, VIGIL_P_PROC_EXIT_flags) == VIGIL_EXIT_GROUP_DEAD, "procexit",
	       r ? "status %lld flags %lld" : "no procexit record for %d",
	       r ? (long long)p_int(r, 0) : (long long)sh->exitpid, r ? (long long)p_int(r, 1) : 0LL);

	r = find(VIGIL_EVT_CLONE, child, NULL, NULL);
	if (!r)
		r = find(VIGIL_EVT_CLONE3, child, NULL, NULL);
	result(r != NULL, "clone", "no clone/clone3 record from the workload");

	/* the opener's own process is never captured */
	i = getpid();
	result(!find(VIGIL_EVT_OPENAT, i, NULL, NULL) && !find(VIGIL_EVT_PROC_FORK, i, NULL, NULL),
	       "owner-not-captured", "records from the opener's pid %d", i);
}

static void set_events(int fd, const int *types, int n);

/* ---- every syscall event --------------------------------------------------- */

#define X_NR(id, name, src, nr, ...) [VIGIL_EVT_##id] = nr,
static const int evt_nr[VIGIL_EVT_NR] = { VIGIL_EVENT_TABLE(X_NR, X_NOP) };

/* vfork without touching the stack in the child */
static long raw_vfork(void)
{
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $60, %%eax\n\t"
			 "xor %%edi, %%edi\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(ret) : "a"((long)SYS_vfork) : "rcx", "r11", "rdi", "memory");
	return ret;
}

/* Every syscall of the table once, nearly all failing on bad arguments
 * (all -1: bad fds, pointers, flags), so that every filler runs, on its
 * error path too. */
static void all_syscalls(struct shared *sh)
{
	long m1 = -1;
	int t, pid, st;

	(void)sh;
	for (t = 0; t < VIGIL_EVT_NR; t++) {
		if (evt_src[t] != VIGIL_SRC_SYSCALL)
			continue;
		switch (t) {
		case VIGIL_EVT_FORK:
			pid = syscall(SYS_fork);
			if (pid == 0)
				_exit(0);
			waitpid(pid, &st, 0);
			break;
		case VIGIL_EVT_VFORK:
			pid = raw_vfork();
			waitpid(pid, &st, 0);
			break;
		case VIGIL_EVT_KILL:
			syscall(SYS_kill, 0x3fffffff, 0);	/* ESRCH */
			break;
		case VIGIL_EVT_INIT_MODULE:
			syscall(SYS_init_module, NULL, 0, NULL);
			break;
		default:
			syscall(evt_nr[t], m1, m1, m1, m1, m1, m1);
			break;
		}
	}
}

static void case_coverage(int fd)
{
	struct shared sh;
	char missing[600] = "";
	int child, t, n = 0, want = 0;

	set_events(fd, NULL, -1);
	drain(false);
	free_recs();
	bad_records = 0;
	ioctl(fd, VIGIL_IOC_START, 0);
	child = run_child(all_syscalls, &sh);
	ioctl(fd, VIGIL_IOC_STOP, 0);
	drain(true);
	for (t = 0; t < VIGIL_EVT_NR; t++) {
		if (evt_src[t] != VIGIL_SRC_SYSCALL)
			continue;
		want++;
		if (find(t, child, NULL, NULL))
			n++;
		else if (strlen(missing) < sizeof(missing) - 20)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 " %s", evt_name[t]);
	}
	result(bad_records == 0, "coverage-format", "%lu bad records, first: %s", bad_records,
	       bad_why);
	result(n == want, "coverage", "%d of %d syscall events recorded; missing:%s", n, want,
	       missing);
	printf("    coverage: %d of %d syscall event types, %zu records\n", n, want, nrecs);
}

/* ---- ring protocol cases -------------------------------------------------- */

static uint64_t sum_stat(int fd, int what)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < nrings; i++) {
		struct vigil_cpu_stats st = { .cpu = i };

		if (ioctl(fd, VIGIL_IOC_GET_STATS, &st))
			continue;
		t += what < 0 ? st.events : st.drops[what];
	}
	return t;
}

static void set_events(int fd, const int *types, int n)
{
	struct vigil_evt_bitmap bm;
	int i;

	memset(&bm, 0, sizeof(bm));
	if (n < 0)
		memset(&bm, 0xff, sizeof(bm));
	for (i = 0; i < n; i++)
		bm.bits[types[i] / 64] |= 1ull << (types[i] % 64);
	if (ioctl(fd, VIGIL_IOC_SET_EVENTS, &bm))
		result(false, "set-events", "%s", strerror(errno));
}

static void closes(int n)
{
	int i;

	for (i = 0; i < n; i++)
		syscall(SYS_close, -1);
}

static int count_bad_close(int pid)
{
	size_t i;
	int n = 0;

	for (i = 0; i < nrecs; i++)
		if (recs[i].h.type == VIGIL_EVT_CLOSE && (int)recs[i].h.pid == pid &&
		    p_int(&recs[i], VIGIL_P_CLOSE_fd) == -1 && p_int(&recs[i], 0) == -EBADF)
			n++;
	return n;
}

/* write(-1, buf, n) records of n = 0..299 bytes (data cut at the snaplen
 * of 256) from a child, read concurrently from 64 KiB rings: every one
 * either arrives intact or is counted as a drop, and the rings wrap, with
 * PAD records since the sizes vary. */
static int count_bad_writes(int pid, int *corrupt)
{
	size_t i;
	int n = 0;

	for (i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		uint32_t want, len, j;

		if (r->h.type != VIGIL_EVT_WRITE || (int)r->h.pid != pid ||
		    p_int(r, VIGIL_P_WRITE_fd) != -1)
			continue;
		n++;
		want = p_int(r, VIGIL_P_WRITE_size);
		len = r->lens[VIGIL_P_WRITE_data] & VIGIL_PARAM_LEN_MASK;
		if (p_int(r, 0) != -EBADF || len != (want < 256 ? want : 256) ||
		    !!(r->lens[VIGIL_P_WRITE_data] & VIGIL_PARAM_TRUNC) != (want > 256))
			(*corrupt)++;
		for (j = 0; j < len; j++)
			if (r->val[VIGIL_P_WRITE_data][j] != (uint8_t)(want + j))
				(*corrupt)++;
	}
	return n;
}

static void case_wrap(int fd)
{
	const int type = VIGIL_EVT_WRITE, N = 20000;
	uint64_t d0 = sum_stat(fd, VIGIL_DROP_FULL), drops;
	int pid, st, got, corrupt = 0;
	struct timespec t0, t1;

	set_events(fd, &type, 1);
	drain(false);
	free_recs();
	wraps = pads = bad_records = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		static uint8_t buf[300];
		int i, j;

		for (i = 0; i < N; i++) {
			int n = i % 300;

			for (j = 0; j < n; j++)
				buf[j] = (uint8_t)(n + j);
			syscall(SYS_write, -1, buf, n);
			/*
			 * A pause now and then lets the reader in: under
			 * single-threaded TCG the vCPUs take turns, and the
			 * whole loop can otherwise run in one turn, filling
			 * the ring once and dropping the rest, without a wrap.
			 */
			if (i % 500 == 499)
				usleep(2000);
		}
		_exit(0);
	}
	while (waitpid(pid, &st, WNOHANG) == 0)
		drain(true);
	drain(true);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	drops = sum_stat(fd, VIGIL_DROP_FULL) - d0;
	got = count_bad_writes(pid, &corrupt);
	result(bad_records == 0 && corrupt == 0, "wrap-format",
	       "%lu bad records (first: %s), %d corrupt values", bad_records, bad_why, corrupt);
	result((uint64_t)got + drops == (uint64_t)N && pads > 0, "wrap-accounting",
	       "%d records + %llu drops != %d, or no PAD record (%lu)", got,
	       (unsigned long long)drops, N, pads);
	printf("    wrap: %d records, %llu dropped, %lu wraps (%lu PAD), %.1f ms\n", got,
	       (unsigned long long)drops, wraps, pads,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
}

/* Nobody reads: the ring fills, the rest are counted as FULL drops. */
static void case_full(int fd)
{
	const int type = VIGIL_EVT_CLOSE, N = 5000;
	uint64_t d0 = sum_stat(fd, VIGIL_DROP_FULL), drops;
	int pid, st, got;

	set_events(fd, &type, 1);
	drain(false);
	free_recs();
	pid = fork();
	if (pid == 0) {
		closes(N);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	drops = sum_stat(fd, VIGIL_DROP_FULL) - d0;
	drain(true);
	got = count_bad_close(pid);
	result(drops > 0 && (uint64_t)got + drops == (uint64_t)N, "full-drops",
	       "%d records + %llu drops, want %d with drops > 0", got,
	       (unsigned long long)drops, N);
}

/* A tail the consumer corrupted is not trusted. */
static void case_badtail(int fd)
{
	const int type = VIGIL_EVT_CLOSE;
	uint64_t b0 = sum_stat(fd, VIGIL_DROP_BADTAIL), saved[256];
	int i, pid, st;

	set_events(fd, &type, 1);
	drain(false);
	for (i = 0; i < nrings; i++) {
		saved[i] = rings[i].cons->tail;
		rings[i].cons->tail = saved[i] + 4096;	/* ahead of head */
	}
	pid = fork();
	if (pid == 0) {
		closes(10);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	for (i = 0; i < nrings; i++)
		rings[i].cons->tail = saved[i];
	result(sum_stat(fd, VIGIL_DROP_BADTAIL) - b0 >= 10, "badtail",
	       "%llu BADTAIL drops after 10 events with a bad tail",
	       (unsigned long long)(sum_stat(fd, VIGIL_DROP_BADTAIL) - b0));
}

/* 32-bit syscalls are not captured: int $0x80 with eax = 3 is the ia32
 * read(), whose number is close() on x86_64. */
static void case_compat(int fd)
{
	const int type = VIGIL_EVT_CLOSE;
	int pid, st, n;

	set_events(fd, &type, 1);
	drain(false);
	free_recs();
	pid = fork();
	if (pid == 0) {
		long ret;

		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(3L), "b"(-1L), "c"(0L), "d"(0L)
				 : "memory");
		syscall(SYS_close, -1);	/* one 64-bit close, which is captured */
		_exit(ret == -EBADF ? 0 : 5);
	}
	waitpid(pid, &st, 0);
	drain(true);
	n = count_bad_close(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 5) {
		printf("SKIP: kmod/compat-skipped: no ia32 emulation in this kernel\n");
		return;
	}
	result(n == 1, "compat-skipped", "%d close records from a task that made one 64-bit close "
	       "and one ia32 read (int $0x80)", n);
}

/* poll() wakes up on a record past the watermark. */
static void case_poll(int fd)
{
	const int type = VIGIL_EVT_CLOSE;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int i, pid, st, n0, n1;

	set_events(fd, &type, 1);
	drain(false);
	for (i = 0; i < nrings; i++)
		rings[i].cons->watermark = 0;
	n0 = poll(&p, 1, 0);
	pid = fork();
	if (pid == 0) {
		usleep(200000);
		closes(1);
		_exit(0);
	}
	n1 = poll(&p, 1, 5000);
	waitpid(pid, &st, 0);
	result(n0 == 0 && n1 == 1 && (p.revents & POLLIN), "poll-wakeup",
	       "poll before %d, after %d revents 0x%x", n0, n1, p.revents);
	drain(false);
}

/* Root without CAP_SYS_ADMIN, and uid 1000, cannot open the device. */
static void case_unprivileged(void)
{
	int pid = fork(), st;

	if (pid == 0) {
		struct __user_cap_header_struct hd = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2];

		if (syscall(SYS_capget, &hd, d))
			_exit(3);
		d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
		if (syscall(SYS_capset, &hd, d))
			_exit(4);
		_exit(open(VIGIL_DEVICE_PATH, O_RDWR) < 0 && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	result(WIFEXITED(st) && WEXITSTATUS(st) == 0, "open-no-cap-sys-admin",
	       "root without CAP_SYS_ADMIN: open did not fail with EPERM (child status %d)", st);
	pid = fork();
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(3);
		_exit(open(VIGIL_DEVICE_PATH, O_RDWR) < 0 &&
		      (errno == EPERM || errno == EACCES) ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	result(WIFEXITED(st) && WEXITSTATUS(st) == 0, "open-unprivileged",
	       "uid 1000: open did not fail (child status %d)", st);
}

int main(void)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fd, fd2, child, err;
	uint32_t u;
	void *m;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(VIGIL_DEVICE_PATH, O_RDWR);
	result(fd >= 0, "open", "%s: %s", VIGIL_DEVICE_PATH, strerror(errno));
	if (fd < 0)
		return 1;
	fd2 = open(VIGIL_DEVICE_PATH, O_RDWR);
	result(fd2 < 0 && errno == EBUSY, "open-exclusive", "second open: %d (%s)", fd2,
	       strerror(errno));
	case_unprivileged();

	err = ioctl(fd, VIGIL_IOC_INFO, &info);
	result(!err && info.abi_version == VIGIL_ABI_VERSION && info.nr_events == VIGIL_EVT_NR &&
	       info.ring_size == VIGIL_RING_SIZE_DEFAULT && info.page_size == VIGIL_PAGE_SIZE &&
	       info.nr_rings >= 1 && !info.running && info.snaplen == VIGIL_SNAPLEN_DEFAULT,
	       "info", "abi %u events %u ring %u rings %u", info.abi_version, info.nr_events,
	       info.ring_size, info.nr_rings);
	u = 3000;
	result(ioctl(fd, VIGIL_IOC_SET_RING_SIZE, &u) < 0 && errno == EINVAL, "ring-size-invalid",
	       "3000 accepted");
	u = 1u << 20;
	result(ioctl(fd, VIGIL_IOC_SET_RING_SIZE, &u) == 0, "ring-size", "%s", strerror(errno));
	u = 0x80;
	result(ioctl(fd, VIGIL_IOC_SET_FLAGS, &u) < 0 && errno == EINVAL, "flags-invalid",
	       "unknown flag accepted");
	m = mmap(NULL, VIGIL_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, VIGIL_PAGE_SIZE);
	result(m == MAP_FAILED, "mmap-producer-readonly", "producer page mapped writable");
	if (m != MAP_FAILED)
		munmap(m, VIGIL_PAGE_SIZE);
	result(map_rings(fd) == 0, "mmap", "%s", strerror(errno));
	u = 1u << 16;
	result(ioctl(fd, VIGIL_IOC_SET_RING_SIZE, &u) < 0 && errno == EBUSY, "ring-size-mapped",
	       "ring size changed while mapped");

	/* the workload, everything captured */
	set_events(fd, NULL, -1);
	u = VIGIL_CAPTURE_ENV;
	ioctl(fd, VIGIL_IOC_SET_FLAGS, &u);
	result(ioctl(fd, VIGIL_IOC_START, 0) == 0, "start", "%s", strerror(errno));
	syscall(SYS_openat, AT_FDCWD, "/tmp/kmod-check-owner", O_RDONLY);	/* not captured */
	child = run_child(workload, sh);
	result(ioctl(fd, VIGIL_IOC_STOP, 0) == 0, "stop", "%s", strerror(errno));
	{
		unsigned long n = drain(true);
		uint64_t ev = sum_stat(fd, -1);

		result(bad_records == 0, "record-format", "%lu bad records, first: %s",
		       bad_records, bad_why);
		result(n == ev && sum_stat(fd, VIGIL_DROP_FULL) == 0, "stats-match",
		       "%lu records read, %llu counted", n, (unsigned long long)ev);
		printf("    workload: %lu records\n", n);
	}
	check_records(child, sh);
	case_coverage(fd);

	/* ring protocol: small rings */
	unmap_rings();
	u = 1u << 16;
	result(ioctl(fd, VIGIL_IOC_SET_RING_SIZE, &u) == 0, "ring-size-64k", "%s", strerror(errno));
	result(map_rings(fd) == 0 && info.ring_size == u, "mmap-64k", "%s", strerror(errno));
	ioctl(fd, VIGIL_IOC_START, 0);
	case_poll(fd);
	case_compat(fd);
	case_wrap(fd);
	case_full(fd);
	case_badtail(fd);
	ioctl(fd, VIGIL_IOC_STOP, 0);
	unmap_rings();
	close(fd);
	fd = open(VIGIL_DEVICE_PATH, O_RDWR);
	result(fd >= 0, "reopen", "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return failures ? 1 : 0;
}
