/* SPDX-License-Identifier: MIT */
/*
 * fuzz_decode.c - libFuzzer target for the decode stage and the ring
 * walker: the input is (1) decoded as one record and, if accepted,
 * rendered every way `vigil dump` does; (2) laid out as the published
 * bytes of an in-memory ring and drained with ring_merge (PAD, malformed,
 * desync paths). Invariants: nothing reads outside the input (ASan), every
 * accepted record lies inside the bytes, the drained ring ends with
 * tail == head.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/format.h"
#include "ring/ring.h"

static FILE *devnull;

static void check_event(const struct evt *ev, const uint8_t *lo, const uint8_t *hi)
{
	const uint8_t *p = (const uint8_t *)ev->hdr;
	char buf[128];

	if (p < lo || p + ev->hdr->len > hi || ev->hdr->len < sizeof(struct vigil_evt_hdr))
		abort();
	for (unsigned i = 0; i < ev->info->nparams; i++) {
		if (ev->params[i].len && (ev->params[i].val < p ||
					  ev->params[i].val + ev->params[i].len > p + ev->hdr->len))
			abort();
		size_t n = evt_param_render(ev, i, buf, sizeof(buf));

		if (strlen(buf) != (n < sizeof(buf) ? n : sizeof(buf) - 1))
			abort();
	}
	struct json_object *o = evt_format_json(ev, 1, "live");

	if (!o)
		abort();
	json_object_put(o);
	evt_print_text(devnull, ev, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (size > (1u << 16))
		return 0;
	/* records are 8-byte aligned in rings and capture blocks */
	uint8_t *buf = aligned_alloc(8, (size + 8) & ~(size_t)7);

	memcpy(buf, data, size);
	struct evt ev;

	if (evt_decode(buf, size, &ev) == EVT_OK)
		check_event(&ev, buf, buf + size);

	/* as a ring: data area of the next power of two, head = size & ~7 */
	uint64_t rsize = 64;

	while (rsize < size)
		rsize <<= 1;
	uint8_t *ring = aligned_alloc(8, rsize);
	struct vigil_ring_cons cons = { 0 };
	struct vigil_ring_prod prod = { .head = size & ~(size_t)7, .size = rsize };
	struct ring_src src = { .cons = &cons, .prod = &prod, .data = ring, .size = rsize };
	static struct ring_merge m;	/* big: not on the stack */

	memset(ring, 0, rsize);
	memcpy(ring, data, size);
	ring_merge_init(&m, &src, 1, 0);
	for (int n = 0; ring_merge_next(&m, RING_NOW_FLUSH, &ev, NULL) == 1; n++) {
		check_event(&ev, ring, ring + rsize);
		if (n > 100000)
			abort();	/* the walker must advance */
	}
	ring_merge_release(&m);
	if (cons.tail != prod.head)
		abort();
	free(ring);
	free(buf);
	return 0;
}
