/* SPDX-License-Identifier: MIT */
/*
 * build.c - the record builder (evt_build_*): makes records in the same
 * format the module writes, for the capture snapshot, engine-made events
 * and tests. Every call checks the parameter against the event table.
 */
#include <string.h>
#include <sys/socket.h>

#include "event/event.h"

#define HDR sizeof(struct vigil_evt_hdr)

static bool fail(struct evt_builder *b, const char *why)
{
	if (!b->failed) {
		b->failed = true;
		b->why = why;
	}
	return false;
}

void evt_build_begin(struct evt_builder *b, void *buf, size_t cap, unsigned type,
		     uint64_t ts, uint32_t tid, uint32_t pid)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	b->type = type;
	if (type >= VIGIL_EVT_NR) {
		fail(b, "unknown event type");
		return;
	}
	size_t np = evt_table[type].nparams;

	if (!buf || cap < HDR + 2 * np) {
		fail(b, "buffer smaller than the header");
		return;
	}
	struct vigil_evt_hdr h = {
		.ts = ts, .tid = tid, .pid = pid, .len = 0,
		.type = (uint16_t)type, .nparams = (uint8_t)np, .cpu = 0,
	};
	memcpy(b->buf, &h, HDR);
	memset(b->buf + HDR, 0, 2 * np);
	b->off = HDR + 2 * np;
}

/* Appends one value for the next parameter; `width` 0 = any variable type. */
static void add(struct evt_builder *b, const void *p, size_t len, uint16_t flags,
		unsigned width)
{
	if (b->failed)
		return;
	const struct evt_info *ei = &evt_table[b->type];

	if (b->next >= ei->nparams) {
		fail(b, "more parameters than the event has");
		return;
	}
	uint8_t fixed = evt_ptype[ei->params[b->next].type].size;

	if (len && width != fixed) {
		fail(b, width ? "number width differs from the parameter's type"
			      : "variable-size value for a fixed-size parameter");
		return;
	}
	if (len > VIGIL_PARAM_MAX_LEN) {
		fail(b, "value longer than VIGIL_PARAM_MAX_LEN");
		return;
	}
	if (len > b->cap - b->off || b->off + len > VIGIL_RECORD_MAX) {
		fail(b, "record does not fit");
		return;
	}
	uint16_t l = (uint16_t)(len | (flags & (VIGIL_PARAM_FAULT | VIGIL_PARAM_TRUNC)));

	if (len)
		memcpy(b->buf + b->off, p, len);
	memcpy(b->buf + HDR + 2 * b->next, &l, 2);
	b->off += len;
	b->next++;
}

void evt_build_u64(struct evt_builder *b, uint64_t v)
{
	add(b, &v, 8, 0, 8);
}

void evt_build_u32(struct evt_builder *b, uint32_t v)
{
	add(b, &v, 4, 0, 4);
}

void evt_build_bytes(struct evt_builder *b, const void *p, size_t len, uint16_t flags)
{
	add(b, p, p ? len : 0, flags, 0);
}

void evt_build_str(struct evt_builder *b, const char *s)
{
	add(b, s, s ? strlen(s) : 0, 0, 0);
}

void evt_build_empty(struct evt_builder *b, uint16_t flags)
{
	add(b, NULL, 0, flags, 0);
}

/* Serialises one address (without family) into p; returns bytes. */
static size_t put_addr(uint8_t *p, const struct evt_sockaddr *sa)
{
	size_t alen = sa->family == AF_INET ? 4 : 16;

	memcpy(p, sa->addr, alen);
	memcpy(p + alen, &sa->port, 2);
	return alen + 2;
}

static size_t unix_path(uint8_t *p, size_t room, const struct evt_sockaddr *sa)
{
	size_t n = sa->path ? sa->pathlen : 0;

	if (n > room)
		n = room;
	if (n)
		memcpy(p, sa->path, n);
	return n;
}

void evt_build_sockaddr(struct evt_builder *b, const struct evt_sockaddr *sa)
{
	uint8_t tmp[1 + 256];
	size_t n;

	if (!sa || !sa->family) {
		evt_build_empty(b, 0);
		return;
	}
	tmp[0] = sa->family;
	if (sa->family == AF_INET || sa->family == AF_INET6)
		n = 1 + put_addr(tmp + 1, sa);
	else if (sa->family == AF_UNIX)
		n = 1 + unix_path(tmp + 1, sizeof(tmp) - 1, sa);
	else
		n = 1;
	add(b, tmp, n, 0, 0);
}

void evt_build_tuple(struct evt_builder *b, const struct evt_sockaddr *local,
		     const struct evt_sockaddr *remote)
{
	uint8_t tmp[1 + 256];
	size_t n;

	if (!local || !remote || !local->family) {
		evt_build_empty(b, 0);
		return;
	}
	tmp[0] = local->family;
	if (local->family == AF_INET || local->family == AF_INET6) {
		n = 1 + put_addr(tmp + 1, local);
		n += put_addr(tmp + n, remote);
	} else if (local->family == AF_UNIX) {
		n = 1 + unix_path(tmp + 1, sizeof(tmp) - 1, remote);
	} else {
		n = 1;
	}
	add(b, tmp, n, 0, 0);
}

size_t evt_build_end(struct evt_builder *b)
{
	if (b->failed)
		return 0;
	if (b->next != evt_table[b->type].nparams) {
		fail(b, "fewer parameters than the event has");
		return 0;
	}
	size_t len = (b->off + VIGIL_RECORD_ALIGN - 1) & ~(size_t)(VIGIL_RECORD_ALIGN - 1);

	if (len > b->cap || len > VIGIL_RECORD_MAX) {
		fail(b, "record does not fit");
		return 0;
	}
	memset(b->buf + b->off, 0, len - b->off);
	uint32_t l32 = (uint32_t)len;

	memcpy(b->buf + offsetof(struct vigil_evt_hdr, len), &l32, 4);
	return len;
}
