/* SPDX-License-Identifier: MIT */
/* config.c - the vigil.yaml loader (libyaml document API, keeps marks). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include <yaml.h>

#include "alert/tz.h"
#include "config/config.h"
#include "vigil_abi.h"

struct ld {
	yaml_document_t doc;
	const char *file;
	char *err;
	size_t errlen;
	struct vigil_config *cfg;
	time_t now;
	size_t wlen;
};

typedef int (*item_fn)(struct ld *l, yaml_node_t *n, const char *where, void *arg);

/* --- allocation tracked by the config --- */

static void *cfg_track(struct vigil_config *c, void *p)
{
	if (!p)
		return NULL;
	if (c->nallocs_ == c->callocs_) {
		size_t nc = c->callocs_ ? c->callocs_ * 2 : 64;
		void **na = realloc(c->allocs_, nc * sizeof(void *));

		if (!na) {
			free(p);
			return NULL;
		}
		c->allocs_ = na;
		c->callocs_ = nc;
	}
	c->allocs_[c->nallocs_++] = p;
	return p;
}

static int oom(struct ld *l)
{
	snprintf(l->err, l->errlen, "%s: out of memory", l->file);
	return -1;
}

static void *zalloc(struct ld *l, size_t n, size_t size)
{
	return cfg_track(l->cfg, calloc(n ? n : 1, size));
}

static char *sdup(struct ld *l, const char *s)
{
	return cfg_track(l->cfg, strdup(s));
}

void config_free(struct vigil_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->policy.nsilences; i++)
		tz_free(cfg->policy.silences[i].tz);
	for (size_t i = 0; i < cfg->nallocs_; i++)
		free(cfg->allocs_[i]);
	free(cfg->allocs_);
	free(cfg->warnings);
	free(cfg);
}

/* --- errors and warnings --- */

__attribute__((format(printf, 4, 5)))
static int fail(struct ld *l, const yaml_node_t *n, const char *where, const char *fmt, ...)
{
	size_t o;
	va_list ap;

	o = (size_t)snprintf(l->err, l->errlen, "%s:%zu:%zu: %s: ", l->file,
			     n ? n->start_mark.line + 1 : 0, n ? n->start_mark.column + 1 : 0,
			     where && *where ? where : "(top)");
	if (o < l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err + o, l->errlen - o, fmt, ap);
		va_end(ap);
	}
	return -1;
}

__attribute__((format(printf, 3, 4)))
static void warn(struct ld *l, const yaml_node_t *n, const char *fmt, ...)
{
	char line[512];
	size_t o;
	va_list ap;
	char *nw;

	o = (size_t)snprintf(line, sizeof(line), "%s:%zu: ", l->file,
			     n ? n->start_mark.line + 1 : 0);
	va_start(ap, fmt);
	vsnprintf(line + o, sizeof(line) - o, fmt, ap);
	va_end(ap);
	o = strlen(line);
	nw = realloc(l->cfg->warnings, l->wlen + o + 2);
	if (!nw)
		return;
	memcpy(nw + l->wlen, line, o);
	nw[l->wlen + o] = '\n';
	nw[l->wlen + o + 1] = 0;
	l->wlen += o + 1;
	l->cfg->warnings = nw;
}

/* --- node helpers --- */

static yaml_node_t *node(struct ld *l, int i)
{
	return yaml_document_get_node(&l->doc, i);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* snprintf for "where" paths: truncation is fine there */
__attribute__((format(printf, 3, 4)))
static void wfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static void join(char *buf, size_t len, const char *where, const char *key)
{
	char tmp[256];

	wfmt(tmp, sizeof(tmp), "%s%s%s", where && *where ? where : "",
	     where && *where ? "." : "", key);
	wfmt(buf, len, "%s", tmp);
}

static int get_str(struct ld *l, yaml_node_t *n, const char *where, char **out)
{
	const char *s = scalar(n);

	if (!s)
		return fail(l, n, where, "expected a string");
	*out = sdup(l, s);
	return *out ? 0 : oom(l);
}

static int get_bool(struct ld *l, yaml_node_t *n, const char *where, bool *out)
{
	const char *s = scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
		*out = true;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")))
		*out = false;
	else
		return fail(l, n, where, "expected true or false, got '%s'", s ? s : "(not a scalar)");
	return 0;
}

static int get_num(struct ld *l, yaml_node_t *n, const char *where, long long min,
		   long long max, long long *out)
{
	const char *s = scalar(n);
	char *end;
	long long v;

	if (!s || !*s)
		return fail(l, n, where, "expected a number");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return fail(l, n, where, "expected a whole number, got '%s'", s);
	if (v < min || v > max)
		return fail(l, n, where, "%lld is out of range [%lld, %lld]", v, min, max);
	*out = v;
	return 0;
}

static int get_uint(struct ld *l, yaml_node_t *n, const char *where, unsigned max,
		    unsigned *out)
{
	long long v;

	if (get_num(l, n, where, 0, max, &v))
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int get_double(struct ld *l, yaml_node_t *n, const char *where, double *out)
{
	const char *s = scalar(n);
	char *end;
	double v;

	if (!s || !*s)
		return fail(l, n, where, "expected a number");
	v = strtod(s, &end);
	if (*end || !(v >= 0) || v > 1e9)
		return fail(l, n, where, "expected a number >= 0, got '%s'", s);
	*out = v;
	return 0;
}

long long config_parse_duration(const char *s)
{
	char *end;
	long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v < 0 || v > 100000000)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	if (!strcmp(end, "d"))
		return v * 86400;
	return -1;
}

long long config_parse_size(const char *s)
{
	char *end;
	long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v < 0 || v > (1ll << 40))
		return -1;
	if (!*end)
		return v;
	if (end[1] && strcasecmp(end + 1, "iB") && strcasecmp(end + 1, "B"))
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': return v << 10;
	case 'M': return v << 20;
	case 'G': return v << 30;
	default: return -1;
	}
}

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

