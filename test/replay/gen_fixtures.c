/* SPDX-License-Identifier: MIT */
/*
 * gen_fixtures.c - writes the replay fixtures: capture files made with the
 * real builder and capture writer, each a small scenario that proves one
 * piece of the state (dup'd fds, exec with CLOEXEC, a thread exec, an
 * orphan reparented, a path relative to a dirfd, IPv6, a unix socket,
 * containers with CRI metadata, snapshot-only fds, ring drops as
 * `vigil capture` records them).
 *
 *   gen_fixtures OUTDIR     writes OUTDIR/<scenario>.vcap
 *
 * Deterministic: timestamps count up from a fixed start, and the header's
 * boot offset and creation time are set to fixed values after writing.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "../unit/state_helpers.h"

#define BOOT_OFFSET 1700000000000000000ll

static struct capture_writer *W;
static struct tev T;
static char err[512];

static void put(struct evt *e)
{
	if (capture_writer_append(W, T.buf, T.len, err, sizeof(err))) {
		fprintf(stderr, "gen_fixtures: %s\n", err);
		exit(1);
	}
	(void)e;
}

static void section(enum capture_section s)
{
	if (capture_writer_section(W, s, err, sizeof(err))) {
		fprintf(stderr, "gen_fixtures: %s\n", err);
		exit(1);
	}
}

static char outdir[512];
static char cur[600];

static void begin(const char *name)
{
	struct capture_writer_opts o;
	memset(&o, 0, sizeof(o));
	o.hostname = "fixture-host";
	o.nr_cpus = 1;
	snprintf(cur, sizeof(cur), "%s/%s.vcap", outdir, name);
	W = capture_writer_open(cur, &o, err, sizeof(err));
	if (!W) {
		fprintf(stderr, "gen_fixtures: %s\n", err);
		exit(1);
	}
	th_ts = 1000000000ull;
	th_num = 0;
}

static void end(void)
{
	if (capture_writer_close(W, err, sizeof(err))) {
		fprintf(stderr, "gen_fixtures: %s\n", err);
		exit(1);
	}
	FILE *f = fopen(cur, "r+b");
	int64_t off = BOOT_OFFSET;
	uint64_t created = (uint64_t)BOOT_OFFSET + 1000000000ull;
	if (!f || fseek(f, offsetof(struct capture_file_hdr, boot_offset_ns), SEEK_SET) ||
	    fwrite(&off, 8, 1, f) != 1 || fwrite(&created, 8, 1, f) != 1 || fclose(f)) {
		fprintf(stderr, "gen_fixtures: %s: cannot patch the header\n", cur);
		exit(1);
	}
}

static void fd_snap(uint32_t pid, int64_t fd, char tc, const char *name, uint32_t flags,
		    const struct evt_sockaddr *l, const struct evt_sockaddr *r)
{
	struct evt_builder b;
	th_begin(&b, &T, VIGIL_EVT_FD_SNAP, pid, pid);
	evt_build_u64(&b, pid);
	evt_build_u64(&b, (uint64_t)fd);
	evt_build_u32(&b, (uint32_t)tc);
	evt_build_str(&b, name);
	evt_build_u32(&b, flags);
	if (l)
		evt_build_tuple(&b, l, r);
	else
		evt_build_empty(&b, 0);
	evt_build_u64(&b, 1);
	put(th_end(&b, &T));
}

static void container_rec(const char *id, const char *name, const char *image, uint32_t pid,
			  const char *meta)
{
	struct evt_builder b;
	th_begin(&b, &T, VIGIL_EVT_CONTAINER, 0, 0);
	evt_build_str(&b, id);
	evt_build_str(&b, name);
	evt_build_str(&b, image);
	evt_build_u64(&b, pid);
	evt_build_str(&b, meta);
	put(th_end(&b, &T));
}

/* The host every scenario starts from: init(1) -> sshd(500) -> bash(600),
 * bash with a tty, stdin/out/err and /var/log/auth.log open. */
