/* SPDX-License-Identifier: MIT */
/*
 * device.c - the reader over /dev/vigil: ABI check, configuration ioctls,
 * two mmaps per ring (consumer page RW; producer page + data RO), poll()
 * for wake-ups, and the merge (merge.c) on top.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ring/ring.h"

struct ring_reader {
	int fd;
	char *dev;
	struct vigil_info info;
	struct ring_src *src;		/* present rings only */
	unsigned nsrc;
	void **cons_map, **prod_map;	/* by cpu; NULL for an absent ring */
	size_t prod_len;
	struct ring_merge m;
	bool draining;
	bool woke;		/* the last poll() said readable */
	uint64_t mark;		/* progress() when we last went to wait */
	uint64_t batch;		/* records read since we last waited */
};

/*
 * Wake-ups cost the traced CPUs (an irq_work and an IPI each), so under a
 * heavy flow the reader does not ask for one per drain: when the last
 * wait brought at least RING_BUSY_RECORDS records, it naps RING_NAP_MS
 * without arming a wake-up and reads again. Records then arrive in
 * batches of about a millisecond; a quiet system still wakes the reader on
 * the first record (watermark 1), so alert latency stays low.
 */
#define RING_BUSY_RECORDS	64
#define RING_NAP_MS		1

/* Changes whenever the merge saw anything new. */
static uint64_t progress(const struct ring_reader *r)
{
	return r->m.st.records + r->m.st.malformed + r->m.st.pads + r->m.st.desyncs +
	       r->m.newest_ts;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;	/* callers may look at why (EBUSY...) */

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return -1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int open_dev(const char *dev, char *err, size_t errlen)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		return fail(err, errlen, "%s: %s: is the vigil module loaded? (modprobe vigil)",
			    dev, strerror(errno));
	case EBUSY:
		return fail(err, errlen, "%s: %s: another vigil process has the device open",
			    dev, strerror(errno));
	case EACCES:
	case EPERM:
		return fail(err, errlen, "%s: %s: needs root (CAP_SYS_ADMIN)", dev, strerror(errno));
	default:
		return fail(err, errlen, "%s: %s", dev, strerror(errno));
	}
}

static int get_info(int fd, const char *dev, struct vigil_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, VIGIL_IOC_INFO, info) < 0)
		return fail(err, errlen, "%s: VIGIL_IOC_INFO: %s%s", dev, strerror(errno),
			    errno == ENOTTY ? " (not a vigil device?)" : "");
	return 0;
}

