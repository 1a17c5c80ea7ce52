/* SPDX-License-Identifier: MIT */
/* policy.c - exceptions, silences, dedup, rate limit, summaries. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/policy.h"
#include "alert/tz.h"

static const char *const verdict_names[POLICY_VERDICT_N] = {
#define X(id, name) [POLICY_##id] = name,
	POLICY_VERDICT_TABLE(X)
#undef X
};

const char *policy_verdict_name(enum policy_verdict v)
{
	return (unsigned)v < POLICY_VERDICT_N ? verdict_names[v] : "?";
}

/* --- a small string-keyed hash map --- */

struct hent {
	struct hent *next;
	char *key;
	/* dedup */
	struct alert *first;
	time_t start;
	uint64_t hits;
	/* rate */
	double tokens;
	time_t last;
	const struct policy_rate *rate;
	/* summary */
	uint64_t supp[POLICY_VERDICT_N];
};

struct hmap {
	struct hent **b;
	size_t nb, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct hent *hmap_get(struct hmap *m, const char *key, bool create)
{
	struct hent *e;
	uint64_t h;

	if (!m->nb) {
		if (!create)
			return NULL;
		m->b = calloc(64, sizeof(*m->b));
		if (!m->b)
			return NULL;
		m->nb = 64;
	}
	h = hash_str(key) % m->nb;
	for (e = m->b[h]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	if (!create)
		return NULL;
	if (m->n >= m->nb * 2) {	/* grow */
		struct hent **nb = calloc(m->nb * 4, sizeof(*nb));

		if (nb) {
			for (size_t i = 0; i < m->nb; i++)
				while (m->b[i]) {
					struct hent *x = m->b[i];
					uint64_t j = hash_str(x->key) % (m->nb * 4);

					m->b[i] = x->next;
					x->next = nb[j];
					nb[j] = x;
				}
			free(m->b);
			m->b = nb;
			m->nb *= 4;
			h = hash_str(key) % m->nb;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = strdup(key);
	if (!e->key) {
		free(e);
		return NULL;
	}
	e->next = m->b[h];
	m->b[h] = e;
	m->n++;
	return e;
}

static void hent_free(struct hent *e)
{
	alert_put(e->first);
	free(e->key);
	free(e);
}

static void hmap_free(struct hmap *m)
{
	for (size_t i = 0; i < m->nb; i++)
		while (m->b[i]) {
			struct hent *e = m->b[i];

			m->b[i] = e->next;
			hent_free(e);
		}
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}

/* --- the policy --- */

struct policy {
	const struct policy_conf *c;
	struct hmap dedup, rate, summary;
	struct alert **pending;	/* dedup follow-ups due */
	size_t npending, cpending;
	time_t last_summary;
	uint64_t count[POLICY_VERDICT_N];
};

struct policy *policy_new(const struct policy_conf *conf, char *err, size_t errlen)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "policy: out of memory");
		return NULL;
	}
	p->c = conf;
	return p;
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	hmap_free(&p->dedup);
	hmap_free(&p->rate);
	hmap_free(&p->summary);
	for (size_t i = 0; i < p->npending; i++)
		alert_put(p->pending[i]);
	free(p->pending);
	free(p);
}

uint64_t policy_count(const struct policy *p, enum policy_verdict v)
{
	return (unsigned)v < POLICY_VERDICT_N ? p->count[v] : 0;
}

static bool glob_ok(const char *glob, const char *value)
{
	if (!glob)
		return true;
	return value && fnmatch(glob, value, 0) == 0;
}

bool policy_exception_matches(const struct policy_exception *e,
			      const struct alert *a, time_t now)
{
	if (e->expires && now >= e->expires)
		return false;
	if (!glob_ok(e->rule, a->rule))
		return false;
	if (e->tag && !alert_has_tag(a, e->tag))
		return false;
	for (size_t i = 0; i < e->nconds; i++)
		if (!glob_ok(e->conds[i].glob, alert_get(a, e->conds[i].key)))
			return false;
	return true;
}

size_t policy_conf_expired(const struct policy_conf *c, time_t now,
			   void (*report)(const struct policy_exception *e, void *arg),
			   void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nexceptions; i++)
		if (c->exceptions[i].expires && now >= c->exceptions[i].expires) {
			n++;
			if (report)
				report(&c->exceptions[i], arg);
		}
	return n;
}

