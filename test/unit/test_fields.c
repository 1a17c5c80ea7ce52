/* SPDX-License-Identifier: MIT */
/* test_fields.c - field resolution, the evt.* fields, and the fields that
 * read containers (cgroup ids, runtime files under a fake root), k8s
 * metadata, vigil.owner, and users/groups from passwd/group files. */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state_helpers.h"

#define F(st, ev, name) th_field((st), (ev), (name))

static struct tev T;

static struct state *mk_root(const char *root, bool live)
{
	struct state_cfg c;
	memset(&c, 0, sizeof(c));
	c.hostname = "node-1";
	c.root = root;
	c.live = live;
	c.boot_offset_ns = 1700000000000000000ll;
	char err[256];
	struct state *s = state_new(&c, err, sizeof(err));
	ck_assert_msg(s, "%s", err);
	return s;
}

static int resolve(const char *name, struct field_ref *r, char *err)
{
	return field_resolve(name, strlen(name), r, err, 256);
}

START_TEST(resolve_forms)
{
	struct field_ref r;
	char err[256];
	ck_assert_int_eq(resolve("proc.aname[2]", &r, err), 0);
	ck_assert_str_eq(field_table[r.id].name, "proc.aname");
	ck_assert_int_eq(r.index, 2);
	ck_assert_int_eq(resolve("evt.arg.flags", &r, err), 0);
	ck_assert_str_eq(field_table[r.id].name, "evt.arg");
	ck_assert_str_eq(r.key, "flags");
	ck_assert_int_eq(resolve("evt.arg[1]", &r, err), 0);
	ck_assert_int_eq(r.index, 1);
	ck_assert_int_eq(resolve("container.label[io.kubernetes.pod.name]", &r, err), 0);
	ck_assert_str_eq(r.key, "io.kubernetes.pod.name");
	ck_assert_int_eq(resolve("proc.vpgid.name", &r, err), 0);
	ck_assert_str_eq(field_table[r.id].name, "proc.vpgid.name");
	ck_assert_int_eq(resolve("fd.sip.name", &r, err), 0);
	ck_assert_str_eq(field_table[r.id].name, "fd.sip.name");
	ck_assert_int_eq(resolve("proc.nosuch", &r, err), -1);
	ck_assert_str_eq(err, "unknown field 'proc.nosuch'");
	ck_assert_int_eq(resolve("evt.arg", &r, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "needs an argument"));
	ck_assert_int_eq(resolve("evt.arg.nosuchparam", &r, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "no event has a parameter"));
	ck_assert_int_eq(resolve("proc.name[1]", &r, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "takes no argument"));
	ck_assert_int_eq(resolve("proc.aname[x]", &r, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a number"));
	ck_assert_int_eq(resolve("proc.aname[2", &r, err), -1);
	/* every name in the table resolves to itself, types are named */
	for (unsigned i = 0; i < field_count; i++) {
		if (field_table[i].flags & FF_ARG_REQUIRED)
			continue;
		ck_assert_int_eq(resolve(field_table[i].name, &r, err), 0);
		ck_assert_uint_eq(r.id, i);
		ck_assert_str_ne(field_type_name(field_table[i].type), "?");
	}
}
END_TEST

/* Every field the Falco community rules use exists. */
START_TEST(falco_rules_fields)
{
	FILE *f = fopen("../../../shared/compat/falco_rules.yaml", "r");
	if (!f) {
		fprintf(stderr, "SKIP-NOTE: ../shared/compat/falco_rules.yaml absent\n");
		return;
	}
	static const char *const classes[] = { "evt.", "proc.", "thread.", "fd.", "user.",
					       "group.", "container.", "k8s.ns", "k8s.pod", NULL };
	char line[8192];
	int checked = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "items:") || strchr(line, '#'))
			continue;	/* lists hold file names like user.log */
		for (char *p = line; *p; p++) {
			if (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.'))
				continue;
			int c;
			for (c = 0; classes[c]; c++)
				if (!strncmp(p, classes[c], strlen(classes[c])))
					break;
			if (!classes[c])
				continue;
			size_t n = 0;
			while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.')
				n++;
			if (p[n] == '[') {
				char *e = strchr(p + n, ']');
				if (e)
					n = (size_t)(e - p) + 1;
			}
			while (n && p[n - 1] == '.')
				n--;
			if (!memchr(p, '.', n)) {	/* prose: "in a container." */
				p += n ? n - 1 : 0;
				continue;
			}
			struct field_ref r;
			char err[256];
			ck_assert_msg(field_resolve(p, n, &r, err, sizeof(err)) == 0, "%.*s: %s",
				      (int)n, p, err);
			checked++;
			p += n - 1;
		}
	}
	fclose(f);
	ck_assert_int_gt(checked, 500);
}
END_TEST

