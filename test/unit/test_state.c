/* SPDX-License-Identifier: MIT */
/* test_state.c - the state stage's tables: threads/processes (fork, exec,
 * thread exec, exit, orphans), fds (open/dirfd, dup*, fcntl, close after
 * the rules, CLOEXEC, inheritance and sharing), sockets, bounds, and the
 * snapshot round trip. Reads everything through the real field stage. */
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state_helpers.h"

static struct state *st;
static struct tev T;

static const char *const sh_argv[] = { "bash", NULL };
static const char *const init_argv[] = { "/sbin/init", "splash", NULL };

static struct state *mk(unsigned max_threads, unsigned max_fds)
{
	struct state_cfg c;
	memset(&c, 0, sizeof(c));
	c.hostname = "testhost";
	c.max_threads = max_threads;
	c.max_fds = max_fds;
	char err[256];
	struct state *s = state_new(&c, err, sizeof(err));
	ck_assert_msg(s, "state_new: %s", err);
	return s;
}

static void setup(void)
{
	st = mk(0, 0);
	struct th_exec x = { .exe = "/sbin/init", .argv = init_argv, .cwd = "/", .ppid = 0 };
	ck_assert_int_eq(th_apply(st, ev_snap(&T, 1, 1, &x)), 0);
	struct th_exec s = { .exe = "/usr/bin/bash", .argv = sh_argv, .cwd = "/root", .ppid = 1,
			     .uid = 0, .loginuid = 1000 };
	ck_assert_int_eq(th_apply(st, ev_snap(&T, 100, 100, &s)), 0);
}

static void teardown(void)
{
	state_free(st);
	st = NULL;
}

#define F(ev, name) th_field(st, (ev), (name))

/* bash(100) forks 200, which execs cat; ancestry and the exec params. */
START_TEST(fork_exec_ancestry)
{
	struct evt *e = ev_fork(&T, 100, 100, 200, 200, 0);
	ck_assert_int_eq(th_apply(st, e), 0);
	state_apply_post(st, e);
	static const char *const argv[] = { "cat", "/etc/shadow", "-n", NULL };
	ck_assert_uint_eq(state_proc(st, 200)->userns, 4026531837u);	/* the parent's */
	struct th_exec x = { .exe = "/usr/bin/cat", .argv = argv, .cwd = "/tmp", .ppid = 100,
			     .uid = 33, .loginuid = 1000, .tty = 34816, .userns = 4026532600u };
	e = ev_exec(&T, 200, 200, &x);
	ck_assert_int_eq(th_apply(st, e), 0);
	struct st_proc *cp = state_proc(st, 200);
	ck_assert_uint_eq(cp->pidns, 4026531836u);
	ck_assert_uint_eq(cp->mntns, 4026531840u);
	ck_assert_uint_eq(cp->netns, 4026531992u);
	ck_assert_uint_eq(cp->userns, 4026532600u);
	ck_assert_str_eq(F(e, "proc.name"), "cat");
	ck_assert_str_eq(F(e, "proc.exe"), "cat");
	ck_assert_str_eq(F(e, "proc.exepath"), "/usr/bin/cat");
	ck_assert_str_eq(F(e, "proc.args"), "/etc/shadow -n");
	ck_assert_str_eq(F(e, "proc.cmdline"), "cat /etc/shadow -n");
	ck_assert_str_eq(F(e, "proc.cwd"), "/tmp/");
	ck_assert_str_eq(F(e, "proc.pid"), "200");
	ck_assert_str_eq(F(e, "proc.ppid"), "100");
	ck_assert_str_eq(F(e, "proc.pname"), "bash");
	ck_assert_str_eq(F(e, "proc.pcmdline"), "bash");
	ck_assert_str_eq(F(e, "proc.pexepath"), "/usr/bin/bash");
	ck_assert_str_eq(F(e, "proc.aname[0]"), "cat");
	ck_assert_str_eq(F(e, "proc.aname[1]"), "bash");
	ck_assert_str_eq(F(e, "proc.aname[2]"), "init");
	ck_assert_str_eq(F(e, "proc.aname[3]"), "<NA>");
	ck_assert_str_eq(F(e, "proc.aname"), "bash,init");
	ck_assert_str_eq(F(e, "proc.apid[2]"), "1");
	ck_assert_str_eq(F(e, "proc.cmdnargs"), "2");
	ck_assert_str_eq(F(e, "user.uid"), "33");
	ck_assert_str_eq(F(e, "user.loginuid"), "1000");
	ck_assert_str_eq(F(e, "proc.tty"), "34816");
	ck_assert_str_eq(F(e, "proc.is_incomplete"), "false");
	ck_assert_str_eq(F(e, "thread.ismain"), "true");
	ck_assert_uint_eq(state_stats(st)->procs, 3);
}
END_TEST

