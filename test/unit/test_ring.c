/* SPDX-License-Identifier: MIT */
/*
 * test_ring.c - the ring consumer (ring/merge.c) against rings in memory
 * filled by a producer written here to the ABI's rules (kmod/vigil_abi.h):
 * free-running head/tail, release/acquire, PAD records at the end of the
 * data area, waiting for space. Not a mock of the module: the consumer's
 * walking, merging, wrap-around and release logic run on the real layout,
 * with producer threads racing the consumer.
 */
#include <check.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring/ring.h"

#define HDR sizeof(struct vigil_evt_hdr)

struct fake {
	struct vigil_ring_cons cons;
	struct vigil_ring_prod prod;
	uint8_t *data;
	uint64_t size;
	uint64_t pads;
};

static void fake_init(struct fake *f, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	f->size = size;
	f->prod.size = size;
	f->data = aligned_alloc(8, size);
	memset(f->data, 0xee, size);
}

static void src_of(struct ring_src *s, struct fake *f)
{
	memset(s, 0, sizeof(*s));
	s->cons = &f->cons;
	s->prod = &f->prod;
	s->data = f->data;
	s->size = f->size;
}

/* The producer side, as the ABI says: PAD when a record does not fit
 * before the end, wait while the ring is full, publish with release. */
static void produce(struct fake *f, const void *rec, size_t len)
{
	uint64_t head = f->prod.head, mask = f->size - 1, need;

	for (;;) {
		uint64_t tail = __atomic_load_n(&f->cons.tail, __ATOMIC_ACQUIRE);
		uint64_t room = f->size - (head & mask);

		need = room < len ? room + len : len;
		if (head + need - tail <= f->size)
			break;
		sched_yield();
	}
	uint64_t room = f->size - (head & mask);

	if (room < len) {
		if (room >= HDR) {
			struct vigil_evt_hdr pad = { .len = (uint32_t)room, .type = VIGIL_EVT_PAD };

			memcpy(f->data + (head & mask), &pad, HDR);
			f->pads++;
		}
		head += room;
	}
	memcpy(f->data + (head & mask), rec, len);
	head += len;
	__atomic_store_n(&f->prod.head, head, __ATOMIC_RELEASE);
}

/* A CLOSE record: tid = ring id, fd = sequence number; or an UNLINK with
 * a path of `plen` bytes when plen > 0. */
static size_t mkrec(uint8_t *buf, size_t cap, uint64_t ts, unsigned ring, uint64_t seq,
		    size_t plen)
{
	struct evt_builder b;

	if (plen) {
		char path[1024];

		for (size_t i = 0; i < plen; i++)
			path[i] = (char)('a' + (seq + i) % 26);
		path[plen] = '\0';
		evt_build_begin(&b, buf, cap, VIGIL_EVT_UNLINK, ts, ring, (uint32_t)seq);
		evt_build_u64(&b, seq);
		evt_build_str(&b, path);
	} else {
		evt_build_begin(&b, buf, cap, VIGIL_EVT_CLOSE, ts, ring, (uint32_t)seq);
		evt_build_u64(&b, 0);
		evt_build_u64(&b, seq);
	}
	size_t n = evt_build_end(&b);

	ck_assert_uint_gt(n, 0);
	return n;
}

static void put(struct fake *f, uint64_t ts, unsigned ring, uint64_t seq)
{
	_Alignas(8) uint8_t buf[256];

	produce(f, buf, mkrec(buf, sizeof(buf), ts, ring, seq, 0));
}

#define BASE 1000000000ull