START_TEST(evt_fields)
{
	struct state *st = mk_root(NULL, false);
	static const char *const argv[] = { "sh", NULL };
	struct th_exec x = { .exe = "/bin/sh", .argv = argv, .ppid = 1, .cwd = "/" };
	state_apply(st, ev_snap(&T, 10, 10, &x));
	struct evt *e = ev_openat(&T, 10, 10, -ENOENT, AT_FDCWD, "/nonexistent",
				  O_WRONLY | O_CREAT | O_TRUNC);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "evt.type"), "openat");
	ck_assert_str_eq(F(st, e, "evt.dir"), "<");
	ck_assert_str_eq(F(st, e, "evt.res"), "ENOENT");
	ck_assert_str_eq(F(st, e, "evt.rawres"), "-2");
	ck_assert_str_eq(F(st, e, "evt.failed"), "true");
	ck_assert_str_eq(F(st, e, "evt.is_open_write"), "true");
	ck_assert_str_eq(F(st, e, "evt.is_open_read"), "false");
	ck_assert_str_eq(F(st, e, "evt.is_open_create"), "true");
	ck_assert_str_eq(F(st, e, "evt.is_open_exec"), "false");
	ck_assert_str_eq(F(st, e, "evt.hostname"), "node-1");
	ck_assert_str_eq(F(st, e, "evt.source"), "syscall");
	ck_assert_str_eq(F(st, e, "evt.count"), "1");
	ck_assert_str_eq(F(st, e, "evt.arg.name"), "/nonexistent");
	ck_assert_str_eq(F(st, e, "evt.arg[2]"), "/nonexistent");
	ck_assert_str_eq(F(st, e, "evt.rawarg.mode"), "420");
	ck_assert_str_eq(F(st, e, "evt.arg.nosuch"), "<BAD>");
	ck_assert_str_eq(F(st, e, "evt.arg.request"), "<NA>");	/* a ptrace param, not openat's */
	ck_assert_ptr_nonnull(strstr(F(st, e, "evt.arg.flags"), "O_CREAT"));
	ck_assert_ptr_nonnull(strstr(F(st, e, "evt.args"), "name=/nonexistent"));
	ck_assert_ptr_nonnull(strstr(F(st, e, "evt.args"), "fd="));
	char want[64];
	uint64_t t = e->hdr->ts + 1700000000000000000ull;
	snprintf(want, sizeof(want), "%llu", (unsigned long long)t);
	ck_assert_str_eq(F(st, e, "evt.rawtime"), want);
	/* 1700000000 = 2023-11-14T22:13:20Z */
	ck_assert_int_eq(strncmp(F(st, e, "evt.time.iso8601"), "2023-11-14T22:13:2", 18), 0);
	ck_assert_int_eq(strncmp(F(st, e, "evt.time"), "22:13:2", 7), 0);
	ck_assert_str_eq(F(st, e, "fd.name"), "/nonexistent");
	/* a successful one */
	e = ev_openat(&T, 10, 10, 3, AT_FDCWD, "/etc/shadow", O_RDONLY);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "evt.res"), "SUCCESS");
	ck_assert_str_eq(F(st, e, "evt.failed"), "false");
	ck_assert_str_eq(F(st, e, "evt.is_open_read"), "true");
	state_free(st);
}
END_TEST

