/* SPDX-License-Identifier: MIT */
/*
 * e2e_helper.c - the small actions of the end-to-end scenarios that busybox
 * cannot do, as one static binary for the VM and its containers:
 *
 *   e2e_helper now                    wall clock in ns (busybox date has no %N)
 *   e2e_helper connect IP PORT        TCP connect, then close
 *   e2e_helper revshell IP PORT       connect, dup2 the socket onto 0/1/2,
 *                                     exec /bin/sh -c true (a reverse shell)
 *   e2e_helper memfd-exec PROG ARG0   copy PROG into a memfd and fexecve it
 *   e2e_helper ptrace                 fork a child, PTRACE_ATTACH to it, detach
 *   e2e_helper initmod                init_module() with an invalid image
 *   e2e_helper packet                 socket(AF_PACKET, SOCK_RAW)
 *   e2e_helper fchmod PATH MODE       open PATH read-only, fchmod the fd (octal
 *                                     MODE): a mode change through an fd
 *   e2e_helper latency N FILE OUT     N times: note the time, open /etc/shadow
 *                                     (a rule fires), wait (inotify) for the
 *                                     next alert line in FILE; write the N
 *                                     latencies (ns) to OUT, print p50/p99
 *   e2e_helper burst N                N open+close of /etc/hostname, as fast as
 *                                     possible (load for the drop test)
 *   e2e_helper pty CMD ARGS...        run CMD with a new pty as its controlling
 *                                     terminal (what an ssh or kubectl session
 *                                     gives), drain the pty until CMD exits
 *   e2e_helper dns PORT               a DNS server on 127.0.0.1:PORT (UDP): every
 *                                     A query is answered 127.0.0.1, other types
 *                                     get an empty answer; until killed
 * Called as `ssh IP PORT` (a copy named ssh), it connects like `connect`.
 * Called as `nginx CMD`, it runs `/bin/sh -c CMD` as its child, the way a
 * web application's system() call does (a server that spawns a shell).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int tcp_connect(const char *ip, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		perror("socket");
		return -1;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "connect %s:%s: %s\n", ip, port, strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

static int run_pty(char **argv)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), st = 0;
	char b[4096];
	pid_t c;

	if (m < 0 || grantpt(m) || unlockpt(m)) {
		perror("pty");
		return 1;
	}
	c = fork();
	if (c == 0) {
		int s;

		setsid();
		s = open(ptsname(m), O_RDWR);	/* first tty opened: the controlling one */
		if (s < 0)
			_exit(127);
		ioctl(s, TIOCSCTTY, 0);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		close(m);
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		struct pollfd p = { m, POLLIN, 0 };

		if (waitpid(c, &st, WNOHANG) == c)
			break;
		if (poll(&p, 1, 100) > 0 && read(m, b, sizeof(b)) < 0)
			usleep(100000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int memfd_exec(const char *prog, const char *arg0)
{
	int in = open(prog, O_RDONLY), fd = (int)syscall(SYS_memfd_create, "e2e", 0);
	char b[65536];
	ssize_t n;
	char *argv[] = { (char *)arg0, NULL }, *envp[] = { NULL };

	if (in < 0 || fd < 0) {
		perror("memfd");
		return 1;
	}
	while ((n = read(in, b, sizeof(b))) > 0)
		if (write(fd, b, (size_t)n) != n)
			return 1;
	fexecve(fd, argv, envp);
	perror("fexecve");
	return 1;
}

static int do_ptrace(void)
{
	pid_t c = fork();

	if (c == 0) {
		sleep(5);
		_exit(0);
	}
	if (ptrace(PTRACE_ATTACH, c, 0, 0) != 0) {
		perror("PTRACE_ATTACH");
		kill(c, SIGKILL);
		return 1;
	}
	waitpid(c, NULL, 0);
	ptrace(PTRACE_DETACH, c, 0, 0);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return 0;
}

/* A query: 12-byte header, one question (labels, type, class). The answer
 * repeats the question; an A question gets one record pointing at it. */
static int dns_server(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned char q[512], r[600];

	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("dns: bind");
		return 1;
	}
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		size_t i = 12, qend, len;
		int a;

		if (n < 12 || (q[2] & 0x80) || q[4] != 0 || q[5] != 1)
			continue;	/* not a query with one question */
		while (i < (size_t)n && q[i] != 0 && q[i] < 64)
			i += 1 + q[i];
		if (i >= (size_t)n || q[i] != 0 || i + 5 > (size_t)n)
			continue;
		qend = i + 5;	/* the 0 label, type, class */
		a = q[i + 1] == 0 && q[i + 2] == 1;	/* type A */
		memcpy(r, q, qend);
		r[2] = 0x80 | (q[2] & 0x79);	/* QR, the opcode and RD kept */
		r[3] = 0x80;			/* RA, NOERROR */
		r[6] = 0; r[7] = (unsigned char)a;	/* answers */
		memset(r + 8, 0, 4);		/* no authority, no additional */
		len = qend;
		if (a) {
			static const unsigned char rr[] = {
				0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1 };

			memcpy(r + len, rr, sizeof(rr));
			len += sizeof(rr);
		}
		sendto(s, r, len, 0, (struct sockaddr *)&from, fl);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int latency(int n, const char *file, const char *out)
{
	uint64_t *lat = calloc((size_t)n, sizeof(*lat));
	int in = inotify_init1(IN_CLOEXEC), got = 0;
	FILE *o = fopen(out, "w");

	if (!lat || in < 0 || !o || inotify_add_watch(in, file, IN_MODIFY) < 0) {
		perror("latency setup");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		size_t before = count_lines(file);
		uint64_t t0 = now_ns(), deadline = t0 + 10000000000ull;
		int fd = open("/etc/shadow", O_RDONLY);

		if (fd >= 0)
			close(fd);
		for (;;) {
			struct pollfd p = { in, POLLIN, 0 };
			char ib[4096];

			if (count_lines(file) > before) {
				lat[got++] = now_ns() - t0;
				break;
			}
			if (now_ns() > deadline) {
				fprintf(stderr, "latency: no alert line within 10 s (try %d)\n", i);
				break;
			}
			if (poll(&p, 1, 100) > 0 && read(in, ib, sizeof(ib)) < 0)
				break;
		}
		usleep(20000);
	}
	for (int i = 0; i < got; i++)
		fprintf(o, "%llu\n", (unsigned long long)lat[i]);
	fclose(o);
	if (!got) {
		printf("latency: 0 of %d measured\n", n);
		return 1;
	}
	qsort(lat, (size_t)got, sizeof(*lat), cmp_u64);
	printf("latency: %d of %d measured; p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", got, n,
	       lat[got / 2] / 1e6, lat[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1] / 1e6,
	       lat[got - 1] / 1e6);
	return got == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *cmd = argc > 1 ? argv[1] : "";
	int s;

	if (!strcmp(self, "nginx") && argc == 2) {
		pid_t c = fork();

		if (c == 0) {
			execl("/bin/sh", "sh", "-c", argv[1], (char *)NULL);
			_exit(127);
		}
		waitpid(c, NULL, 0);
		return 0;
	}
	if (!strcmp(self, "ssh"))
		return argc == 3 && (s = tcp_connect(argv[1], argv[2])) >= 0 ? (close(s), 0) : 1;
	if (!strcmp(cmd, "now")) {
		printf("%llu\n", (unsigned long long)now_ns());
		return 0;
	}
	if (!strcmp(cmd, "connect") && argc == 4)
		return (s = tcp_connect(argv[2], argv[3])) >= 0 ? (close(s), 0) : 1;
	if (!strcmp(cmd, "revshell") && argc == 4) {
		if ((s = tcp_connect(argv[2], argv[3])) < 0)
			return 1;
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		execl("/bin/sh", "sh", "-c", "true", (char *)NULL);
		return 1;
	}
	if (!strcmp(cmd, "burst") && argc == 3) {
		for (long i = atol(argv[2]); i > 0; i--) {
			int fd = open("/etc/hostname", O_RDONLY);

			if (fd >= 0)
				close(fd);
		}
		return 0;
	}
	if (!strcmp(cmd, "pty") && argc > 2)
		return run_pty(argv + 2);
	if (!strcmp(cmd, "memfd-exec") && argc == 4)
		return memfd_exec(argv[2], argv[3]);
	if (!strcmp(cmd, "ptrace"))
		return do_ptrace();
	if (!strcmp(cmd, "initmod")) {
		static const char junk[64] = "not a module";

		syscall(SYS_init_module, junk, sizeof(junk), "");
		return 0;
	}
	if (!strcmp(cmd, "packet")) {
		s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
		if (s >= 0)
			close(s);
		return 0;
	}
	if (!strcmp(cmd, "fchmod") && argc == 4) {
		int fd = open(argv[2], O_RDONLY);
		int r = fd >= 0 ? fchmod(fd, (mode_t)strtol(argv[3], NULL, 8)) : -1;

		if (fd >= 0)
			close(fd);
		return r == 0 ? 0 : 1;
	}
	if (!strcmp(cmd, "dns") && argc == 3)
		return dns_server(atoi(argv[2]));
	if (!strcmp(cmd, "latency") && argc == 5)
		return latency(atoi(argv[2]), argv[3], argv[4]);
	fprintf(stderr, "usage: see the comment at the top of e2e_helper.c\n");
	return 2;
}