int ring_open_control(const char *dev, struct vigil_info *info, char *err, size_t errlen)
{
	if (!dev)
		dev = VIGIL_DEVICE_PATH;
	int fd = open_dev(dev, err, errlen);

	if (fd < 0)
		return -1;
	if (get_info(fd, dev, info, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int set_u32(struct ring_reader *r, unsigned long req, const char *name, uint32_t v,
		   char *err, size_t errlen)
{
	if (ioctl(r->fd, req, &v) < 0)
		return fail(err, errlen, "%s: %s(%u): %s", r->dev, name, v, strerror(errno));
	return 0;
}

static void unmap_all(struct ring_reader *r)
{
	for (unsigned i = 0; r->cons_map && r->prod_map && i < r->info.nr_rings; i++) {
		if (r->cons_map[i] && r->cons_map[i] != MAP_FAILED)
			munmap(r->cons_map[i], r->info.page_size);
		if (r->prod_map[i] && r->prod_map[i] != MAP_FAILED)
			munmap(r->prod_map[i], r->prod_len);
	}
}

struct ring_reader *ring_open(const struct ring_opts *o, char *err, size_t errlen)
{
	struct ring_opts dflt = { 0 };
	struct ring_reader *r;

	if (!o)
		o = &dflt;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->dev = strdup(o->dev ? o->dev : VIGIL_DEVICE_PATH))) {
		fail(err, errlen, "ring: out of memory");
		free(r);
		return NULL;
	}
	r->fd = open_dev(r->dev, err, errlen);
	if (r->fd < 0)
		goto fail_open;
	if (get_info(r->fd, r->dev, &r->info, err, errlen) < 0)
		goto fail_setup;
	if (r->info.abi_version != VIGIL_ABI_VERSION || r->info.nr_events != VIGIL_EVT_NR) {
		fail(err, errlen,
		     "%s: the loaded module speaks ABI %u (%u event types), this vigil speaks "
		     "ABI %u (%u event types): load the vigil module of the same release "
		     "(rmmod vigil; then modprobe the module installed with this vigil, "
		     "or `dkms install` it)", r->dev, r->info.abi_version,
		     r->info.nr_events, VIGIL_ABI_VERSION, (unsigned)VIGIL_EVT_NR);
		goto fail_setup;
	}
	if ((o->ring_size && set_u32(r, VIGIL_IOC_SET_RING_SIZE, "VIGIL_IOC_SET_RING_SIZE",
				     o->ring_size, err, errlen) < 0) ||
	    (o->snaplen && set_u32(r, VIGIL_IOC_SET_SNAPLEN, "VIGIL_IOC_SET_SNAPLEN",
				   o->snaplen, err, errlen) < 0) ||
	    set_u32(r, VIGIL_IOC_SET_FLAGS, "VIGIL_IOC_SET_FLAGS", o->flags, err, errlen) < 0 ||
	    get_info(r->fd, r->dev, &r->info, err, errlen) < 0)
		goto fail_setup;
	uint32_t ps = r->info.page_size, rs = r->info.ring_size, n = r->info.nr_rings;

	if (ps != VIGIL_PAGE_SIZE || !rs || (rs & (rs - 1)) || !n || n > RING_MERGE_MAX) {
		fail(err, errlen, "%s: module reports page size %u, ring size %u, %u rings: "
		     "not usable", r->dev, ps, rs, n);
		goto fail_setup;
	}
	r->prod_len = (size_t)ps + rs;
	/* a CPU id that is not possible (a hole in the mask) has no ring */
	r->src = calloc(n, sizeof(*r->src));
	r->cons_map = calloc(n, sizeof(void *));
	r->prod_map = calloc(n, sizeof(void *));
	if (!r->src || !r->cons_map || !r->prod_map) {
		fail(err, errlen, "ring: out of memory for %u rings", n);
		goto fail_maps;
	}
	for (uint32_t i = 0; i < n; i++) {
		off_t base = (off_t)i * (2 * (off_t)ps + rs);
		struct vigil_cpu_stats probe;
		int pr = ring_cpu_stats(r, i, &probe, err, errlen);

		if (pr < 0)
			goto fail_maps;
		if (pr > 0)
			continue;

		r->cons_map[i] = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, base);
		if (r->cons_map[i] == MAP_FAILED) {
			fail(err, errlen, "%s: mmap of ring %u consumer page (offset %lld): %s",
			     r->dev, i, (long long)base, strerror(errno));
			goto fail_maps;
		}
		r->prod_map[i] = mmap(NULL, r->prod_len, PROT_READ, MAP_SHARED, r->fd, base + ps);
		if (r->prod_map[i] == MAP_FAILED) {
			fail(err, errlen, "%s: mmap of ring %u data (offset %lld, %zu bytes): %s",
			     r->dev, i, (long long)(base + ps), r->prod_len, strerror(errno));
			goto fail_maps;
		}
		struct ring_src *s = &r->src[r->nsrc++];

		s->cons = r->cons_map[i];
		s->prod = r->prod_map[i];
		s->data = (const uint8_t *)r->prod_map[i] + ps;
		s->size = rs;
		__atomic_store_n(&s->cons->watermark, o->watermark, __ATOMIC_RELAXED);
	}
	if (!r->nsrc) {
		fail(err, errlen, "%s: none of the %u rings is present", r->dev, n);
		goto fail_maps;
	}
	ring_merge_init(&r->m, r->src, r->nsrc, o->reorder_ns);
	return r;

fail_maps:
	unmap_all(r);
	free(r->src);
	free(r->cons_map);
	free(r->prod_map);
fail_setup:
	close(r->fd);
fail_open:
	free(r->dev);
	free(r);
	return NULL;
}

int ring_set_events(struct ring_reader *r, const unsigned *types, size_t n,
		    char *err, size_t errlen)
{
	struct vigil_evt_bitmap bm;

	memset(&bm, 0, sizeof(bm));
	for (size_t i = 0; i < n; i++) {
		if (types[i] >= VIGIL_EVT_NR)
			return fail(err, errlen, "ring: event type %u out of range", types[i]);
		if (evt_table[types[i]].source == VIGIL_SRC_USER)
			return fail(err, errlen, "ring: event '%s' is made by userspace, "
				    "the module cannot emit it", evt_table[types[i]].name);
		bm.bits[types[i] / 64] |= 1ull << (types[i] % 64);
	}
	if (ioctl(r->fd, VIGIL_IOC_SET_EVENTS, &bm) < 0)
		return fail(err, errlen, "%s: VIGIL_IOC_SET_EVENTS: %s", r->dev, strerror(errno));
	return 0;
}