static void host_snapshot(void)
{
	static const char *const init_argv[] = { "/sbin/init", NULL };
	static const char *const sshd_argv[] = { "sshd:", "alice@pts/0", NULL };
	static const char *const bash_argv[] = { "-bash", NULL };
	section(CAPTURE_SNAPSHOT);
	struct th_exec x = { .exe = "/usr/lib/systemd/systemd", .argv = init_argv, .cwd = "/",
			     .comm = "systemd", .loginuid = UINT32_MAX };
	put(ev_snap(&T, 1, 1, &x));
	struct th_exec s = { .exe = "/usr/sbin/sshd", .argv = sshd_argv, .cwd = "/", .ppid = 1,
			     .loginuid = 1000 };
	put(ev_snap(&T, 500, 500, &s));
	struct th_exec h = { .exe = "/usr/bin/bash", .argv = bash_argv, .cwd = "/home/alice",
			     .ppid = 500, .uid = 1000, .gid = 1000, .loginuid = 1000,
			     .tty = 34816, .comm = "bash" };
	put(ev_snap(&T, 600, 600, &h));
	fd_snap(600, 0, 'f', "/dev/pts/0", O_RDWR, NULL, NULL);
	fd_snap(600, 1, 'f', "/dev/pts/0", O_RDWR, NULL, NULL);
	fd_snap(600, 2, 'f', "/dev/pts/0", O_RDWR, NULL, NULL);
	fd_snap(600, 3, 'f', "/var/log/auth.log", O_RDONLY, NULL, NULL);
	struct evt_sockaddr l = th_sa(AF_INET, "10.0.0.5", 22), r = th_sa(AF_INET, "192.0.2.7", 50123);
	fd_snap(500, 4, '4', "", O_RDWR, &l, &r);
	section(CAPTURE_LIVE);
}

static void rw(unsigned type, uint32_t pid, int64_t fd, int64_t res)
{
	struct evt_builder b;
	th_begin(&b, &T, type, pid, pid);
	evt_build_u64(&b, (uint64_t)res);
	evt_build_u64(&b, (uint64_t)fd);
	evt_build_u64(&b, 4096);
	evt_build_bytes(&b, "data", 4, 0);
	put(th_end(&b, &T));
}

static void nums(unsigned type, uint32_t tid, uint32_t pid, int n, const int64_t *v)
{
	put(ev_nums(&T, type, tid, pid, n, v));
}

static void scenario_dup(void)
{
	begin("dup_fds");
	host_snapshot();
	put(ev_openat(&T, 600, 600, 5, AT_FDCWD, "/etc/shadow", O_RDONLY));
	nums(VIGIL_EVT_DUP2, 600, 600, 3, (int64_t[]){ 0, 5, 0 });
	rw(VIGIL_EVT_READ, 600, 0, 100);			/* match: fd 0 */
	nums(VIGIL_EVT_DUP, 600, 600, 2, (int64_t[]){ 6, 5 });
	nums(VIGIL_EVT_CLOSE, 600, 600, 2, (int64_t[]){ 0, 5 });
	rw(VIGIL_EVT_READ, 600, 6, 100);			/* match: fd 6 */
	nums(VIGIL_EVT_FCNTL, 600, 600, 4, (int64_t[]){ 9, 6, F_DUPFD, 9 });
	nums(VIGIL_EVT_CLOSE, 600, 600, 2, (int64_t[]){ 0, 6 });
	rw(VIGIL_EVT_READ, 600, 9, 100);			/* match: fd 9 */
	rw(VIGIL_EVT_READ, 600, 5, -9);			/* closed: no match */
	end();
}

static void scenario_cloexec(void)
{
	static const char *const argv[] = { "python3", "serve.py", NULL };
	begin("exec_cloexec");
	host_snapshot();
	put(ev_fork(&T, 600, 600, 700, 700, 0));
	put(ev_openat(&T, 700, 700, 5, AT_FDCWD, "/etc/ssl/private/server.key", O_RDONLY | O_CLOEXEC));
	put(ev_openat(&T, 700, 700, 6, AT_FDCWD, "/etc/ssl/private/server.pem", O_RDONLY));
	struct th_exec x = { .exe = "/usr/bin/python3", .argv = argv, .cwd = "/srv", .ppid = 600,
			     .uid = 1000, .gid = 1000, .loginuid = 1000 };
	put(ev_exec(&T, 700, 700, &x));
	rw(VIGIL_EVT_READ, 700, 5, 64);		/* closed at exec: no match */
	rw(VIGIL_EVT_READ, 700, 6, 64);		/* inherited: match */
	end();
}

