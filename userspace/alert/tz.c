/* SPDX-License-Identifier: MIT */
/* tz.c - minimal TZif (v2+, 64-bit section) reader for maintenance windows.
 * Debian ships "fat" TZif files (explicit transitions to 2037); past the last
 * transition the last offset is used. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/tz.h"

struct tz {
	size_t n;		/* transitions */
	int64_t *when;		/* sorted UTC instants */
	int32_t *off;		/* offset in effect from when[i] */
	int32_t off0;		/* before the first transition */
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int valid_name(const char *name)
{
	if (!*name || name[0] == '/' || strstr(name, ".."))
		return 0;
	for (const char *p = name; *p; p++)
		if (!(*p == '/' || *p == '_' || *p == '-' || *p == '+' ||
		      (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return 0;
	return 1;
}

struct tz *tz_load(const char *name, char *err, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	unsigned char *buf = NULL;
	struct tz *tz = NULL;
	char path[512];
	size_t len = 0, cap = 0, o;
	uint32_t cnt[6];
	FILE *f;

	if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC")) {
		tz = calloc(1, sizeof(*tz));
		if (!tz)
			snprintf(err, errlen, "out of memory");
		return tz;
	}
	if (!valid_name(name)) {
		snprintf(err, errlen, "invalid time zone name '%s'", name);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/usr/share/zoneinfo", name);
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "unknown time zone '%s' (%s: %s)", name, path,
			 strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t r;

		if (len == cap) {
			unsigned char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb)
				goto bad;
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len, f);
		if (!r)
			break;
		len += r;
		if (len > (1u << 20))
			goto bad;
	}
	fclose(f);
	f = NULL;
	if (len < 44 || memcmp(buf, "TZif", 4) || buf[4] < '2')
		goto bad;
	/* skip the v1 body */
	for (int i = 0; i < 6; i++)
		cnt[i] = be32(buf + 20 + 4 * i);
	o = 44 + cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
	if (o + 44 > len || memcmp(buf + o, "TZif", 4))
		goto bad;
	for (int i = 0; i < 6; i++)
		cnt[i] = be32(buf + o + 20 + 4 * i);
	{
		/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
		size_t tc = cnt[3], ty = cnt[4];
		const unsigned char *p = buf + o + 44, *idx, *types;

		if (ty == 0 || o + 44 + tc * 9 + ty * 6 > len)
			goto bad;
		idx = p + tc * 8;
		types = idx + tc;
		tz = calloc(1, sizeof(*tz));
		if (!tz)
			goto bad;
		tz->n = tc;
		tz->when = calloc(tc + 1, sizeof(int64_t));
		tz->off = calloc(tc + 1, sizeof(int32_t));
		if (!tz->when || !tz->off)
			goto bad;
		for (size_t i = 0; i < tc; i++) {
			unsigned t = idx[i];

			if (t >= ty)
				goto bad;
			tz->when[i] = be64(p + 8 * i);
			tz->off[i] = (int32_t)be32(types + 6 * t);
		}
		tz->off0 = (int32_t)be32(types);	/* type 0 */
	}
	free(buf);
	return tz;
bad:
	snprintf(err, errlen, "time zone '%s': cannot read %s (not TZif v2+)", name, path);
	if (f)
		fclose(f);
	free(buf);
	tz_free(tz);
	return NULL;
}

void tz_free(struct tz *tz)
{
	if (!tz)
		return;
	free(tz->when);
	free(tz->off);
	free(tz);
}

long tz_offset(const struct tz *tz, time_t t)
{
	size_t lo = 0, hi;

	if (!tz->n)
		return tz->off0;
	if ((int64_t)t < tz->when[0])
		return tz->off0;
	hi = tz->n;	/* find last when[i] <= t */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (tz->when[mid] <= (int64_t)t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->off[lo];
}

void tz_localtime(const struct tz *tz, time_t t, struct tm *out)
{
	time_t l = t + tz_offset(tz, t);

	gmtime_r(&l, out);
}