/* A failed exec changes nothing. */
START_TEST(failed_exec_keeps_process)
{
	struct evt *e = ev_fork(&T, 100, 100, 201, 201, 0);
	th_apply(st, e);
	static const char *const argv[] = { "nope", NULL };
	struct th_exec x = { .res = -2, .exe = "/nope", .argv = argv, .ppid = 100 };
	e = ev_exec(&T, 201, 201, &x);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "proc.name"), "bash");
	ck_assert_str_eq(F(e, "evt.res"), "ENOENT");
}
END_TEST

/* Thread 301 of process 300 execs: the other threads go, and the
 * process keeps its pid with the exec'ing thread as its leader. */
START_TEST(thread_exec)
{
	th_apply(st, ev_fork(&T, 100, 100, 300, 300, 0));
	struct evt *e = ev_fork(&T, 300, 300, 301, 300, VIGIL_FORK_THREAD | VIGIL_FORK_FILES | VIGIL_FORK_VM);
	th_apply(st, e);
	th_apply(st, ev_fork(&T, 300, 300, 302, 300, VIGIL_FORK_THREAD | VIGIL_FORK_FILES | VIGIL_FORK_VM));
	ck_assert_str_eq(F(e, "proc.nthreads"), "3");
	static const char *const argv[] = { "python3", "-c", "pass", NULL };
	struct th_exec x = { .exe = "/usr/bin/python3", .argv = argv, .ppid = 100 };
	e = ev_exec(&T, 301, 300, &x);
	ck_assert_int_eq(th_apply(st, e), 0);
	ck_assert_ptr_null(state_thread(st, 301));
	ck_assert_ptr_null(state_thread(st, 302));
	struct st_thread *t = state_thread(st, 300);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->proc->comm, "python3");
	ck_assert_uint_eq(t->proc->nthreads, 1);
	ck_assert_ptr_eq(state_proc(st, 300), t->proc);
}
END_TEST

/* 100 -> 400 -> 401; 400 exits: 401 is reparented to the reaper (1). The
 * exiting process stays visible to rules until the post step. */
START_TEST(orphan_reparented)
{
	th_apply(st, ev_fork(&T, 100, 100, 400, 400, 0));
	th_apply(st, ev_fork(&T, 400, 400, 401, 401, 0));
	struct evt *e = ev_exit(&T, 400, 400, VIGIL_EXIT_GROUP_DEAD, 1);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "proc.pid"), "400");
	state_apply_post(st, e);
	ck_assert_ptr_null(state_proc(st, 400));
	ck_assert_ptr_null(state_thread(st, 400));
	int64_t v[] = { -9, 99 };
	e = ev_nums(&T, VIGIL_EVT_CLOSE, 401, 401, 2, v);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "proc.ppid"), "1");
	ck_assert_str_eq(F(e, "proc.pname"), "init");
	ck_assert_uint_eq(state_stats(st)->exited, 1);
}
END_TEST

/* fds: openat relative to cwd and to a dirfd, dup/dup2/dup3/F_DUPFD,
 * close after the rules. */
