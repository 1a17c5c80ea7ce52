/* SPDX-License-Identifier: MIT */
/*
 * sink_http.c - libcurl sinks (TLS, timeouts, retry with backoff):
 *   webhook:      POST one Falco-JSON alert per request (Falcosidekick's
 *                 input shape), keep-alive between them;
 *   alertmanager: POST a batch to URL/api/v2/alerts, labels alertname, rule,
 *                 priority, severity, hostname, k8s_ns, k8s_pod, container,
 *                 owner, environment; annotations summary, description.
 * A failed request is retried (backoff doubling from backoff_ms up to
 * max_backoff_ms) up to `retries` times, or until it succeeds or the router
 * closes when retries is -1; the queue fills meanwhile and overflow is
 * counted as dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "output/sink.h"

struct http_priv {
	CURL *curl;
	struct curl_slist *hdrs;
	char *url;
	char errbuf[CURL_ERROR_SIZE];
	unsigned fails_reported;
};

static size_t discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

static int http_open(struct out_sink *s, char *err, size_t errlen)
{
	struct http_priv *p = calloc(1, sizeof(*p));
	const char *suffix = s->c->type == OUT_SINK_ALERTMANAGER ? "/api/v2/alerts" : "";
	size_t ul;

	if (!p)
		goto oom;
	s->priv = p;
	curl_global_init(CURL_GLOBAL_DEFAULT);
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
	p->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (!p->curl || !p->hdrs)
		goto oom;
	curl_easy_setopt(p->curl, CURLOPT_URL, p->url);
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, p->hdrs);
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, (long)s->c->timeout_ms);
	curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)s->c->timeout_ms);
	curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, discard);
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

/* One POST with retries; true when delivered (2xx). */
static bool post(struct out_sink *s, const char *body)
{
	struct http_priv *p = s->priv;
	unsigned backoff = s->c->backoff_ms ? s->c->backoff_ms : 100;

	for (int attempt = 0;; attempt++) {
		long code = 0;
		CURLcode rc;

		p->errbuf[0] = 0;
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, body);
		rc = curl_easy_perform(p->curl);
		if (rc == CURLE_OK)
			curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &code);
		if (rc == CURLE_OK && code >= 200 && code < 300)
			return true;
		if (p->fails_reported < 3) {
			p->fails_reported++;
			fprintf(stderr, "vigil: output '%s': POST %s: %s\n", s->c->name, p->url,
				rc != CURLE_OK ? (p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc))
					       : "HTTP error status");
		}
		if (rc == CURLE_OK && code >= 400 && code < 500 && code != 429)
			return false;	/* the receiver refuses it: retrying won't help */
		if (s->c->retries >= 0 && attempt >= s->c->retries)
			return false;
		if (out_sink_sleep(s, backoff))
			return false;
		backoff *= 2;
		if (s->c->max_backoff_ms && backoff > s->c->max_backoff_ms)
			backoff = s->c->max_backoff_ms;
	}
}

static size_t http_send(struct out_sink *s, struct alert *const *a, size_t n)
{
	size_t ok = 0;

	if (s->c->type == OUT_SINK_ALERTMANAGER) {
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, am_alert(a[i]));
		if (post(s, json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN)))
			ok = n;
		json_object_put(arr);
		return ok;
	}
	for (size_t i = 0; i < n; i++) {
		char *body = alert_json(a[i]);

		if (body && post(s, body))
			ok++;
		free(body);
	}
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
