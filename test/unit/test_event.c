/* SPDX-License-Identifier: MIT */
/*
 * test_event.c - the decode stage: table facts, every decode error, a
 * builder -> decode -> accessor round trip for every event and parameter
 * type, rendering (flags, errno, addresses, strings), builder misuse, and
 * random corruption of valid records (under ASan: no read past the end).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "event/event.h"
#include "event/flagsets.h"

static _Alignas(8) uint8_t rec[VIGIL_RECORD_MAX];

/* Builds a record of `type` with generic values: numbers 1000+i, strings
 * "v<i>", addresses 10.0.0.<i>. */
static size_t build_generic(unsigned type, uint8_t *buf, size_t cap)
{
	struct evt_builder b;
	const struct evt_info *ei = &evt_table[type];

	evt_build_begin(&b, buf, cap, type, 123456789, 42, 41);
	for (unsigned i = 0; i < ei->nparams; i++) {
		char s[16];
		struct evt_sockaddr a = { .family = AF_INET, .port = (uint16_t)(80 + i) };
		struct evt_sockaddr r = { .family = AF_INET, .port = 443 };

		a.addr[0] = 10;
		a.addr[3] = (uint8_t)i;
		r.addr[0] = 192;
		r.addr[3] = 1;
		snprintf(s, sizeof(s), "v%u", i);
		switch (evt_ptype[ei->params[i].type].size) {
		case 8:
			evt_build_u64(&b, 1000 + i);
			continue;
		case 4:
			evt_build_u32(&b, 1000 + i);
			continue;
		}
		if (ei->params[i].type == VIGIL_PT_SOCKADDR)
			evt_build_sockaddr(&b, &a);
		else if (ei->params[i].type == VIGIL_PT_SOCKTUPLE)
			evt_build_tuple(&b, &a, &r);
		else
			evt_build_str(&b, s);
	}
	size_t n = evt_build_end(&b);

	ck_assert_msg(n, "build %s: %s", ei->name, b.why ? b.why : "?");
	return n;
}

static struct vigil_evt_hdr *H(void)
{
	return (struct vigil_evt_hdr *)rec;
}

START_TEST(table_facts)
{
	ck_assert_int_eq(evt_type_by_name("openat"), VIGIL_EVT_OPENAT);
	ck_assert_int_eq(evt_type_by_name("nosuch"), -1);
	ck_assert_int_eq(evt_param_index(VIGIL_EVT_OPENAT, "flags"), VIGIL_P_OPENAT_flags);
	ck_assert_int_eq(evt_param_index(VIGIL_EVT_OPENAT, "nosuch"), -1);
	ck_assert_int_eq(evt_param_index(VIGIL_EVT_NR, "fd"), -1);
	ck_assert_int_eq(evt_table[VIGIL_EVT_EXECVE].nparams, VIGIL_NP_EXECVE);
	ck_assert_int_eq(evt_table[VIGIL_EVT_PAD].nparams, 0);
	ck_assert_int_eq(evt_table[VIGIL_EVT_OPENAT].syscall_nr, __NR_openat);
	ck_assert_int_eq(evt_table[VIGIL_EVT_PROC_FORK].source, VIGIL_SRC_SCHED);
	ck_assert_str_eq(evt_table[VIGIL_EVT_PROC_SNAP].name, "procinfo");
	ck_assert_int_eq(evt_ptype[VIGIL_PT_FD].size, 8);
	ck_assert_int_eq(evt_ptype[VIGIL_PT_PATH].size, 0);
	for (unsigned t = 0; t < VIGIL_EVT_NR; t++) {
		ck_assert_int_le(evt_table[t].nparams, VIGIL_MAX_PARAMS);
		ck_assert_ptr_nonnull(evt_table[t].name);
		for (unsigned i = 0; i < evt_table[t].nparams; i++)
			ck_assert_int_eq(evt_param_index(t, evt_table[t].params[i].name), (int)i);
	}
	uint64_t fp = evt_table_fingerprint();

	ck_assert(fp != 0);
	ck_assert(fp == evt_table_fingerprint());
}
END_TEST