START_TEST(fd_open_dup_close)
{
	struct evt *e = ev_openat(&T, 100, 100, 3, AT_FDCWD, "../etc/./passwd", O_RDONLY);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "/etc/passwd");
	ck_assert_str_eq(F(e, "fd.nameraw"), "../etc/./passwd");
	ck_assert_str_eq(F(e, "fd.directory"), "/etc");
	ck_assert_str_eq(F(e, "fd.filename"), "passwd");
	ck_assert_str_eq(F(e, "fd.typechar"), "f");
	ck_assert_str_eq(F(e, "fd.num"), "3");
	e = ev_openat(&T, 100, 100, 4, AT_FDCWD, "/var/log", O_RDONLY | O_DIRECTORY);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.type"), "directory");
	e = ev_openat(&T, 100, 100, 5, 4, "syslog", O_WRONLY | O_APPEND);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "/var/log/syslog");
	ck_assert_str_eq(F(e, "evt.is_open_write"), "true");
	int64_t d[] = { 7, 5 };
	e = ev_nums(&T, VIGIL_EVT_DUP, 100, 100, 2, d);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "/var/log/syslog");
	int64_t d2[] = { 1, 3, 1 };
	e = ev_nums(&T, VIGIL_EVT_DUP2, 100, 100, 3, d2);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "/etc/passwd");
	int64_t d3[] = { 9, 5, 9, O_CLOEXEC };
	th_apply(st, ev_nums(&T, VIGIL_EVT_DUP3, 100, 100, 4, d3));
	ck_assert(state_fd(st, state_proc(st, 100), 9)->flags & O_CLOEXEC);
	int64_t fc[] = { 12, 3, F_DUPFD_CLOEXEC, 10 };
	th_apply(st, ev_nums(&T, VIGIL_EVT_FCNTL, 100, 100, 4, fc));
	ck_assert_str_eq(state_fd(st, state_proc(st, 100), 12)->name, "/etc/passwd");
	int64_t c[] = { 0, 7 };
	e = ev_nums(&T, VIGIL_EVT_CLOSE, 100, 100, 2, c);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "/var/log/syslog");	/* still there for the rules */
	state_apply_post(st, e);
	ck_assert_ptr_null(state_fd(st, state_proc(st, 100), 7));
	ck_assert_ptr_nonnull(state_fd(st, state_proc(st, 100), 5));
	/* failed open: fd.name from the path anyway */
	e = ev_openat(&T, 100, 100, -13, AT_FDCWD, "secret", O_RDONLY);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "/root/secret");
	ck_assert_str_eq(F(e, "evt.failed"), "true");
	ck_assert_str_eq(F(e, "evt.res"), "EACCES");
}
END_TEST

/* fork copies the table (or shares it under FORK_FILES); exec closes the
 * O_CLOEXEC fds. */
START_TEST(fd_fork_cloexec)
{
	th_apply(st, ev_openat(&T, 100, 100, 3, AT_FDCWD, "/a", O_RDONLY));
	th_apply(st, ev_openat(&T, 100, 100, 4, AT_FDCWD, "/b", O_RDONLY | O_CLOEXEC));
	th_apply(st, ev_fork(&T, 100, 100, 500, 500, 0));
	th_apply(st, ev_fork(&T, 100, 100, 501, 501, VIGIL_FORK_FILES));
	struct st_proc *c = state_proc(st, 500), *s = state_proc(st, 501), *p = state_proc(st, 100);
	ck_assert_str_eq(state_fd(st, c, 4)->name, "/b");
	ck_assert_ptr_eq(s->fdtab, p->fdtab);
	ck_assert_ptr_ne(c->fdtab, p->fdtab);
	/* the sharer's open is the parent's too; the copy's is not */
	th_apply(st, ev_openat(&T, 501, 501, 6, AT_FDCWD, "/shared", O_RDONLY));
	ck_assert_ptr_nonnull(state_fd(st, p, 6));
	ck_assert_ptr_null(state_fd(st, c, 6));
	static const char *const argv[] = { "ls", NULL };
	struct th_exec x = { .exe = "/bin/ls", .argv = argv, .ppid = 100 };
	th_apply(st, ev_exec(&T, 500, 500, &x));
	ck_assert_ptr_null(state_fd(st, c, 4));
	ck_assert_ptr_nonnull(state_fd(st, c, 3));
	/* exec in a sharer unshares the table first */
	th_apply(st, ev_exec(&T, 501, 501, &x));
	ck_assert_ptr_ne(s->fdtab, p->fdtab);
	ck_assert_ptr_nonnull(state_fd(st, p, 4));
	ck_assert_ptr_null(state_fd(st, s, 4));
}
END_TEST

