/* SPDX-License-Identifier: MIT */
/*
 * decode.c - evt_decode(): checks a raw record against the event table
 * without trusting any length in it, and indexes its parameters; plus the
 * typed accessors over a decoded event.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "event/event.h"

static const char *const decode_errs[EVT_ERR__NR] = {
	[EVT_OK] = "ok",
	[EVT_ERR_SHORT] = "record shorter than its header or parameter lengths",
	[EVT_ERR_LEN] = "record length smaller than the header or past the end of the data",
	[EVT_ERR_TYPE] = "unknown event type",
	[EVT_ERR_NPARAMS] = "parameter count differs from the event table",
	[EVT_ERR_PARAMLEN] = "parameter runs past the end of the record",
	[EVT_ERR_PARAMSIZE] = "fixed-size parameter has the wrong size",
	[EVT_ERR_ALIGN] = "record not 8-byte aligned",
};

const char *evt_decode_strerror(enum evt_decode_err err)
{
	if ((unsigned)err >= EVT_ERR__NR)
		return "unknown decode error";
	return decode_errs[err];
}

enum evt_decode_err evt_decode(const void *buf, size_t avail, struct evt *out)
{
	const uint8_t *p = buf;
	struct vigil_evt_hdr h;

	if (avail < sizeof(h))
		return EVT_ERR_SHORT;
	if ((uintptr_t)p & (VIGIL_RECORD_ALIGN - 1))
		return EVT_ERR_ALIGN;
	memcpy(&h, p, sizeof(h));
	if (h.len < sizeof(h) || h.len > avail)
		return EVT_ERR_LEN;
	if (h.len & (VIGIL_RECORD_ALIGN - 1))
		return EVT_ERR_ALIGN;
	if (h.type >= VIGIL_EVT_NR)
		return EVT_ERR_TYPE;

	const struct evt_info *ei = &evt_table[h.type];

	if (h.nparams != ei->nparams)
		return EVT_ERR_NPARAMS;

	size_t off = sizeof(h) + 2u * h.nparams;

	if (off > h.len)
		return EVT_ERR_SHORT;
	const uint8_t *lens = p + sizeof(h);

	for (unsigned i = 0; i < h.nparams; i++) {
		uint16_t raw;

		memcpy(&raw, lens + 2 * i, 2);
		uint16_t len = raw & VIGIL_PARAM_LEN_MASK;

		if (len > h.len - off)
			return EVT_ERR_PARAMLEN;
		uint8_t fixed = evt_ptype[ei->params[i].type].size;

		if (len && fixed && len != fixed)
			return EVT_ERR_PARAMSIZE;
		out->params[i].val = len ? p + off : NULL;
		out->params[i].len = len;
		out->params[i].flags = raw & (VIGIL_PARAM_FAULT | VIGIL_PARAM_TRUNC);
		off += len;
	}
	out->hdr = (const struct vigil_evt_hdr *)buf;
	out->info = ei;
	return EVT_OK;
}

static const struct evt_param *param(const struct evt *ev, unsigned idx)
{
	if (!ev || !ev->info || idx >= ev->info->nparams || !ev->params[idx].len)
		return NULL;
	return &ev->params[idx];
}

uint64_t evt_get_u64(const struct evt *ev, unsigned idx, uint64_t dflt)
{
	const struct evt_param *pp = param(ev, idx);

	if (!pp)
		return dflt;
	if (pp->len == 8) {
		uint64_t v;

		memcpy(&v, pp->val, 8);
		return v;
	}
	if (pp->len == 4 && evt_ptype[ev->info->params[idx].type].size == 4) {
		uint32_t v;

		memcpy(&v, pp->val, 4);
		return v;
	}
	return dflt;
}

int64_t evt_get_s64(const struct evt *ev, unsigned idx, int64_t dflt)
{
	const struct evt_param *pp = param(ev, idx);

	if (!pp || !evt_ptype[ev->info->params[idx].type].size)
		return dflt;
	return (int64_t)evt_get_u64(ev, idx, (uint64_t)dflt);
}

const char *evt_get_str(const struct evt *ev, unsigned idx, size_t *len)
{
	const struct evt_param *pp = param(ev, idx);

	if (len)
		*len = 0;
	if (!pp || evt_ptype[ev->info->params[idx].type].size)
		return NULL;
	if (len)
		*len = pp->len;
	return (const char *)pp->val;
}

bool evt_param_is_result(const struct evt *ev, unsigned idx)
{
	return ev && ev->info && idx == 0 && ev->info->source == VIGIL_SRC_SYSCALL &&
	       ev->info->nparams > 0;
}

/* One address (family already consumed) of `alen` bytes + port, or a unix
 * path. Returns bytes used, or 0 if too short. */
static size_t get_addr(const uint8_t *p, size_t n, uint8_t fam, struct evt_sockaddr *sa)
{
	size_t alen = fam == AF_INET ? 4 : 16;

	if (n < alen + 2)
		return 0;
	memcpy(sa->addr, p, alen);
	memcpy(&sa->port, p + alen, 2);
	return alen + 2;
}

static void sa_init(struct evt_sockaddr *sa, uint8_t fam)
{
	memset(sa, 0, sizeof(*sa));
	sa->family = fam;
}

bool evt_get_sockaddr(const struct evt *ev, unsigned idx, struct evt_sockaddr *sa)
{
	const struct evt_param *pp = param(ev, idx);

	if (!pp || !sa)
		return false;
	uint8_t fam = pp->val[0];
	const uint8_t *p = pp->val + 1;
	size_t n = pp->len - 1u;

	sa_init(sa, fam);
	if (fam == AF_INET || fam == AF_INET6)
		return get_addr(p, n, fam, sa) == n;
	if (fam == AF_UNIX) {
		sa->path = (const char *)p;
		sa->pathlen = n;
	}
	return true;
}

bool evt_get_tuple(const struct evt *ev, unsigned idx,
		   struct evt_sockaddr *local, struct evt_sockaddr *remote)
{
	const struct evt_param *pp = param(ev, idx);

	if (!pp || !local || !remote)
		return false;
	uint8_t fam = pp->val[0];
	const uint8_t *p = pp->val + 1;
	size_t n = pp->len - 1u;

	sa_init(local, fam);
	sa_init(remote, fam);
	if (fam == AF_INET || fam == AF_INET6) {
		size_t a = get_addr(p, n, fam, local);

		if (!a)
			return false;
		return get_addr(p + a, n - a, fam, remote) == n - a && n == 2 * a;
	}
	if (fam == AF_UNIX) {
		remote->path = (const char *)p;
		remote->pathlen = n;
	}
	return true;
}
