/* SPDX-License-Identifier: MIT */
/* alert.c - priorities, context keys, copying and formatting of alerts. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "alert/alert.h"

static const struct {
	const char *name, *low, *sev;
} prio_tab[ALERT_PRIO_N] = {
#define X(id, name, low, sys, sev) [sys] = { name, low, sev },
	ALERT_PRIORITY_TABLE(X)
#undef X
};

static const struct {
	const char *name, *journal;
} ctx_tab[ALERT_CTX_N] = {
#define X(id, name, jf) [ALERT_CTX_##id] = { name, jf },
	ALERT_CTX_TABLE(X)
#undef X
};

static unsigned prio_idx(enum alert_priority p)
{
	return (unsigned)p < ALERT_PRIO_N ? (unsigned)p : ALERT_PRIO_DEBUG;
}

const char *alert_priority_name(enum alert_priority p)
{
	return prio_tab[prio_idx(p)].name;
}

const char *alert_priority_lower(enum alert_priority p)
{
	return prio_tab[prio_idx(p)].low;
}

int alert_priority_syslog(enum alert_priority p)
{
	return (int)prio_idx(p);
}

const char *alert_priority_severity(enum alert_priority p)
{
	return prio_tab[prio_idx(p)].sev;
}

int alert_priority_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < ALERT_PRIO_N; i++)
		if (!strcasecmp(s, prio_tab[i].name) ||
		    !strcasecmp(s, prio_tab[i].low))
			return i;
	return -1;
}

const char *alert_ctx_name(enum alert_ctx c)
{
	return (unsigned)c < ALERT_CTX_N ? ctx_tab[c].name : "?";
}

const char *alert_ctx_journal(enum alert_ctx c)
{
	return (unsigned)c < ALERT_CTX_N ? ctx_tab[c].journal : "UNKNOWN";
}

int alert_ctx_lookup(const char *name)
{
	for (int i = 0; name && i < ALERT_CTX_N; i++)
		if (!strcmp(name, ctx_tab[i].name))
			return i;
	return -1;
}

const char *alert_get(const struct alert *a, const char *name)
{
	int c = alert_ctx_lookup(name);

	if (c >= 0 && a->ctx[c])
		return a->ctx[c];
	if (name && !strcmp(name, "rule"))
		return a->rule;
	if (name && !strcmp(name, "hostname"))
		return a->hostname;
	for (size_t i = 0; i < a->nfields; i++)
		if (a->fields[i].name && !strcmp(a->fields[i].name, name))
			return a->fields[i].value;
	return NULL;
}

bool alert_has_tag(const struct alert *a, const char *tag)
{
	for (size_t i = 0; i < a->ntags; i++)
		if (a->tags[i] && !strcmp(a->tags[i], tag))
			return true;
	return false;
}

/* --- deep copy: one block = struct, arrays, then all strings --- */

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static char *scopy(char **pool, const char *s)
{
	char *d;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = *pool;
	memcpy(d, s, n);
	*pool += n;
	return d;
}

struct alert *alert_dup(const struct alert *a)
{
	size_t size = sizeof(struct alert), strs = 0;
	struct alert *d;
	struct alert_field *fields;
	const char **tags;
	char *pool;