START_TEST(sockets)
{
	int64_t so[] = { 3, AF_INET, SOCK_STREAM, 0 };
	th_apply(st, ev_nums(&T, VIGIL_EVT_SOCKET, 100, 100, 4, so));
	struct evt *e = ev_connect(&T, 100, 100, 3, th_sa(AF_INET, "10.1.2.3", 40000),
				   th_sa(AF_INET, "93.184.216.34", 443));
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "10.1.2.3:40000->93.184.216.34:443");
	ck_assert_str_eq(F(e, "fd.typechar"), "4");
	ck_assert_str_eq(F(e, "fd.l4proto"), "tcp");
	ck_assert_str_eq(F(e, "fd.sip"), "93.184.216.34");
	ck_assert_str_eq(F(e, "fd.cip"), "10.1.2.3");
	ck_assert_str_eq(F(e, "fd.rip"), "93.184.216.34");
	ck_assert_str_eq(F(e, "fd.sport"), "443");
	ck_assert_str_eq(F(e, "fd.cport"), "40000");
	ck_assert_str_eq(F(e, "fd.lport"), "40000");
	ck_assert_str_eq(F(e, "fd.snet"), "93.184.216.34/32");
	ck_assert_str_eq(F(e, "fd.port"), "40000,443");
	/* IPv6 server side: accept */
	int64_t so6[] = { 4, AF_INET6, SOCK_STREAM, 0 };
	th_apply(st, ev_nums(&T, VIGIL_EVT_SOCKET, 100, 100, 4, so6));
	e = ev_accept(&T, 100, 100, 5, 4, th_sa(AF_INET6, "2001:db8::1", 22),
		      th_sa(AF_INET6, "2001:db8::99", 51000));
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "2001:db8::99:51000->2001:db8::1:22");
	ck_assert_str_eq(F(e, "fd.type"), "ipv6");
	ck_assert_str_eq(F(e, "fd.sip"), "2001:db8::1");
	ck_assert_str_eq(F(e, "fd.sport"), "22");
	ck_assert_str_eq(F(e, "fd.cip"), "2001:db8::99");
	ck_assert_str_eq(F(e, "fd.lip"), "2001:db8::1");
	/* unix */
	int64_t su[] = { 6, AF_UNIX, SOCK_STREAM, 0 };
	th_apply(st, ev_nums(&T, VIGIL_EVT_SOCKET, 100, 100, 4, su));
	e = ev_connect(&T, 100, 100, 6, th_sa(AF_UNIX, "", 0),
		       th_sa(AF_UNIX, "/var/run/docker.sock", 0));
	th_apply(st, e);
	ck_assert_str_eq(F(e, "fd.name"), "/var/run/docker.sock");
	ck_assert_str_eq(F(e, "fd.typechar"), "u");
	ck_assert_str_eq(F(e, "fd.sip"), "<NA>");
}
END_TEST

/* Bounds: the thread table evicts the least recently seen, the fd table
 * refuses past its limit; both are counted. */
START_TEST(bounds)
{
	struct state *s = mk(64, 8);
	struct state *keep = st;
	st = s;
	static const char *const argv[] = { "w", NULL };
	struct th_exec x = { .exe = "/w", .argv = argv, .ppid = 1 };
	for (uint32_t pid = 1000; pid < 1200; pid++)
		th_apply(s, ev_exec(&T, pid, pid, &x));
	ck_assert_uint_le(state_stats(s)->threads, 64);
	ck_assert_uint_gt(state_stats(s)->evict_thread, 0);
	ck_assert_ptr_nonnull(state_thread(s, 1199));
	for (int fd = 3; fd < 20; fd++)
		th_apply(s, ev_openat(&T, 1199, 1199, fd, AT_FDCWD, "/f", O_RDONLY));
	ck_assert_uint_eq(state_proc(s, 1199)->fdtab->fds.count, 8);
	ck_assert_uint_gt(state_stats(s)->evict_fd, 0);
	ck_assert_uint_eq(state_stats(s)->fds, 8);
	st = keep;
	state_free(s);
}
END_TEST

/* Inconsistent input is counted and does not corrupt the tables. */
START_TEST(inconsistent_input)
{
	uint64_t before = state_stats(st)->inconsistent;
	th_apply(st, ev_fork(&T, 100, 100, 100, 100, 0));	/* child = parent */
	th_apply(st, ev_fork(&T, 100, 100, 600, 601, VIGIL_FORK_THREAD));	/* thread of another pid */
	th_apply(st, ev_openat(&T, 100, 100, (int64_t)1 << 40, AT_FDCWD, "/x", 0));
	ck_assert_uint_ge(state_stats(st)->inconsistent, before + 3);
	ck_assert_ptr_null(state_thread(st, 600));
	ck_assert_ptr_nonnull(state_thread(st, 100));
	/* an unknown thread mid-stream (replay: never /proc) is incomplete */
	int64_t c[] = { 0, 3 };
	struct evt *e = ev_nums(&T, VIGIL_EVT_CLOSE, 777, 777, 2, c);
	th_apply(st, e);
	ck_assert_str_eq(F(e, "proc.is_incomplete"), "true");
	ck_assert_str_eq(F(e, "proc.name"), "<NA>");
	ck_assert_uint_ge(state_stats(st)->thread_miss, 1);
}
END_TEST