time_t config_parse_time(const char *s)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, se = 0;
	long off = 0;
	size_t len;
	time_t t;

	if (!s)
		return -1;
	len = strlen(s);
	if (len < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	s += 10;
	if (*s) {
		if ((*s != 'T' && *s != ' ') || strlen(s) < 9 || s[3] != ':' || s[6] != ':')
			return -1;
		h = digits(s + 1, 2);
		mi = digits(s + 4, 2);
		se = digits(s + 7, 2);
		if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
			return -1;
		s += 9;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
		if (*s == 'Z' && !s[1]) {
			off = 0;
		} else if ((*s == '+' || *s == '-') && strlen(s) == 6 && s[3] == ':') {
			int oh = digits(s + 1, 2), om = digits(s + 4, 2);

			if (oh < 0 || oh > 23 || om < 0 || om > 59)
				return -1;
			off = (oh * 3600L + om * 60L) * (*s == '-' ? -1 : 1);
		} else {
			return -1;
		}
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	return t - off;
}

static int get_time(struct ld *l, yaml_node_t *n, const char *where, time_t *out)
{
	const char *s = scalar(n);
	time_t t = config_parse_time(s);

	if (t == (time_t)-1)
		return fail(l, n, where, "expected a date (2026-12-31) or RFC 3339 time "
			    "(2026-12-31T23:00:00Z), got '%s'", s ? s : "(not a scalar)");
	*out = t;
	return 0;
}

static int get_dur(struct ld *l, yaml_node_t *n, const char *where, unsigned *out)
{
	long long v = config_parse_duration(scalar(n));

	if (v < 0)
		return fail(l, n, where, "expected a duration (30s, 5m, 1h, 1d), got '%s'",
			    scalar(n) ? scalar(n) : "(not a scalar)");
	*out = (unsigned)v;
	return 0;
}

static int get_prio(struct ld *l, yaml_node_t *n, const char *where, int *out)
{
	int p = alert_priority_parse(scalar(n));

	if (p < 0)
		return fail(l, n, where, "unknown priority '%s' (emergency, alert, critical, "
			    "error, warning, notice, informational, debug)",
			    scalar(n) ? scalar(n) : "(not a scalar)");
	*out = p;
	return 0;
}

/* A string or a sequence of strings. */
static int get_list(struct ld *l, yaml_node_t *n, const char *where, char ***out,
		    size_t *nout)
{
	size_t cnt;
	char **v;

	if (n->type == YAML_SCALAR_NODE) {
		v = zalloc(l, 1, sizeof(char *));
		if (!v)
			return oom(l);
		if (get_str(l, n, where, &v[0]))
			return -1;
		*out = v;
		*nout = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, where, "expected a list of strings");
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	v = zalloc(l, cnt, sizeof(char *));
	if (!v)
		return oom(l);
	for (size_t i = 0; i < cnt; i++) {
		char w[256];

		wfmt(w, sizeof(w), "%s[%zu]", where, i);
		if (get_str(l, node(l, n->data.sequence.items.start[i]), w, &v[i]))
			return -1;
	}
	*out = v;
	*nout = cnt;
	return 0;
}

/* Calls fn for each item of a sequence (count via *n first). */
static int each_item(struct ld *l, yaml_node_t *n, const char *where, item_fn fn, void *arg)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, where, "expected a list");
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		char w[256];

		wfmt(w, sizeof(w), "%s[%zu]", where,
			 (size_t)(it - n->data.sequence.items.start));
		if (fn(l, node(l, *it), w, arg))
			return -1;
	}
	return 0;
}

static size_t seq_len(yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE
	       ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start) : 0;
}

/*
 * Mapping walker: calls fn(key, value) for each pair; keys must be in the
 * NULL-terminated list `known` (else an error that lists them); a key may not
 * repeat.
 */
typedef int (*pair_fn)(struct ld *l, const char *key, yaml_node_t *v,
		       const char *where, void *arg);

static int each_pair(struct ld *l, yaml_node_t *n, const char *where,
		     const char *const *known, pair_fn fn, void *arg)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return fail(l, n, where, "expected a mapping (key: value)");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *ks = scalar(k);
		char w[256], list[512] = "";
		size_t i;

		if (!ks)
			return fail(l, k, where, "keys must be strings");
		join(w, sizeof(w), where, ks);
		for (i = 0; known[i]; i++)
			if (!strcmp(known[i], ks))
				break;
		if (!known[i]) {
			for (i = 0; known[i]; i++) {
				strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
				strncat(list, known[i], sizeof(list) - strlen(list) - 1);
			}
			return fail(l, k, w, "unknown key '%s' (known here: %s)", ks, list);
		}
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			const char *qs = scalar(node(l, q->key));

			if (qs && !strcmp(qs, ks))
				return fail(l, k, w, "key '%s' given twice", ks);
		}
		if (fn(l, ks, v, w, arg))
			return -1;
	}
	return 0;
}