START_TEST(decode_errors)
{
	struct evt ev;
	size_t n = build_generic(VIGIL_EVT_OPENAT, rec, sizeof(rec));

	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_OK);
	ck_assert_int_eq(evt_decode(rec, 23, &ev), EVT_ERR_SHORT);
	ck_assert_int_eq(evt_decode(rec, n - 8, &ev), EVT_ERR_LEN);
	ck_assert_int_eq(evt_decode(rec + 1, n - 1, &ev), EVT_ERR_ALIGN);

	H()->len = 16;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_ERR_LEN);
	H()->len = (uint32_t)n - 4;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_ERR_ALIGN);
	H()->len = (uint32_t)n;

	H()->type = VIGIL_EVT_NR;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_ERR_TYPE);
	H()->type = 0xffff;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_ERR_TYPE);
	H()->type = VIGIL_EVT_OPENAT;

	H()->nparams = VIGIL_NP_OPENAT + 1;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_ERR_NPARAMS);
	H()->nparams = VIGIL_NP_OPENAT;

	/* lens[] past hdr.len: an EXECVE header (32 params) with len 32 */
	n = build_generic(VIGIL_EVT_EXECVE, rec, sizeof(rec));
	H()->len = 32;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_ERR_SHORT);

	/* a parameter length past the end of the record */
	n = build_generic(VIGIL_EVT_OPENAT, rec, sizeof(rec));
	uint16_t *lens = (uint16_t *)(rec + sizeof(struct vigil_evt_hdr));

	lens[VIGIL_P_OPENAT_name] = 5000;
	ck_assert_int_eq(evt_decode(rec, sizeof(rec), &ev), EVT_ERR_PARAMLEN);
	/* flags bits are not part of the length */
	n = build_generic(VIGIL_EVT_OPENAT, rec, sizeof(rec));
	lens[VIGIL_P_OPENAT_name] |= VIGIL_PARAM_TRUNC | VIGIL_PARAM_FAULT;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_OK);
	ck_assert_int_eq(ev.params[VIGIL_P_OPENAT_name].flags,
			 VIGIL_PARAM_TRUNC | VIGIL_PARAM_FAULT);

	/* fixed-size parameter of the wrong size: fd (8) claims 4, and the
	 * next value starts 4 bytes early */
	n = build_generic(VIGIL_EVT_OPENAT, rec, sizeof(rec));
	lens[VIGIL_P_OPENAT_fd] = 4;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_ERR_PARAMSIZE);
	/* length 0 = no value, allowed for fixed-size types */
	n = build_generic(VIGIL_EVT_CLOSE, rec, sizeof(rec));
	lens[VIGIL_P_CLOSE_fd] = 0;
	ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_OK);
	ck_assert_int_eq(evt_get_s64(&ev, VIGIL_P_CLOSE_fd, -7), -7);

	for (int e = 0; e <= EVT_ERR__NR; e++)
		ck_assert_ptr_nonnull(evt_decode_strerror((enum evt_decode_err)e));
	ck_assert_str_eq(evt_decode_strerror(EVT_ERR_TYPE), "unknown event type");
}
END_TEST