/* Snapshot: write the state as records, read them into a new state. */
static int emit_apply(void *arg, const void *rec, size_t len)
{
	struct evt ev;
	if (evt_decode(rec, len, &ev) != EVT_OK)
		return 1;
	return state_apply(arg, &ev) ? 1 : 0;
}

START_TEST(snapshot_roundtrip)
{
	th_apply(st, ev_openat(&T, 100, 100, 3, AT_FDCWD, "/etc/hosts", O_RDONLY));
	int64_t so[] = { 4, AF_INET, SOCK_STREAM, 0 };
	th_apply(st, ev_nums(&T, VIGIL_EVT_SOCKET, 100, 100, 4, so));
	th_apply(st, ev_connect(&T, 100, 100, 4, th_sa(AF_INET, "10.0.0.1", 1234),
				th_sa(AF_INET, "10.0.0.2", 80)));
	th_apply(st, ev_fork(&T, 100, 100, 101, 100, VIGIL_FORK_THREAD | VIGIL_FORK_FILES));
	state_proc(st, 100)->userns = 4026532700u;
	struct state *n = mk(0, 0);
	char err[256];
	long recs = state_write_snapshot(st, 42, emit_apply, n, err, sizeof(err));
	ck_assert_msg(recs > 0, "%s", err);
	ck_assert_int_eq(recs, 3 + 2);	/* threads 1, 100, 101; fds 3, 4 of 100 */
	struct st_proc *p = state_proc(n, 100);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->comm, "bash");
	ck_assert_str_eq(p->exepath, "/usr/bin/bash");
	ck_assert_str_eq(p->cwd, "/root/");
	ck_assert_uint_eq(p->ppid, 1);
	ck_assert_uint_eq(p->loginuid, 1000);
	ck_assert_uint_eq(p->pidns, 4026531836u);
	ck_assert_uint_eq(p->netns, 4026531992u);
	ck_assert_uint_eq(p->userns, 4026532700u);
	ck_assert_str_eq(state_fd(n, p, 3)->name, "/etc/hosts");
	ck_assert_str_eq(state_fd(n, p, 4)->name, "10.0.0.1:1234->10.0.0.2:80");
	ck_assert_ptr_eq(state_thread(n, 101)->proc, p);
	state_free(n);
}
END_TEST

START_TEST(path_join)
{
	char b[256];
	struct st_proc p;
	memset(&p, 0, sizeof(p));
	p.cwd = (char *)"/home/u/";
	ck_assert_uint_eq(state_resolve_path(st, &p, AT_FDCWD, "a/../b//c/.", 11, b, sizeof(b)), 11);
	ck_assert_str_eq(b, "/home/u/b/c");
	state_resolve_path(st, &p, AT_FDCWD, "../../../..", 11, b, sizeof(b));
	ck_assert_str_eq(b, "/");
	state_resolve_path(st, &p, AT_FDCWD, "/x/y/../z", 9, b, sizeof(b));
	ck_assert_str_eq(b, "/x/z");
	ck_assert_uint_eq(state_resolve_path(st, &p, 55, "rel", 3, b, sizeof(b)), 0);
}
END_TEST

/* Seeding from the real /proc: a child we start, with a file and a
 * listening socket open, is read back with its exe, args, cwd, parent,
 * fds and the socket's address. */