static yaml_node_t *map_get(struct ld *l, yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		const char *ks = scalar(node(l, p->key));

		if (ks && !strcmp(ks, key))
			return node(l, p->value);
	}
	return NULL;
}

/* --- exceptions --- */

struct exc_ctx {
	struct policy_exception *e;
	size_t cap;
};

static int exc_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct exc_ctx *x = arg;
	struct policy_exception *e = x->e;
	static const struct { const char *key, *ctx; } conds[] = {
		{ "image", "container.image" }, { "namespace", "k8s.ns.name" },
		{ "owner", "owner" }, { "proc", "proc.name" }, { "exe", "proc.exepath" },
		{ "user", "user.name" }, { "container", "container.name" },
	};

	if (!strcmp(k, "name"))
		return get_str(l, v, w, &e->name);
	if (!strcmp(k, "comment"))
		return get_str(l, v, w, &e->comment);
	if (!strcmp(k, "rule"))
		return get_str(l, v, w, &e->rule);
	if (!strcmp(k, "tag"))
		return get_str(l, v, w, &e->tag);
	if (!strcmp(k, "expires"))
		return get_time(l, v, w, &e->expires);
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		if (!strcmp(k, conds[i].key)) {
			struct policy_cond *c = &e->conds[e->nconds++];

			c->key = (char *)conds[i].ctx;
			return get_str(l, v, w, &c->glob);
		}
	return fail(l, v, w, "unhandled key");
}

static int exc_item(struct ld *l, yaml_node_t *n, const char *where, void *arg)
{
	static const char *const known[] = { "name", "comment", "rule", "tag", "image",
		"namespace", "owner", "proc", "exe", "user", "container", "expires", NULL };
	struct exc_ctx *x = arg;
	struct policy_exception *e = x->e;

	e->line = (int)n->start_mark.line + 1;
	e->conds = zalloc(l, 8, sizeof(*e->conds));
	if (!e->conds)
		return oom(l);
	if (each_pair(l, n, where, known, exc_pair, x))
		return -1;
	if (!e->name)
		return fail(l, n, where, "an exception needs a 'name'");
	if (!e->comment)
		return fail(l, n, where, "exception '%s' needs a 'comment' (why it exists)", e->name);
	if (!e->rule && !e->tag)
		return fail(l, n, where, "exception '%s' needs a 'rule' or a 'tag'", e->name);
	if (e->expires && l->now >= e->expires) {
		char ts[64];
		struct tm tm;

		gmtime_r(&e->expires, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		warn(l, n, "exception '%s' expired on %s and no longer applies", e->name, ts);
	}
	x->e++;
	return 0;
}

/* --- silences --- */

static int parse_hhmm(const char *s)
{
	int h, m;

	if (!s || strlen(s) != 5 || s[2] != ':')
		return -1;
	h = digits(s, 2);
	m = digits(s + 3, 2);
	if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

static int day_index(const char *s)
{
	static const char *const days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

	for (int i = 0; s && i < 7; i++)
		if (!strncasecmp(s, days[i], 3) && (strlen(s) == 3 || strlen(s) > 5))
			return i;
	return -1;
}

static int weekly_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct policy_silence *s = arg;

	if (!strcmp(k, "days")) {
		char **d;
		size_t n;

		if (get_list(l, v, w, &d, &n))
			return -1;
		for (size_t i = 0; i < n; i++) {
			int di = !strcasecmp(d[i], "daily") || !strcmp(d[i], "*") ? 7 : day_index(d[i]);

			if (di < 0)
				return fail(l, v, w, "unknown day '%s' (mon..sun, daily)", d[i]);
			s->days |= di == 7 ? 0x7fu : 1u << di;
		}
		return 0;
	}
	if (!strcmp(k, "from") || !strcmp(k, "until")) {
		int m = parse_hhmm(scalar(v));

		if (m < 0)
			return fail(l, v, w, "expected HH:MM, got '%s'", scalar(v) ? scalar(v) : "");
		*(k[0] == 'f' ? &s->start_min : &s->end_min) = m;
		return 0;
	}
	if (!strcmp(k, "timezone"))
		return get_str(l, v, w, &s->tz_name);
	return fail(l, v, w, "unhandled key");
}

static int sil_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct policy_silence *s = arg;

	if (!strcmp(k, "name"))
		return get_str(l, v, w, &s->name);
	if (!strcmp(k, "comment"))
		return get_str(l, v, w, &s->comment);
	if (!strcmp(k, "from"))
		return get_time(l, v, w, &s->from);
	if (!strcmp(k, "until"))
		return get_time(l, v, w, &s->until);
	if (!strcmp(k, "rule"))
		return get_str(l, v, w, &s->rule);
	if (!strcmp(k, "tag"))
		return get_str(l, v, w, &s->tag);
	if (!strcmp(k, "namespace"))
		return get_str(l, v, w, &s->ns);
	if (!strcmp(k, "owner"))
		return get_str(l, v, w, &s->owner);
	if (!strcmp(k, "host"))
		return get_str(l, v, w, &s->host);
	if (!strcmp(k, "weekly")) {
		static const char *const known[] = { "days", "from", "until", "timezone", NULL };

		s->kind = POLICY_WINDOW_WEEKLY;
		s->start_min = s->end_min = -1;
		if (each_pair(l, v, w, known, weekly_pair, s))
			return -1;
		if (!s->days || s->start_min < 0 || s->end_min < 0)
			return fail(l, v, w, "a weekly window needs days, from and until");
		if (s->tz_name) {
			char e[256];

			s->tz = tz_load(s->tz_name, e, sizeof(e));
			if (!s->tz)
				return fail(l, v, w, "%s", e);
		}
		return 0;
	}
	return fail(l, v, w, "unhandled key");
}