int ring_set_all_events(struct ring_reader *r, char *err, size_t errlen)
{
	unsigned types[VIGIL_EVT_NR];
	size_t n = 0;

	for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
		if (evt_table[t].source != VIGIL_SRC_USER)
			types[n++] = t;
	return ring_set_events(r, types, n, err, errlen);
}

int ring_start(struct ring_reader *r, char *err, size_t errlen)
{
	if (ioctl(r->fd, VIGIL_IOC_START) < 0)
		return fail(err, errlen, "%s: VIGIL_IOC_START: %s", r->dev, strerror(errno));
	r->draining = false;
	return 0;
}

int ring_stop(struct ring_reader *r, char *err, size_t errlen)
{
	r->draining = true;
	if (ioctl(r->fd, VIGIL_IOC_STOP) < 0)
		return fail(err, errlen, "%s: VIGIL_IOC_STOP: %s", r->dev, strerror(errno));
	return 0;
}

int ring_next(struct ring_reader *r, struct evt *ev, int timeout_ms, char *err, size_t errlen)
{
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX
					   : mono_ns() + (uint64_t)timeout_ms * 1000000ull;

	for (;;) {
		uint64_t wait, now;

		/* the clock is read only when the plain merge has to hold */
		if (ring_merge_next(&r->m, r->draining ? RING_NOW_FLUSH : 0, ev, &wait)) {
			r->batch++;
			return 1;
		}
		if (!r->draining && wait != UINT64_MAX &&
		    ring_merge_next(&r->m, mono_ns(), ev, &wait)) {
			r->batch++;
			return 1;
		}
		if (r->draining) {
			ring_merge_release(&r->m);
			return 0;
		}
		now = mono_ns();
		if (now >= deadline)
			return 0;
		uint64_t left = deadline - now;

		if (wait < left)
			left = wait;
		int ms = left == UINT64_MAX ? -1
			 : left / 1000000ull > 60000 ? 60000 : (int)((left + 999999) / 1000000ull);
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		/*
		 * Records held for the reorder window keep the device readable,
		 * so poll() would return at once until the window passes; when
		 * the last wake-up brought nothing new, wait out the (short)
		 * window with a plain timed poll instead of spinning.
		 */
		uint64_t mark = progress(r);
		bool spun = r->woke && mark == r->mark && wait != UINT64_MAX;
		bool busy = r->batch >= RING_BUSY_RECORDS;

		r->batch = 0;
		if (busy && (ms < 0 || ms > RING_NAP_MS))
			ms = RING_NAP_MS;
		int rc = spun || busy ? poll(NULL, 0, ms) : poll(&pfd, 1, ms);

		r->mark = mark;
		r->woke = !spun && !busy && rc > 0;

		if (rc < 0) {
			if (errno == EINTR)
				return 0;
			return fail(err, errlen, "%s: poll: %s", r->dev, strerror(errno));
		}
		if (rc > 0 && (pfd.revents & (POLLERR | POLLNVAL)))
			return fail(err, errlen, "%s: poll: device error (revents 0x%x)",
				    r->dev, (unsigned)pfd.revents);
	}
}

const struct vigil_info *ring_info(const struct ring_reader *r)
{
	return &r->info;
}

const struct ring_ustats *ring_ustats(const struct ring_reader *r)
{
	return &r->m.st;
}

int ring_get_stats(int fd, const char *dev, unsigned cpu, struct vigil_cpu_stats *st,
		   char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	st->cpu = cpu;
	if (ioctl(fd, VIGIL_IOC_GET_STATS, st) == 0)
		return 0;
	int e = errno;

	memset(st, 0, sizeof(*st));
	st->cpu = cpu;
	if (e == EINVAL || e == ENODEV)
		return 1;	/* no ring for this CPU id */
	return fail(err, errlen, "%s: VIGIL_IOC_GET_STATS(cpu %u): %s", dev ? dev : VIGIL_DEVICE_PATH,
		    cpu, strerror(e));
}

int ring_cpu_stats(struct ring_reader *r, unsigned cpu, struct vigil_cpu_stats *st,
		   char *err, size_t errlen)
{
	return ring_get_stats(r->fd, r->dev, cpu, st, err, errlen);
}

void ring_close(struct ring_reader *r)
{
	if (!r)
		return;
	ring_merge_release(&r->m);
	unmap_all(r);
	free(r->src);
	free(r->cons_map);
	free(r->prod_map);
	close(r->fd);
	free(r->dev);
	free(r);
}