START_TEST(seed_from_proc)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(ls, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(ls, 1), 0);
	socklen_t sl = sizeof(sa);
	getsockname(ls, (struct sockaddr *)&sa, &sl);
	if (ls != 5) {
		ck_assert_int_eq(dup2(ls, 5), 5);
		close(ls);
	}
	pid_t child = fork();
	if (!child) {
		if (chdir("/tmp"))
			_exit(1);
		execl("/bin/sh", "sh", "-c", "exec 7</etc/hostname; exec sleep 5", (char *)NULL);
		_exit(1);
	}
	close(5);
	/* wait until the child has exec'd sleep with fd 7 open */
	char path[64], link[256];
	snprintf(path, sizeof(path), "/proc/%d/fd/7", (int)child);
	for (int i = 0; i < 200 && readlink(path, link, sizeof(link)) < 0; i++)
		usleep(10000);
	usleep(20000);
	struct state_cfg c;
	memset(&c, 0, sizeof(c));
	c.live = true;
	char err[256];
	struct state *s = state_new(&c, err, sizeof(err));
	int n = state_seed_from_proc(s, err, sizeof(err));
	/* live, not seeded: an event of the child fills it from /proc */
	struct state *mid = state_new(&c, err, sizeof(err));
	int64_t cv[] = { 0, 99 };
	ck_assert_int_eq(state_apply(mid, ev_nums(&T, VIGIL_EVT_CLOSE, (uint32_t)child, (uint32_t)child, 2, cv)), 0);
	kill(child, SIGKILL);
	struct st_proc *mp = state_proc(mid, (uint32_t)child);
	ck_assert_ptr_nonnull(mp);
	ck_assert_str_eq(mp->comm, "sleep");
	ck_assert_int_eq(mp->flags & ST_PROC_INCOMPLETE, 0);
	ck_assert_ptr_nonnull(state_fd(mid, mp, 5));
	ck_assert_int_eq(state_fd(mid, mp, 5)->typechar, '4');
	ck_assert_uint_eq(state_stats(mid)->proc_filled, 1);
	state_free(mid);
	waitpid(child, NULL, 0);
	ck_assert_msg(n > 1, "seeded %d: %s", n, err);
	ck_assert_ptr_null(state_proc(s, (uint32_t)getpid()));	/* never itself */
	struct st_proc *p = state_proc(s, (uint32_t)child);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->comm, "sleep");
	ck_assert_str_eq(p->exe, "sleep");
	ck_assert_str_eq(p->args, "5");
	ck_assert_ptr_nonnull(strstr(p->exepath, "sleep"));
	ck_assert_str_eq(p->cwd, "/tmp/");
	ck_assert_uint_eq(p->ppid, (uint32_t)getpid());
	/* the child shares our namespaces: the inodes of /proc/self/ns/<ns> */
	static const char *const nsn[] = { "pid", "mnt", "net", "user" };
	const uint32_t got_ns[] = { p->pidns, p->mntns, p->netns, p->userns };
	for (unsigned i = 0; i < 4; i++) {
		struct stat nsb;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", nsn[i]);
		ck_assert_int_eq(stat(path, &nsb), 0);
		ck_assert_msg(got_ns[i] == (uint32_t)nsb.st_ino, "%sns %u, /proc/self/ns: %lu",
			      nsn[i], got_ns[i], (unsigned long)nsb.st_ino);
	}
	ck_assert_ptr_nonnull(state_thread(s, (uint32_t)child));
	struct st_fd *f = state_fd(s, p, 7);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->name, "/etc/hostname");
	ck_assert_int_eq(f->typechar, 'f');
	f = state_fd(s, p, 5);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->typechar, '4');
	char want[64];
	snprintf(want, sizeof(want), "127.0.0.1:%u", ntohs(sa.sin_port));
	ck_assert_str_eq(f->name, want);
	ck_assert_uint_eq(f->l4proto, IPPROTO_TCP);
	ck_assert_uint_ge(state_stats(s)->proc_filled, (uint64_t)n);
	state_free(s);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* Writes <root>/<rel>, making the directories on the way. */
static void root_file(const char *root, const char *rel, const char *text)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *q = p + strlen(root) + 1; (q = strchr(q, '/')); q++) {
		*q = 0;
		mkdir(p, 0755);
		*q = '/';
	}
	write_file(p, text);
}

/* A state whose files (/proc, /etc, /run) are below root. */
static struct state *state_at(const char *root, bool live)
{
	struct state_cfg c;
	char err[256];

	memset(&c, 0, sizeof(c));
	c.root = root;
	c.live = live;
	c.hostname = "testhost";
	struct state *s = state_new(&c, err, sizeof(err));
	ck_assert_msg(s, "state_new: %s", err);
	return s;
}