static int sil_item(struct ld *l, yaml_node_t *n, const char *where, void *arg)
{
	static const char *const known[] = { "name", "comment", "from", "until", "weekly",
		"rule", "tag", "namespace", "owner", "host", NULL };
	struct policy_silence **sp = arg, *s = *sp;
	bool oneoff;

	/* counted before parsing so config_free releases its time zone even
	 * when this item fails half-way */
	l->cfg->policy.nsilences = (size_t)(s - l->cfg->policy.silences) + 1;
	s->line = (int)n->start_mark.line + 1;
	s->from = s->until = (time_t)-1;
	if (each_pair(l, n, where, known, sil_pair, s))
		return -1;
	if (!s->name)
		return fail(l, n, where, "a silence needs a 'name'");
	oneoff = s->from != (time_t)-1 || s->until != (time_t)-1;
	if (s->kind == POLICY_WINDOW_WEEKLY && oneoff)
		return fail(l, n, where, "silence '%s': give either from/until or weekly, not both",
			    s->name);
	if (s->kind == POLICY_WINDOW_ONEOFF) {
		if (s->from == (time_t)-1 || s->until == (time_t)-1)
			return fail(l, n, where, "silence '%s' needs from and until (or weekly)",
				    s->name);
		if (s->until <= s->from)
			return fail(l, n, where, "silence '%s': until is not after from", s->name);
		if (s->until <= l->now)
			warn(l, n, "silence '%s' ended in the past and no longer applies", s->name);
	}
	(*sp)++;
	return 0;
}

/* --- rate limits and overrides --- */

static int rate_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct policy_rate *r = arg;

	if (!strcmp(k, "rule"))
		return get_str(l, v, w, &r->rule);
	if (!strcmp(k, "per_second"))
		return get_double(l, v, w, &r->per_second);
	if (!strcmp(k, "per_minute")) {
		if (get_double(l, v, w, &r->per_second))
			return -1;
		r->per_second /= 60.0;
		return 0;
	}
	if (!strcmp(k, "burst"))
		return get_double(l, v, w, &r->burst);
	return fail(l, v, w, "unhandled key");
}

static int rate_item(struct ld *l, yaml_node_t *n, const char *where, void *arg)
{
	static const char *const known[] = { "rule", "per_second", "per_minute", "burst", NULL };
	struct policy_rate **rp = arg, *r = *rp;

	r->burst = -1;
	r->per_second = -1;
	if (each_pair(l, n, where, known, rate_pair, r))
		return -1;
	if (r->per_second < 0)
		return fail(l, n, where, "a rate limit needs per_second or per_minute");
	if (r->burst < 0)
		r->burst = r->per_second < 1 ? 1 : r->per_second;
	if (r->burst < 1)
		return fail(l, n, where, "burst must be at least 1");
	(*rp)++;
	return 0;
}

static int ovr_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct policy_override *o = arg;

	if (!strcmp(k, "rule"))
		return get_str(l, v, w, &o->rule);
	return get_prio(l, v, w, &o->priority);
}

static int ovr_item(struct ld *l, yaml_node_t *n, const char *where, void *arg)
{
	static const char *const known[] = { "rule", "priority", NULL };
	struct policy_override **op = arg, *o = *op;

	o->priority = -1;
	if (each_pair(l, n, where, known, ovr_pair, o))
		return -1;
	if (!o->rule || o->priority < 0)
		return fail(l, n, where, "a priority override needs rule and priority");
	(*op)++;
	return 0;
}

/* --- outputs --- */

static int parse_facility(const char *s)
{
	static const struct { const char *n; int f; } tab[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "auth", LOG_AUTH },
		{ "authpriv", LOG_AUTHPRIV }, { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; s && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(s, tab[i].n))
			return tab[i].f;
	return -1;
}

struct out_seen {
	bool batch, silenced, format, fsync;
	yaml_node_t *batch_node, *format_node;	/* for errors found later */
};

struct out_tmp {
	struct out_sink_conf c;
	struct out_seen seen;
};