	size += a->ntags * sizeof(char *) + a->nfields * sizeof(struct alert_field);
	strs += slen(a->rule) + slen(a->source) + slen(a->hostname) + slen(a->output);
	for (size_t i = 0; i < a->ntags; i++)
		strs += slen(a->tags[i]);
	for (size_t i = 0; i < a->nfields; i++)
		strs += slen(a->fields[i].name) + slen(a->fields[i].value);
	for (int i = 0; i < ALERT_CTX_N; i++)
		strs += slen(a->ctx[i]);
	d = malloc(size + strs);
	if (!d)
		return NULL;
	*d = *a;
	tags = (const char **)(d + 1);
	fields = (struct alert_field *)(tags + a->ntags);
	pool = (char *)(fields + a->nfields);
	d->rule = scopy(&pool, a->rule);
	d->source = scopy(&pool, a->source);
	d->hostname = scopy(&pool, a->hostname);
	d->output = scopy(&pool, a->output);
	for (size_t i = 0; i < a->ntags; i++)
		tags[i] = scopy(&pool, a->tags[i]);
	for (size_t i = 0; i < a->nfields; i++) {
		fields[i].name = scopy(&pool, a->fields[i].name);
		fields[i].value = scopy(&pool, a->fields[i].value);
	}
	for (int i = 0; i < ALERT_CTX_N; i++)
		d->ctx[i] = scopy(&pool, a->ctx[i]);
	d->tags = a->ntags ? tags : NULL;
	d->fields = a->nfields ? fields : NULL;
	atomic_init((_Atomic int *)&d->refs_, 1);
	return d;
}

void alert_ref(struct alert *a)
{
	atomic_fetch_add((_Atomic int *)&a->refs_, 1);
}

void alert_put(struct alert *a)
{
	if (a && atomic_fetch_sub((_Atomic int *)&a->refs_, 1) == 1)
		free(a);
}

/* --- formats --- */

void alert_time_rfc3339(uint64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char date[32];

	gmtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09lluZ", date,
		 (unsigned long long)(ns % 1000000000ull));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

struct json_object *alert_json_object(const struct alert *a)
{
	struct json_object *o = json_object_new_object(), *f, *t, *v, *c;
	char ts[64];

	if (!o)
		return NULL;
	alert_time_rfc3339(a->time_ns, ts, sizeof(ts));
	add_str(o, "time", ts);
	add_str(o, "rule", a->rule ? a->rule : "");
	add_str(o, "priority", alert_priority_name(a->priority));
	add_str(o, "source", a->source ? a->source : "syscall");
	add_str(o, "hostname", a->hostname ? a->hostname : "");
	add_str(o, "output", a->output ? a->output : "");
	f = json_object_new_object();
	for (size_t i = 0; i < a->nfields; i++)
		add_str(f, a->fields[i].name, a->fields[i].value);
	json_object_object_add(o, "output_fields", f);
	t = json_object_new_array();
	for (size_t i = 0; i < a->ntags; i++)
		json_object_array_add(t, json_object_new_string(a->tags[i]));
	json_object_object_add(o, "tags", t);

	v = json_object_new_object();
	if (a->ctx[ALERT_CTX_ENVIRONMENT])
		add_str(v, "environment", a->ctx[ALERT_CTX_ENVIRONMENT]);
	if (a->ctx[ALERT_CTX_OWNER])
		add_str(v, "owner", a->ctx[ALERT_CTX_OWNER]);
	json_object_object_add(v, "count",
			       json_object_new_int64((int64_t)(a->count ? a->count : 1)));
	if (a->silenced)
		json_object_object_add(v, "silenced", json_object_new_boolean(1));
	c = json_object_new_object();
	for (int i = 0; i < ALERT_CTX_N; i++)
		if (a->ctx[i])
			add_str(c, alert_ctx_name(i), a->ctx[i]);
	json_object_object_add(v, "context", c);
	json_object_object_add(o, "vigil", v);
	return o;
}

char *alert_json(const struct alert *a)
{
	struct json_object *o = alert_json_object(a);
	char *s;

	if (!o)
		return NULL;
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

char *alert_text(const struct alert *a)
{
	char ts[64], *s = NULL;

	alert_time_rfc3339(a->time_ns, ts, sizeof(ts));
	if (a->count > 1) {
		if (asprintf(&s, "%s: %s %s (x%llu)", ts,
			     alert_priority_name(a->priority),
			     a->output ? a->output : "",
			     (unsigned long long)a->count) < 0)
			return NULL;
	} else if (asprintf(&s, "%s: %s %s", ts, alert_priority_name(a->priority),
			    a->output ? a->output : "") < 0) {
		return NULL;
	}
	return s;
}
