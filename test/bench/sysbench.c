/* SPDX-License-Identifier: MIT */
/*
 * sysbench.c - times one kind of syscall in a tight loop, for
 * test/bench/bench_syscalls.sh (runs inside the VM, static binary).
 *
 *   sysbench KIND ITERATIONS   prints "KIND NS_PER_OP"
 *     null       getppid()            (in no event bitmap)
 *     openclose  openat()+close()     (captured: two events)
 *     read1      1-byte read()        (captured)
 *
 * The iterations run in blocks of BLOCK; NS_PER_OP is the median of the
 * blocks' averages, so that a block in which the host took the vCPU away
 * (on a shared host, TCG guests are preempted for milliseconds at a time)
 * does not move the figure, while a cost paid in every block does. Longer
 * slow spells (another tenant's load slows the whole guest down for
 * seconds) are not corrected: a calibration loop next to each block was
 * tried and tracked them only partly (1.3x slower while the syscalls were
 * 1.85x slower), so the script reports medians and minima over the rounds
 * instead and says how far they spread.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

#define BLOCK 500	/* syscalls per timed block */

static int fd_zero;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int do_null(void)
{
	return (int)syscall(SYS_getppid) > 0 ? 0 : -1;
}

static int do_openclose(void)
{
	int f = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY, 0);

	return f >= 0 && syscall(SYS_close, f) == 0 ? 0 : -1;
}

static int do_read1(void)
{
	char c;

	return syscall(SYS_read, fd_zero, &c, 1) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sysbench null|openclose|read1 ITERATIONS\n");
		return 2;
	}
	long n = atol(argv[2]);
	int (*op)(void) = strcmp(argv[1], "null") == 0 ? do_null :
			  strcmp(argv[1], "openclose") == 0 ? do_openclose :
			  strcmp(argv[1], "read1") == 0 ? do_read1 : NULL;

	fd_zero = open("/dev/zero", O_RDONLY);
	if (!op || n <= 0) {
		fprintf(stderr, "sysbench: unknown kind %s\n", argv[1]);
		return 2;
	}
	for (long i = 0; i < n / 10 + 1; i++)	/* warm up, and check it works */
		if (op() != 0) {
			fprintf(stderr, "sysbench: %s failed\n", argv[1]);
			return 1;
		}
	long nb = n / BLOCK > 0 ? n / BLOCK : 1;
	long per = n / nb;
	double *avg = malloc((size_t)nb * sizeof(*avg));

	if (!avg)
		return 1;
	for (long b = 0; b < nb; b++) {
		double t0 = now();

		for (long i = 0; i < per; i++)
			op();
		avg[b] = (now() - t0) / (double)per;
	}
	qsort(avg, (size_t)nb, sizeof(*avg), cmp_double);
	printf("%s %.1f\n", argv[1], nb % 2 ? avg[nb / 2] : (avg[nb / 2 - 1] + avg[nb / 2]) / 2);
	free(avg);
	return 0;
}