static int out_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct out_tmp *tmp = arg;
	struct out_sink_conf *o = &tmp->c;
	struct out_seen *seen = &tmp->seen;
	const char *s = scalar(v);
	long long n;

	if (!strcmp(k, "name"))
		return get_str(l, v, w, &o->name);
	if (!strcmp(k, "type")) {
		int t = out_sink_type_parse(s);

		if (t < 0) {
			char list[256] = "";

			for (int i = 0; i < OUT_SINK_TYPE_N; i++) {
				strcat(list, i ? ", " : "");
				strcat(list, out_sink_type_name(i));
			}
			return fail(l, v, w, "unknown output type '%s' (%s)", s ? s : "", list);
		}
		o->type = (enum out_sink_type)t;
		return 0;
	}
	if (!strcmp(k, "min_priority"))
		return get_prio(l, v, w, &o->min_priority);
	if (!strcmp(k, "queue")) {
		if (get_num(l, v, w, 1, 10000000, &n))
			return -1;
		o->queue = (size_t)n;
		return 0;
	}
	if (!strcmp(k, "batch")) {
		if (get_num(l, v, w, 1, 10000, &n))
			return -1;
		o->batch = (size_t)n;
		seen->batch = true;
		seen->batch_node = v;
		return 0;
	}
	if (!strcmp(k, "silenced")) {
		seen->silenced = true;
		return get_bool(l, v, w, &o->silenced);
	}
	if (!strcmp(k, "format")) {
		seen->format = true;
		seen->format_node = v;
		if (s && !strcmp(s, "json"))
			o->format = OUT_FORMAT_JSON;
		else if (s && !strcmp(s, "text"))
			o->format = OUT_FORMAT_TEXT;
		else if (s && !strcmp(s, "ndjson"))
			o->format = OUT_FORMAT_NDJSON;
		else if (s && !strcmp(s, "json_array"))
			o->format = OUT_FORMAT_JSON_ARRAY;
		else
			return fail(l, v, w, "format is text or json (webhook: json, ndjson or "
				    "json_array), not '%s'", s ? s : "");
		return 0;
	}
	if (!strcmp(k, "path"))
		return get_str(l, v, w, &o->path);
	if (!strcmp(k, "max_size")) {
		n = config_parse_size(s);
		if (n < 0)
			return fail(l, v, w, "expected a size (100M, 512K, bytes), got '%s'", s ? s : "");
		o->max_size = (uint64_t)n;
		return 0;
	}
	if (!strcmp(k, "keep"))
		return get_uint(l, v, w, 1000, &o->keep);
	if (!strcmp(k, "fsync")) {
		seen->fsync = true;
		if (s && !strcmp(s, "never")) {
			o->fsync = OUT_FSYNC_NEVER;
		} else if (s && !strcmp(s, "always")) {
			o->fsync = OUT_FSYNC_ALWAYS;
		} else {
			size_t sl = s ? strlen(s) : 0;
			long long ms = -1;

			if (sl > 2 && !strcmp(s + sl - 2, "ms")) {
				char tmpb[32];

				snprintf(tmpb, sizeof(tmpb), "%.*s", (int)(sl - 2), s);
				ms = config_parse_duration(tmpb);
			} else if ((ms = config_parse_duration(s)) >= 0) {
				ms *= 1000;
			}
			if (ms <= 0)
				return fail(l, v, w, "fsync is never, always or an interval "
					    "(500ms, 1s), not '%s'", s ? s : "");
			o->fsync = OUT_FSYNC_INTERVAL;
			o->fsync_ms = (unsigned)ms;
		}
		return 0;
	}
	if (!strcmp(k, "facility")) {
		o->facility = parse_facility(s);
		if (o->facility < 0)
			return fail(l, v, w, "unknown syslog facility '%s' (daemon, user, auth, "
				    "authpriv, local0..local7)", s ? s : "");
		return 0;
	}
	if (!strcmp(k, "command"))
		return get_str(l, v, w, &o->command);
	if (!strcmp(k, "url")) {
		if (get_str(l, v, w, &o->url))
			return -1;
		if (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8))
			return fail(l, v, w, "url must start with http:// or https://");
		return 0;
	}
	if (!strcmp(k, "timeout")) {
		if (get_dur(l, v, w, &o->timeout_ms))
			return -1;
		if (!o->timeout_ms)
			return fail(l, v, w, "timeout must be at least 1s");
		o->timeout_ms *= 1000;
		return 0;
	}
	if (!strcmp(k, "retries")) {
		if (get_num(l, v, w, -1, 1000, &n))
			return -1;
		o->retries = (int)n;
		return 0;
	}
	if (!strcmp(k, "backoff_ms"))
		return get_uint(l, v, w, 600000, &o->backoff_ms);
	if (!strcmp(k, "max_backoff_ms"))
		return get_uint(l, v, w, 3600000, &o->max_backoff_ms);
	if (!strcmp(k, "ca_file"))
		return get_str(l, v, w, &o->ca_file);
	if (!strcmp(k, "insecure"))
		return get_bool(l, v, w, &o->insecure);
	return fail(l, v, w, "unhandled key");
}

