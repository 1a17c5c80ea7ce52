/* SPDX-License-Identifier: MIT */
/*
 * ringcheck.c - an independent consumer of /dev/vigil for the VM tests,
 * written from kmod/vigil_abi.h alone (not from userspace/ring), so that
 * the module's ring is checked against the contract and not against the
 * engine's reading of it.
 *
 *   ringcheck open                 open the device; exit 0 if it opened,
 *                                  1 if refused (EPERM/EACCES), 2 otherwise
 *   ringcheck overflow SIZE SECS   tiny ring (SIZE bytes) under a flood from
 *                                  one writer per CPU, read slowly: prints
 *                                  PASS/FAIL for drops counted, every record
 *                                  well-formed, flood payloads intact, and the
 *                                  module's counters adding up
 *   ringcheck cycle N              N times: open, map, start, read a little,
 *                                  stop, close (for the start/stop stress)
 *   ringcheck hold                 start a capture and read until killed
 *   ringcheck flood SECS           make captured syscalls as fast as possible
 */
#include "vigil_abi.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the event table, as the contract gives it ---- */
#define PT_SIZE(id, size, name) [VIGIL_PT_##id] = size,
static const unsigned pt_size[VIGIL_PT_NR] = { VIGIL_PARAM_TYPES(PT_SIZE) };
#define PTYPE(ev, n, t, f) VIGIL_PT_##t,
#define NOP(ev, n, t, f)
#define EV_TYPES(id, name, src, nr, ...) static const int pty_##id[] = { __VA_ARGS__ -1 };
VIGIL_EVENT_TABLE(EV_TYPES, PTYPE)
#define EV_ROW(id, name, src, nr, ...) [VIGIL_EVT_##id] = { name, VIGIL_SRC_##src, VIGIL_NP_##id, pty_##id },
static const struct {
	const char *name;
	int src;
	int np;
	const int *pty;
} evt[VIGIL_EVT_NR] = { VIGIL_EVENT_TABLE(EV_ROW, NOP) };

struct ring {
	struct vigil_ring_cons *cons;
	const struct vigil_ring_prod *prod;
	const uint8_t *data;
	uint64_t size, tail;
};

