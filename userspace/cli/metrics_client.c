/* SPDX-License-Identifier: MIT */
/* metrics_client.c - see metrics_client.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/metrics_client.h"
#include "config/config.h"

#define MC_BODY_MAX	(8u << 20)

int mc_url_from_config(const char *cfgpath, char *url, size_t len, char *err, size_t errlen)
{
	struct vigil_config *cfg;

	if (config_load(cfgpath, &cfg, err, errlen) != 0)
		return -1;
	if (!cfg->metrics_enabled) {
		snprintf(err, errlen, "%s: metrics are not enabled (metrics: {enabled: true})",
			 cfgpath);
		config_free(cfg);
		return 1;
	}
	snprintf(url, len, "http://%s:%u/metrics",
		 strcmp(cfg->metrics_listen, "0.0.0.0") ? cfg->metrics_listen : "127.0.0.1",
		 cfg->metrics_port);
	config_free(cfg);
	return 0;
}

struct body {
	char *p;
	size_t len;
	bool too_big;
};

static size_t on_data(char *d, size_t sz, size_t n, void *arg)
{
	struct body *b = arg;
	size_t k = sz * n;
	char *np;

	if (b->len + k > MC_BODY_MAX) {
		b->too_big = true;
		return 0;
	}
	np = realloc(b->p, b->len + k + 1);
	if (!np)
		return 0;
	memcpy(np + b->len, d, k);
	b->p = np;
	b->len += k;
	b->p[b->len] = 0;
	return k;
}

char *mc_fetch(const char *url, double timeout_s, char *err, size_t errlen)
{
	struct body b = { 0 };
	CURL *h;
	CURLcode cr;
	long status = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	cr = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (cr != CURLE_OK || status != 200 || !b.p) {
		snprintf(err, errlen, "%s: %s", url,
			 cr != CURLE_OK ? (b.too_big ? "answer too large" : curl_easy_strerror(cr))
					: status != 200 ? "HTTP status not 200" : "empty answer");
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Does the label set starting at `{` hold key="val"? */
static bool has_label(const char *l, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val);
	const char *end = strchr(l, '}');

	for (const char *p = l + 1; p && end && p < end; ) {
		if (!strncmp(p, key, kl) && p[kl] == '=' && p[kl + 1] == '"')
			return !strncmp(p + kl + 2, val, vl) && p[kl + 2 + vl] == '"';
		/* next label: past the closing quote of this value */
		p = strchr(p, '"');
		while (p && p < end) {
			p++;
			if (*p == '\\' && p[1]) {
				p++;
				continue;
			}
			if (*p == '"')
				break;
		}
		if (!p || p >= end)
			return false;
		p++;
		if (*p == ',')
			p++;
	}
	return false;
}

static bool has_labels(const char *l, const char *const *kv)
{
	for (; kv && kv[0] && kv[1]; kv += 2)
		if (!has_label(l, kv[0], kv[1]))
			return false;
	return true;
}

double mc_sum(const char *text, const char *name, const char *const *kv, bool *found)
{
	size_t nl = strlen(name);
	double sum = 0;

	*found = false;
	for (const char *l = text; l && *l; ) {
		const char *next = strchr(l, '\n'), *v;

		if (!strncmp(l, name, nl) && (l[nl] == ' ' || l[nl] == '{')) {
			v = l + nl;
			if (*v == '{') {
				if (!has_labels(v, kv))
					goto skip;
				v = strchr(v, '}');
				if (!v)
					goto skip;
				v++;
			} else if (kv && kv[0]) {
				goto skip;
			}
			sum += strtod(v, NULL);
			*found = true;
		}
skip:
		l = next ? next + 1 : NULL;
	}
	return sum;
}