START_TEST(merge_order_and_window)
{
	struct fake f[3];
	struct ring_src src[3];
	struct ring_merge m;
	struct evt ev;
	uint64_t wait;

	for (int i = 0; i < 3; i++) {
		fake_init(&f[i], 4096);
		src_of(&src[i], &f[i]);
	}
	put(&f[0], BASE + 10, 0, 0);
	put(&f[0], BASE + 40, 0, 1);
	put(&f[0], BASE + 70, 0, 2);
	put(&f[1], BASE + 20, 1, 0);
	put(&f[1], BASE + 50, 1, 1);
	put(&f[2], BASE + 30, 2, 0);
	put(&f[2], BASE + 60, 2, 1);
	put(&f[2], BASE + 90, 2, 2);
	ring_merge_init(&m, src, 3, 1000);

	/* plain k-way merge while every ring has a record */
	uint64_t want[] = { 10, 20, 30, 40, 50 };

	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(ring_merge_next(&m, 0, &ev, &wait), 1);
		ck_assert_uint_eq(ev.hdr->ts, BASE + want[i]);
		ck_assert_uint_eq(ev.num, (uint64_t)i + 1);
	}
	/* ring 1 is empty: 60 is held (the horizon is the newest seen, 90) */
	ck_assert_int_eq(ring_merge_next(&m, 0, &ev, &wait), 0);
	/* (horizon = newest peeked timestamp, 70: each ring shows one record) */
	ck_assert_uint_eq(wait, 60 + 1000 - 70);
	/* a record that was late to arrive in ring 1 (65) still sorts */
	put(&f[1], BASE + 65, 1, 2);
	ck_assert_int_eq(ring_merge_next(&m, 0, &ev, &wait), 1);
	ck_assert_uint_eq(ev.hdr->ts, BASE + 60);
	ck_assert_int_eq(ring_merge_next(&m, 0, &ev, &wait), 1);
	ck_assert_uint_eq(ev.hdr->ts, BASE + 65);
	ck_assert_int_eq(ring_merge_next(&m, 0, &ev, &wait), 0);
	/* the clock passing the window releases 70 (but not 90) */
	ck_assert_int_eq(ring_merge_next(&m, BASE + 70 + 1000, &ev, &wait), 1);
	ck_assert_uint_eq(ev.hdr->ts, BASE + 70);
	ck_assert_int_eq(ring_merge_next(&m, BASE + 70 + 1000, &ev, &wait), 0);
	ck_assert_uint_eq(wait, 20);
	/* flush hands out everything */
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, &wait), 1);
	ck_assert_uint_eq(ev.hdr->ts, BASE + 90);
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, &wait), 0);
	ck_assert_uint_eq(wait, UINT64_MAX);
	ck_assert_uint_eq(m.st.late, 0);
	/* a record older than one handed out: delivered at once, counted */
	put(&f[1], BASE + 55, 1, 3);
	ck_assert_int_eq(ring_merge_next(&m, 0, &ev, &wait), 1);
	ck_assert_uint_eq(ev.hdr->ts, BASE + 55);
	ck_assert_uint_eq(m.st.late, 1);
	ck_assert_uint_eq(m.st.records, 10);
	/* everything released */
	ring_merge_release(&m);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(f[i].cons.tail, f[i].prod.head);
		free(f[i].data);
	}
}
END_TEST

START_TEST(malformed_and_desync)
{
	struct fake f;
	struct ring_src src;
	struct ring_merge m;
	struct evt ev;
	_Alignas(8) uint8_t buf[256];
	size_t n;

	fake_init(&f, 4096);
	src_of(&src, &f);
	ring_merge_init(&m, &src, 1, 1000);
	put(&f, BASE + 1, 0, 0);
	/* wrong nparams, sane length: skipped and counted */
	n = mkrec(buf, sizeof(buf), BASE + 2, 0, 1, 0);
	((struct vigil_evt_hdr *)buf)->nparams = 7;
	produce(&f, buf, n);
	/* unknown type */
	n = mkrec(buf, sizeof(buf), BASE + 3, 0, 2, 0);
	((struct vigil_evt_hdr *)buf)->type = 999;
	produce(&f, buf, n);
	put(&f, BASE + 4, 0, 3);
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL), 1);
	ck_assert_uint_eq(evt_get_u64(&ev, VIGIL_P_CLOSE_fd, 99), 0);
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL), 1);
	ck_assert_uint_eq(evt_get_u64(&ev, VIGIL_P_CLOSE_fd, 99), 3);
	ck_assert_uint_eq(m.st.malformed, 2);
	ck_assert_uint_eq(m.st.by_err[EVT_ERR_NPARAMS], 1);
	ck_assert_uint_eq(m.st.by_err[EVT_ERR_TYPE], 1);
	/* garbage length: the rest of what is published is skipped */
	n = mkrec(buf, sizeof(buf), BASE + 5, 0, 4, 0);
	((struct vigil_evt_hdr *)buf)->len = 3;
	produce(&f, buf, n);
	put(&f, BASE + 6, 0, 5);
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL), 0);
	ck_assert_uint_eq(m.st.desyncs, 1);
	ck_assert_uint_eq(f.cons.tail, f.prod.head);
	/* records published after the resync are read */
	put(&f, BASE + 7, 0, 6);
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL), 1);
	ck_assert_uint_eq(evt_get_u64(&ev, VIGIL_P_CLOSE_fd, 99), 6);
	/* a PAD with a length past the end: desync too */
	struct vigil_evt_hdr pad = { .len = 8192, .type = VIGIL_EVT_PAD };

	memcpy(buf, &pad, HDR);
	produce(&f, buf, HDR);
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL), 0);
	ck_assert_uint_eq(m.st.desyncs, 2);
	/* a head that runs more than a ring ahead of the tail */
	f.prod.head += 3 * f.size;
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL), 0);
	ck_assert_uint_eq(m.st.desyncs, 3);
	free(f.data);
}
END_TEST