START_TEST(round_trip_every_event)
{
	for (unsigned t = 0; t < VIGIL_EVT_NR; t++) {
		struct evt ev;
		const struct evt_info *ei = &evt_table[t];
		size_t n = build_generic(t, rec, sizeof(rec));

		ck_assert_int_eq(n % 8, 0);
		ck_assert_int_eq(evt_decode(rec, n, &ev), EVT_OK);
		ck_assert_ptr_eq(ev.info, ei);
		ck_assert_uint_eq(ev.hdr->ts, 123456789);
		ck_assert_uint_eq(ev.hdr->tid, 42);
		ck_assert_uint_eq(ev.hdr->pid, 41);
		ck_assert_uint_eq(ev.hdr->len, n);
		for (unsigned i = 0; i < ei->nparams; i++) {
			enum vigil_param_type pt = ei->params[i].type;
			char buf[256], want[16];
			size_t sl;

			ck_assert_int_eq(ev.params[i].flags, 0);
			if (evt_ptype[pt].size) {
				ck_assert_uint_eq(evt_get_u64(&ev, i, 0), 1000 + i);
				ck_assert_int_eq(evt_get_s64(&ev, i, 0), 1000 + i);
				ck_assert_ptr_null(evt_get_str(&ev, i, &sl));
				ck_assert_uint_eq(sl, 0);
			} else if (pt == VIGIL_PT_SOCKADDR) {
				struct evt_sockaddr sa;

				ck_assert(evt_get_sockaddr(&ev, i, &sa));
				ck_assert_int_eq(sa.family, AF_INET);
				ck_assert_int_eq(sa.port, 80 + i);
				ck_assert_int_eq(sa.addr[3], i);
				ck_assert_uint_eq(evt_get_u64(&ev, i, 9), 9);
			} else if (pt == VIGIL_PT_SOCKTUPLE) {
				struct evt_sockaddr l, r;

				ck_assert(evt_get_tuple(&ev, i, &l, &r));
				ck_assert_int_eq(l.port, 80 + i);
				ck_assert_int_eq(r.port, 443);
				ck_assert_int_eq(r.addr[0], 192);
			} else {
				const char *s = evt_get_str(&ev, i, &sl);

				snprintf(want, sizeof(want), "v%u", i);
				ck_assert_uint_eq(sl, strlen(want));
				ck_assert(!memcmp(s, want, sl));
			}
			/* render: snprintf contract, never overflow */
			size_t full = evt_param_render(&ev, i, buf, sizeof(buf));

			ck_assert_uint_eq(strlen(buf), full);
			ck_assert_uint_gt(full, 0);
			char small[3];

			ck_assert_uint_eq(evt_param_render(&ev, i, small, sizeof(small)), full);
			ck_assert_uint_le(strlen(small), 2);
		}
		/* out of range */
		ck_assert_uint_eq(evt_get_u64(&ev, ei->nparams, 77), 77);
	}
}
END_TEST

/* Renders parameter idx of a record built by the caller. */
static const char *render(unsigned idx)
{
	static char out[1024];
	struct evt ev;

	ck_assert_int_eq(evt_decode(rec, sizeof(rec), &ev), EVT_OK);
	evt_param_render(&ev, idx, out, sizeof(out));
	return out;
}

static struct evt_builder B;

static void begin(unsigned type)
{
	memset(rec, 0, sizeof(rec));
	evt_build_begin(&B, rec, sizeof(rec), type, 1, 2, 3);
}

static void end(void)
{
	ck_assert_msg(evt_build_end(&B), "build: %s", B.why ? B.why : "?");
}

START_TEST(render_openat)
{
	begin(VIGIL_EVT_OPENAT);
	evt_build_u64(&B, (uint64_t)-2);	/* fd = -ENOENT */
	evt_build_u64(&B, (uint64_t)-100);	/* dirfd AT_FDCWD */
	evt_build_str(&B, "/etc/passwd");
	evt_build_u32(&B, 02000000);		/* O_RDONLY|O_CLOEXEC */
	evt_build_u32(&B, 0644);
	evt_build_u32(&B, 0x803);
	evt_build_u64(&B, 12345);
	end();
	ck_assert_str_eq(render(VIGIL_P_OPENAT_fd), "ENOENT");
	ck_assert_str_eq(render(VIGIL_P_OPENAT_dirfd), "-100");
	ck_assert_str_eq(render(VIGIL_P_OPENAT_name), "/etc/passwd");
	ck_assert_str_eq(render(VIGIL_P_OPENAT_flags), "O_RDONLY|O_CLOEXEC");
	ck_assert_str_eq(render(VIGIL_P_OPENAT_mode), "0644");
	ck_assert_str_eq(render(VIGIL_P_OPENAT_dev), "0x803");
	ck_assert_str_eq(render(VIGIL_P_OPENAT_ino), "12345");
	begin(VIGIL_EVT_MKDIR);
	evt_build_u64(&B, 0);
	evt_build_str(&B, "/d");
	evt_build_u32(&B, 0);
	end();
	ck_assert_str_eq(render(VIGIL_P_MKDIR_mode), "0");
}
END_TEST