static int out_item(struct ld *l, yaml_node_t *n, const char *where, void *arg)
{
	static const char *const known[] = { "name", "type", "min_priority", "queue", "batch",
		"silenced", "format", "path", "max_size", "keep", "fsync", "facility", "command",
		"url", "timeout", "retries", "backoff_ms", "max_backoff_ms", "ca_file",
		"insecure", NULL };
	struct out_sink_conf **op = arg, *o = *op;
	struct out_tmp tmp = { 0 };
	struct vigil_config *c = l->cfg;
	char kw[256];
	bool batched;

	tmp.c.type = OUT_SINK_TYPE_N;
	tmp.c.min_priority = ALERT_PRIO_DEBUG;
	tmp.c.queue = 1000;
	tmp.c.batch = 1;
	tmp.c.max_size = 100ull << 20;
	tmp.c.keep = 5;
	tmp.c.fsync = OUT_FSYNC_INTERVAL;
	tmp.c.fsync_ms = 1000;
	tmp.c.facility = LOG_DAEMON;
	tmp.c.timeout_ms = 5000;
	tmp.c.retries = 3;
	tmp.c.backoff_ms = 200;
	tmp.c.max_backoff_ms = 5000;
	tmp.c.line = (int)n->start_mark.line + 1;
	if (each_pair(l, n, where, known, out_pair, &tmp))
		return -1;
	if (!tmp.c.name)
		return fail(l, n, where, "an output needs a 'name'");
	if (tmp.c.type == OUT_SINK_TYPE_N)
		return fail(l, n, where, "output '%s' needs a 'type'", tmp.c.name);
	for (struct out_sink_conf *p = c->out.sinks; p < o; p++)
		if (!strcmp(p->name, tmp.c.name))
			return fail(l, n, where, "output name '%s' already used on line %d",
				    tmp.c.name, p->line);
	batched = tmp.c.format == OUT_FORMAT_NDJSON || tmp.c.format == OUT_FORMAT_JSON_ARRAY;
	if (batched && tmp.c.type != OUT_SINK_WEBHOOK) {
		join(kw, sizeof(kw), where, "format");
		return fail(l, tmp.seen.format_node, kw, "format %s is for webhook outputs only",
			    tmp.c.format == OUT_FORMAT_NDJSON ? "ndjson" : "json_array");
	}
	switch (tmp.c.type) {
	case OUT_SINK_FILE:
		if (!tmp.c.path)
			return fail(l, n, where, "file output '%s' needs a 'path'", tmp.c.name);
		if (!tmp.seen.silenced)
			tmp.c.silenced = true;
		tmp.c.format = OUT_FORMAT_JSON;
		break;
	case OUT_SINK_PROGRAM:
		if (!tmp.c.command)
			return fail(l, n, where, "program output '%s' needs a 'command'", tmp.c.name);
		if (!tmp.seen.format)
			tmp.c.format = OUT_FORMAT_JSON;
		break;
	case OUT_SINK_WEBHOOK:
	case OUT_SINK_ALERTMANAGER:
		if (!tmp.c.url)
			return fail(l, n, where, "%s output '%s' needs a 'url'",
				    out_sink_type_name(tmp.c.type), tmp.c.name);
		if (tmp.c.type == OUT_SINK_ALERTMANAGER && !tmp.seen.batch)
			tmp.c.batch = 16;
		if (tmp.c.type != OUT_SINK_WEBHOOK)
			break;
		/* webhook: one Falco object per POST (Falcosidekick's input)
		 * unless a batched format is asked for */
		if (!tmp.seen.format)
			tmp.c.format = OUT_FORMAT_JSON;
		if (tmp.c.format == OUT_FORMAT_TEXT) {
			join(kw, sizeof(kw), where, "format");
			return fail(l, tmp.seen.format_node, kw, "a webhook sends JSON: format is "
				    "json (one alert per POST), ndjson or json_array");
		}
		if (!batched && tmp.c.batch > 1) {
			join(kw, sizeof(kw), where, "batch");
			return fail(l, tmp.seen.batch_node, kw, "a webhook with format json posts "
				    "one alert per request; batching needs format: ndjson or "
				    "json_array");
		}
		if (batched && !tmp.seen.batch)
			tmp.c.batch = 16;
		break;
	default:
		break;
	}
	if (tmp.c.batch > tmp.c.queue)
		tmp.c.batch = tmp.c.queue;
	*o = tmp.c;
	(*op)++;
	return 0;
}

/* --- routes --- */

static int route_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct out_route_conf *r = arg;

	if (!strcmp(k, "outputs"))
		return get_list(l, v, w, &r->sinks, &r->nsinks);
	if (!strcmp(k, "min_priority"))
		return get_prio(l, v, w, &r->min_priority);
	if (!strcmp(k, "tags"))
		return get_list(l, v, w, &r->tags, &r->ntags);
	if (!strcmp(k, "rules"))
		return get_list(l, v, w, &r->rules, &r->nrules);
	if (!strcmp(k, "environments"))
		return get_list(l, v, w, &r->environments, &r->nenvironments);
	if (!strcmp(k, "owners"))
		return get_list(l, v, w, &r->owners, &r->nowners);
	return fail(l, v, w, "unhandled key");
}

static int route_item(struct ld *l, yaml_node_t *n, const char *where, void *arg)
{
	static const char *const known[] = { "outputs", "min_priority", "tags", "rules",
		"environments", "owners", NULL };
	struct out_route_conf **rp = arg, *r = *rp;
	struct vigil_config *c = l->cfg;
	yaml_node_t *outs = map_get(l, n, "outputs");

	r->min_priority = -1;
	r->line = (int)n->start_mark.line + 1;
	if (each_pair(l, n, where, known, route_pair, r))
		return -1;
	if (!r->nsinks)
		return fail(l, n, where, "a route needs 'outputs'");
	for (size_t i = 0; i < r->nsinks; i++) {
		size_t j;

		for (j = 0; j < c->out.nsinks; j++)
			if (!strcmp(c->out.sinks[j].name, r->sinks[i]))
				break;
		if (j == c->out.nsinks) {
			char w[256];

			join(w, sizeof(w), where, "outputs");
			return fail(l, outs, w, "no output named '%s'", r->sinks[i]);
		}
	}
	(*rp)++;
	return 0;
}

/* --- top level --- */

struct top {
	yaml_node_t *profiles, *outputs, *routes, *exceptions;
	yaml_node_t *rules_files;
};

static int dedup_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct policy_conf *p = arg;

	if (!strcmp(k, "window"))
		return get_dur(l, v, w, &p->dedup_window_s);
	return get_list(l, v, w, &p->dedup_keys, &p->ndedup_keys);
}

static int metrics_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct vigil_config *c = arg;

	if (!strcmp(k, "enabled"))
		return get_bool(l, v, w, &c->metrics_enabled);
	if (!strcmp(k, "listen"))
		return get_str(l, v, w, (char **)&c->metrics_listen);
	return get_uint(l, v, w, 65535, &c->metrics_port);
}

