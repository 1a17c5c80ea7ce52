/* SPDX-License-Identifier: MIT */
/*
 * sink_http.c - libcurl sinks (TLS, timeouts, retry with backoff):
 *   webhook:      format json (default): POST one Falco-JSON alert per
 *                 request (Falcosidekick's input shape), keep-alive between
 *                 them; format ndjson / json_array: up to `batch` alerts per
 *                 POST, one object per line (application/x-ndjson) or one
 *                 JSON array (application/json);
 *   alertmanager: POST a batch to URL/api/v2/alerts, labels alertname, rule,
 *                 priority, severity, hostname, k8s_ns, k8s_pod, container,
 *                 owner, environment; annotations summary, description.
 * A failed request is retried (backoff doubling from backoff_ms up to
 * max_backoff_ms) up to `retries` times, or until it succeeds or the router
 * closes when retries is -1; the queue fills meanwhile and overflow is
 * counted as dropped. A 4xx other than 429 is not retried; when it answers a
 * batch of several alerts with 400, 413 or 422, the alerts are sent again one
 * by one so only the ones the receiver refuses count as failed.
 *
 * curl_global_init runs once per process (pthread_once) and
 * curl_global_cleanup never: on a reload the new router's sinks open while
 * the old ones' threads may still be inside libcurl.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "output/sink.h"

struct http_priv {
	CURL *curl;
	struct curl_slist *hdrs;
	char *url;
	char errbuf[CURL_ERROR_SIZE];
	char resp[160];			/* start of the last reply's body */
	size_t resp_len;
	unsigned fails_reported, splits_reported;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* keeps the start of the reply (error details), discards the rest */
static size_t keep_reply(char *d, size_t sz, size_t n, void *arg)
{
	struct http_priv *p = arg;
	size_t len = sz * n, room = sizeof(p->resp) - 1 - p->resp_len;

	if (room) {
		if (room > len)
			room = len;
		memcpy(p->resp + p->resp_len, d, room);
		p->resp_len += room;
		p->resp[p->resp_len] = 0;
	}
	return len;
}

static bool batched(const struct out_sink *s)
{
	return s->c->type == OUT_SINK_ALERTMANAGER || s->c->format == OUT_FORMAT_NDJSON ||
	       s->c->format == OUT_FORMAT_JSON_ARRAY;
}