START_TEST(render_flags)
{
	char buf[256];

#define FL(fs, v, want) do { evt_flags_render(VIGIL_FS_##fs, (v), false, buf, sizeof(buf)); \
		ck_assert_str_eq(buf, want); } while (0)
#define EN(fs, v, want) do { evt_flags_render(VIGIL_FS_##fs, (v), true, buf, sizeof(buf)); \
		ck_assert_str_eq(buf, want); } while (0)
	FL(OPEN, 01 | 0100 | 01000, "O_WRONLY|O_CREAT|O_TRUNC");
	FL(OPEN, 02 | 02000, "O_RDWR|O_APPEND");
	FL(OPEN, 0, "O_RDONLY");
	FL(OPEN, 020200000 | 02, "O_RDWR|O_TMPFILE");
	FL(OPEN, 0200000, "O_RDONLY|O_DIRECTORY");
	FL(OPEN, 04010000, "O_RDONLY|O_SYNC");
	FL(OPEN, 010000, "O_RDONLY|O_DSYNC");
	FL(OPEN, 0100000 | 0x40000000, "O_RDONLY|O_LARGEFILE|0x40000000");
	FL(CLONE, 0x100 | 0x200 | 0x10000, "CLONE_VM|CLONE_FS|CLONE_THREAD");
	FL(CLONE, 0x20000000ull | 0x200000000ull, "CLONE_NEWPID|CLONE_INTO_CGROUP");
	FL(CLONE, 0x11, "SIGCHLD");
	FL(CLONE, 0x200000 | 0x1000000 | 0x11, "SIGCHLD|CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID");
	FL(CLONE, 0x80, "0x80");
	FL(CLONE, 0, "0");
	FL(AT, 0x1000, "AT_EMPTY_PATH");
	FL(RENAME, 3, "RENAME_NOREPLACE|RENAME_EXCHANGE");
	FL(SOCKTYPE, 1 | 02000000, "SOCK_STREAM|SOCK_CLOEXEC");
	FL(SOCKTYPE, 2 | 04000, "SOCK_DGRAM|SOCK_NONBLOCK");
	FL(MOUNT, 0xc0ed0000u | 4096, "MS_MGC_VAL|MS_BIND");
	FL(MOUNT, 4096 | 16384, "MS_BIND|MS_REC");
	FL(UMOUNT, 2 | 8, "MNT_DETACH|UMOUNT_NOFOLLOW");
	FL(NS, 0x40000000 | 0x20000, "CLONE_NEWNS|CLONE_NEWNET");
	FL(MEMFD, 3, "MFD_CLOEXEC|MFD_ALLOW_SEALING");
	FL(FORK, VIGIL_FORK_THREAD | VIGIL_FORK_VM, "VIGIL_FORK_THREAD|VIGIL_FORK_VM");
	FL(EXEC, VIGIL_EXEC_FROM_MEMFD, "VIGIL_EXEC_FROM_MEMFD");
	FL(ACCEPT, 04000 | 02000000, "SOCK_NONBLOCK|SOCK_CLOEXEC");
	FL(FINITMOD, 2, "MODULE_INIT_IGNORE_VERMAGIC");
	FL(DUP3, 02000000, "O_CLOEXEC");
	FL(NONE, 77, "77");
	EN(PTRACE, 16, "PTRACE_ATTACH");
	EN(PTRACE, 0x4206, "PTRACE_SEIZE");
	EN(PTRACE, 9999, "9999");
	EN(SOCKFAMILY, 10, "AF_INET6");
	EN(FCNTL, 1030, "F_DUPFD_CLOEXEC");
	EN(BPFCMD, 5, "BPF_PROG_LOAD");
	EN(SIGNAL, 9, "SIGKILL");
	EN(SIGNAL, 0, "0");
	/* snprintf contract */
	char tiny[6];
	size_t n = evt_flags_render(VIGIL_FS_OPEN, 01 | 0100, false, tiny, sizeof(tiny));

	ck_assert_uint_eq(n, strlen("O_WRONLY|O_CREAT"));
	ck_assert_str_eq(tiny, "O_WRO");

	uint64_t v;

	ck_assert(evt_flag_by_name(VIGIL_FS_OPEN, "O_CREAT", &v));
	ck_assert_uint_eq(v, 0100);
	ck_assert(!evt_flag_by_name(VIGIL_FS_OPEN, "O_NOPE", &v));
	/* every set's names are unique and non-empty */
	for (unsigned s = 0; s < VIGIL_FS_NR; s++)
		for (size_t i = 0; i < evt_flagsets[s].n; i++) {
			ck_assert(evt_flagsets[s].v[i].name[0]);
			for (size_t j = i + 1; j < evt_flagsets[s].n; j++)
				ck_assert_str_ne(evt_flagsets[s].v[i].name, evt_flagsets[s].v[j].name);
		}
}
END_TEST