static bool weekly_active(const struct policy_silence *s, time_t now)
{
	struct tm tm;
	int m, d, prev;

	if (s->tz)
		tz_localtime(s->tz, now, &tm);
	else
		gmtime_r(&now, &tm);
	m = tm.tm_hour * 60 + tm.tm_min;
	d = tm.tm_wday;
	prev = (d + 6) % 7;
	if (s->start_min < s->end_min)
		return (s->days >> d & 1) && m >= s->start_min && m < s->end_min;
	/* crosses midnight (or a full day when start == end) */
	return ((s->days >> d & 1) && m >= s->start_min) ||
	       ((s->days >> prev & 1) && m < s->end_min);
}

bool policy_silence_active(const struct policy_silence *s, const struct alert *a,
			   time_t now)
{
	if (!glob_ok(s->rule, a->rule) || !glob_ok(s->ns, a->ctx[ALERT_CTX_K8S_NS]) ||
	    !glob_ok(s->owner, a->ctx[ALERT_CTX_OWNER]) || !glob_ok(s->host, a->hostname))
		return false;
	if (s->tag && !alert_has_tag(a, s->tag))
		return false;
	if (s->kind == POLICY_WINDOW_ONEOFF)
		return now >= s->from && now < s->until;
	return weekly_active(s, now);
}

static void count_supp(struct policy *p, const struct alert *a, enum policy_verdict v)
{
	struct hent *e;

	p->count[v]++;
	if (v == POLICY_PASS || !p->c->summary_interval_s)
		return;
	e = hmap_get(&p->summary, a->rule ? a->rule : "", true);
	if (e)
		e->supp[v]++;
}

static int push_pending(struct policy *p, struct alert *a)
{
	if (p->npending == p->cpending) {
		size_t nc = p->cpending ? p->cpending * 2 : 16;
		struct alert **np = realloc(p->pending, nc * sizeof(*np));

		if (!np)
			return -1;
		p->pending = np;
		p->cpending = nc;
	}
	p->pending[p->npending++] = a;
	return 0;
}

static bool dedup_hit(struct policy *p, const struct alert *a, time_t now)
{
	char key[1024];
	size_t o;
	struct hent *e;

	o = (size_t)snprintf(key, sizeof(key), "%s", a->rule ? a->rule : "");
	for (size_t i = 0; i < p->c->ndedup_keys && o < sizeof(key); i++) {
		const char *v = alert_get(a, p->c->dedup_keys[i]);

		o += (size_t)snprintf(key + o, sizeof(key) - o, "\x1f%s", v ? v : "");
	}
	e = hmap_get(&p->dedup, key, true);
	if (!e)
		return false;	/* out of memory: let it through */
	if (e->first && now < e->start + (time_t)p->c->dedup_window_s) {
		e->hits++;
		return true;
	}
	/* window over (or first sighting): close the old one, open anew */
	if (e->first && e->hits > 1) {
		e->first->count = e->hits;
		if (push_pending(p, e->first) == 0)
			e->first = NULL;
	}
	alert_put(e->first);
	e->first = alert_dup(a);
	e->start = now;
	e->hits = 1;
	return false;
}

static const struct policy_rate *rate_for(const struct policy_conf *c, const char *rule)
{
	for (size_t i = 0; i < c->nrates; i++)
		if (glob_ok(c->rates[i].rule, rule))
			return &c->rates[i];
	return NULL;
}

static bool rate_limited(struct policy *p, const struct alert *a, time_t now)
{
	const struct policy_rate *r = rate_for(p->c, a->rule);
	struct hent *e;

	if (!r)
		return false;
	e = hmap_get(&p->rate, a->rule ? a->rule : "", true);
	if (!e)
		return false;
	if (!e->rate) {
		e->rate = r;
		e->tokens = r->burst;
		e->last = now;
	}
	if (now > e->last) {
		e->tokens += (double)(now - e->last) * r->per_second;
		if (e->tokens > r->burst)
			e->tokens = r->burst;
		e->last = now;
	}
	if (e->tokens < 1.0)
		return true;
	e->tokens -= 1.0;
	return false;
}

enum policy_verdict policy_decide(struct policy *p, struct alert *a, time_t now)
{
	const struct policy_conf *c = p->c;
	enum policy_verdict v = POLICY_PASS;