static int top_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct top *t = arg;
	struct vigil_config *c = l->cfg;

	if (!strcmp(k, "hostname"))
		return get_str(l, v, w, (char **)&c->hostname);
	if (!strcmp(k, "environment"))
		return get_str(l, v, w, (char **)&c->environment);
	if (!strcmp(k, "owner_labels"))
		return get_list(l, v, w, &c->owner_labels, &c->nowner_labels);
	if (!strcmp(k, "ring_size")) {
		const char *s = scalar(v);
		long long n = config_parse_size(s);

		if (n < 0)
			return fail(l, v, w, "expected a size (8M, 512K, bytes), got '%s'",
				    s ? s : "(not a scalar)");
		if (n < VIGIL_RING_SIZE_MIN || n > VIGIL_RING_SIZE_MAX || (n & (n - 1)))
			return fail(l, v, w, "%lld is not a power of two from %u (64K) to %u (256M)",
				    n, VIGIL_RING_SIZE_MIN, VIGIL_RING_SIZE_MAX);
		c->ring_size = (unsigned)n;
		return 0;
	}
	if (!strcmp(k, "snaplen")) {
		if (get_uint(l, v, w, VIGIL_PARAM_MAX_LEN, &c->snaplen))
			return -1;
		if (!c->snaplen)
			return fail(l, v, w, "0 is out of range [1, %u]", VIGIL_PARAM_MAX_LEN);
		return 0;
	}
	if (!strcmp(k, "rule_matching")) {
		const char *m = scalar(v);

		if (m && !strcmp(m, "first"))
			c->match_all = false;
		else if (m && !strcmp(m, "all"))
			c->match_all = true;
		else
			return fail(l, v, w, "expected first or all, got '%s'", m ? m : "(not a scalar)");
		return 0;
	}
	if (!strcmp(k, "rules_files")) {
		t->rules_files = v;
		return 0;
	}
	if (!strcmp(k, "profiles")) {
		if (v->type != YAML_MAPPING_NODE)
			return fail(l, v, w, "expected a mapping of profile name -> settings");
		t->profiles = v;
		return 0;
	}
	if (!strcmp(k, "exceptions")) {
		if (v->type != YAML_SEQUENCE_NODE)
			return fail(l, v, w, "expected a list");
		t->exceptions = v;
		return 0;
	}
	if (!strcmp(k, "silences")) {
		struct policy_silence *s = zalloc(l, seq_len(v), sizeof(*s));

		if (!s)
			return oom(l);
		c->policy.silences = s;
		if (each_item(l, v, w, sil_item, &s))
			return -1;
		return 0;
	}
	if (!strcmp(k, "record_silenced"))
		return get_bool(l, v, w, &c->policy.record_silenced);
	if (!strcmp(k, "dedup")) {
		static const char *const known[] = { "window", "keys", NULL };

		return each_pair(l, v, w, known, dedup_pair, &c->policy);
	}
	if (!strcmp(k, "rate_limits")) {
		struct policy_rate *r = zalloc(l, seq_len(v), sizeof(*r));

		if (!r)
			return oom(l);
		c->policy.rates = r;
		if (each_item(l, v, w, rate_item, &r))
			return -1;
		c->policy.nrates = (size_t)(r - c->policy.rates);
		return 0;
	}
	if (!strcmp(k, "summary_interval"))
		return get_dur(l, v, w, &c->policy.summary_interval_s);
	if (!strcmp(k, "outputs")) {
		t->outputs = v;
		return 0;
	}
	if (!strcmp(k, "routes")) {
		t->routes = v;
		return 0;
	}
	if (!strcmp(k, "metrics")) {
		static const char *const known[] = { "enabled", "listen", "port", NULL };

		return each_pair(l, v, w, known, metrics_pair, c);
	}
	return fail(l, v, w, "unhandled key");
}

struct prof {
	yaml_node_t *exceptions, *rules_files, *overrides;
	bool have_min;
	int min_priority;
};