START_TEST(render_values)
{
	/* execve: errno result, strarray args, flags, fault/trunc flags */
	begin(VIGIL_EVT_EXECVE);
	for (unsigned i = 0; i < VIGIL_NP_EXECVE; i++) {
		switch (i) {
		case VIGIL_P_EXECVE_res: evt_build_u64(&B, (uint64_t)-13); break;
		case VIGIL_P_EXECVE_filename: evt_build_str(&B, "/bin/ls"); break;
		case VIGIL_P_EXECVE_args: evt_build_bytes(&B, "ls\0-l\0/tmp\0", 11, 0); break;
		case VIGIL_P_EXECVE_env: evt_build_empty(&B, VIGIL_PARAM_FAULT); break;
		case VIGIL_P_EXECVE_cwd: evt_build_bytes(&B, "/ro\x01t\xff\xc3\xa9", 8, VIGIL_PARAM_TRUNC); break;
		case VIGIL_P_EXECVE_flags: evt_build_u32(&B, VIGIL_EXEC_TTY); break;
		case VIGIL_P_EXECVE_uid: evt_build_u32(&B, 4294967295u); break;
		default:
			if (evt_ptype[evt_table[VIGIL_EVT_EXECVE].params[i].type].size == 8)
				evt_build_u64(&B, i);
			else if (evt_ptype[evt_table[VIGIL_EVT_EXECVE].params[i].type].size == 4)
				evt_build_u32(&B, i);
			else
				evt_build_str(&B, "x");
		}
	}
	end();
	ck_assert_str_eq(render(VIGIL_P_EXECVE_res), "EACCES");
	ck_assert_str_eq(render(VIGIL_P_EXECVE_args), "ls -l /tmp");
	ck_assert_str_eq(render(VIGIL_P_EXECVE_env), "");
	ck_assert_str_eq(render(VIGIL_P_EXECVE_cwd), "/ro\\x01t\\xff\xc3\xa9");
	ck_assert_str_eq(render(VIGIL_P_EXECVE_flags), "VIGIL_EXEC_TTY");
	ck_assert_str_eq(render(VIGIL_P_EXECVE_uid), "4294967295");
	struct evt ev;

	ck_assert_int_eq(evt_decode(rec, sizeof(rec), &ev), EVT_OK);
	ck_assert_int_eq(ev.params[VIGIL_P_EXECVE_env].flags, VIGIL_PARAM_FAULT);
	ck_assert_int_eq(ev.params[VIGIL_P_EXECVE_env].len, 0);
	ck_assert_ptr_null(ev.params[VIGIL_P_EXECVE_env].val);
	ck_assert_int_eq(ev.params[VIGIL_P_EXECVE_cwd].flags, VIGIL_PARAM_TRUNC);
	ck_assert(evt_param_is_result(&ev, 0));
	ck_assert(!evt_param_is_result(&ev, 1));

	/* read: positive S64 result, bytes with non-printables */
	begin(VIGIL_EVT_READ);
	evt_build_u64(&B, 4);
	evt_build_u64(&B, 3);
	evt_build_u64(&B, 4096);
	evt_build_bytes(&B, "ab\nc", 4, 0);
	end();
	ck_assert_str_eq(render(VIGIL_P_READ_res), "4");
	ck_assert_str_eq(render(VIGIL_P_READ_data), "ab.c");

	/* connect: v4 sockaddr, v4 tuple */
	struct evt_sockaddr a = { .family = AF_INET, .port = 80 }, l = { .family = AF_INET, .port = 5000 };

	inet_pton(AF_INET, "5.6.7.8", a.addr);
	inet_pton(AF_INET, "10.0.0.1", l.addr);
	begin(VIGIL_EVT_CONNECT);
	evt_build_u64(&B, (uint64_t)-115);
	evt_build_u64(&B, 3);
	evt_build_sockaddr(&B, &a);
	evt_build_tuple(&B, &l, &a);
	end();
	ck_assert_str_eq(render(VIGIL_P_CONNECT_res), "EINPROGRESS");
	ck_assert_str_eq(render(VIGIL_P_CONNECT_addr), "5.6.7.8:80");
	ck_assert_str_eq(render(VIGIL_P_CONNECT_tuple), "10.0.0.1:5000->5.6.7.8:80");

	/* bind: v6, then unix abstract, then unix path */
	struct evt_sockaddr s6 = { .family = AF_INET6, .port = 53 };

	inet_pton(AF_INET6, "::1", s6.addr);
	begin(VIGIL_EVT_BIND);
	evt_build_u64(&B, 0);
	evt_build_u64(&B, 3);
	evt_build_sockaddr(&B, &s6);
	end();
	ck_assert_str_eq(render(VIGIL_P_BIND_res), "0");
	ck_assert_str_eq(render(VIGIL_P_BIND_addr), "[::1]:53");
	struct evt_sockaddr su = { .family = AF_UNIX, .path = "\0foo", .pathlen = 4 };

	begin(VIGIL_EVT_BIND);
	evt_build_u64(&B, 0);
	evt_build_u64(&B, 3);
	evt_build_sockaddr(&B, &su);
	end();
	ck_assert_str_eq(render(VIGIL_P_BIND_addr), "@foo");
	su.path = "/run/x.sock";
	su.pathlen = strlen(su.path);
	begin(VIGIL_EVT_ACCEPT4);
	evt_build_u64(&B, 5);
	evt_build_u64(&B, 3);
	evt_build_tuple(&B, &su, &su);
	evt_build_u32(&B, 02000000);
	end();
	ck_assert_str_eq(render(VIGIL_P_ACCEPT4_tuple), "/run/x.sock");
	ck_assert_str_eq(render(VIGIL_P_ACCEPT4_flags), "SOCK_CLOEXEC");

	/* socket: enum family, socktype flags; kill: signal */
	begin(VIGIL_EVT_SOCKET);
	evt_build_u64(&B, 4);
	evt_build_u32(&B, AF_INET6);
	evt_build_u32(&B, 1 | 04000);
	evt_build_u32(&B, 6);
	end();
	ck_assert_str_eq(render(VIGIL_P_SOCKET_domain), "AF_INET6");
	ck_assert_str_eq(render(VIGIL_P_SOCKET_type), "SOCK_STREAM|SOCK_NONBLOCK");
	begin(VIGIL_EVT_KILL);
	evt_build_u64(&B, 0);
	evt_build_u64(&B, 1234);
	evt_build_u32(&B, 15);
	end();
	ck_assert_str_eq(render(VIGIL_P_KILL_sig), "SIGTERM");
	ck_assert_str_eq(render(VIGIL_P_KILL_pid), "1234");

	/* procfork (SCHED): a negative PID param is not a result */
	begin(VIGIL_EVT_PROC_FORK);
	evt_build_u64(&B, (uint64_t)-5);
	evt_build_u64(&B, 7);
	evt_build_u64(&B, 8);
	evt_build_u32(&B, VIGIL_FORK_THREAD);
	end();
	ck_assert_str_eq(render(VIGIL_P_PROC_FORK_child_tid), "-5");
	ck_assert_str_eq(render(VIGIL_P_PROC_FORK_flags), "VIGIL_FORK_THREAD");
}
END_TEST