/* container ids from cgroup paths of each runtime */
START_TEST(cgroup_ids)
{
	static const struct { const char *cg, *rt, *id; } cases[] = {
		{ "/docker/1111111111111111111111111111111111111111111111111111111111111111", "docker", "1111111111111111111111111111111111111111111111111111111111111111" },
		{ "/system.slice/docker-2222222222222222222222222222222222222222222222222222222222222222.scope", "docker", "2222222222222222222222222222222222222222222222222222222222222222" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1a2b.slice/cri-containerd-3333333333333333333333333333333333333333333333333333333333333333.scope", "containerd", "3333333333333333333333333333333333333333333333333333333333333333" },
		{ "/kubepods/burstable/pod5f0e/4444444444444444444444444444444444444444444444444444444444444444", "containerd", "4444444444444444444444444444444444444444444444444444444444444444" },
		{ "/kubepods.slice/kubepods-pod9.slice/crio-5555555555555555555555555555555555555555555555555555555555555555.scope", "cri-o", "5555555555555555555555555555555555555555555555555555555555555555" },
		{ "/machine.slice/libpod-6666666666666666666666666666666666666666666666666666666666666666.scope/container", "podman", "6666666666666666666666666666666666666666666666666666666666666666" },
		{ "/user.slice/user-1000.slice/session-2.scope", NULL, "" },
		{ "/", NULL, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char id[80];
		const char *rt = state_container_id_from_cgroup(cases[i].cg, strlen(cases[i].cg), id, sizeof(id));
		if (cases[i].rt) {
			ck_assert_ptr_nonnull(rt);
			ck_assert_str_eq(rt, cases[i].rt);
		} else {
			ck_assert_ptr_null(rt);
		}
		ck_assert_str_eq(id, cases[i].id);
	}
}
END_TEST

static char root[256];

static void write_file(const char *rel, const char *text)
{
	char path[512], cmd[600];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	ck_assert_int_eq(system(cmd), 0);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

#define CID "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define DID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void make_root(void)
{
	snprintf(root, sizeof(root), "/tmp/vigil-test-fields-%d", (int)getpid());
	write_file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n");
	write_file("etc/group", "root:x:0:\nstaff:x:50:\nalice:x:1000:\n");
	/* the container's own passwd, through /proc/<its pid>/root */
	write_file("proc/4242/root/etc/passwd", "root:x:0:0::/root:/bin/sh\nwww-data:x:1000:1000::/var/www:/bin/false\n");
	/* runc state.json -> bundle with CRI (containerd) annotations */
	write_file("run/runc/" CID "/state.json",
		   "{\"id\":\"" CID "\",\"init_process_pid\":4242,\"created\":\"2024-05-06T07:08:09.5Z\","
		   "\"config\":{\"labels\":[\"io.kubernetes.cri.container-name=web\",\"bundle=/bundles/web\"]}}");
	write_file("bundles/web/config.json",
		   "{\"ociVersion\":\"1.0.2\",\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"]}},"
		   "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		   "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\",\"options\":[\"rbind\",\"ro\",\"rprivate\"]}],"
		   "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"}]},"
		   "\"annotations\":{\"io.kubernetes.cri.container-name\":\"web\","
		   "\"io.kubernetes.cri.image-name\":\"registry.local:5000/team/nginx:1.25\","
		   "\"io.kubernetes.cri.sandbox-namespace\":\"shop\",\"io.kubernetes.cri.sandbox-name\":\"web-7d9\","
		   "\"io.kubernetes.cri.sandbox-uid\":\"uid-1\",\"io.kubernetes.pod.label.team\":\"payments\","
		   "\"io.kubernetes.pod.label.app\":\"web\"}}");
	/* docker */
	write_file("var/lib/docker/containers/" DID "/config.v2.json",
		   "{\"Name\":\"/db\",\"Config\":{\"Image\":\"postgres@sha256:feed\",\"Labels\":{\"app.kubernetes.io/owner\":\"dba\"}},"
		   "\"State\":{\"StartedAt\":\"2024-01-01T00:00:00Z\"},"
		   "\"MountPoints\":{\"/var/lib/postgresql\":{\"Source\":\"/srv/pg\",\"Destination\":\"/var/lib/postgresql\",\"RW\":true}}}");
	write_file("var/lib/docker/containers/" DID "/hostconfig.json",
		   "{\"Privileged\":true,\"PidMode\":\"host\",\"NetworkMode\":\"bridge\",\"IpcMode\":\"host\"}");
}

static void rm_root(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", root);
}