/* ---- threads ---- */
struct prod_arg {
	struct fake *f;		/* this producer's first ring */
	unsigned ring;
	unsigned nrings;	/* > 1: a sparse producer owning rings [ring, ring+nrings) */
	uint64_t count;		/* records per ring */
	bool varsize;
};

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *producer(void *p)
{
	struct prod_arg *a = p;
	_Alignas(8) uint8_t buf[2048];

	for (uint64_t i = 0; i < a->count; i++)
		for (unsigned k = 0; k < a->nrings; k++) {
			size_t plen = a->varsize ? 1 + (i * 37) % 700 : 0;
			size_t n = mkrec(buf, sizeof(buf), mono(), a->ring + k, i, plen);

			produce(&a->f[k], buf, n);
			if (a->nrings > 1) {	/* sparse: a record now and then */
				struct timespec d = { 0, 20000 };

				nanosleep(&d, NULL);
			}
		}
	return NULL;
}

/* nbusy rings with a producer each writing `count` records; the other
 * rings (if any) owned by one sparse producer writing `sparse` each. */
static void run_threads_mixed(unsigned nrings, unsigned nbusy, uint64_t size, uint64_t count,
			      uint64_t sparse, bool varsize, bool expect_pads)
{
	struct fake *f = calloc(nrings, sizeof(*f));
	struct ring_src *src = calloc(nrings, sizeof(*src));
	struct prod_arg *args = calloc(nrings, sizeof(*args));
	pthread_t *th = calloc(nrings, sizeof(*th));
	uint64_t *next = calloc(nrings, sizeof(*next));
	static struct ring_merge m;	/* big (the heap): not on the stack */
	struct evt ev;
	uint64_t got = 0, last_ts = 0, inversions = 0;
	uint64_t total = (uint64_t)nbusy * count + (uint64_t)(nrings - nbusy) * sparse;
	unsigned nth = nbusy + (nrings > nbusy);

	for (unsigned i = 0; i < nrings; i++) {
		fake_init(&f[i], size);
		src_of(&src[i], &f[i]);
	}
	ring_merge_init(&m, src, nrings, 0);
	for (unsigned i = 0; i < nbusy; i++)
		args[i] = (struct prod_arg){ &f[i], i, 1, count, varsize };
	if (nrings > nbusy)
		args[nbusy] = (struct prod_arg){ &f[nbusy], nbusy, nrings - nbusy, sparse, varsize };
	for (unsigned i = 0; i < nth; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, producer, &args[i]), 0);
	uint64_t start = mono();

	while (got < total) {
		uint64_t now = mono();

		if (!ring_merge_next(&m, now, &ev, NULL)) {
			ck_assert_msg(now - start < 60ull * 1000000000ull,
				      "stuck after %llu of %llu records",
				      (unsigned long long)got, (unsigned long long)total);
			sched_yield();
			continue;
		}
		unsigned r = ev.hdr->tid;

		ck_assert_uint_lt(r, nrings);
		ck_assert_uint_eq(ev.hdr->pid, (uint32_t)next[r]);	/* per-ring order, no loss */
		if (varsize) {
			size_t plen = 1 + (next[r] * 37) % 700, sl;
			const char *s = evt_get_str(&ev, VIGIL_P_UNLINK_path, &sl);

			ck_assert_uint_eq(sl, plen);
			ck_assert_int_eq(s[0], (char)('a' + next[r] % 26));
			ck_assert_int_eq(s[plen - 1], (char)('a' + (next[r] + plen - 1) % 26));
		}
		next[r]++;
		if (ev.hdr->ts < last_ts)
			inversions++;
		else
			last_ts = ev.hdr->ts;
		got++;
	}
	for (unsigned i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL), 0);
	ring_merge_release(&m);
	uint64_t pads = 0;

	for (unsigned i = 0; i < nrings; i++) {
		ck_assert_uint_eq(next[i], i < nbusy ? count : sparse);
		ck_assert_uint_eq(f[i].cons.tail, f[i].prod.head);
		pads += f[i].pads;
	}
	ck_assert_uint_eq(m.st.records, total);
	ck_assert_uint_eq(m.st.malformed + m.st.desyncs, 0);
	ck_assert_uint_eq(m.st.late, inversions);	/* every inversion is counted */
	ck_assert_uint_eq(m.st.pads, pads);		/* every PAD walked over */
	if (expect_pads)
		ck_assert_uint_gt(pads, 0);		/* the ring did wrap with PADs */
	for (unsigned i = 0; i < nbusy; i++)
		ck_assert_uint_gt(f[i].prod.head, 4 * size);	/* wrapped, several times */
	fprintf(stderr, "ring threads: %u rings (%u busy), %llu records, %llu pads, %llu late\n",
		nrings, nbusy, (unsigned long long)total, (unsigned long long)pads,
		(unsigned long long)m.st.late);
	for (unsigned i = 0; i < nrings; i++)
		free(f[i].data);
	free(f);
	free(src);
	free(args);
	free(th);
	free(next);
}

