/* SPDX-License-Identifier: MIT */
/* expect.c - see expect.h. */
#include "expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PNAME(ev, n, t, f) #n,
#define NOPARAM(ev, n, t, f)
#define EV_NAMES(id, name, src, nr, ...) static const char *const pn_##id[] = { __VA_ARGS__ NULL };
VIGIL_EVENT_TABLE(EV_NAMES, PNAME)
#define EV_ROW(id, name, src, nr, ...) [VIGIL_EVT_##id] = { name, VIGIL_NP_##id, pn_##id },
static const struct {
	const char *name;
	int np;
	const char *const *pn;
} evt[VIGIL_EVT_NR] = { VIGIL_EVENT_TABLE(EV_ROW, NOPARAM) };

static char *out;		/* all closed expectations, JSON lines */
static size_t out_len, out_cap;
static int cur_type = -1, cur_tid;
static char cur_label[128];
static char *cur_val[VIGIL_MAX_PARAMS];
static unsigned char seen_type[VIGIL_EVT_NR];

static void append(const char *s)
{
	size_t n = strlen(s);

	if (out_len + n + 1 > out_cap) {
		out_cap = (out_len + n + 1) * 2 + 4096;
		out = realloc(out, out_cap);
		if (!out)
			abort();
	}
	memcpy(out + out_len, s, n + 1);
	out_len += n;
}

/* JSON string body of s (escaped), into buf. */
static void jesc(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += snprintf(buf + o, size - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, size - o, "\\u%04x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = 0;
}

static char jbuf[16][8192];
static int jnext;
static char *jslot(void)
{
	return jbuf[jnext++ % 16];
}

const char *j_int(long long v)
{
	char *b = jslot();

	snprintf(b, 8192, "{\"i\":%lld}", v);
	return b;
}

const char *j_str(const char *s)
{
	char *b = jslot();
	char e[4096];

	jesc(e, sizeof(e), s);
	snprintf(b, 8192, "{\"s\":\"%s\"}", e);
	return b;
}

const char *j_trunc(const char *s)
{
	char *b = jslot();
	char e[4096];

	jesc(e, sizeof(e), s);
	snprintf(b, 8192, "{\"trunc\":1,\"s\":\"%s\"}", e);
	return b;
}

const char *j_oneof2(const char *a, const char *b)
{
	char *r = jslot();

	snprintf(r, 8192, "{\"oneof\":[%s,%s]}", a, b);
	return r;
}

void x_begin(int type, int tid, const char *label)
{
	if (cur_type >= 0)
		printf("FAIL: trigger/%s: expectation opened inside %s\n", label, cur_label);
	cur_type = type;
	cur_tid = tid;
	snprintf(cur_label, sizeof(cur_label), "%s", label);
	for (unsigned i = 0; i < VIGIL_MAX_PARAMS; i++) {
		free(cur_val[i]);
		cur_val[i] = NULL;
	}
}

void x_raw(int type, int idx, const char *json)
{
	if (type != cur_type || idx < 0 || idx >= evt[type].np) {
		printf("FAIL: trigger/%s: parameter %d of the wrong event\n", cur_label, idx);
		return;
	}
	free(cur_val[idx]);
	cur_val[idx] = strdup(json);
}

void x_int(int type, int idx, long long v)
{
	x_raw(type, idx, j_int(v));
}

void x_str(int type, int idx, const char *s)
{
	x_raw(type, idx, s ? j_str(s) : J_ABSENT);
}

int x_end(void)
{
	char line[512], lab[256];
	int t = cur_type, rc = 0;

	if (t < 0)
		return -1;
	for (int i = 0; i < evt[t].np; i++) {
		if (!cur_val[i]) {
			printf("FAIL: trigger/%s: no expected value for %s.%s\n",
			       cur_label, evt[t].name, evt[t].pn[i]);
			rc = -1;
		}
	}
	if (rc == 0) {
		jesc(lab, sizeof(lab), cur_label);
		snprintf(line, sizeof(line), "{\"label\":\"%s\",\"type\":\"%s\",\"tid\":%d,\"params\":{",
			 lab, evt[t].name, cur_tid);
		append(line);
		for (int i = 0; i < evt[t].np; i++) {
			snprintf(line, sizeof(line), "%s\"%s\":", i ? "," : "", evt[t].pn[i]);
			append(line);
			append(cur_val[i]);
		}
		append("}}\n");
		seen_type[t] = 1;
	}
	cur_type = -1;
	return rc;
}

int x_flush_fd(int fd)
{
	size_t off = 0;

	while (off < out_len) {
		ssize_t n = write(fd, out + off, out_len - off);

		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	out_len = 0;
	return 0;
}

void x_reset(void)
{
	out_len = 0;
	cur_type = -1;
	memset(seen_type, 0, sizeof(seen_type));
}

int x_types(void)
{
	int n = 0;

	for (int i = 0; i < VIGIL_EVT_NR; i++)
		n += seen_type[i];
	return n;
}