struct dev {
	int fd;
	struct vigil_info info;
	struct ring *r;
	size_t stride;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int die(const char *what)
{
	printf("FAIL: ringcheck/%s: %s\n", what, strerror(errno));
	return -1;
}

static int dev_open(struct dev *d, uint32_t ring_size)
{
	struct vigil_evt_bitmap bm = { { 0 } };

	memset(d, 0, sizeof(*d));
	d->fd = open(VIGIL_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return die("open");
	if (ring_size && ioctl(d->fd, VIGIL_IOC_SET_RING_SIZE, &ring_size) != 0)
		return die("set-ring-size");
	if (ioctl(d->fd, VIGIL_IOC_INFO, &d->info) != 0)
		return die("info");
	if (d->info.abi_version != VIGIL_ABI_VERSION) {
		printf("FAIL: ringcheck/abi: module ABI %u, ringcheck %u\n",
		       d->info.abi_version, VIGIL_ABI_VERSION);
		return -1;
	}
	for (int t = 0; t < VIGIL_EVT_NR; t++)
		if (evt[t].src != VIGIL_SRC_USER)
			bm.bits[t / 64] |= 1ull << (t % 64);
	if (ioctl(d->fd, VIGIL_IOC_SET_EVENTS, &bm) != 0)
		return die("set-events");
	d->stride = 2 * VIGIL_PAGE_SIZE + d->info.ring_size;
	d->r = calloc(d->info.nr_rings, sizeof(*d->r));
	for (unsigned i = 0; i < d->info.nr_rings; i++) {
		off_t base = (off_t)(i * d->stride);
		void *c = mmap(NULL, VIGIL_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, base);
		void *p = mmap(NULL, VIGIL_PAGE_SIZE + d->info.ring_size, PROT_READ, MAP_SHARED, d->fd,
			       base + VIGIL_PAGE_SIZE);

		if (c == MAP_FAILED || p == MAP_FAILED)
			return die("mmap");
		d->r[i].cons = c;
		d->r[i].prod = p;
		d->r[i].data = (const uint8_t *)p + VIGIL_PAGE_SIZE;
		d->r[i].size = d->info.ring_size;
		d->r[i].tail = __atomic_load_n(&d->r[i].cons->tail, __ATOMIC_RELAXED);
	}
	return 0;
}

static void dev_close(struct dev *d)
{
	for (unsigned i = 0; d->r && i < d->info.nr_rings; i++) {
		munmap(d->r[i].cons, VIGIL_PAGE_SIZE);
		munmap((void *)d->r[i].prod, VIGIL_PAGE_SIZE + d->info.ring_size);
	}
	free(d->r);
	close(d->fd);
	d->r = NULL;
}

/* ---- what a drain sees ---- */
struct tally {
	uint64_t records, pads, bad, flood, flood_bad, by_type[VIGIL_EVT_NR];
	char first_bad[256];
	/* flood writers: last sequence number seen per writer */
	int writer_pid[8];
	long last_seq[8];
	uint64_t seq_backwards;
};

typedef unsigned long long ull;
static void bad(struct tally *t, const char *fmt, ull a, ull b)
{
	if (!t->first_bad[0])
		snprintf(t->first_bad, sizeof(t->first_bad), fmt, a, b);
}

#define PAYLOAD 64
/* payload length of a sequence number: 32..64, so records vary in size and
 * the ring's end is met both with a PAD and with a gap too small for one */
static long plen(long seq)
{
	return 32 + seq % 33;
}

static void payload(char *buf, long seq)
{
	int n = snprintf(buf, PAYLOAD, "F%07ld:", seq % 10000000);

	for (int i = n; i < PAYLOAD; i++)
		buf[i] = (char)('a' + (seq + i) % 26);
}

/* A flood record: a WRITE from one of the writers; its data must be the
 * payload of its own sequence number, and sequence numbers only grow. */
static void check_flood(struct tally *t, const struct vigil_evt_hdr *h, const uint8_t *vals,
			const uint16_t *lens)
{
	int w = -1;
	int64_t res, size;
	char want[PAYLOAD];
	long seq;
	size_t voff[4], o = 0;

	for (int i = 0; i < 4; i++) {
		voff[i] = o;
		o += lens[i] & VIGIL_PARAM_LEN_MASK;
	}

	for (int i = 0; i < 8; i++)
		if (t->writer_pid[i] && t->writer_pid[i] == (int)h->pid)
			w = i;
	if (w < 0)
		return;
	t->flood++;
	if ((lens[0] & VIGIL_PARAM_LEN_MASK) != 8 || (lens[2] & VIGIL_PARAM_LEN_MASK) != 8) {
		t->flood_bad++;
		bad(t, "flood record without res/size (lens %llu, %llu)", lens[0], lens[2]);
		return;
	}
	memcpy(&res, vals + voff[0], 8);
	memcpy(&size, vals + voff[2], 8);
	unsigned dlen = lens[3] & VIGIL_PARAM_LEN_MASK;
	const char *data = (const char *)vals + voff[3];
	char head[16] = { 0 };

	memcpy(head, data, dlen < 15 ? dlen : 15);
	if (dlen == 0 || dlen > PAYLOAD || sscanf(head, "F%7ld:", &seq) != 1 ||
	    res != plen(seq) || size != plen(seq) || dlen != (unsigned)res) {
		t->flood_bad++;
		bad(t, "flood record res %lld data length %llu", (ull)res, dlen);
		return;
	}
	payload(want, seq);
	if (memcmp(want, data, dlen) != 0) {
		t->flood_bad++;
		bad(t, "flood payload of seq %llu differs (len %llu)", (ull)seq, dlen);
		return;
	}
	if (seq <= t->last_seq[w])
		t->seq_backwards++;
	t->last_seq[w] = seq;
}

/* One record at data[off], len bytes: is it what the contract says? */
static void check_record(struct tally *t, const uint8_t *rec, uint32_t len)
{
	const struct vigil_evt_hdr *h = (const void *)rec;
	uint16_t lens[VIGIL_MAX_PARAMS];
	size_t off = sizeof(*h), sum = 0;

	if (h->type >= VIGIL_EVT_NR || evt[h->type].src == VIGIL_SRC_USER) {
		t->bad++;
		bad(t, "type %llu at record %llu", h->type, (ull)t->records);
		return;
	}
	if (h->nparams != evt[h->type].np) {
		t->bad++;
		bad(t, "%llu params, table says %llu", h->nparams, (ull)evt[h->type].np);
		return;
	}
	if (off + 2u * h->nparams > len) {
		t->bad++;
		bad(t, "lens past the record (len %llu, np %llu)", len, h->nparams);
		return;
	}
	memcpy(lens, rec + off, 2u * h->nparams);
	off += 2u * h->nparams;
	for (int i = 0; i < h->nparams; i++) {
		unsigned l = lens[i] & VIGIL_PARAM_LEN_MASK, fixed = pt_size[evt[h->type].pty[i]];

		if (l && fixed && l != fixed) {
			t->bad++;
			bad(t, "param %llu of type %llu has a wrong size", (ull)i, h->type);
			return;
		}
		sum += l;
	}
	if (off + sum > len || ((off + sum + 7) & ~7ul) != len) {
		t->bad++;
		bad(t, "values end at %llu, record length %llu", (ull)(off + sum), len);
		return;
	}
	t->by_type[h->type]++;
	if (h->type == VIGIL_EVT_WRITE)
		check_flood(t, h, rec + off, lens);
}

/* Read what is there in every ring. Returns records read. */
static uint64_t drain(struct dev *d, struct tally *t)
{
	uint64_t n = 0;

	for (unsigned c = 0; c < d->info.nr_rings; c++) {
		struct ring *r = &d->r[c];
		uint64_t head = __atomic_load_n(&r->prod->head, __ATOMIC_ACQUIRE);

		while (r->tail < head) {
			uint64_t off = r->tail & (r->size - 1);

			/* no room for a header before the end: the producer
			 * went on at offset 0 without a PAD */
			if (r->size - off < sizeof(struct vigil_evt_hdr)) {
				r->tail += r->size - off;
				continue;
			}
			const struct vigil_evt_hdr *h = (const void *)(r->data + off);
			uint32_t len = h->len;

			if (len < sizeof(*h) || (len & 7) || off + len > r->size || r->tail + len > head) {
				t->bad++;
				bad(t, "record length %llu at offset %llu", len, (ull)off);
				r->tail = head;	/* resync */
				break;
			}
			if (h->type == VIGIL_EVT_PAD)
				t->pads++;
			else {
				t->records++;
				n++;
				check_record(t, (const uint8_t *)h, len);
			}
			r->tail += len;
		}
		__atomic_store_n(&r->cons->tail, r->tail, __ATOMIC_RELEASE);
	}
	return n;
}

static void stats(struct dev *d, struct vigil_cpu_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned c = 0; c < d->info.nr_rings; c++) {
		struct vigil_cpu_stats s = { .cpu = c };

		if (ioctl(d->fd, VIGIL_IOC_GET_STATS, &s) != 0)
			continue;
		sum->events += s.events;
		for (int i = 0; i < VIGIL_DROP_NR; i++)
			sum->drops[i] += s.drops[i];
		sum->faults += s.faults;
		sum->bytes += s.bytes;
	}
}

/* ---- flooders ---- */
struct shared {
	atomic_int go, stop;
	atomic_long made[8];
};

static void writer(struct shared *sh, int w)
{
	int fd = open("/dev/null", O_WRONLY);
	char buf[PAYLOAD];
	long seq = 0;

	/* count only writes made after START: each is then delivered or dropped */
	while (!atomic_load(&sh->go))
		;
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		payload(buf, ++seq);
		if (write(fd, buf, (size_t)plen(seq)) == plen(seq))
			atomic_store_explicit(&sh->made[w], seq, memory_order_relaxed);
	}
	_exit(0);
}