static int http_open(struct out_sink *s, char *err, size_t errlen)
{
	struct http_priv *p = NULL;
	const char *suffix = s->c->type == OUT_SINK_ALERTMANAGER ? "/api/v2/alerts" : "";
	const char *ctype = s->c->type == OUT_SINK_WEBHOOK && s->c->format == OUT_FORMAT_NDJSON
			    ? "Content-Type: application/x-ndjson" : "Content-Type: application/json";
	size_t ul;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "output '%s': libcurl: %s", s->c->name,
			 curl_easy_strerror(curl_init_rc));
		return -1;
	}
	/* a CA file that cannot be read would fail every send: say so now */
	if (s->c->ca_file && access(s->c->ca_file, R_OK)) {
		snprintf(err, errlen, "output '%s' (line %d): ca_file %s: %s", s->c->name,
			 s->c->line, s->c->ca_file, strerror(errno));
		return -1;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto oom;
	s->priv = p;
	ul = strlen(s->c->url);
	p->url = malloc(ul + strlen(suffix) + 1);
	if (!p->url)
		goto oom;
	memcpy(p->url, s->c->url, ul + 1);
	/* Alertmanager: accept the base URL or the full API path */
	if (*suffix && !strstr(p->url, suffix)) {
		while (ul && p->url[ul - 1] == '/')
			p->url[--ul] = 0;
		strcat(p->url, suffix);
	}
	p->curl = curl_easy_init();
	p->hdrs = curl_slist_append(NULL, ctype);
	if (!p->curl || !p->hdrs)
		goto oom;
	curl_easy_setopt(p->curl, CURLOPT_URL, p->url);
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, p->hdrs);
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, (long)s->c->timeout_ms);
	curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)s->c->timeout_ms);
	curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, keep_reply);
	curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->curl, CURLOPT_USERAGENT, "vigil");
	if (s->c->ca_file)
		curl_easy_setopt(p->curl, CURLOPT_CAINFO, s->c->ca_file);
	if (s->c->insecure) {
		curl_easy_setopt(p->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(p->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return 0;
oom:
	snprintf(err, errlen, "output '%s': cannot set up libcurl", s->c->name);
	if (p) {
		curl_slist_free_all(p->hdrs);
		if (p->curl)
			curl_easy_cleanup(p->curl);
		free(p->url);
		free(p);
	}
	s->priv = NULL;
	return -1;
}

static void label(struct json_object *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *am_alert(const struct alert *a)
{
	struct json_object *o = json_object_new_object();
	struct json_object *l = json_object_new_object(), *an = json_object_new_object();
	char ts[64], *summary = NULL;

	label(l, "alertname", a->rule);
	label(l, "rule", a->rule);
	label(l, "priority", alert_priority_lower(a->priority));
	label(l, "severity", alert_priority_severity(a->priority));
	label(l, "hostname", a->hostname);
	label(l, "k8s_ns", a->ctx[ALERT_CTX_K8S_NS]);
	label(l, "k8s_pod", a->ctx[ALERT_CTX_K8S_POD]);
	label(l, "container", a->ctx[ALERT_CTX_CONTAINER_NAME] ? a->ctx[ALERT_CTX_CONTAINER_NAME]
							      : a->ctx[ALERT_CTX_CONTAINER_ID]);
	label(l, "owner", a->ctx[ALERT_CTX_OWNER]);
	label(l, "environment", a->ctx[ALERT_CTX_ENVIRONMENT]);
	if (asprintf(&summary, "%s (%s) on %s", a->rule ? a->rule : "",
		     alert_priority_lower(a->priority), a->hostname ? a->hostname : "?") < 0)
		summary = NULL;
	label(an, "summary", summary);
	label(an, "description", a->output);
	free(summary);
	json_object_object_add(o, "labels", l);
	json_object_object_add(o, "annotations", an);
	alert_time_rfc3339(a->time_ns, ts, sizeof(ts));
	json_object_object_add(o, "startsAt", json_object_new_string(ts));
	return o;
}

enum post_result { POST_OK, POST_REFUSED, POST_FAILED };

static bool tls_verify_error(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_ISSUER_ERROR;
}

/* One POST with retries. POST_REFUSED: the receiver answered 4xx (not 429),
 * its code in *codep; not retried. */
static enum post_result post(struct out_sink *s, const char *body, size_t nalerts, long *codep)
{
	struct http_priv *p = s->priv;
	unsigned backoff = s->c->backoff_ms ? s->c->backoff_ms : 100;

	for (int attempt = 0;; attempt++) {
		long code = 0;
		CURLcode rc;

		p->errbuf[0] = 0;
		p->resp[0] = 0;
		p->resp_len = 0;
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		rc = curl_easy_perform(p->curl);
		if (rc == CURLE_OK)
			curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &code);
		*codep = code;
		if (rc == CURLE_OK && code >= 200 && code < 300)
			return POST_OK;
		if (p->fails_reported < 3) {
			p->fails_reported++;
			if (rc != CURLE_OK)
				fprintf(stderr, "vigil: output '%s': POST %s: %s%s\n", s->c->name,
					p->url, p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc),
					tls_verify_error(rc) ? " (TLS verification failed: set ca_file "
					"to the CA of the receiver's certificate)" : "");
			else
				fprintf(stderr, "vigil: output '%s': POST %s: HTTP %ld for %zu "
					"alert%s%s%.*s\n", s->c->name, p->url, code, nalerts,
					nalerts == 1 ? "" : "s", p->resp_len ? ": " : "",
					(int)strcspn(p->resp, "\r\n"), p->resp);
		}
		if (rc == CURLE_OK && code >= 400 && code < 500 && code != 429)
			return POST_REFUSED;	/* retrying won't help */
		if (s->c->retries >= 0 && attempt >= s->c->retries)
			return POST_FAILED;
		if (out_sink_sleep(s, backoff))
			return POST_FAILED;
		backoff *= 2;
		if (s->c->max_backoff_ms && backoff > s->c->max_backoff_ms)
			backoff = s->c->max_backoff_ms;
	}
}

/* The request body for parts[0..n): one object, NDJSON lines or an array. */
static char *body_of(const struct out_sink *s, char *const *parts, size_t n)
{
	bool nd = s->c->type == OUT_SINK_WEBHOOK && s->c->format == OUT_FORMAT_NDJSON;
	bool one = !batched(s);
	size_t len = 3, o = 0;
	char *b;

	if (one && n == 1)
		return strdup(parts[0]);
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	b = malloc(len);
	if (!b)
		return NULL;
	if (!nd)
		b[o++] = '[';
	for (size_t i = 0; i < n; i++) {
		size_t pl = strlen(parts[i]);

		if (i && !nd)
			b[o++] = ',';
		memcpy(b + o, parts[i], pl);
		o += pl;
		if (nd)
			b[o++] = '\n';
	}
	if (!nd)
		b[o++] = ']';
	b[o] = 0;
	return b;
}

/* POSTs parts[0..n) as one request. */
static enum post_result post_parts(struct out_sink *s, char *const *parts, size_t n, long *code)
{
	char *body = body_of(s, parts, n);
	enum post_result r = POST_FAILED;

	if (body)
		r = post(s, body, n, code);
	free(body);
	return r;
}

static size_t http_send(struct out_sink *s, struct alert *const *a, size_t n)
{
	char **parts = calloc(n, sizeof(*parts));
	size_t ok = 0, np = 0;
	long code = 0;

	if (!parts)
		return 0;
	/* each alert's JSON; one that cannot be built (no memory) fails */
	for (size_t i = 0; i < n; i++) {
		char *t = NULL;

		if (s->c->type == OUT_SINK_ALERTMANAGER) {
			struct json_object *o = am_alert(a[i]);

			t = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		} else {
			t = alert_json(a[i]);
		}
		if (t)
			parts[np++] = t;
	}
	if (!batched(s)) {
		for (size_t i = 0; i < np && !out_sink_stopping(s); i++)
			ok += post_parts(s, &parts[i], 1, &code) == POST_OK;
	} else if (np) {
		enum post_result r = post_parts(s, parts, np, &code);

		if (r == POST_OK) {
			ok = np;
		} else if (r == POST_REFUSED && np > 1 &&
			   (code == 400 || code == 413 || code == 422)) {
			/* one bad alert (or a batch too large) must not take the
			 * others down: send them one by one */
			struct http_priv *p = s->priv;
			size_t refused = 0;
			long first = code;

			for (size_t i = 0; i < np && !out_sink_stopping(s); i++) {
				r = post_parts(s, &parts[i], 1, &code);
				ok += r == POST_OK;
				refused += r == POST_REFUSED;
			}
			if (p->splits_reported < 3) {
				p->splits_reported++;
				fprintf(stderr, "vigil: output '%s': a batch of %zu was refused "
					"(HTTP %ld); sent one by one: %zu delivered, %zu refused\n",
					s->c->name, np, first, ok, refused);
			}
		}
	}
	for (size_t i = 0; i < np; i++)
		free(parts[i]);
	free(parts);
	return ok;
}

static void http_close(struct out_sink *s)
{
	struct http_priv *p = s->priv;

	if (!p)
		return;
	curl_slist_free_all(p->hdrs);
	curl_easy_cleanup(p->curl);
	free(p->url);
	free(p);
	s->priv = NULL;
}

const struct out_sink_ops out_sink_WEBHOOK_ops = {
	.open = http_open,
	.send = http_send,
	.close = http_close,
};

const struct out_sink_ops out_sink_ALERTMANAGER_ops = {
	.open = http_open,
	.send = http_send,
	.close = http_close,
};