static int prof_pair(struct ld *l, const char *k, yaml_node_t *v, const char *w, void *arg)
{
	struct prof *p = arg;

	if (!strcmp(k, "rules_files")) {
		p->rules_files = v;
		return 0;
	}
	if (!strcmp(k, "min_priority")) {
		p->have_min = true;
		return get_prio(l, v, w, &p->min_priority);
	}
	if (!strcmp(k, "priority_overrides")) {
		if (v->type != YAML_SEQUENCE_NODE)
			return fail(l, v, w, "expected a list of {rule, priority}");
		p->overrides = v;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(l, v, w, "expected a list");
	p->exceptions = v;
	return 0;
}

static int load_doc(struct ld *l)
{
	static const char *const known[] = { "hostname", "environment", "rules_files",
		"profiles", "exceptions", "silences", "record_silenced", "dedup",
		"rate_limits", "summary_interval", "outputs", "routes", "metrics", "owner_labels",
		"ring_size", "snaplen", "rule_matching", NULL };
	static const char *const prof_known[] = { "rules_files", "min_priority",
		"priority_overrides", "exceptions", NULL };
	struct vigil_config *c = l->cfg;
	yaml_node_t *root = yaml_document_get_root_node(&l->doc);
	struct top t = { 0 };
	struct prof pr = { 0 };
	struct policy_exception *e;
	size_t nexc;

	c->policy.min_priority = -1;
	c->metrics_listen = "127.0.0.1";
	c->metrics_port = 9376;
	if (!root)
		return 0;	/* an empty file: defaults */
	if (each_pair(l, root, "", known, top_pair, &t))
		return -1;

	/* the environment profile */
	if (c->environment) {
		yaml_node_t *pn = map_get(l, t.profiles, c->environment);
		char w[256];

		if (!pn) {
			yaml_node_t *en = map_get(l, root, "environment");

			return fail(l, en, "environment", "no profile '%s' under 'profiles'",
				    c->environment);
		}
		wfmt(w, sizeof(w), "profiles.%s", c->environment);
		if (each_pair(l, pn, w, prof_known, prof_pair, &pr))
			return -1;
		if (pr.have_min)
			c->policy.min_priority = pr.min_priority;
		if (pr.overrides) {
			struct policy_override *o = zalloc(l, seq_len(pr.overrides), sizeof(*o)), *o0 = o;

			if (!o)
				return oom(l);
			join(w, sizeof(w), w, "priority_overrides");
			if (each_item(l, pr.overrides, w, ovr_item, &o))
				return -1;
			c->policy.overrides = o0;
			c->policy.noverrides = (size_t)(o - o0);
		}
		if (pr.rules_files)
			t.rules_files = pr.rules_files;
	}
	if (t.profiles) {	/* validate every profile, even unselected ones */
		for (yaml_node_pair_t *p = t.profiles->data.mapping.pairs.start;
		     p < t.profiles->data.mapping.pairs.top; p++) {
			struct prof tmp = { 0 };
			char w[256];

			wfmt(w, sizeof(w), "profiles.%s", scalar(node(l, p->key)) ?
				 scalar(node(l, p->key)) : "?");
			if (each_pair(l, node(l, p->value), w, prof_known, prof_pair, &tmp))
				return -1;
		}
	}
	c->policy.environment = c->environment;
	if (t.rules_files && get_list(l, t.rules_files, "rules_files", &c->rules_files,
				      &c->nrules_files))
		return -1;

	/* exceptions: top-level ones, then the profile's */
	nexc = seq_len(t.exceptions) + seq_len(pr.exceptions);
	e = zalloc(l, nexc, sizeof(*e));
	if (!e)
		return oom(l);
	c->policy.exceptions = e;
	{
		struct exc_ctx x = { e, nexc };
		char w[256];

		if (t.exceptions && each_item(l, t.exceptions, "exceptions", exc_item, &x))
			return -1;
		wfmt(w, sizeof(w), "profiles.%s.exceptions", c->environment ? c->environment : "");
		if (pr.exceptions && each_item(l, pr.exceptions, w, exc_item, &x))
			return -1;
		c->policy.nexceptions = (size_t)(x.e - e);
	}

	/* outputs, then routes (which name outputs) */
	if (t.outputs) {
		struct out_sink_conf *o = zalloc(l, seq_len(t.outputs), sizeof(*o));

		if (!o)
			return oom(l);
		c->out.sinks = o;
		if (each_item(l, t.outputs, "outputs", out_item, &o))
			return -1;
		c->out.nsinks = (size_t)(o - c->out.sinks);
	}
	if (t.routes) {
		struct out_route_conf *r = zalloc(l, seq_len(t.routes), sizeof(*r));

		if (!r)
			return oom(l);
		c->out.routes = r;
		if (each_item(l, t.routes, "routes", route_item, &r))
			return -1;
		c->out.nroutes = (size_t)(r - c->out.routes);
	}
	return 0;
}

static int set_defaults(struct ld *l)
{
	struct vigil_config *c = l->cfg;

	if (!c->hostname) {
		const char *env = getenv("VIGIL_HOSTNAME");
		char h[256] = "";

		if (env && *env)
			snprintf(h, sizeof(h), "%s", env);
		else
			gethostname(h, sizeof(h) - 1);
		c->hostname = sdup(l, h);
		if (!c->hostname)
			return oom(l);
	}
	return 0;
}

int config_parse(const char *buf, size_t len, const char *name, time_t now,
		 struct vigil_config **out, char *err, size_t errlen)
{
	struct ld l = { .file = name, .err = err, .errlen = errlen,
			.now = now ? now : time(NULL) };
	yaml_parser_t parser;
	int rc = -1;

	*out = NULL;
	l.cfg = calloc(1, sizeof(*l.cfg));
	if (!l.cfg)
		return oom(&l);
	l.cfg->file = sdup(&l, name);
	if (!yaml_parser_initialize(&parser)) {
		config_free(l.cfg);
		return oom(&l);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &l.doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: YAML: %s%s%s", name,
			 parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		config_free(l.cfg);
		return -1;
	}
	rc = load_doc(&l);
	if (!rc)
		rc = set_defaults(&l);
	yaml_document_delete(&l.doc);
	yaml_parser_delete(&parser);
	if (rc) {
		config_free(l.cfg);
		return -1;
	}
	*out = l.cfg;
	return 0;
}

int config_load(const char *path, struct vigil_config **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t r;

		if (len == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 16384);

			if (!nb || cap > (64u << 20)) {
				free(nb ? nb : buf);
				fclose(f);
				snprintf(err, errlen, "%s: too large or out of memory", path);
				return -1;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len, f);
		if (!r)
			break;
		len += r;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	rc = config_parse(buf ? buf : "", len, path, 0, out, err, errlen);
	free(buf);
	return rc;
}
