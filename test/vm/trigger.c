/* SPDX-License-Identifier: MIT */
/*
 * trigger.c - makes every syscall vigil captures, succeeding and failing,
 * and writes down what the module must report for each (lib/expect.h).
 * Runs inside the test VM as root, while `vigil capture` records:
 *
 *   trigger run DIR EXPECT_FILE     all steps, in a fresh DIR
 *   trigger exec-child FD           (internal) the far side of execve: writes
 *                                   the expectation of its own exec to FD
 *
 * Prints `FAIL: trigger/<step>: why` when a syscall did not do what the step
 * needs (that would make the expectation meaningless), and a closing
 * `PASS: trigger/run` line. Syscalls go through syscall(2) so that the
 * C library adds none of its own between steps.
 */
#include "lib/expect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
static int xfd = -1;		/* expectations file, shared by all processes */
static const char *dir;		/* work folder, absolute */

static long scr(long r)
{
	return r == -1 ? -errno : r;
}
#define SC(...) scr(syscall(__VA_ARGS__))

static void fail(const char *step, const char *fmt, long a, long b)
{
	printf("FAIL: trigger/%s: ", step);
	printf(fmt, a, b);
	printf("\n");
	fflush(stdout);
	failures++;
}

/* The step needs exactly this result. */
static void want(const char *step, long r, long w)
{
	if (r != w)
		fail(step, "syscall returned %ld, the step needs %ld", r, w);
}

/* The step needs success (>= 0). */
static void want_ok(const char *step, long r)
{
	if (r < 0)
		fail(step, "syscall failed with %ld%s", r, (long)0);
}

static const char *P(const char *name)	/* DIR/name, static ring */
{
	static char b[8][512];
	static int n;
	char *s = b[n++ % 8];

	snprintf(s, 512, "%s/%s", dir, name);
	return s;
}

static void devino(int fd, long long *dev, long long *ino)
{
	struct stat st;

	*dev = *ino = -1;
	if (fstat(fd, &st) == 0) {
		*dev = (long long)st.st_dev;
		*ino = (long long)st.st_ino;
	}
}

static const char *absent_or_zero(void)
{
	return j_oneof2(J_ABSENT, j_int(0));
}

static int tid(void)
{
	return (int)syscall(SYS_gettid);
}