	if (c->environment && !a->ctx[ALERT_CTX_ENVIRONMENT])
		a->ctx[ALERT_CTX_ENVIRONMENT] = c->environment;
	for (size_t i = 0; i < c->noverrides; i++)
		if (glob_ok(c->overrides[i].rule, a->rule)) {
			a->priority = (enum alert_priority)c->overrides[i].priority;
			break;
		}
	if (c->min_priority >= 0 && (int)a->priority > c->min_priority) {
		v = POLICY_BELOW_PRIORITY;
		goto out;
	}
	for (size_t i = 0; i < c->nexceptions; i++)
		if (policy_exception_matches(&c->exceptions[i], a, now)) {
			v = POLICY_EXCEPTED;
			goto out;
		}
	for (size_t i = 0; i < c->nsilences; i++)
		if (policy_silence_active(&c->silences[i], a, now)) {
			v = POLICY_SILENCED;
			if (c->record_silenced)
				a->silenced = true;
			goto out;
		}
	if (c->dedup_window_s && dedup_hit(p, a, now)) {
		v = POLICY_DEDUPED;
		goto out;
	}
	if (rate_limited(p, a, now))
		v = POLICY_RATE_LIMITED;
out:
	count_supp(p, a, v);
	return v;
}

static void emit_summary(struct policy *p, time_t now, policy_emit_fn emit, void *arg)
{
	struct alert s = { 0 };
	struct alert_field *f;
	char *vals, *out;
	size_t n = 0, o = 0, cap = 256;
	uint64_t total = 0;

	for (size_t i = 0; i < p->summary.nb; i++)
		for (struct hent *e = p->summary.b[i]; e; e = e->next)
			n++;
	if (!n)
		return;
	f = calloc(n, sizeof(*f));
	vals = calloc(n, 160);
	out = malloc(cap);
	if (!f || !vals || !out)
		goto done;
	n = 0;
	o = (size_t)snprintf(out, cap, "vigil suppressed alerts in the last %us:",
			     p->c->summary_interval_s);
	for (size_t i = 0; i < p->summary.nb; i++)
		for (struct hent *e = p->summary.b[i]; e; e = e->next) {
			char *v = vals + n * 160;
			size_t vo = 0;

			for (int k = 1; k < POLICY_VERDICT_N; k++)
				if (e->supp[k]) {
					vo += (size_t)snprintf(v + vo, 160 - vo, "%s%s=%llu",
						vo ? " " : "", verdict_names[k],
						(unsigned long long)e->supp[k]);
					total += e->supp[k];
					if (vo >= 160)
						vo = 159;
				}
			f[n].name = e->key;
			f[n].value = v;
			n++;
			{
				size_t need = o + strlen(e->key) + strlen(v) + 8;

				if (need > cap) {
					char *no = realloc(out, cap = need * 2);

					if (!no)
						goto done;
					out = no;
				}
				o += (size_t)snprintf(out + o, cap - o, " %s (%s);", e->key, v);
			}
		}
	s.time_ns = (uint64_t)now * 1000000000ull;
	s.rule = "vigil suppression summary";
	s.priority = ALERT_PRIO_INFORMATIONAL;
	s.source = "vigil";
	s.output = out;
	s.fields = f;
	s.nfields = n;
	s.count = total;
	s.ctx[ALERT_CTX_ENVIRONMENT] = p->c->environment;
	emit(&s, arg);
done:
	free(f);
	free(vals);
	free(out);
}

int policy_tick(struct policy *p, time_t now, policy_emit_fn emit, void *arg)
{
	int n = 0;

	/* dedup windows that are over */
	for (size_t i = 0; i < p->dedup.nb; i++) {
		struct hent **pp = &p->dedup.b[i];

		while (*pp) {
			struct hent *e = *pp;

			if (now >= e->start + (time_t)p->c->dedup_window_s) {
				if (e->first && e->hits > 1) {
					e->first->count = e->hits;
					if (push_pending(p, e->first) == 0)
						e->first = NULL;
				}
				*pp = e->next;
				p->dedup.n--;
				hent_free(e);
			} else {
				pp = &e->next;
			}
		}
	}
	for (size_t i = 0; i < p->npending; i++) {
		emit(p->pending[i], arg);
		alert_put(p->pending[i]);
		n++;
	}
	p->npending = 0;
	if (p->c->summary_interval_s) {
		if (!p->last_summary)
			p->last_summary = now;
		if (now >= p->last_summary + (time_t)p->c->summary_interval_s) {
			if (p->summary.n) {
				emit_summary(p, now, emit, arg);
				n++;
			}
			hmap_free(&p->summary);
			p->last_summary = now;
		}
	}
	return n;
}
