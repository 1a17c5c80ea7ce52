/* SPDX-License-Identifier: MIT */
/*
 * sink_journald.c - journald with structured fields (DESIGN §5), and
 * syslog(3). journald entries: MESSAGE, PRIORITY (syslog level of the rule
 * priority), SYSLOG_IDENTIFIER=vigil, VIGIL_RULE, VIGIL_PRIORITY,
 * VIGIL_SOURCE, VIGIL_HOSTNAME, VIGIL_TAGS, one VIGIL_<CTX> per context value
 * (VIGIL_CONTAINER_ID, VIGIL_K8S_NS, ...), VIGIL_COUNT, VIGIL_SILENCED and
 * VIGIL_FIELD_<NAME> per output field. Without a journal socket the sink
 * falls back to syslog and says so once.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

#include "output/sink.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

struct journal_priv {
	bool fallback;
	bool warned;
};

static void syslog_one(const struct out_sink *s, const struct alert *a)
{
	if (a->count > 1)
		syslog(LOG_MAKEPRI(s->c->facility, alert_priority_syslog(a->priority)),
		       "%s %s (x%llu)", alert_priority_name(a->priority),
		       a->output ? a->output : "", (unsigned long long)a->count);
	else
		syslog(LOG_MAKEPRI(s->c->facility, alert_priority_syslog(a->priority)),
		       "%s %s", alert_priority_name(a->priority), a->output ? a->output : "");
}

static int syslog_open(struct out_sink *s, char *err, size_t errlen)
{
	(void)s;
	(void)err;
	(void)errlen;
	openlog("vigil", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return 0;
}

static size_t syslog_send(struct out_sink *s, struct alert *const *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		syslog_one(s, a[i]);
	return n;
}

static void syslog_close(struct out_sink *s)
{
	(void)s;
}

const struct out_sink_ops out_sink_SYSLOG_ops = {
	.open = syslog_open,
	.send = syslog_send,
	.close = syslog_close,
};

static bool journal_present(void)
{
	struct stat st;

	return stat(JOURNAL_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int journal_open(struct out_sink *s, char *err, size_t errlen)
{
	struct journal_priv *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "output '%s': out of memory", s->c->name);
		return -1;
	}
	s->priv = p;
	if (!journal_present()) {
		p->fallback = true;
		p->warned = true;
		fprintf(stderr, "vigil: output '%s': no journald (%s missing); "
			"sending to syslog instead\n", s->c->name, JOURNAL_SOCKET);
		openlog("vigil", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	return 0;
}

/* "VIGIL_FIELD_" + name upper-cased, non-alnum -> '_' (journal field rules) */
static char *field_kv(const char *prefix, const char *name, const char *value)
{
	size_t pl = strlen(prefix), nl = strlen(name), vl = strlen(value);
	char *s = malloc(pl + nl + vl + 2), *d;

	if (!s)
		return NULL;
	memcpy(s, prefix, pl);
	d = s + pl;
	for (size_t i = 0; i < nl && d - s < 64; i++) {
		unsigned char c = (unsigned char)name[i];

		*d++ = isalnum(c) ? (char)toupper(c) : '_';
	}
	*d++ = '=';
	memcpy(d, value, vl + 1);
	return s;
}

static int journal_one(const struct alert *a)
{
	size_t max = 12 + ALERT_CTX_N + a->nfields, n = 0;
	struct iovec *iov = calloc(max, sizeof(*iov));
	char **strs = calloc(max, sizeof(char *)), *tags = NULL;
	size_t tlen = 1;
	int rc = -1;

	if (!iov || !strs)
		goto out;
	for (size_t i = 0; i < a->ntags; i++)
		tlen += strlen(a->tags[i]) + 1;
	tags = calloc(1, tlen);
	if (!tags)
		goto out;
	for (size_t i = 0; i < a->ntags; i++) {
		if (i)
			strcat(tags, ",");
		strcat(tags, a->tags[i]);
	}
#define KV(...) do { if (asprintf(&strs[n++], __VA_ARGS__) < 0) { strs[--n] = NULL; goto out; } } while (0)
	KV("MESSAGE=%s %s", alert_priority_name(a->priority), a->output ? a->output : "");
	KV("PRIORITY=%d", alert_priority_syslog(a->priority));
	KV("SYSLOG_IDENTIFIER=vigil");
	KV("VIGIL_RULE=%s", a->rule ? a->rule : "");
	KV("VIGIL_PRIORITY=%s", alert_priority_lower(a->priority));
	KV("VIGIL_SOURCE=%s", a->source ? a->source : "syscall");
	KV("VIGIL_HOSTNAME=%s", a->hostname ? a->hostname : "");
	KV("VIGIL_TAGS=%s", tags);
	KV("VIGIL_COUNT=%llu", (unsigned long long)(a->count ? a->count : 1));
	if (a->silenced)
		KV("VIGIL_SILENCED=1");
#undef KV
	for (int i = 0; i < ALERT_CTX_N; i++)
		if (a->ctx[i]) {
			strs[n] = field_kv("VIGIL_", alert_ctx_journal(i), a->ctx[i]);
			if (!strs[n++])
				goto out;
		}
	for (size_t i = 0; i < a->nfields; i++) {
		strs[n] = field_kv("VIGIL_FIELD_", a->fields[i].name,
				   a->fields[i].value ? a->fields[i].value : "");
		if (!strs[n++])
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = strs[i];
		iov[i].iov_len = strlen(strs[i]);
	}
	rc = sd_journal_sendv(iov, (int)n) < 0 ? -1 : 0;
out:
	for (size_t i = 0; strs && i < n; i++)
		free(strs[i]);
	free(strs);
	free(iov);
	free(tags);
	return rc;
}

static size_t journal_send(struct out_sink *s, struct alert *const *a, size_t n)
{
	struct journal_priv *p = s->priv;
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		if (!p->fallback && journal_one(a[i]) == 0) {
			ok++;
			continue;
		}
		if (!p->warned) {
			fprintf(stderr, "vigil: output '%s': journald refused an alert; "
				"sending to syslog instead\n", s->c->name);
			p->warned = true;
			openlog("vigil", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		}
		syslog_one(s, a[i]);
		ok++;
	}
	return ok;
}

static void journal_close(struct out_sink *s)
{
	free(s->priv);
	s->priv = NULL;
}

const struct out_sink_ops out_sink_JOURNALD_ops = {
	.open = journal_open,
	.send = journal_send,
	.close = journal_close,
};