static void flush_expectations(void)
{
	if (x_flush_fd(xfd) != 0)
		fail("flush", "cannot write the expectations (%ld)%s", (long)errno, (long)0);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

static void step_dirs(int dfd)
{
	long r;

	r = SC(SYS_mkdir, P("d1"), 0750);
	want("mkdir-ok", r, 0);
	XB(MKDIR, tid(), "mkdir-ok"); XI(MKDIR, res, r); XS(MKDIR, path, P("d1")); XI(MKDIR, mode, 0750); XE();

	r = SC(SYS_mkdir, P("d1"), 0700);
	want("mkdir-eexist", r, -EEXIST);
	XB(MKDIR, tid(), "mkdir-eexist"); XI(MKDIR, res, r); XS(MKDIR, path, P("d1")); XI(MKDIR, mode, 0700); XE();

	r = SC(SYS_mkdirat, dfd, "d2", 0701);
	want("mkdirat-ok", r, 0);
	XB(MKDIRAT, tid(), "mkdirat-ok"); XI(MKDIRAT, res, r); XI(MKDIRAT, dirfd, dfd);
	XS(MKDIRAT, path, "d2"); XI(MKDIRAT, mode, 0701); XE();

	r = SC(SYS_rmdir, P("d2"));
	want("rmdir-ok", r, 0);
	XB(RMDIR, tid(), "rmdir-ok"); XI(RMDIR, res, r); XS(RMDIR, path, P("d2")); XE();

	r = SC(SYS_rmdir, P("nothere"));
	want("rmdir-enoent", r, -ENOENT);
	XB(RMDIR, tid(), "rmdir-enoent"); XI(RMDIR, res, r); XS(RMDIR, path, P("nothere")); XE();

	r = SC(SYS_mkdirat, dfd, "d3", 0755);
	want("mkdirat-d3", r, 0);
	XB(MKDIRAT, tid(), "mkdirat-d3"); XI(MKDIRAT, res, r); XI(MKDIRAT, dirfd, dfd);
	XS(MKDIRAT, path, "d3"); XI(MKDIRAT, mode, 0755); XE();

	r = SC(SYS_unlinkat, dfd, "d3", AT_REMOVEDIR);
	want("unlinkat-dir", r, 0);
	XB(UNLINKAT, tid(), "unlinkat-dir"); XI(UNLINKAT, res, r); XI(UNLINKAT, dirfd, dfd);
	XS(UNLINKAT, name, "d3"); XI(UNLINKAT, flags, AT_REMOVEDIR); XE();

	r = SC(SYS_chdir, dir);
	want("chdir-ok", r, 0);
	XB(CHDIR, tid(), "chdir-ok"); XI(CHDIR, res, r); XS(CHDIR, path, dir); XE();

	r = SC(SYS_chdir, P("nothere"));
	want("chdir-enoent", r, -ENOENT);
	XB(CHDIR, tid(), "chdir-enoent"); XI(CHDIR, res, r); XS(CHDIR, path, P("nothere")); XE();

	r = SC(SYS_fchdir, dfd);
	want("fchdir-ok", r, 0);
	XB(FCHDIR, tid(), "fchdir-ok"); XI(FCHDIR, res, r); XI(FCHDIR, fd, dfd); XE();

	r = SC(SYS_fchdir, 9999);
	want("fchdir-ebadf", r, -EBADF);
	XB(FCHDIR, tid(), "fchdir-ebadf"); XI(FCHDIR, res, r); XI(FCHDIR, fd, 9999); XE();
}

static void step_open(int dfd)
{
	long long dev, ino;
	long r, fd;
	char buf[64];

	fd = SC(SYS_open, P("f1"), O_WRONLY | O_CREAT | O_TRUNC, 0640);
	want_ok("open-ok", fd);
	devino((int)fd, &dev, &ino);
	XB(OPEN, tid(), "open-ok"); XI(OPEN, fd, fd); XS(OPEN, name, P("f1"));
	XI(OPEN, flags, O_WRONLY | O_CREAT | O_TRUNC); XI(OPEN, mode, 0640);
	XI(OPEN, dev, dev); XI(OPEN, ino, ino); XE();

	r = SC(SYS_write, fd, "hello-vigil", 11);
	want("write-ok", r, 11);
	XB(WRITE, tid(), "write-ok"); XI(WRITE, res, r); XI(WRITE, fd, fd); XI(WRITE, size, 11);
	XS(WRITE, data, "hello-vigil"); XE();

	/* longer than the snaplen (sc_driver.sh captures with --snaplen 256) */
	static char big[1000];
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 26);
	long nul = SC(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY, 0);
	want_ok("openat-devnull", nul);
	devino((int)nul, &dev, &ino);
	XB(OPENAT, tid(), "openat-devnull"); XI(OPENAT, fd, nul); XI(OPENAT, dirfd, AT_FDCWD);
	XS(OPENAT, name, "/dev/null"); XI(OPENAT, flags, O_WRONLY); XI(OPENAT, mode, 0);
	XI(OPENAT, dev, dev); XI(OPENAT, ino, ino); XE();
	r = SC(SYS_write, nul, big, sizeof(big));
	want("write-trunc", r, sizeof(big));
	char cut[257];
	memcpy(cut, big, 256);
	cut[256] = 0;
	XB(WRITE, tid(), "write-trunc"); XI(WRITE, res, r); XI(WRITE, fd, nul); XI(WRITE, size, sizeof(big));
	XR(WRITE, data, j_trunc(cut)); XE();
	SC(SYS_close, nul);

	r = SC(SYS_write, 9999, "x", 1);
	want("write-ebadf", r, -EBADF);
	XB(WRITE, tid(), "write-ebadf"); XI(WRITE, res, r); XI(WRITE, fd, 9999); XI(WRITE, size, 1);
	XR(WRITE, data, j_oneof2(J_ABSENT, j_str("x"))); XE();

	/* data the module cannot read (the small-copy path): no value, FAULT */
	long f2 = SC(SYS_open, P("f2"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	want_ok("open-f2", f2);
	r = SC(SYS_write, f2, (const char *)8, 10);
	want("write-efault", r, -EFAULT);
	XB(WRITE, tid(), "write-efault"); XI(WRITE, res, r); XI(WRITE, fd, f2); XI(WRITE, size, 10);
	XR(WRITE, data, J_FAULT); XE();

	/*
	 * 13 bytes ending at the last byte of a page whose next page cannot be
	 * read: all of them, no FAULT (a copy that read a whole word past the
	 * end would fault on the next page).
	 */
	char *pg = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg == MAP_FAILED || mprotect(pg + 4096, 4096, PROT_NONE) != 0) {
		fail("write-page-end", "mmap/mprotect failed (%ld %ld)", 0, 0);
	} else {
		memcpy(pg + 4096 - 13, "page-end-data", 13);
		r = SC(SYS_write, f2, pg + 4096 - 13, 13);
		want("write-page-end", r, 13);
		XB(WRITE, tid(), "write-page-end"); XI(WRITE, res, r); XI(WRITE, fd, f2);
		XI(WRITE, size, 13); XS(WRITE, data, "page-end-data"); XE();

		/*
		 * A path whose NUL is the last byte of that page: read whole,
		 * no FAULT. Its length is not a multiple of 8, so the module's
		 * last 8-byte read reaches into the next page, faults, and the
		 * rest must be read again byte by byte.
		 */
		const char *pe = P("page-end-path-x");
		size_t pl = strlen(pe) + 1;

		if (pl % 8 == 0) {
			pe = P("page-end-path-xy");
			pl++;
		}
		char *ps = pg + 4096 - pl;

		memcpy(ps, pe, pl);
		r = SC(SYS_open, ps, O_RDONLY, 0);
		want("open-page-end", r, -ENOENT);
		XB(OPEN, tid(), "open-page-end"); XI(OPEN, fd, r); XS(OPEN, name, pe);
		XI(OPEN, flags, O_RDONLY); XI(OPEN, mode, 0);
		XR(OPEN, dev, absent_or_zero()); XR(OPEN, ino, absent_or_zero()); XE();
		munmap(pg, 2 * 4096);
	}
	SC(SYS_close, f2);

	r = SC(SYS_close, fd);
	want("close-ok", r, 0);
	XB(CLOSE, tid(), "close-ok"); XI(CLOSE, res, r); XI(CLOSE, fd, fd); XE();

	r = SC(SYS_close, fd);
	want("close-ebadf", r, -EBADF);
	XB(CLOSE, tid(), "close-ebadf"); XI(CLOSE, res, r); XI(CLOSE, fd, fd); XE();

	/* a path the kernel cannot read: no value, and the FAULT flag */
	r = SC(SYS_open, (const char *)8, O_RDONLY, 0);
	want("open-efault", r, -EFAULT);
	XB(OPEN, tid(), "open-efault"); XI(OPEN, fd, r); XR(OPEN, name, J_FAULT);
	XI(OPEN, flags, O_RDONLY); XI(OPEN, mode, 0);
	XR(OPEN, dev, absent_or_zero()); XR(OPEN, ino, absent_or_zero()); XE();

	r = SC(SYS_open, P("nothere/x"), O_RDONLY, 0);
	want("open-enoent", r, -ENOENT);
	XB(OPEN, tid(), "open-enoent"); XI(OPEN, fd, r); XS(OPEN, name, P("nothere/x"));
	XI(OPEN, flags, O_RDONLY); XI(OPEN, mode, 0);
	XR(OPEN, dev, absent_or_zero()); XR(OPEN, ino, absent_or_zero()); XE();

	fd = SC(SYS_openat, dfd, "f1", O_RDONLY | O_CLOEXEC, 0);
	want_ok("openat-ok", fd);
	devino((int)fd, &dev, &ino);
	XB(OPENAT, tid(), "openat-ok"); XI(OPENAT, fd, fd); XI(OPENAT, dirfd, dfd); XS(OPENAT, name, "f1");
	XI(OPENAT, flags, O_RDONLY | O_CLOEXEC); XI(OPENAT, mode, 0);
	XI(OPENAT, dev, dev); XI(OPENAT, ino, ino); XE();

	r = SC(SYS_read, fd, buf, sizeof(buf));
	want("read-ok", r, 11);
	XB(READ, tid(), "read-ok"); XI(READ, res, r); XI(READ, fd, fd); XI(READ, size, sizeof(buf));
	XS(READ, data, "hello-vigil"); XE();

	r = SC(SYS_read, fd, buf, sizeof(buf));
	want("read-eof", r, 0);
	XB(READ, tid(), "read-eof"); XI(READ, res, r); XI(READ, fd, fd); XI(READ, size, sizeof(buf));
	XR(READ, data, J_ABSENT); XE();

	r = SC(SYS_read, 9999, buf, 8);
	want("read-ebadf", r, -EBADF);
	XB(READ, tid(), "read-ebadf"); XI(READ, res, r); XI(READ, fd, 9999); XI(READ, size, 8);
	XR(READ, data, J_ABSENT); XE();
	SC(SYS_close, fd);
	XB(CLOSE, tid(), "close-openat"); XI(CLOSE, res, 0); XI(CLOSE, fd, fd); XE();

	r = SC(SYS_openat, AT_FDCWD, P("nothere"), O_RDWR, 0);
	want("openat-enoent", r, -ENOENT);
	XB(OPENAT, tid(), "openat-enoent"); XI(OPENAT, fd, r); XI(OPENAT, dirfd, AT_FDCWD);
	XS(OPENAT, name, P("nothere")); XI(OPENAT, flags, O_RDWR); XI(OPENAT, mode, 0);
	XR(OPENAT, dev, absent_or_zero()); XR(OPENAT, ino, absent_or_zero()); XE();

	struct open_how how = { .flags = O_RDONLY, .mode = 0, .resolve = RESOLVE_BENEATH };
	fd = SC(SYS_openat2, dfd, "f1", &how, sizeof(how));
	want_ok("openat2-ok", fd);
	devino((int)fd, &dev, &ino);
	XB(OPENAT2, tid(), "openat2-ok"); XI(OPENAT2, fd, fd); XI(OPENAT2, dirfd, dfd); XS(OPENAT2, name, "f1");
	XI(OPENAT2, flags, O_RDONLY); XI(OPENAT2, mode, 0); XI(OPENAT2, dev, dev); XI(OPENAT2, ino, ino);
	XI(OPENAT2, resolve, RESOLVE_BENEATH); XE();
	SC(SYS_close, fd);

	fd = SC(SYS_openat2, dfd, "/etc/passwd", &how, sizeof(how));
	want("openat2-exdev", fd, -EXDEV);
	XB(OPENAT2, tid(), "openat2-exdev"); XI(OPENAT2, fd, fd); XI(OPENAT2, dirfd, dfd);
	XS(OPENAT2, name, "/etc/passwd"); XI(OPENAT2, flags, O_RDONLY); XI(OPENAT2, mode, 0);
	XR(OPENAT2, dev, absent_or_zero()); XR(OPENAT2, ino, absent_or_zero());
	XI(OPENAT2, resolve, RESOLVE_BENEATH); XE();

	fd = SC(SYS_creat, P("f3"), 0604);
	want_ok("creat-ok", fd);
	devino((int)fd, &dev, &ino);
	XB(CREAT, tid(), "creat-ok"); XI(CREAT, fd, fd); XS(CREAT, name, P("f3")); XI(CREAT, mode, 0604);
	XI(CREAT, dev, dev); XI(CREAT, ino, ino); XE();

	r = SC(SYS_ftruncate, fd, 5);
	want("ftruncate-ok", r, 0);
	XB(FTRUNCATE, tid(), "ftruncate-ok"); XI(FTRUNCATE, res, r); XI(FTRUNCATE, fd, fd);
	XI(FTRUNCATE, length, 5); XE();

	r = SC(SYS_fchmod, fd, 0611);
	want("fchmod-ok", r, 0);
	XB(FCHMOD, tid(), "fchmod-ok"); XI(FCHMOD, res, r); XI(FCHMOD, fd, fd); XI(FCHMOD, mode, 0611); XE();

	r = SC(SYS_fchown, fd, 1000, 1001);
	want("fchown-ok", r, 0);
	XB(FCHOWN, tid(), "fchown-ok"); XI(FCHOWN, res, r); XI(FCHOWN, fd, fd); XI(FCHOWN, uid, 1000);
	XI(FCHOWN, gid, 1001); XE();

	r = SC(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
	want("fcntl-setfd", r, 0);
	XB(FCNTL, tid(), "fcntl-setfd"); XI(FCNTL, res, r); XI(FCNTL, fd, fd); XI(FCNTL, cmd, F_SETFD);
	XI(FCNTL, arg, FD_CLOEXEC); XE();

	r = SC(SYS_fcntl, fd, F_GETFL, 0);
	want_ok("fcntl-getfl", r);
	XB(FCNTL, tid(), "fcntl-getfl"); XI(FCNTL, res, r); XI(FCNTL, fd, fd); XI(FCNTL, cmd, F_GETFL);
	XI(FCNTL, arg, 0); XE();

	r = SC(SYS_fcntl, 9999, F_GETFD, 0);
	want("fcntl-ebadf", r, -EBADF);
	XB(FCNTL, tid(), "fcntl-ebadf"); XI(FCNTL, res, r); XI(FCNTL, fd, 9999); XI(FCNTL, cmd, F_GETFD);
	XI(FCNTL, arg, 0); XE();

	/* dup family */
	long d = SC(SYS_dup, fd);
	want_ok("dup-ok", d);
	XB(DUP, tid(), "dup-ok"); XI(DUP, res, d); XI(DUP, oldfd, fd); XE();
	r = SC(SYS_dup, 9999);
	want("dup-ebadf", r, -EBADF);
	XB(DUP, tid(), "dup-ebadf"); XI(DUP, res, r); XI(DUP, oldfd, 9999); XE();
	r = SC(SYS_dup2, fd, 100);
	want("dup2-ok", r, 100);
	XB(DUP2, tid(), "dup2-ok"); XI(DUP2, res, r); XI(DUP2, oldfd, fd); XI(DUP2, newfd, 100); XE();
	r = SC(SYS_dup3, fd, 101, O_CLOEXEC);
	want("dup3-ok", r, 101);
	XB(DUP3, tid(), "dup3-ok"); XI(DUP3, res, r); XI(DUP3, oldfd, fd); XI(DUP3, newfd, 101);
	XI(DUP3, flags, O_CLOEXEC); XE();
	r = SC(SYS_dup3, fd, fd, 0);
	want("dup3-einval", r, -EINVAL);
	XB(DUP3, tid(), "dup3-einval"); XI(DUP3, res, r); XI(DUP3, oldfd, fd); XI(DUP3, newfd, fd);
	XI(DUP3, flags, 0); XE();
	SC(SYS_close, d);
	SC(SYS_close, 100);
	SC(SYS_close, 101);
	SC(SYS_close, fd);

	r = SC(SYS_truncate, P("f3"), 3);
	want("truncate-ok", r, 0);
	XB(TRUNCATE, tid(), "truncate-ok"); XI(TRUNCATE, res, r); XS(TRUNCATE, path, P("f3"));
	XI(TRUNCATE, length, 3); XE();
	r = SC(SYS_truncate, P("nothere"), 3);
	want("truncate-enoent", r, -ENOENT);
	XB(TRUNCATE, tid(), "truncate-enoent"); XI(TRUNCATE, res, r); XS(TRUNCATE, path, P("nothere"));
	XI(TRUNCATE, length, 3); XE();

	r = SC(SYS_chmod, P("f3"), 0640);
	want("chmod-ok", r, 0);
	XB(CHMOD, tid(), "chmod-ok"); XI(CHMOD, res, r); XS(CHMOD, filename, P("f3")); XI(CHMOD, mode, 0640); XE();
	r = SC(SYS_chmod, P("nothere"), 0640);
	want("chmod-enoent", r, -ENOENT);
	XB(CHMOD, tid(), "chmod-enoent"); XI(CHMOD, res, r); XS(CHMOD, filename, P("nothere"));
	XI(CHMOD, mode, 0640); XE();
	r = SC(SYS_fchmodat, dfd, "f3", 0600, 0);
	want("fchmodat-ok", r, 0);
	XB(FCHMODAT, tid(), "fchmodat-ok"); XI(FCHMODAT, res, r); XI(FCHMODAT, dirfd, dfd);
	XS(FCHMODAT, filename, "f3"); XI(FCHMODAT, mode, 0600); XE();

	r = SC(SYS_chown, P("f3"), 1000, 1000);
	want("chown-ok", r, 0);
	XB(CHOWN, tid(), "chown-ok"); XI(CHOWN, res, r); XS(CHOWN, path, P("f3")); XI(CHOWN, uid, 1000);
	XI(CHOWN, gid, 1000); XE();
	r = SC(SYS_chown, P("f3"), -1, 0);
	want("chown-keepuid", r, 0);
	XB(CHOWN, tid(), "chown-keepuid"); XI(CHOWN, res, r); XS(CHOWN, path, P("f3"));
	XI(CHOWN, uid, 4294967295LL); XI(CHOWN, gid, 0); XE();
	r = SC(SYS_lchown, P("nothere"), 0, 0);
	want("lchown-enoent", r, -ENOENT);
	XB(LCHOWN, tid(), "lchown-enoent"); XI(LCHOWN, res, r); XS(LCHOWN, path, P("nothere"));
	XI(LCHOWN, uid, 0); XI(LCHOWN, gid, 0); XE();
	r = SC(SYS_fchownat, dfd, "f3", 0, 1000, AT_SYMLINK_NOFOLLOW);
	want("fchownat-ok", r, 0);
	XB(FCHOWNAT, tid(), "fchownat-ok"); XI(FCHOWNAT, res, r); XI(FCHOWNAT, dirfd, dfd);
	XS(FCHOWNAT, pathname, "f3"); XI(FCHOWNAT, uid, 0); XI(FCHOWNAT, gid, 1000);
	XI(FCHOWNAT, flags, AT_SYMLINK_NOFOLLOW); XE();

	/* names: link, symlink, rename, unlink */
	r = SC(SYS_link, P("f3"), P("l1"));
	want("link-ok", r, 0);
	XB(LINK, tid(), "link-ok"); XI(LINK, res, r); XS(LINK, oldpath, P("f3")); XS(LINK, newpath, P("l1")); XE();
	r = SC(SYS_link, P("f3"), P("l1"));
	want("link-eexist", r, -EEXIST);
	XB(LINK, tid(), "link-eexist"); XI(LINK, res, r); XS(LINK, oldpath, P("f3")); XS(LINK, newpath, P("l1")); XE();
	r = SC(SYS_linkat, dfd, "f3", dfd, "l2", 0);
	want("linkat-ok", r, 0);
	XB(LINKAT, tid(), "linkat-ok"); XI(LINKAT, res, r); XI(LINKAT, olddir, dfd); XS(LINKAT, oldpath, "f3");
	XI(LINKAT, newdir, dfd); XS(LINKAT, newpath, "l2"); XI(LINKAT, flags, 0); XE();
	r = SC(SYS_symlink, "f3", P("s1"));
	want("symlink-ok", r, 0);
	XB(SYMLINK, tid(), "symlink-ok"); XI(SYMLINK, res, r); XS(SYMLINK, target, "f3");
	XS(SYMLINK, linkpath, P("s1")); XE();
	r = SC(SYS_symlinkat, "/etc/passwd", dfd, "s2");
	want("symlinkat-ok", r, 0);
	XB(SYMLINKAT, tid(), "symlinkat-ok"); XI(SYMLINKAT, res, r); XS(SYMLINKAT, target, "/etc/passwd");
	XI(SYMLINKAT, linkdirfd, dfd); XS(SYMLINKAT, linkpath, "s2"); XE();
	r = SC(SYS_rename, P("l1"), P("r1"));
	want("rename-ok", r, 0);
	XB(RENAME, tid(), "rename-ok"); XI(RENAME, res, r); XS(RENAME, oldpath, P("l1")); XS(RENAME, newpath, P("r1")); XE();
	r = SC(SYS_rename, P("nothere"), P("r1"));
	want("rename-enoent", r, -ENOENT);
	XB(RENAME, tid(), "rename-enoent"); XI(RENAME, res, r); XS(RENAME, oldpath, P("nothere"));
	XS(RENAME, newpath, P("r1")); XE();
	r = SC(SYS_renameat, dfd, "r1", dfd, "r2");
	want("renameat-ok", r, 0);
	XB(RENAMEAT, tid(), "renameat-ok"); XI(RENAMEAT, res, r); XI(RENAMEAT, olddirfd, dfd);
	XS(RENAMEAT, oldpath, "r1"); XI(RENAMEAT, newdirfd, dfd); XS(RENAMEAT, newpath, "r2"); XE();
	r = SC(SYS_renameat2, dfd, "r2", dfd, "l2", RENAME_NOREPLACE);
	want("renameat2-eexist", r, -EEXIST);
	XB(RENAMEAT2, tid(), "renameat2-eexist"); XI(RENAMEAT2, res, r); XI(RENAMEAT2, olddirfd, dfd);
	XS(RENAMEAT2, oldpath, "r2"); XI(RENAMEAT2, newdirfd, dfd); XS(RENAMEAT2, newpath, "l2");
	XI(RENAMEAT2, flags, RENAME_NOREPLACE); XE();
	r = SC(SYS_unlink, P("r2"));
	want("unlink-ok", r, 0);
	XB(UNLINK, tid(), "unlink-ok"); XI(UNLINK, res, r); XS(UNLINK, path, P("r2")); XE();
	r = SC(SYS_unlink, P("r2"));
	want("unlink-enoent", r, -ENOENT);
	XB(UNLINK, tid(), "unlink-enoent"); XI(UNLINK, res, r); XS(UNLINK, path, P("r2")); XE();
	r = SC(SYS_unlinkat, dfd, "s2", 0);
	want("unlinkat-ok", r, 0);
	XB(UNLINKAT, tid(), "unlinkat-ok"); XI(UNLINKAT, res, r); XI(UNLINKAT, dirfd, dfd);
	XS(UNLINKAT, name, "s2"); XI(UNLINKAT, flags, 0); XE();

	/* pipes */
	int pf[2] = { -1, -1 };
	r = SC(SYS_pipe, pf);
	want("pipe-ok", r, 0);
	XB(PIPE, tid(), "pipe-ok"); XI(PIPE, res, r); XI(PIPE, fd1, pf[0]); XI(PIPE, fd2, pf[1]); XE();
	SC(SYS_close, pf[0]);
	SC(SYS_close, pf[1]);
	r = SC(SYS_pipe2, pf, O_CLOEXEC | O_NONBLOCK);
	want("pipe2-ok", r, 0);
	XB(PIPE2, tid(), "pipe2-ok"); XI(PIPE2, res, r); XI(PIPE2, fd1, pf[0]); XI(PIPE2, fd2, pf[1]);
	XI(PIPE2, flags, O_CLOEXEC | O_NONBLOCK); XE();
	SC(SYS_close, pf[0]);
	SC(SYS_close, pf[1]);
	r = SC(SYS_pipe2, pf, 0x7fffffff);
	want("pipe2-einval", r, -EINVAL);
	XB(PIPE2, tid(), "pipe2-einval"); XI(PIPE2, res, r); XR(PIPE2, fd1, absent_or_zero());
	XR(PIPE2, fd2, absent_or_zero()); XI(PIPE2, flags, 0x7fffffff); XE();

	long m = SC(SYS_memfd_create, "vigil-memfd", MFD_CLOEXEC);
	want_ok("memfd_create-ok", m);
	XB(MEMFD_CREATE, tid(), "memfd_create-ok"); XI(MEMFD_CREATE, fd, m);
	XS(MEMFD_CREATE, name, "vigil-memfd"); XI(MEMFD_CREATE, flags, MFD_CLOEXEC); XE();
	SC(SYS_close, m);
}

/* ------------------------------------------------------------------ */
/* Network                                                             */
/* ------------------------------------------------------------------ */

static const char *ep(const struct sockaddr_in *a)
{
	static char b[4][64];
	static int n;
	char *s = b[n++ % 4], ip[32];

	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
	snprintf(s, 64, "%s:%u", ip, ntohs(a->sin_port));
	return s;
}

/* "local->remote" of a connected socket */
static const char *tuple_of(int fd)
{
	static char b[4][160];
	static int n;
	char *s = b[n++ % 4];
	struct sockaddr_in l = { 0 }, r = { 0 };
	socklen_t ll = sizeof(l), rl = sizeof(r);

	getsockname(fd, (struct sockaddr *)&l, &ll);
	getpeername(fd, (struct sockaddr *)&r, &rl);
	snprintf(s, 160, "%s->%s", ep(&l), ep(&r));
	return s;
}

static void step_net(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(47001) };
	struct sockaddr_in bad = { .sin_family = AF_INET, .sin_port = htons(47009) };
	long r, s, c, c2, a;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bad.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	s = SC(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	want_ok("socket-ok", s);
	XB(SOCKET, tid(), "socket-ok"); XI(SOCKET, fd, s); XI(SOCKET, domain, AF_INET);
	XI(SOCKET, type, SOCK_STREAM | SOCK_CLOEXEC); XI(SOCKET, proto, 0); XE();
	r = SC(SYS_socket, 12345, SOCK_STREAM, 0);
	want("socket-eafnosupport", r, -EAFNOSUPPORT);
	XB(SOCKET, tid(), "socket-eafnosupport"); XI(SOCKET, fd, r); XI(SOCKET, domain, 12345);
	XI(SOCKET, type, SOCK_STREAM); XI(SOCKET, proto, 0); XE();

	int one = 1;
	setsockopt((int)s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = SC(SYS_bind, s, &sa, sizeof(sa));
	want("bind-ok", r, 0);
	XB(BIND, tid(), "bind-ok"); XI(BIND, res, r); XI(BIND, fd, s); XS(BIND, addr, "127.0.0.1:47001"); XE();
	r = SC(SYS_listen, s, 7);
	want("listen-ok", r, 0);
	XB(LISTEN, tid(), "listen-ok"); XI(LISTEN, res, r); XI(LISTEN, fd, s); XI(LISTEN, backlog, 7); XE();
	r = SC(SYS_listen, 9999, 7);
	want("listen-ebadf", r, -EBADF);
	XB(LISTEN, tid(), "listen-ebadf"); XI(LISTEN, res, r); XI(LISTEN, fd, 9999); XI(LISTEN, backlog, 7); XE();

	c = SC(SYS_socket, AF_INET, SOCK_STREAM, 0);
	XB(SOCKET, tid(), "socket-client"); XI(SOCKET, fd, c); XI(SOCKET, domain, AF_INET);
	XI(SOCKET, type, SOCK_STREAM); XI(SOCKET, proto, 0); XE();
	r = SC(SYS_connect, c, &sa, sizeof(sa));
	want("connect-ok", r, 0);
	XB(CONNECT, tid(), "connect-ok"); XI(CONNECT, res, r); XI(CONNECT, fd, c);
	XS(CONNECT, addr, "127.0.0.1:47001"); XS(CONNECT, tuple, tuple_of((int)c)); XE();

	a = SC(SYS_accept4, s, NULL, NULL, SOCK_CLOEXEC);
	want_ok("accept4-ok", a);
	XB(ACCEPT4, tid(), "accept4-ok"); XI(ACCEPT4, fd, a); XI(ACCEPT4, lfd, s);
	XS(ACCEPT4, tuple, tuple_of((int)a)); XI(ACCEPT4, flags, SOCK_CLOEXEC); XE();

	r = SC(SYS_sendto, c, "ping", 4, 0, NULL, 0);
	want("sendto-ok", r, 4);
	XB(SENDTO, tid(), "sendto-ok"); XI(SENDTO, res, r); XI(SENDTO, fd, c); XI(SENDTO, size, 4);
	XR(SENDTO, addr, J_ABSENT); XS(SENDTO, tuple, tuple_of((int)c)); XS(SENDTO, data, "ping"); XE();

	struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	r = SC(SYS_sendmsg, c, &mh, 0);
	want("sendmsg-ok", r, 5);
	XB(SENDMSG, tid(), "sendmsg-ok"); XI(SENDMSG, res, r); XI(SENDMSG, fd, c); XI(SENDMSG, size, 5);
	XR(SENDMSG, addr, J_ABSENT); XS(SENDMSG, tuple, tuple_of((int)c)); XE();

	c2 = SC(SYS_socket, AF_INET, SOCK_STREAM, 0);
	XB(SOCKET, tid(), "socket-client2"); XI(SOCKET, fd, c2); XI(SOCKET, domain, AF_INET);
	XI(SOCKET, type, SOCK_STREAM); XI(SOCKET, proto, 0); XE();
	r = SC(SYS_connect, c2, &sa, sizeof(sa));
	XB(CONNECT, tid(), "connect-ok2"); XI(CONNECT, res, r); XI(CONNECT, fd, c2);
	XS(CONNECT, addr, "127.0.0.1:47001"); XS(CONNECT, tuple, tuple_of((int)c2)); XE();
	long a2 = SC(SYS_accept, s, NULL, NULL);
	want_ok("accept-ok", a2);
	XB(ACCEPT, tid(), "accept-ok"); XI(ACCEPT, fd, a2); XI(ACCEPT, lfd, s);
	XS(ACCEPT, tuple, tuple_of((int)a2)); XI(ACCEPT, flags, 0); XE();
	r = SC(SYS_accept, 9999, NULL, NULL);
	want("accept-ebadf", r, -EBADF);
	XB(ACCEPT, tid(), "accept-ebadf"); XI(ACCEPT, fd, r); XI(ACCEPT, lfd, 9999);
	XR(ACCEPT, tuple, J_ABSENT); XI(ACCEPT, flags, 0); XE();

	long c3 = SC(SYS_socket, AF_INET, SOCK_STREAM, 0);
	XB(SOCKET, tid(), "socket-client3"); XI(SOCKET, fd, c3); XI(SOCKET, domain, AF_INET);
	XI(SOCKET, type, SOCK_STREAM); XI(SOCKET, proto, 0); XE();
	r = SC(SYS_connect, c3, &bad, sizeof(bad));
	want("connect-econnrefused", r, -ECONNREFUSED);
	/* A refused connect has no established tuple: any value, or none. */
	XB(CONNECT, tid(), "connect-econnrefused"); XI(CONNECT, res, r); XI(CONNECT, fd, c3);
	XS(CONNECT, addr, "127.0.0.1:47009"); XR(CONNECT, tuple, j_oneof2(J_ABSENT, J_ANY)); XE();

	/* unix */
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", P("sock"));
	long u = SC(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
	XB(SOCKET, tid(), "socket-unix"); XI(SOCKET, fd, u); XI(SOCKET, domain, AF_UNIX);
	XI(SOCKET, type, SOCK_DGRAM); XI(SOCKET, proto, 0); XE();
	r = SC(SYS_bind, u, &un, sizeof(un));
	want("bind-unix", r, 0);
	XB(BIND, tid(), "bind-unix"); XI(BIND, res, r); XI(BIND, fd, u); XS(BIND, addr, P("sock")); XE();
	long u2 = SC(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
	XB(SOCKET, tid(), "socket-unix2"); XI(SOCKET, fd, u2); XI(SOCKET, domain, AF_UNIX);
	XI(SOCKET, type, SOCK_DGRAM); XI(SOCKET, proto, 0); XE();
	r = SC(SYS_bind, u2, &un, sizeof(un));
	want("bind-eaddrinuse", r, -EADDRINUSE);
	XB(BIND, tid(), "bind-eaddrinuse"); XI(BIND, res, r); XI(BIND, fd, u2); XS(BIND, addr, P("sock")); XE();
	SC(SYS_close, u2);

	int sp[2] = { -1, -1 };
	r = SC(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sp);
	want("socketpair-ok", r, 0);
	XB(SOCKETPAIR, tid(), "socketpair-ok"); XI(SOCKETPAIR, res, r); XI(SOCKETPAIR, fd1, sp[0]);
	XI(SOCKETPAIR, fd2, sp[1]); XI(SOCKETPAIR, domain, AF_UNIX); XI(SOCKETPAIR, type, SOCK_STREAM);
	XI(SOCKETPAIR, proto, 0); XE();

	long fds[] = { s, c, c2, a, a2, c3, u, sp[0], sp[1] };
	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		SC(SYS_close, fds[i]);
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

static void reap(long pid)
{
	int st;

	if (pid > 0)
		waitpid((pid_t)pid, &st, 0);
}

static void expect_exit(long child, int code, const char *label)
{
	XB(PROC_EXIT, (int)child, label);
	XR(PROC_EXIT, status, j_oneof2(j_int(code), j_int((long long)code << 8)));
	/* reaper: who inherits the exiting process's children: pid 1 here (no
	 * subreapers in the VM) */
	XI(PROC_EXIT, flags, VIGIL_EXIT_GROUP_DEAD); XI(PROC_EXIT, reaper, 1); XE();
}

static void expect_procfork(long child, unsigned flags, const char *label)
{
	XB(PROC_FORK, tid(), label); XI(PROC_FORK, child_tid, child); XI(PROC_FORK, child_pid, child);
	XI(PROC_FORK, child_vtid, child); XI(PROC_FORK, flags, flags); XE();
}

static void step_proc(void)
{
	long r;

	r = SC(SYS_fork);
	if (r == 0)
		_exit(7);
	want_ok("fork-ok", r);
	reap(r);
	expect_procfork(r, 0, "fork-procfork");
	XB(FORK, tid(), "fork-ok"); XI(FORK, res, r); XE();
	expect_exit(r, 7, "fork-exit");

	r = vfork();
	if (r == 0)
		_exit(3);
	want_ok("vfork-ok", r);
	reap(r);
	expect_procfork(r, VIGIL_FORK_VM, "vfork-procfork");
	XB(VFORK, tid(), "vfork-ok"); XI(VFORK, res, r); XE();
	expect_exit(r, 3, "vfork-exit");

	r = SC(SYS_clone, SIGCHLD | CLONE_FILES, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	want_ok("clone-ok", r);
	reap(r);
	expect_procfork(r, VIGIL_FORK_FILES, "clone-procfork");
	XB(CLONE, tid(), "clone-ok"); XI(CLONE, res, r); XI(CLONE, flags, SIGCHLD | CLONE_FILES); XE();
	expect_exit(r, 0, "clone-exit");

	r = SC(SYS_clone, CLONE_THREAD, 0, 0, 0, 0);
	want("clone-einval", r, -EINVAL);
	XB(CLONE, tid(), "clone-einval"); XI(CLONE, res, r); XI(CLONE, flags, CLONE_THREAD); XE();

	struct clone_args ca = { .flags = CLONE_FS, .exit_signal = SIGCHLD };
	r = SC(SYS_clone3, &ca, sizeof(ca));
	if (r == 0)
		_exit(0);
	want_ok("clone3-ok", r);
	reap(r);
	expect_procfork(r, VIGIL_FORK_FS, "clone3-procfork");
	XB(CLONE3, tid(), "clone3-ok"); XI(CLONE3, res, r); XI(CLONE3, flags, CLONE_FS); XE();
	expect_exit(r, 0, "clone3-exit");

	struct clone_args bad = { .flags = CLONE_THREAD, .exit_signal = SIGCHLD };
	r = SC(SYS_clone3, &bad, sizeof(bad));
	want("clone3-einval", r, -EINVAL);
	XB(CLONE3, tid(), "clone3-einval"); XI(CLONE3, res, r); XI(CLONE3, flags, CLONE_THREAD); XE();

	r = SC(SYS_kill, getpid(), 0);
	want("kill-ok", r, 0);
	XB(KILL, tid(), "kill-ok"); XI(KILL, res, r); XI(KILL, pid, getpid()); XI(KILL, sig, 0); XE();
	r = SC(SYS_kill, 999999, SIGTERM);
	want("kill-esrch", r, -ESRCH);
	XB(KILL, tid(), "kill-esrch"); XI(KILL, res, r); XI(KILL, pid, 999999); XI(KILL, sig, SIGTERM); XE();

	r = SC(SYS_ptrace, PTRACE_ATTACH, 999999, 0, 0);
	want("ptrace-esrch", r, -ESRCH);
	XB(PTRACE, tid(), "ptrace-esrch"); XI(PTRACE, res, r); XI(PTRACE, request, PTRACE_ATTACH);
	XI(PTRACE, pid, 999999); XE();
}

/* Credentials, from a child that gives up root step by step. */
static void step_creds(void)
{
	long pid = fork(), r;

	if (pid < 0) {
		fail("creds", "fork failed %ld%s", pid, (long)0);
		return;
	}
	if (pid > 0) {
		reap(pid);
		return;
	}
	x_reset();
	r = SC(SYS_setgid, 0);
	want("setgid-ok", r, 0);
	XB(SETGID, tid(), "setgid-ok"); XI(SETGID, res, r); XI(SETGID, gid, 0); XE();
	r = SC(SYS_setregid, 1000, 1000);
	want("setregid-ok", r, 0);
	XB(SETREGID, tid(), "setregid-ok"); XI(SETREGID, res, r); XI(SETREGID, rgid, 1000); XI(SETREGID, egid, 1000); XE();
	r = SC(SYS_setresgid, -1, 1000, 1000);
	want("setresgid-ok", r, 0);
	XB(SETRESGID, tid(), "setresgid-ok"); XI(SETRESGID, res, r); XI(SETRESGID, rgid, 4294967295LL);
	XI(SETRESGID, egid, 1000); XI(SETRESGID, sgid, 1000); XE();
	r = SC(SYS_setresuid, 1000, 1000, 0);
	want("setresuid-ok", r, 0);
	XB(SETRESUID, tid(), "setresuid-ok"); XI(SETRESUID, res, r); XI(SETRESUID, ruid, 1000);
	XI(SETRESUID, euid, 1000); XI(SETRESUID, suid, 0); XE();
	r = SC(SYS_setreuid, 0, 0);
	want("setreuid-eperm", r, -EPERM);
	XB(SETREUID, tid(), "setreuid-eperm"); XI(SETREUID, res, r); XI(SETREUID, ruid, 0); XI(SETREUID, euid, 0); XE();
	r = SC(SYS_setreuid, -1, 1000);
	want("setreuid-ok", r, 0);
	XB(SETREUID, tid(), "setreuid-ok"); XI(SETREUID, res, r); XI(SETREUID, ruid, 4294967295LL);
	XI(SETREUID, euid, 1000); XE();
	r = SC(SYS_setresuid, 1000, 1000, 1000);
	want("setresuid-drop", r, 0);
	XB(SETRESUID, tid(), "setresuid-drop"); XI(SETRESUID, res, r); XI(SETRESUID, ruid, 1000);
	XI(SETRESUID, euid, 1000); XI(SETRESUID, suid, 1000); XE();
	r = SC(SYS_setuid, 0);
	want("setuid-eperm", r, -EPERM);
	XB(SETUID, tid(), "setuid-eperm"); XI(SETUID, res, r); XI(SETUID, uid, 0); XE();
	r = SC(SYS_setgid, 0);
	want("setgid-eperm", r, -EPERM);
	XB(SETGID, tid(), "setgid-eperm"); XI(SETGID, res, r); XI(SETGID, gid, 0); XE();
	r = SC(SYS_setuid, 1000);
	want("setuid-ok", r, 0);
	XB(SETUID, tid(), "setuid-ok"); XI(SETUID, res, r); XI(SETUID, uid, 1000); XE();

	r = SC(SYS_openat, AT_FDCWD, P("secret"), O_RDONLY, 0);
	want("openat-eacces", r, -EACCES);
	XB(OPENAT, tid(), "openat-eacces"); XI(OPENAT, fd, r); XI(OPENAT, dirfd, AT_FDCWD);
	XS(OPENAT, name, P("secret")); XI(OPENAT, flags, O_RDONLY); XI(OPENAT, mode, 0);
	XR(OPENAT, dev, absent_or_zero()); XR(OPENAT, ino, absent_or_zero()); XE();
	r = SC(SYS_unlink, P("secret"));
	want("unlink-eacces", r, -EACCES);
	XB(UNLINK, tid(), "unlink-eacces"); XI(UNLINK, res, r); XS(UNLINK, path, P("secret")); XE();
	r = SC(SYS_kill, 1, 0);
	want("kill-eperm", r, -EPERM);
	XB(KILL, tid(), "kill-eperm"); XI(KILL, res, r); XI(KILL, pid, 1); XI(KILL, sig, 0); XE();
	r = SC(SYS_chroot, dir);
	want("chroot-eperm", r, -EPERM);
	XB(CHROOT, tid(), "chroot-eperm"); XI(CHROOT, res, r); XS(CHROOT, path, dir); XE();
	flush_expectations();
	fflush(stdout);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* Namespaces, mounts, modules, bpf                                    */
/* ------------------------------------------------------------------ */

static void step_system(void)
{
	long r;

	r = SC(SYS_unshare, CLONE_NEWUTS);
	want("unshare-ok", r, 0);
	XB(UNSHARE, tid(), "unshare-ok"); XI(UNSHARE, res, r); XI(UNSHARE, flags, CLONE_NEWUTS); XE();
	r = SC(SYS_unshare, 0x1);
	want("unshare-einval", r, -EINVAL);
	XB(UNSHARE, tid(), "unshare-einval"); XI(UNSHARE, res, r); XI(UNSHARE, flags, 0x1); XE();

	int nfd = open("/proc/1/ns/uts", O_RDONLY);
	r = SC(SYS_setns, nfd, CLONE_NEWUTS);
	want("setns-ok", r, 0);
	XB(SETNS, tid(), "setns-ok"); XI(SETNS, res, r); XI(SETNS, fd, nfd); XI(SETNS, nstype, CLONE_NEWUTS); XE();
	close(nfd);
	r = SC(SYS_setns, 9999, 0);
	want("setns-ebadf", r, -EBADF);
	XB(SETNS, tid(), "setns-ebadf"); XI(SETNS, res, r); XI(SETNS, fd, 9999); XI(SETNS, nstype, 0); XE();

	r = SC(SYS_mount, "none", P("d1"), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m");
	want("mount-ok", r, 0);
	XB(MOUNT, tid(), "mount-ok"); XI(MOUNT, res, r); XS(MOUNT, dev, "none"); XS(MOUNT, dir, P("d1"));
	XS(MOUNT, type, "tmpfs"); XI(MOUNT, flags, MS_NOSUID | MS_NODEV); XE();
	r = SC(SYS_mount, "none", P("nothere"), "tmpfs", 0, NULL);
	want("mount-enoent", r, -ENOENT);
	XB(MOUNT, tid(), "mount-enoent"); XI(MOUNT, res, r); XS(MOUNT, dev, "none"); XS(MOUNT, dir, P("nothere"));
	XS(MOUNT, type, "tmpfs"); XI(MOUNT, flags, 0); XE();
	r = SC(SYS_umount2, P("d1"), MNT_DETACH);
	want("umount2-ok", r, 0);
	XB(UMOUNT2, tid(), "umount2-ok"); XI(UMOUNT2, res, r); XS(UMOUNT2, name, P("d1"));
	XI(UMOUNT2, flags, MNT_DETACH); XE();
	r = SC(SYS_umount2, P("d1"), 0);
	want("umount2-einval", r, -EINVAL);
	XB(UMOUNT2, tid(), "umount2-einval"); XI(UMOUNT2, res, r); XS(UMOUNT2, name, P("d1")); XI(UMOUNT2, flags, 0); XE();

	r = SC(SYS_pivot_root, P("d1"), P("d1"));
	if (r >= 0)
		fail("pivot_root-fails", "pivot_root succeeded (%ld)%s", r, (long)0);
	XB(PIVOT_ROOT, tid(), "pivot_root-fails"); XI(PIVOT_ROOT, res, r); XS(PIVOT_ROOT, new_root, P("d1"));
	XS(PIVOT_ROOT, put_old, P("d1")); XE();

	static char zeros[64];
	r = SC(SYS_init_module, zeros, sizeof(zeros), "x=1");
	if (r >= 0)
		fail("init_module-fails", "init_module of zeros succeeded (%ld)%s", r, (long)0);
	XB(INIT_MODULE, tid(), "init_module-fails"); XI(INIT_MODULE, res, r); XI(INIT_MODULE, length, sizeof(zeros));
	XS(INIT_MODULE, uargs, "x=1"); XE();
	r = SC(SYS_finit_module, 9999, "y=2", 0);
	want("finit_module-ebadf", r, -EBADF);
	XB(FINIT_MODULE, tid(), "finit_module-ebadf"); XI(FINIT_MODULE, res, r); XI(FINIT_MODULE, fd, 9999);
	XS(FINIT_MODULE, uargs, "y=2"); XI(FINIT_MODULE, flags, 0); XE();

	static char attr[128];
	r = SC(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof(attr));
	if (r >= 0)
		fail("bpf-fails", "bpf map create with a zero attr succeeded (%ld)%s", r, (long)0);
	XB(BPF, tid(), "bpf-fails"); XI(BPF, res, r); XI(BPF, cmd, 0); XE();

	/* chroot from a child that stays root */
	long pid = fork();
	if (pid == 0) {
		x_reset();
		r = SC(SYS_chroot, dir);
		want("chroot-ok", r, 0);
		XB(CHROOT, tid(), "chroot-ok"); XI(CHROOT, res, r); XS(CHROOT, path, dir); XE();
		r = SC(SYS_chroot, "/nothere");
		want("chroot-enoent", r, -ENOENT);
		XB(CHROOT, tid(), "chroot-enoent"); XI(CHROOT, res, r); XS(CHROOT, path, "/nothere"); XE();
		flush_expectations();
		fflush(stdout);
		_exit(0);
	}
	reap(pid);
}

/* ------------------------------------------------------------------ */
/* exec                                                                */
/* ------------------------------------------------------------------ */

struct self {
	char cwd[1024], exe[1024], comm[32], cgroup[1280];
	long long ppid, pgid, sid, uid, gid, euid, egid, loginuid, tty;
	unsigned long long capi, capp, cape, ino, ctime_ns, mtime_ns;
	unsigned long long pidns, mntns, netns, userns;
};

static unsigned long long ns_inum(const char *name)
{
	char p[64], l[128];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/self/ns/%s", name);
	n = readlink(p, l, sizeof(l) - 1);
	if (n <= 0)
		return 0;
	l[n] = 0;
	char *b = strchr(l, '[');
	return b ? strtoull(b + 1, NULL, 10) : 0;
}

static void read_self(struct self *s)
{
	char line[1200];
	FILE *f;
	struct stat st;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	if (!getcwd(s->cwd, sizeof(s->cwd)))
		s->cwd[0] = 0;
	n = readlink("/proc/self/exe", s->exe, sizeof(s->exe) - 1);
	s->exe[n > 0 ? n : 0] = 0;
	s->ppid = getppid();
	s->pgid = getpgid(0);
	s->sid = getsid(0);
	s->uid = getuid();
	s->gid = getgid();
	s->euid = geteuid();
	s->egid = getegid();
	s->loginuid = 4294967295LL;
	if ((f = fopen("/proc/self/loginuid", "r"))) {
		if (fscanf(f, "%lld", &s->loginuid) != 1)
			s->loginuid = 4294967295LL;
		fclose(f);
	}
	if ((f = fopen("/proc/self/stat", "r"))) {
		/* pid (comm) state ppid pgrp session tty_nr */
		if (fgets(line, sizeof(line), f)) {
			char *p = strrchr(line, ')');
			long long a, b, c, t;
			char state;

			if (p && sscanf(p + 1, " %c %lld %lld %lld %lld", &state, &a, &b, &c, &t) == 5)
				s->tty = t;
		}
		fclose(f);
	}
	if ((f = fopen("/proc/self/status", "r"))) {
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "CapInh: %llx", &s->capi);
			sscanf(line, "CapPrm: %llx", &s->capp);
			sscanf(line, "CapEff: %llx", &s->cape);
		}
		fclose(f);
	}
	if ((f = fopen("/proc/self/comm", "r"))) {
		if (fgets(s->comm, sizeof(s->comm), f))
			s->comm[strcspn(s->comm, "\n")] = 0;
		fclose(f);
	}
	snprintf(s->cgroup, sizeof(s->cgroup), "/");
	if ((f = fopen("/proc/self/cgroup", "r"))) {
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, "0::", 3) == 0) {
				line[strcspn(line, "\n")] = 0;
				snprintf(s->cgroup, sizeof(s->cgroup), "%s", line + 3);
			}
		}
		fclose(f);
	}
	if (stat(s->exe, &st) == 0) {
		s->ino = st.st_ino;
		s->ctime_ns = (unsigned long long)st.st_ctim.tv_sec * 1000000000ull + st.st_ctim.tv_nsec;
		s->mtime_ns = (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + st.st_mtim.tv_nsec;
	}
	s->pidns = ns_inum("pid");
	s->mntns = ns_inum("mnt");
	s->netns = ns_inum("net");
	s->userns = ns_inum("user");
}

/* The EXECVE/EXECVEAT parameters are the same list (VIGIL_EXEC_PARAMS). */
/*
 * The EXECVE/EXECVEAT parameters are the same list (VIGIL_EXEC_PARAMS).
 * A failed exec (res < 0) is written at sys_exit, where the module does not
 * read the caller's exe (kmod/fill_proc.c): exe and exe_* may be empty then.
 */
#define EXEC_EXPECT(EV)								\
	do {									\
		char exe[1100], ino[64], ct[64], mt[64];			\
		snprintf(exe, sizeof(exe), "%s", j_str(s->exe));		\
		snprintf(ino, sizeof(ino), "%s", j_int((long long)s->ino));	\
		snprintf(ct, sizeof(ct), "%s", j_int((long long)s->ctime_ns));	\
		snprintf(mt, sizeof(mt), "%s", j_int((long long)s->mtime_ns));	\
		XB(EV, tid(), label); XI(EV, res, res); XS(EV, filename, filename); \
		XS(EV, args, args); XR(EV, env, j_oneof2(J_ABSENT, j_str("VIGIL_T=1"))); \
		XR(EV, exe, res < 0 ? j_oneof2(J_ABSENT, exe) : exe);		\
		XS(EV, cwd, s->cwd); XI(EV, ppid, s->ppid);			\
		XI(EV, vtid, tid()); XI(EV, vpid, getpid()); XI(EV, pgid, s->pgid); \
		XI(EV, vpgid, s->pgid); XI(EV, sid, s->sid); XI(EV, uid, s->uid);	\
		XI(EV, gid, s->gid); XI(EV, euid, s->euid); XI(EV, egid, s->egid);	\
		XI(EV, loginuid, s->loginuid); XI(EV, tty, s->tty);		\
		XS(EV, cgroup, s->cgroup); XI(EV, cap_inheritable, s->capi);	\
		XI(EV, cap_permitted, s->capp); XI(EV, cap_effective, s->cape);	\
		XR(EV, exe_ino, res < 0 ? j_oneof2(J_ABSENT, ino) : ino);	\
		XR(EV, exe_ctime, res < 0 ? j_oneof2(J_ABSENT, ct) : ct);	\
		XR(EV, exe_mtime, res < 0 ? j_oneof2(J_ABSENT, mt) : mt);	\
		XI(EV, flags, s->tty ? VIGIL_EXEC_TTY : 0);			\
		XI(EV, pidns, s->pidns); XI(EV, mntns, s->mntns); XI(EV, netns, s->netns); \
		XI(EV, userns, s->userns);					\
		XS(EV, comm, s->comm); XR(EV, dirfd, dirfd_json); XR(EV, at_flags, at_flags_json); \
		XE();								\
	} while (0)

static void expect_execve(const char *label, long res, const char *filename, const char *args,
			  const struct self *s)
{
	char d[64], a[64];

	/* execve has no dirfd/flags: empty (or AT_FDCWD and 0) */
	snprintf(d, sizeof(d), "%s", j_oneof2(J_ABSENT, j_int(AT_FDCWD)));
	snprintf(a, sizeof(a), "%s", j_oneof2(J_ABSENT, j_int(0)));
	const char *dirfd_json = d, *at_flags_json = a;

	EXEC_EXPECT(EXECVE);
}

static void expect_execveat(const char *label, long res, const char *filename, const char *args,
			    const struct self *s, int dirfd, int at_flags)
{
	char d[64], a[64];

	snprintf(d, sizeof(d), "%s", j_int(dirfd));
	snprintf(a, sizeof(a), "%s", j_int(at_flags));
	const char *dirfd_json = d, *at_flags_json = a;

	EXEC_EXPECT(EXECVEAT);
}

static char *const child_env[] = { "VIGIL_T=1", NULL };

static void step_exec(int dfd)
{
	struct self s;
	char *const argv1[] = { "prog", "a1", NULL };
	char fdbuf[16];
	long r;

	read_self(&s);
	r = SC(SYS_execve, "/nothere/prog", argv1, child_env);
	want("execve-enoent", r, -ENOENT);
	expect_execve("execve-enoent", r, "/nothere/prog", "prog a1", &s);

	r = SC(SYS_execveat, dfd, "nope", argv1, child_env, 0);
	want("execveat-enoent", r, -ENOENT);
	expect_execveat("execveat-enoent", r, "nope", "prog a1", &s, dfd, 0);

	snprintf(fdbuf, sizeof(fdbuf), "%d", xfd);
	char *const argv2[] = { "trigger", "exec-child", fdbuf, NULL };
	long pid = fork();
	if (pid == 0) {
		syscall(SYS_execve, s.exe, argv2, child_env);
		_exit(127);
	}
	int st = 0;
	waitpid((pid_t)pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail("execve-ok", "exec-child ended with status %ld%s", (long)st, (long)0);
	expect_exit(pid, 0, "execve-child-exit");
}

/* The far side of execve: what the module must have seen. */
static int exec_child(int fd)
{
	struct self s;
	char args[64];

	xfd = fd;
	read_self(&s);
	snprintf(args, sizeof(args), "trigger exec-child %d", fd);
	expect_execve("execve-ok", 0, s.exe, args, &s);
	flush_expectations();
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "exec-child") == 0)
		return exec_child(atoi(argv[2]));
	if (argc != 4 || strcmp(argv[1], "run") != 0) {
		fprintf(stderr, "usage: trigger run DIR EXPECT_FILE\n");
		return 2;
	}
	static char absdir[1024];
	if (argv[2][0] != '/') {
		fprintf(stderr, "trigger: DIR must be absolute\n");
		return 2;
	}
	snprintf(absdir, sizeof(absdir), "%s", argv[2]);
	dir = absdir;
	umask(0);
	mkdir(dir, 0755);
	xfd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	int sfd = open(P("secret"), O_WRONLY | O_CREAT, 0600);
	if (xfd < 0 || dfd < 0 || sfd < 0) {
		printf("FAIL: trigger/setup: cannot open %s or %s\n", argv[3], dir);
		return 1;
	}
	close(sfd);
	fflush(stdout);

	step_dirs(dfd);
	step_open(dfd);
	step_net();
	step_proc();
	step_creds();
	step_system();
	step_exec(dfd);

	int types = x_types();
	flush_expectations();
	if (types < 25)
		fail("coverage", "only %ld event types expected (need >= 25)%s", types, (long)0);
	if (failures == 0)
		printf("PASS: trigger/run: %d event types\n", types);
	return failures ? 1 : 0;
}
