/* SPDX-License-Identifier: MIT */
/*
 * render.c - evt_param_render(): one parameter as text, the way `vigil
 * dump` and evt.arg.NAME show it (see event.h for the forms).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "event/event.h"
#include "event/flagsets.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + 1 < o->size) {
		size_t room = o->size - o->len - 1;
		size_t k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
		o->buf[o->len + k] = '\0';
	}
	o->len += n;
}

static void putc_(struct out *o, char c)
{
	put(o, &c, 1);
}

static void putf_u(struct out *o, const char *fmt, uint64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), fmt, v);

	put(o, num, (size_t)n);
}

static void put_s64(struct out *o, int64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	put(o, num, (size_t)n);
}

/* Length of a valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	size_t k;
	uint32_t cp;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	k = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (n < k)
		return 0;
	cp = p[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* Text with control bytes and invalid UTF-8 escaped as \xNN. */
static void put_text(struct out *o, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;

		while (run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '\\')
			run++;
		put(o, (const char *)p + i, run - i);
		i = run;
		if (i >= n)
			break;
		size_t k = p[i] >= 0x80 ? utf8_len(p + i, n - i) : 0;

		if (k) {
			put(o, (const char *)p + i, k);
			i += k;
		} else if (p[i] == '\\') {
			put(o, "\\\\", 2);
			i++;
		} else {
			putf_u(o, "\\x%02" PRIx64, p[i]);
			i++;
		}
	}
}

static void put_addr(struct out *o, const struct evt_sockaddr *sa, bool port)
{
	char ip[INET6_ADDRSTRLEN];

	switch (sa->family) {
	case AF_INET:
		inet_ntop(AF_INET, sa->addr, ip, sizeof(ip));
		put(o, ip, strlen(ip));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, sa->addr, ip, sizeof(ip));
		putc_(o, '[');
		put(o, ip, strlen(ip));
		putc_(o, ']');
		break;
	case AF_UNIX:
		if (sa->pathlen && sa->path[0] == '\0') {
			putc_(o, '@');
			put_text(o, (const uint8_t *)sa->path + 1, sa->pathlen - 1);
		} else {
			put_text(o, (const uint8_t *)sa->path, sa->pathlen);
		}
		return;
	default:
		putf_u(o, "family=%" PRIu64, sa->family);
		return;
	}
	if (port)
		putf_u(o, ":%" PRIu64, sa->port);
}

static void put_errno(struct out *o, int64_t v)
{
	const char *name = v < 0 && v > -4096 ? strerrorname_np((int)-v) : NULL;

	if (name)
		put(o, name, strlen(name));
	else
		put_s64(o, v);
}

size_t evt_param_render(const struct evt *ev, unsigned idx, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	if (!ev || !ev->info || idx >= ev->info->nparams)
		return 0;
	const struct evt_param *pp = &ev->params[idx];
	const struct evt_param_info *pi = &ev->info->params[idx];

	if (!pp->len)
		return 0;
	uint64_t u = evt_get_u64(ev, idx, 0);

	switch (pi->type) {
	case VIGIL_PT_S64:
	case VIGIL_PT_FD:
	case VIGIL_PT_PID:
		if ((int64_t)u < 0 && evt_param_is_result(ev, idx))
			put_errno(&o, (int64_t)u);
		else
			put_s64(&o, (int64_t)u);
		break;
	case VIGIL_PT_ERRNO:
		put_errno(&o, (int64_t)u);
		break;
	case VIGIL_PT_U64:
	case VIGIL_PT_U32:
	case VIGIL_PT_UID:
	case VIGIL_PT_GID:
		putf_u(&o, "%" PRIu64, u);
		break;
	case VIGIL_PT_MODE:
		putf_u(&o, u ? "0%" PRIo64 : "%" PRIo64, u);	/* 0644, 0 */
		break;
	case VIGIL_PT_DEV:
		putf_u(&o, "0x%" PRIx64, u);
		break;
	case VIGIL_PT_FLAGS32:
	case VIGIL_PT_FLAGS64:
	case VIGIL_PT_ENUM: {
		char tmp[512];
		size_t n = evt_flags_render(pi->flagset, u, pi->type == VIGIL_PT_ENUM,
					    tmp, sizeof(tmp));

		put(&o, tmp, n < sizeof(tmp) ? n : sizeof(tmp) - 1);
		break;
	}
	case VIGIL_PT_PATH:
	case VIGIL_PT_STR:
		put_text(&o, pp->val, pp->len);
		break;
	case VIGIL_PT_STRARRAY: {
		size_t n = pp->len;

		if (n && pp->val[n - 1] == '\0')
			n--;
		for (size_t i = 0; i < n;) {
			const uint8_t *z = memchr(pp->val + i, '\0', n - i);
			size_t k = z ? (size_t)(z - (pp->val + i)) : n - i;

			if (i)
				putc_(&o, ' ');
			put_text(&o, pp->val + i, k);
			i += k + 1;
		}
		break;
	}
	case VIGIL_PT_BYTES: {
		char tmp[256];
		size_t n = 0;

		for (size_t i = 0; i < pp->len; i++) {
			uint8_t c = pp->val[i];

			tmp[n++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
			if (n == sizeof(tmp)) {
				put(&o, tmp, n);
				n = 0;
			}
		}
		put(&o, tmp, n);
		break;
	}
	case VIGIL_PT_SOCKADDR: {
		struct evt_sockaddr sa;

		if (evt_get_sockaddr(ev, idx, &sa))
			put_addr(&o, &sa, true);
		break;
	}
	case VIGIL_PT_SOCKTUPLE: {
		struct evt_sockaddr l, r;

		if (!evt_get_tuple(ev, idx, &l, &r))
			break;
		if (l.family == AF_UNIX) {
			put_addr(&o, &r, false);
			break;
		}
		put_addr(&o, &l, true);
		if (l.family == AF_INET || l.family == AF_INET6) {
			put(&o, "->", 2);
			put_addr(&o, &r, true);
		}
		break;
	}
	case VIGIL_PT_NR:
		break;
	}
	return o.len;
}