static void scenario_thread_exec(void)
{
	static const char *const jargv[] = { "java", "-jar", "app.jar", NULL };
	static const char *const sargv[] = { "sh", "-c", "id", NULL };
	begin("thread_exec");
	host_snapshot();
	put(ev_fork(&T, 600, 600, 800, 800, 0));
	struct th_exec j = { .exe = "/usr/bin/java", .argv = jargv, .cwd = "/srv", .ppid = 600 };
	put(ev_exec(&T, 800, 800, &j));
	put(ev_fork(&T, 800, 800, 801, 800, VIGIL_FORK_THREAD | VIGIL_FORK_FILES | VIGIL_FORK_VM | VIGIL_FORK_FS));
	put(ev_fork(&T, 800, 800, 802, 800, VIGIL_FORK_THREAD | VIGIL_FORK_FILES | VIGIL_FORK_VM | VIGIL_FORK_FS));
	struct th_exec s = { .exe = "/bin/sh", .argv = sargv, .cwd = "/srv", .ppid = 600 };
	put(ev_exec(&T, 802, 800, &s));		/* a non-leader thread execs */
	put(ev_openat(&T, 800, 800, 3, AT_FDCWD, "/etc/passwd", O_RDONLY));
	end();
}

static void scenario_orphan(void)
{
	static const char *const nargv[] = { "nohup", "sh", "job.sh", NULL };
	static const char *const sargv[] = { "sleep", "60", NULL };
	begin("orphan");
	host_snapshot();
	put(ev_fork(&T, 600, 600, 900, 900, 0));
	struct th_exec n = { .exe = "/usr/bin/nohup", .argv = nargv, .cwd = "/tmp", .ppid = 600 };
	put(ev_exec(&T, 900, 900, &n));
	put(ev_fork(&T, 900, 900, 901, 901, 0));
	struct th_exec s = { .exe = "/usr/bin/sleep", .argv = sargv, .cwd = "/tmp", .ppid = 900 };
	put(ev_exec(&T, 901, 901, &s));
	put(ev_openat(&T, 901, 901, 3, AT_FDCWD, "orphan.txt", O_WRONLY | O_CREAT));	/* parent alive */
	put(ev_exit(&T, 900, 900, VIGIL_EXIT_GROUP_DEAD, 1));
	put(ev_openat(&T, 901, 901, 4, AT_FDCWD, "orphan.txt", O_WRONLY | O_CREAT));	/* reparented */
	end();
}

static void scenario_dirfd(void)
{
	begin("dirfd");
	host_snapshot();
	struct evt_builder b;
	th_begin(&b, &T, VIGIL_EVT_CHDIR, 600, 600);
	evt_build_u64(&b, 0);
	evt_build_str(&b, "work");
	put(th_end(&b, &T));				/* cwd: /home/alice/work */
	put(ev_openat(&T, 600, 600, 5, AT_FDCWD, "../proj/./src", O_RDONLY | O_DIRECTORY));
	put(ev_openat(&T, 600, 600, 6, 5, "../../.ssh/id_rsa", O_RDONLY));
	put(ev_openat(&T, 600, 600, 7, AT_FDCWD, "/root/../home/alice/.ssh/id_rsa", O_RDONLY));
	end();
}

static void scenario_ipv6(void)
{
	static const char *const argv[] = { "curl", "https://[2001:db8::1]/", NULL };
	begin("ipv6");
	host_snapshot();
	put(ev_fork(&T, 600, 600, 1000, 1000, 0));
	struct th_exec c = { .exe = "/usr/bin/curl", .argv = argv, .cwd = "/home/alice", .ppid = 600 };
	put(ev_exec(&T, 1000, 1000, &c));
	nums(VIGIL_EVT_SOCKET, 1000, 1000, 4, (int64_t[]){ 3, AF_INET6, SOCK_STREAM, 0 });
	put(ev_connect(&T, 1000, 1000, 3, th_sa(AF_INET6, "2001:db8::99", 50000),
		       th_sa(AF_INET6, "2001:db8::1", 443)));
	nums(VIGIL_EVT_SOCKET, 1000, 1000, 4, (int64_t[]){ 4, AF_INET, SOCK_DGRAM, 0 });
	put(ev_connect(&T, 1000, 1000, 4, th_sa(AF_INET, "10.0.0.5", 41000),
		       th_sa(AF_INET, "10.0.0.53", 53)));
	/* sshd's snapshot socket, read by sshd: server side 22 */
	rw(VIGIL_EVT_READ, 500, 4, 10);
	end();
}