static void rm_root(const char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* The host's user names: <root>/proc/1/root/etc (the node's, seen from a
 * hostPID container) before <root>/etc (the image's). */
START_TEST(host_users_from_pid1_root)
{
	char root[] = "/tmp/vigil-test-users-XXXXXX";	/* mkdtemp's template */
	ck_assert_ptr_nonnull(mkdtemp(root));
	root_file(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\nimageuser:x:1000:1000::/:/bin/sh\n");
	root_file(root, "etc/group", "imagegroup:x:1000:\n");
	root_file(root, "proc/1/root/etc/passwd", "root:x:0:0::/root:/bin/sh\nnodeuser:x:1000:1000::/:/bin/sh\n");
	root_file(root, "proc/1/root/etc/group", "nodegroup:x:1000:\n");

	struct state *s = state_at(root, false);
	ck_assert_str_eq(state_user_name(s, NULL, 1000), "nodeuser");
	ck_assert_str_eq(state_group_name(s, NULL, 1000), "nodegroup");
	state_free(s);

	/* no readable /proc/1/root/etc/passwd: <root>/etc */
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/proc/1/root/etc/passwd", root);
	unlink(p);
	s = state_at(root, false);
	ck_assert_str_eq(state_user_name(s, NULL, 1000), "imageuser");
	state_free(s);
	rm_root(root);
}
END_TEST

/* runc's init forks in the container's cgroup before `runc create` writes
 * state.json: the container is seen with no metadata, which the next exec
 * in it finds; the container-start event waits for it and is made once. */
START_TEST(container_meta_after_first_sighting)
{
	char root[] = "/tmp/vigil-test-runc-XXXXXX";	/* mkdtemp's template */
	ck_assert_ptr_nonnull(mkdtemp(root));
	const char *id = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
	char cg[256];
	snprintf(cg, sizeof(cg), "/kubepods/besteffort/pod1234/%s", id);

	struct state *s = state_at(root, true);
	struct th_exec x = { .exe = "/sbin/init", .argv = init_argv, .cwd = "/", .ppid = 0 };
	ck_assert_int_eq(th_apply(s, ev_snap(&T, 1, 1, &x)), 0);

	/* first sighting: no runtime files yet */
	struct th_exec e = { .exe = "/bin/sh", .argv = sh_argv, .cwd = "/", .ppid = 1, .cgroup = cg };
	struct evt *ev = ev_exec(&T, 300, 300, &e);
	ck_assert_int_eq(th_apply(s, ev), 0);
	ck_assert_str_eq(th_field(s, ev, "container.id"), "0f1e2d3c4b5a");
	ck_assert_str_eq(th_field(s, ev, "container.name"), "<NA>");
	size_t len;
	ck_assert_ptr_null(state_pending_event(s, &len));

	/* runc saves state.json, naming the bundle with CRI annotations */
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "run/runc/%s/state.json", id);
	root_file(root, rel, "{\"id\":\"x\",\"created\":\"2026-01-02T03:04:05.5Z\",\"config\":{\"labels\":[\"bundle=/bundle\"]}}");
	root_file(root, "bundle/config.json", "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"]}},"
		      "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}]},"
		      "\"annotations\":{\"io.kubernetes.cri.container-name\":\"web\","
		      "\"io.kubernetes.cri.image-name\":\"registry.example.com/web:1.2\","
		      "\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
		      "\"io.kubernetes.cri.sandbox-name\":\"web-pod\"}}");

	/* the entrypoint's exec finds it; one start event */
	ev = ev_exec(&T, 301, 301, &e);
	ck_assert_int_eq(th_apply(s, ev), 0);
	ck_assert_str_eq(th_field(s, ev, "container.name"), "web");
	ck_assert_str_eq(th_field(s, ev, "container.image.repository"), "registry.example.com/web");
	ck_assert_str_eq(th_field(s, ev, "k8s.ns.name"), "shop");
	ck_assert_str_eq(th_field(s, ev, "container.host_network"), "true");
	ck_assert_str_eq(th_field(s, ev, "container.host_pid"), "false");
	/* the start time is runc's `created`, not the first sighting */
	ck_assert_str_eq(th_field(s, ev, "container.start_ts"), "1767323045500000000");
	const void *rec = state_pending_event(s, &len);
	ck_assert_ptr_nonnull(rec);
	struct evt cev;
	ck_assert_int_eq(evt_decode(rec, len, &cev), EVT_OK);
	ck_assert_uint_eq(cev.hdr->type, VIGIL_EVT_CONTAINER);
	ck_assert_ptr_null(state_pending_event(s, &len));

	/* later execs: no second event */
	ev = ev_exec(&T, 302, 302, &e);
	ck_assert_int_eq(th_apply(s, ev), 0);
	ck_assert_ptr_null(state_pending_event(s, &len));
	state_free(s);

	/* a container whose runtime never says: the event after META tries */
	s = state_at(root, true);
	snprintf(cg, sizeof(cg), "/kubepods/besteffort/pod1234/%s", "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999");
	int events = 0;
	for (uint32_t pid = 400; pid < 420; pid++) {
		ck_assert_int_eq(th_apply(s, ev_exec(&T, pid, pid, &e)), 0);
		while (state_pending_event(s, &len))
			events++;
	}
	ck_assert_int_eq(events, 1);
	state_free(s);
	rm_root(root);
}
END_TEST