START_TEST(container_k8s_owner)
{
	make_root();
	struct state *st = mk_root(root, true);
	static const char *const argv[] = { "sh", "-i", NULL };
	struct th_exec x = { .exe = "/bin/sh", .argv = argv, .ppid = 1, .uid = 1000, .gid = 1000,
			     .cgroup = "/kubepods.slice/kubepods-pod1.slice/cri-containerd-" CID ".scope" };
	struct evt *e = ev_exec(&T, 4242, 4242, &x);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "container.id"), "abcdef012345");
	ck_assert_str_eq(F(st, e, "container.full_id"), CID);
	ck_assert_str_eq(F(st, e, "container.type"), "containerd");
	ck_assert_str_eq(F(st, e, "container.name"), "web");
	ck_assert_str_eq(F(st, e, "container.image"), "registry.local:5000/team/nginx:1.25");
	ck_assert_str_eq(F(st, e, "container.image.repository"), "registry.local:5000/team/nginx");
	ck_assert_str_eq(F(st, e, "container.image.tag"), "1.25");
	ck_assert_str_eq(F(st, e, "container.privileged"), "false");
	ck_assert_str_eq(F(st, e, "container.host_pid"), "false");
	ck_assert_str_eq(F(st, e, "container.host_network"), "true");
	ck_assert_str_eq(F(st, e, "container.host_ipc"), "false");
	ck_assert_str_eq(F(st, e, "container.mount.dest[/srv/data]"), "/data");
	ck_assert_str_eq(F(st, e, "container.mount.dest[1]"), "/data");
	ck_assert_str_eq(F(st, e, "container.mount.mode[/srv/data]"), "ro");
	ck_assert_str_eq(F(st, e, "container.mount.source[/data]"), "/srv/data");
	ck_assert_ptr_nonnull(strstr(F(st, e, "container.mounts"), "/srv/data:/data:ro:false:rprivate"));
	ck_assert_str_eq(F(st, e, "container.label[io.kubernetes.cri.sandbox-name]"), "web-7d9");
	ck_assert_str_eq(F(st, e, "container.start_ts"), "1714979289500000000");
	ck_assert_str_eq(F(st, e, "k8s.ns.name"), "shop");
	ck_assert_str_eq(F(st, e, "k8s.pod.name"), "web-7d9");
	ck_assert_str_eq(F(st, e, "k8s.pod.uid"), "uid-1");
	ck_assert_str_eq(F(st, e, "k8s.pod.label[app]"), "web");
	ck_assert_str_eq(F(st, e, "vigil.owner"), "payments");
	ck_assert_str_eq(F(st, e, "user.name"), "www-data");	/* the container's passwd */
	/* the first sight of the container made a CONTAINER event (live) */
	size_t len;
	const void *rec = state_pending_event(st, &len);
	ck_assert_ptr_nonnull(rec);
	struct evt ce;
	ck_assert_int_eq(evt_decode(rec, len, &ce), EVT_OK);
	ck_assert_uint_eq(ce.hdr->type, VIGIL_EVT_CONTAINER);
	ck_assert_ptr_null(state_pending_event(st, &len));
	/* a CONTAINER record carries everything into a replaying state */
	struct state *rp = mk_root(NULL, false);
	state_apply(rp, ev_exec(&T, 4242, 4242, &x));
	ck_assert_int_eq(state_apply(rp, &ce), 0);
	ck_assert_ptr_null(state_pending_event(rp, &len));	/* never generated in replay */
	ck_assert_str_eq(F(rp, e, "container.name"), "web");
	ck_assert_str_eq(F(rp, e, "container.image.repository"), "registry.local:5000/team/nginx");
	ck_assert_str_eq(F(rp, e, "k8s.pod.name"), "web-7d9");
	ck_assert_str_eq(F(rp, e, "vigil.owner"), "payments");
	ck_assert_str_eq(F(rp, e, "container.mount.dest[/srv/data]"), "/data");
	state_free(rp);

	/* docker: name, digest image, privileged, host pid, owner from labels */
	x.cgroup = "/system.slice/docker-" DID ".scope";
	e = ev_exec(&T, 5151, 5151, &x);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "container.type"), "docker");
	ck_assert_str_eq(F(st, e, "container.name"), "db");
	ck_assert_str_eq(F(st, e, "container.image.repository"), "postgres");
	ck_assert_str_eq(F(st, e, "container.image.digest"), "sha256:feed");
	ck_assert_str_eq(F(st, e, "container.privileged"), "true");
	ck_assert_str_eq(F(st, e, "container.host_pid"), "true");
	ck_assert_str_eq(F(st, e, "container.host_network"), "false");
	ck_assert_str_eq(F(st, e, "container.host_ipc"), "true");
	ck_assert_str_eq(F(st, e, "vigil.owner"), "dba");
	/* the ownership keys are configurable (vigil.yaml owner_labels) */
	char *keys[] = { (char *)"app", (char *)"app.kubernetes.io/owner" };
	ck_assert_int_eq(state_set_owner_keys(st, keys, 2), 0);
	ck_assert_str_eq(F(st, e, "vigil.owner"), "dba");	/* docker: no app label */
	x.cgroup = "/kubepods.slice/kubepods-pod1.slice/cri-containerd-" CID ".scope";
	static struct tev T2;
	struct evt *w = ev_exec(&T2, 4243, 4243, &x);
	state_apply(st, w);
	ck_assert_str_eq(F(st, w, "vigil.owner"), "web");	/* pod label app=web */
	ck_assert_int_eq(state_set_owner_keys(st, NULL, 0), 0);
	ck_assert_str_eq(F(st, w, "vigil.owner"), "payments");	/* default: team */
	ck_assert_str_eq(F(st, e, "k8s.ns.name"), "<NA>");
	/* host */
	x.cgroup = "/user.slice";
	e = ev_exec(&T, 6161, 6161, &x);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "container.id"), "host");
	ck_assert_str_eq(F(st, e, "container.name"), "host");
	ck_assert_str_eq(F(st, e, "vigil.owner"), "<NA>");
	/* users and groups from <root>/etc */
	ck_assert_str_eq(F(st, e, "user.name"), "alice");
	ck_assert_str_eq(F(st, e, "group.name"), "alice");
	ck_assert_str_eq(F(st, e, "user.loginname"), "root");	/* loginuid 0 */
	state_free(st);
	rm_root();
}
END_TEST