static void run_threads(unsigned nrings, uint64_t size, uint64_t count, bool varsize,
			bool expect_pads)
{
	run_threads_mixed(nrings, nrings, size, count, 0, varsize, expect_pads);
}

START_TEST(wrap_varsize_one_ring)
{
	run_threads(1, 8192, 20000, true, true);
}
END_TEST

START_TEST(threads_four_rings)
{
	run_threads(4, 16384, 30000, true, true);
}
END_TEST

/* 48-byte records in a 16 KiB ring leave 16 bytes at the end: less than a
 * header, so the producer skips to the start without a PAD. */
START_TEST(threads_skip_without_pad)
{
	run_threads(2, 16384, 50000, false, false);
}
END_TEST

/* Many rings, most idle: the heap, and the rescans of empty rings that
 * the reorder window allows to skip (a sparse producer keeps publishing
 * into the idle rings, so a skipped rescan that mattered would show as an
 * uncounted inversion or a lost record). */
START_TEST(threads_many_rings_mostly_idle)
{
	run_threads_mixed(64, 2, 16384, 40000, 40, true, true);
}
END_TEST

/*
 * A module of another release: this test links with -Wl,--wrap=ioctl (see
 * the unit-ldflags line below), so libvigil's VIGIL_IOC_INFO on /dev/null
 * can be answered with another ABI version.
 * unit-ldflags: -Wl,--wrap=ioctl
 */
int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);
static unsigned fake_abi;	/* nonzero: VIGIL_IOC_INFO says this ABI */

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fake_abi && req == VIGIL_IOC_INFO) {
		struct vigil_info *i = arg;

		memset(i, 0, sizeof(*i));
		i->abi_version = fake_abi;
		i->nr_rings = 2;
		i->page_size = VIGIL_PAGE_SIZE;
		i->nr_events = VIGIL_EVT_NR + 3;
		return 0;
	}
	return __real_ioctl(fd, req, arg);
}

START_TEST(abi_mismatch)
{
	char err[512], want[64];
	struct ring_opts o = { .dev = "/dev/null" };

	fake_abi = VIGIL_ABI_VERSION + 1;
	ck_assert_ptr_null(ring_open(&o, err, sizeof(err)));
	fake_abi = 0;
	snprintf(want, sizeof(want), "speaks ABI %u (%u event types)", VIGIL_ABI_VERSION + 1,
		 (unsigned)VIGIL_EVT_NR + 3);
	ck_assert_msg(strstr(err, "/dev/null: the loaded module") && strstr(err, want) &&
		      strstr(err, "load the vigil module of the same release"), "got: %s", err);
}
END_TEST

START_TEST(device_errors)
{
	char err[512];
	struct ring_opts o = { .dev = "/nonexistent/vigil" };
	struct vigil_info info;

	ck_assert_ptr_null(ring_open(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/vigil") && strstr(err, "is the vigil module loaded"),
		      "got: %s", err);
	o.dev = "/dev/null";
	ck_assert_ptr_null(ring_open(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "VIGIL_IOC_INFO") && strstr(err, "not a vigil device"),
		      "got: %s", err);
	ck_assert_int_eq(ring_open_control("/dev/null", &info, err, sizeof(err)), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, merge_order_and_window);
	tcase_add_test(tc, malformed_and_desync);
	tcase_add_test(tc, wrap_varsize_one_ring);
	tcase_add_test(tc, threads_four_rings);
	tcase_add_test(tc, threads_skip_without_pad);
	tcase_add_test(tc, threads_many_rings_mostly_idle);
	tcase_add_test(tc, device_errors);
	tcase_add_test(tc, abi_mismatch);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);

	srunner_free(sr);
	return nf ? 1 : 0;
}