static void scenario_unix(void)
{
	static const char *const argv[] = { "docker", "ps", NULL };
	begin("unix_socket");
	host_snapshot();
	put(ev_fork(&T, 600, 600, 1100, 1100, 0));
	struct th_exec c = { .exe = "/usr/bin/docker", .argv = argv, .cwd = "/home/alice", .ppid = 600 };
	put(ev_exec(&T, 1100, 1100, &c));
	nums(VIGIL_EVT_SOCKET, 1100, 1100, 4, (int64_t[]){ 3, AF_UNIX, SOCK_STREAM, 0 });
	put(ev_connect(&T, 1100, 1100, 3, th_sa(AF_UNIX, "", 0), th_sa(AF_UNIX, "/var/run/docker.sock", 0)));
	end();
}

#define WEB "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"
#define PRIV "9999999999999999999999999999999999999999999999999999999999999999"

static void scenario_container(void)
{
	static const char *const shim_argv[] = { "containerd-shim-runc-v2", "-namespace", "k8s.io", NULL };
	static const char *const nginx_argv[] = { "nginx", "-g", "daemon off;", NULL };
	static const char *const sh_argv[] = { "sh", "-i", NULL };
	begin("container");
	host_snapshot();
	section(CAPTURE_SNAPSHOT);
	struct th_exec shim = { .exe = "/usr/bin/containerd-shim-runc-v2", .argv = shim_argv,
				.cwd = "/run/containerd", .ppid = 1 };
	put(ev_snap(&T, 1500, 1500, &shim));
	struct th_exec ng = { .exe = "/usr/sbin/nginx", .argv = nginx_argv, .cwd = "/", .ppid = 1500,
			      .vpid = 1,
			      .cgroup = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podaa.slice/cri-containerd-" WEB ".scope" };
	put(ev_snap(&T, 1600, 1600, &ng));
	container_rec(WEB, "web", "registry.local/shop/nginx:1.25.3", 1600,
		      "{\"runtime\":\"containerd\",\"loaded\":true,\"privileged\":false,\"host_pid\":false,"
		      "\"host_network\":false,\"host_ipc\":false,\"start_ts\":1700000000500000000,"
		      "\"mounts\":[{\"source\":\"/var/lib/kubelet/pods/aa/volumes/cfg\",\"dest\":\"/etc/nginx/conf.d\",\"rw\":false,\"propagation\":\"rprivate\"}],"
		      "\"labels\":{\"io.kubernetes.cri.sandbox-namespace\":\"shop\"},"
		      "\"k8s_ns\":\"shop\",\"k8s_pod\":\"web-5d8f\",\"k8s_pod_uid\":\"aa-bb\","
		      "\"pod_labels\":{\"app\":\"web\",\"team\":\"storefront\"}}");
	section(CAPTURE_LIVE);
	put(ev_fork(&T, 1600, 1600, 1601, 1601, 0));
	struct th_exec sh = { .exe = "/bin/sh", .argv = sh_argv, .cwd = "/", .ppid = 1600, .vpid = 7,
			      .tty = 34817, .cgroup = ng.cgroup };
	put(ev_exec(&T, 1601, 1601, &sh));
	/* a privileged container, first seen through its CONTAINER record */
	section(CAPTURE_LIVE);
	put(ev_fork(&T, 1500, 1500, 1700, 1700, 0));
	struct th_exec pv = { .exe = "/bin/bash", .argv = sh_argv, .cwd = "/", .ppid = 1500,
			      .cgroup = "/kubepods.slice/kubepods-pod-cc.slice/cri-containerd-" PRIV ".scope" };
	container_rec(PRIV, "debugger", "docker.io/library/busybox", 1700,
		      "{\"runtime\":\"containerd\",\"loaded\":true,\"privileged\":true,\"host_pid\":true,"
		      "\"host_network\":true,\"host_ipc\":false,\"start_ts\":1700000001000000000,\"mounts\":[],"
		      "\"labels\":{},\"k8s_ns\":\"kube-system\",\"k8s_pod\":\"debug-x\",\"k8s_pod_uid\":\"cc\","
		      "\"pod_labels\":{\"app.kubernetes.io/owner\":\"sre\"}}");
	put(ev_exec(&T, 1700, 1700, &pv));
	end();
}

static void scenario_snapshot(void)
{
	begin("snapshot_fds");
	host_snapshot();
	rw(VIGIL_EVT_READ, 600, 3, 512);	/* fd known only from FD_SNAP */
	rw(VIGIL_EVT_WRITE, 600, 1, 12);
	rw(VIGIL_EVT_READ, 4242, 3, 1);	/* unknown process: incomplete, no fd */
	end();
}

/* For the Falco community rules (../shared/compat/falco_rules.yaml): a
 * terminal shell started by runc in a container, and an untrusted program
 * reading /etc/shadow on the host. */
static void scenario_falco(void)
{
	static const char *const runc_argv[] = { "runc", "init", NULL };
	static const char *const bash_argv[] = { "bash", NULL };
	static const char *const py_argv[] = { "python3", "dump.py", NULL };
	begin("falco_compat");
	host_snapshot();
	section(CAPTURE_SNAPSHOT);
	const char *cg = "/kubepods/besteffort/podf00/" WEB;
	struct th_exec r = { .exe = "/usr/sbin/runc", .argv = runc_argv, .cwd = "/", .ppid = 1,
			     .comm = "runc:[1:CHILD]", .cgroup = cg };
	put(ev_snap(&T, 1900, 1900, &r));
	container_rec(WEB, "web", "registry.local/shop/nginx:1.25.3", 1900,
		      "{\"runtime\":\"containerd\",\"loaded\":true,\"privileged\":false,\"host_pid\":false,"
		      "\"host_network\":false,\"host_ipc\":false,\"start_ts\":1700000000500000000,\"mounts\":[],"
		      "\"labels\":{},\"k8s_ns\":\"shop\",\"k8s_pod\":\"web-5d8f\",\"k8s_pod_uid\":\"aa-bb\","
		      "\"pod_labels\":{}}");
	section(CAPTURE_LIVE);
	struct th_exec b = { .exe = "/bin/bash", .argv = bash_argv, .cwd = "/", .ppid = 1,
			     .tty = 34818, .cgroup = cg };
	put(ev_exec(&T, 1900, 1900, &b));
	put(ev_fork(&T, 600, 600, 2000, 2000, 0));
	struct th_exec x = { .exe = "/usr/bin/python3", .argv = py_argv, .cwd = "/home/alice",
			     .ppid = 600, .uid = 1000, .gid = 1000, .loginuid = 1000, .tty = 34816 };
	put(ev_exec(&T, 2000, 2000, &x));
	put(ev_openat(&T, 2000, 2000, 3, AT_FDCWD, "/etc/shadow", O_RDONLY));
	end();
}

/* DROP records as `vigil capture` writes them (cpu, cause, count) between
 * events: replay ignores them; `vigil run --capture` counts them (drop
 * alert, vigil_drops_total). 8 records lost: cpu 0 full 5, cpu 1 full 2,
 * cpu 1 nested 1. */
static void drop_rec(uint32_t cpu, uint32_t cause, uint64_t n)
{
	struct evt_builder b;
	th_begin(&b, &T, VIGIL_EVT_DROP, 0, 0);
	evt_build_u32(&b, cpu);
	evt_build_u32(&b, cause);
	evt_build_u64(&b, n);
	put(th_end(&b, &T));
}

static void scenario_drops(void)
{
	begin("drops");
	host_snapshot();
	rw(VIGIL_EVT_READ, 600, 3, 100);	/* match: auth log */
	drop_rec(0, VIGIL_DROP_FULL, 5);
	drop_rec(1, VIGIL_DROP_FULL, 2);
	drop_rec(1, VIGIL_DROP_NESTED, 1);
	rw(VIGIL_EVT_READ, 600, 3, 200);	/* match again, after the loss */
	end();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_fixtures OUTDIR\n");
		return 2;
	}
	snprintf(outdir, sizeof(outdir), "%s", argv[1]);
	scenario_dup();
	scenario_cloexec();
	scenario_thread_exec();
	scenario_orphan();
	scenario_dirfd();
	scenario_ipv6();
	scenario_unix();
	scenario_container();
	scenario_snapshot();
	scenario_falco();
	scenario_drops();
	return 0;
}