START_TEST(thread_caps_and_flags)
{
	struct state *st = mk_root(NULL, false);
	static const char *const argv[] = { "x", NULL };
	struct th_exec x = { .exe = "/memfd:x", .argv = argv, .ppid = 1,
			     .cap_eff = (1ull << 21) | (1ull << 12),
			     .flags = VIGIL_EXEC_FROM_MEMFD | VIGIL_EXEC_UPPER_LAYER };
	struct evt *e = ev_exec(&T, 77, 77, &x);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "thread.cap_effective"), "CAP_NET_ADMIN CAP_SYS_ADMIN");
	ck_assert_str_eq(F(st, e, "proc.is_exe_from_memfd"), "true");
	ck_assert_str_eq(F(st, e, "proc.is_exe_upper_layer"), "true");
	ck_assert_str_eq(F(st, e, "proc.exe_ino"), "1234");
	ck_assert_str_eq(F(st, e, "proc.is_sid_leader"), "true");
	ck_assert_str_eq(F(st, e, "proc.sname"), "memfd:x");
	state_free(st);
}
END_TEST

/* fs.path.*: paths of path-taking syscalls, resolved against cwd/dirfd;
 * proc.env and proc.env[NAME]. */
START_TEST(fs_path_and_env)
{
	struct state *st = mk_root(NULL, false);
	static const char *const argv[] = { "rm", NULL };
	static const char *const env[] = { "HOME=/root", "PATH=/bin:/usr/bin", NULL };
	struct th_exec x = { .exe = "/bin/rm", .argv = argv, .env = env, .cwd = "/var/tmp", .ppid = 1 };
	struct evt *e = ev_exec(&T, 55, 55, &x);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "proc.env[PATH]"), "/bin:/usr/bin");
	ck_assert_str_eq(F(st, e, "proc.env[HOME]"), "/root");
	ck_assert_str_eq(F(st, e, "proc.env[NOPE]"), "<NA>");
	ck_assert_str_eq(F(st, e, "proc.env"), "HOME=/root PATH=/bin:/usr/bin");
	state_apply(st, ev_openat(&T, 55, 55, 4, AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY));
	struct evt_builder b;
	th_begin(&b, &T, VIGIL_EVT_UNLINKAT, 55, 55);
	evt_build_u64(&b, 0);
	evt_build_u64(&b, 4);
	evt_build_str(&b, "shadow");
	evt_build_u32(&b, 0);
	e = th_end(&b, &T);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "fs.path.name"), "/etc/shadow");
	ck_assert_str_eq(F(st, e, "fs.path.nameraw"), "shadow");
	ck_assert_str_eq(F(st, e, "fs.path.source"), "<NA>");
	th_begin(&b, &T, VIGIL_EVT_RENAME, 55, 55);
	evt_build_u64(&b, 0);
	evt_build_str(&b, "a.log");
	evt_build_str(&b, "../b.log");
	e = th_end(&b, &T);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "fs.path.source"), "/var/tmp/a.log");
	ck_assert_str_eq(F(st, e, "fs.path.target"), "/var/b.log");
	ck_assert_str_eq(F(st, e, "fs.path.targetraw"), "../b.log");
	th_begin(&b, &T, VIGIL_EVT_SYMLINKAT, 55, 55);
	evt_build_u64(&b, 0);
	evt_build_str(&b, "../../etc/shadow");
	evt_build_u64(&b, 4);
	evt_build_str(&b, "link");
	e = th_end(&b, &T);
	state_apply(st, e);
	ck_assert_str_eq(F(st, e, "fs.path.source"), "../../etc/shadow");	/* as written */
	ck_assert_str_eq(F(st, e, "fs.path.target"), "/etc/link");
	state_free(st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fields");
	TCase *tc = tcase_create("fields");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, resolve_forms);
	tcase_add_test(tc, falco_rules_fields);
	tcase_add_test(tc, evt_fields);
	tcase_add_test(tc, cgroup_ids);
	tcase_add_test(tc, container_k8s_owner);
	tcase_add_test(tc, thread_caps_and_flags);
	tcase_add_test(tc, fs_path_and_env);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