static int cmd_overflow(uint32_t ring_size, int secs)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct tally t = { 0 };
	struct dev d;
	int nw = (int)sysconf(_SC_NPROCESSORS_ONLN), rc = 0;
	pid_t pids[8];

	if (nw > 8)
		nw = 8;
	if (dev_open(&d, ring_size) != 0)
		return 1;
	if (d.info.ring_size != ring_size) {
		printf("FAIL: overflow/ring-size: asked %u, module has %u\n", ring_size, d.info.ring_size);
		rc = 1;
	}
	for (int w = 0; w < nw; w++) {
		pids[w] = fork();
		if (pids[w] == 0)
			writer(sh, w);
		t.writer_pid[w] = pids[w];
		t.last_seq[w] = 0;
	}
	if (ioctl(d.fd, VIGIL_IOC_START) != 0)
		{ die("start"); return 1; }
	atomic_store(&sh->go, 1);
	/* Phase 1: read nothing for a while: the rings must fill and drop.
	 * Phase 2: read in bursts with pauses. */
	uint64_t end = now_ns() + (uint64_t)secs * 1000000000ull;
	usleep(500000);
	while (now_ns() < end) {
		drain(&d, &t);
		usleep(50000);
	}
	atomic_store(&sh->stop, 1);
	for (int w = 0; w < nw; w++)
		waitpid(pids[w], NULL, 0);
	if (ioctl(d.fd, VIGIL_IOC_STOP) != 0)
		{ die("stop"); return 1; }
	drain(&d, &t);

	struct vigil_cpu_stats s;
	uint64_t drops = 0, made = 0;

	stats(&d, &s);
	for (int i = 0; i < VIGIL_DROP_NR; i++)
		drops += s.drops[i];
	for (int w = 0; w < nw; w++)
		made += (uint64_t)atomic_load(&sh->made[w]);
	printf("overflow: ring %u x %u, %llu writes made, %llu delivered, %llu records, %llu pads, "
	       "%llu module events, drops full %llu badtail %llu toobig %llu nested %llu\n",
	       d.info.ring_size, d.info.nr_rings, (unsigned long long)made,
	       (unsigned long long)t.flood, (unsigned long long)t.records, (unsigned long long)t.pads,
	       (unsigned long long)s.events, (unsigned long long)s.drops[VIGIL_DROP_FULL],
	       (unsigned long long)s.drops[VIGIL_DROP_BADTAIL], (unsigned long long)s.drops[VIGIL_DROP_TOOBIG],
	       (unsigned long long)s.drops[VIGIL_DROP_NESTED]);