/* A user added after start is found: a miss looks at passwd again (at most
 * once a second of event time) and reads it if it changed. */
START_TEST(users_reread_when_changed)
{
	char root[] = "/tmp/vigil-test-users2-XXXXXX";	/* mkdtemp's template */
	ck_assert_ptr_nonnull(mkdtemp(root));
	root_file(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	root_file(root, "etc/group", "root:x:0:\n");

	struct state *s = state_at(root, false);
	struct th_exec x = { .exe = "/sbin/init", .argv = init_argv, .cwd = "/", .ppid = 0 };
	ck_assert_int_eq(th_apply(s, ev_snap(&T, 1, 1, &x)), 0);
	ck_assert_ptr_null(state_user_name(s, NULL, 1001));

	root_file(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n");
	root_file(root, "etc/group", "root:x:0:\nalice:x:1001:\n");
	/* within the second: not looked at again */
	ck_assert_ptr_null(state_user_name(s, NULL, 1001));
	th_ts += 2000000000ull;
	ck_assert_int_eq(th_apply(s, ev_snap(&T, 1, 1, &x)), 0);
	ck_assert_str_eq(state_user_name(s, NULL, 1001), "alice");
	ck_assert_str_eq(state_group_name(s, NULL, 1001), "alice");
	ck_assert_str_eq(state_user_name(s, NULL, 0), "root");
	/* unchanged files: a miss reads nothing */
	th_ts += 2000000000ull;
	ck_assert_int_eq(th_apply(s, ev_snap(&T, 1, 1, &x)), 0);
	ck_assert_ptr_null(state_user_name(s, NULL, 4242));
	ck_assert_str_eq(state_user_name(s, NULL, 1001), "alice");
	state_free(s);
	rm_root(root);
}
END_TEST

/* $VIGIL_HOSTNAME (the DaemonSet sets the node name) is the default
 * hostname; an explicit one wins. */
START_TEST(hostname_from_env)
{
	char err[256];
	struct state_cfg c;
	memset(&c, 0, sizeof(c));
	setenv("VIGIL_HOSTNAME", "node-7", 1);
	struct state *s = state_new(&c, err, sizeof(err));
	ck_assert_msg(s, "state_new: %s", err);
	ck_assert_str_eq(state_hostname(s), "node-7");
	state_free(s);
	c.hostname = "given";
	s = state_new(&c, err, sizeof(err));
	ck_assert_str_eq(state_hostname(s), "given");
	state_free(s);
	setenv("VIGIL_HOSTNAME", "", 1);	/* empty: gethostname() */
	c.hostname = NULL;
	s = state_new(&c, err, sizeof(err));
	ck_assert_str_ne(state_hostname(s), "");
	ck_assert_str_ne(state_hostname(s), "node-7");
	state_free(s);
	unsetenv("VIGIL_HOSTNAME");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fork_exec_ancestry);
	tcase_add_test(tc, failed_exec_keeps_process);
	tcase_add_test(tc, thread_exec);
	tcase_add_test(tc, orphan_reparented);
	tcase_add_test(tc, fd_open_dup_close);
	tcase_add_test(tc, fd_fork_cloexec);
	tcase_add_test(tc, sockets);
	tcase_add_test(tc, bounds);
	tcase_add_test(tc, inconsistent_input);
	tcase_add_test(tc, snapshot_roundtrip);
	tcase_add_test(tc, path_join);
	tcase_add_test(tc, seed_from_proc);
	tcase_add_test(tc, host_users_from_pid1_root);
	tcase_add_test(tc, hostname_from_env);
	tcase_add_test(tc, users_reread_when_changed);
	tcase_add_test(tc, container_meta_after_first_sighting);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