START_TEST(builder_misuse)
{
	struct evt_builder b;
	uint8_t small[16];

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_NR, 0, 0, 0);
	ck_assert_uint_eq(evt_build_end(&b), 0);
	ck_assert_str_eq(b.why, "unknown event type");

	evt_build_begin(&b, small, sizeof(small), VIGIL_EVT_CLOSE, 0, 0, 0);
	ck_assert_uint_eq(evt_build_end(&b), 0);

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_CLOSE, 0, 0, 0);
	evt_build_u32(&b, 1);	/* res is 8 bytes */
	ck_assert(b.failed);
	ck_assert_uint_eq(evt_build_end(&b), 0);

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_CLOSE, 0, 0, 0);
	evt_build_str(&b, "x");	/* res is a number */
	ck_assert(b.failed);

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_CLOSE, 0, 0, 0);
	evt_build_u64(&b, 0);
	ck_assert_uint_eq(evt_build_end(&b), 0);
	ck_assert_str_eq(b.why, "fewer parameters than the event has");

	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_CLOSE, 0, 0, 0);
	evt_build_u64(&b, 0);
	evt_build_u64(&b, 0);
	evt_build_u64(&b, 0);
	ck_assert_uint_eq(evt_build_end(&b), 0);
	ck_assert_str_eq(b.why, "more parameters than the event has");

	/* value too long for a parameter */
	static char big[VIGIL_PARAM_MAX_LEN + 2];

	memset(big, 'a', sizeof(big) - 1);
	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_UNLINK, 0, 0, 0);
	evt_build_u64(&b, 0);
	evt_build_str(&b, big);
	ck_assert_uint_eq(evt_build_end(&b), 0);

	/* record does not fit the buffer */
	uint8_t mid[64] __attribute__((aligned(8)));

	evt_build_begin(&b, mid, sizeof(mid), VIGIL_EVT_UNLINK, 0, 0, 0);
	evt_build_u64(&b, 0);
	evt_build_str(&b, "/a/very/long/path/that/does/not/fit/in/the/buffer");
	ck_assert_uint_eq(evt_build_end(&b), 0);
	ck_assert_str_eq(b.why, "record does not fit");

	/* PAD: no params */
	evt_build_begin(&b, rec, sizeof(rec), VIGIL_EVT_PAD, 0, 0, 0);
	ck_assert_uint_eq(evt_build_end(&b), 24);
}
END_TEST