#define CASE(ok, name, ...) do { if (ok) printf("PASS: overflow/%s\n", name); \
	else { printf("FAIL: overflow/%s: ", name); printf(__VA_ARGS__); printf("\n"); rc = 1; } } while (0)
	CASE(s.drops[VIGIL_DROP_FULL] > 0, "drops-counted", "no FULL drops with a %u-byte ring under a flood",
	     d.info.ring_size);
	CASE(t.bad == 0, "records-well-formed", "%llu malformed of %llu: %s",
	     (unsigned long long)t.bad, (unsigned long long)t.records, t.first_bad);
	CASE(t.flood > 0 && t.flood_bad == 0, "payload-intact", "%llu of %llu flood records damaged: %s",
	     (unsigned long long)t.flood_bad, (unsigned long long)t.flood, t.first_bad);
	CASE(t.seq_backwards == 0, "order-per-writer", "%llu records older than their predecessor",
	     (unsigned long long)t.seq_backwards);
	CASE(s.events == t.records, "events-counter", "module counted %llu events, %llu delivered",
	     (unsigned long long)s.events, (unsigned long long)t.records);
	CASE(made >= t.flood && made - t.flood <= drops, "drops-account-for-losses",
	     "%llu writes made, %llu delivered, only %llu drops counted",
	     (unsigned long long)made, (unsigned long long)t.flood, (unsigned long long)drops);
	dev_close(&d);
	return rc;
}

static int cmd_cycle(int n)
{
	for (int i = 0; i < n; i++) {
		struct tally t = { 0 };
		struct dev d;

		/* odd cycles a small ring (allocating 8 MiB per CPU is slow
		 * under TCG), even ones the module's default */
		if (dev_open(&d, i % 2 ? 256u << 10 : 0) != 0)
			return 1;
		if (ioctl(d.fd, VIGIL_IOC_START) != 0)
			{ die("start"); return 1; }
		for (int k = 0; k < 5; k++) {
			drain(&d, &t);
			usleep(20000);
		}
		if (ioctl(d.fd, VIGIL_IOC_STOP) != 0)
			{ die("stop"); return 1; }
		drain(&d, &t);
		if (t.bad) {
			printf("FAIL: ringcheck/cycle: malformed record: %s\n", t.first_bad);
			return 1;
		}
		if (i % 2 == 0 && ioctl(d.fd, VIGIL_IOC_START) != 0)	/* close while running */
			{ die("restart"); return 1; }
		dev_close(&d);
	}
	return 0;
}

static int cmd_hold(void)
{
	struct tally t = { 0 };
	struct dev d;

	if (dev_open(&d, 256u << 10) != 0)
		return 1;
	if (ioctl(d.fd, VIGIL_IOC_START) != 0)
		{ die("start"); return 1; }
	for (;;) {
		struct pollfd p = { .fd = d.fd, .events = POLLIN };

		poll(&p, 1, 100);
		drain(&d, &t);
	}
}

static int cmd_flood(int secs)
{
	uint64_t end = now_ns() + (uint64_t)secs * 1000000000ull;
	int fd = open("/dev/null", O_WRONLY);
	char b[16] = "flood";

	while (now_ns() < end) {
		for (int i = 0; i < 100; i++) {
			if (write(fd, b, sizeof(b)) < 0)
				return 1;
			int f = open("/proc/self/stat", O_RDONLY);
			if (f >= 0)
				close(f);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "open") == 0) {
		int fd = open(VIGIL_DEVICE_PATH, O_RDWR);

		if (fd >= 0) {
			printf("opened\n");
			return 0;
		}
		printf("refused: %s\n", strerror(errno));
		return errno == EPERM || errno == EACCES ? 1 : 2;
	}
	if (argc == 4 && strcmp(argv[1], "overflow") == 0)
		return cmd_overflow((uint32_t)strtoul(argv[2], NULL, 0), atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "cycle") == 0)
		return cmd_cycle(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "hold") == 0)
		return cmd_hold();
	if (argc == 3 && strcmp(argv[1], "flood") == 0)
		return cmd_flood(atoi(argv[2]));
	fprintf(stderr, "usage: ringcheck open | overflow SIZE SECS | cycle N | hold | flood SECS\n");
	return 2;
}