/* Random corruption: flip bytes of valid records and decode with the true
 * buffer end; ASan catches any read past it. Decoded events must satisfy
 * the invariants. */
START_TEST(corruption_never_overreads)
{
	unsigned seed = 12345;
	size_t ok = 0, bad = 0;

	for (int iter = 0; iter < 20000; iter++) {
		unsigned t = (unsigned)rand_r(&seed) % VIGIL_EVT_NR;
		size_t n = build_generic(t, rec, sizeof(rec));
		uint8_t *copy = malloc(n);

		memcpy(copy, rec, n);
		int flips = 1 + rand_r(&seed) % 4;

		for (int f = 0; f < flips; f++)
			copy[(size_t)rand_r(&seed) % (n < 40 ? n : 40)] ^= (uint8_t)(1 + rand_r(&seed) % 255);
		size_t avail = n - ((size_t)rand_r(&seed) % 2) * 8;
		struct evt ev;

		if (evt_decode(copy, avail, &ev) == EVT_OK) {
			ok++;
			ck_assert_uint_le(ev.hdr->len, avail);
			for (unsigned i = 0; i < ev.info->nparams; i++) {
				char buf[64];

				if (ev.params[i].len)
					ck_assert(ev.params[i].val + ev.params[i].len <= copy + ev.hdr->len);
				evt_param_render(&ev, i, buf, sizeof(buf));
			}
		} else {
			bad++;
		}
		free(copy);
	}
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_gt(bad, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("event");

	tcase_add_test(tc, table_facts);
	tcase_add_test(tc, decode_errors);
	tcase_add_test(tc, round_trip_every_event);
	tcase_add_test(tc, render_openat);
	tcase_add_test(tc, render_flags);
	tcase_add_test(tc, render_values);
	tcase_add_test(tc, builder_misuse);
	tcase_add_test(tc, corruption_never_overreads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
