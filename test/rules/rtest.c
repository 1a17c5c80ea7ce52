/* SPDX-License-Identifier: MIT */
/*
 * rtest.c - the rule-case driver of test/rules.
 *
 *   rtest cases FILE...      run data-driven cases (format below)
 *   rtest dump COND          print the listing of a condition
 *   rtest golden DIR         compare the listing of each DIR/NAME.cond with NAME.out;
 *                            check DIR/aliases.txt groups compile alike
 *
 * Case files: blocks starting with "=== name". Keys (one per line):
 *   yaml:            following lines indented by two spaces: rule items,
 *                    loaded as file "case.yaml" (before the generated rule)
 *   file: PATH       a rules file loaded first (path from the repo root); when
 *                    it is absent every check of the case prints SKIP
 *   yaml2:           the same, loaded as a second file "case2.yaml"
 *   load: PATH       a rules file or directory loaded first, never skipped
 *                    (for the diagnostics of unreadable paths)
 *   file-bytes: TEXT a rules file with exactly these bytes (escapes \xNN, \n,
 *                    \\), written to a temporary file and loaded by path
 *   late: TEXT       rules text loaded after rules_finish (a misuse)
 *   cond: TEXT       generates rule "t" (after the yaml) with this condition
 *                    as a literal block: its text starts at column 5 of its line
 *   output: TEXT     the generated rule's output (default "out")
 *   matching: all    rule_matching all (default first)
 *   state: EVENT     fed to state_apply (and state_apply_post) before events
 *   match: EVENT     one case: the event must match (rule "t" or any rule)
 *   nomatch: EVENT   one case: no rule may match
 *   event: EVENT     an event for the expect-* lines that follow
 *   expect-rules: a,b       the rules that matched, in order
 *   expect-has: RULE        RULE is among the rules that matched
 *   expect-not: RULE        RULE did not match
 *   expect-output: TEXT     the output of the first match
 *   expect-field: NAME=VAL  an output field of the first match
 *   expect-prio: NAME       priority of the first match
 *   expect-tags: a,b        tags of the first match
 *   error: L:C MSG   one case: loading/compiling gives an error at L:C (lines of
 *                    the composed case.yaml; "@C" = column C of the cond text)
 *                    whose message contains MSG
 *   warning: L:C MSG the same for a warning
 *   valid:           one case: no error at all
 *   rule: NAME enabled|disabled|absent|priority=P|evtypes=a,b   state of a
 *                    loaded rule (evtypes: the types the index runs it on)
 * In yaml, yaml2, cond and output, {{N|TEXT}} stands for TEXT repeated N
 * times, with $i in TEXT replaced by 0..N-1 (for inputs past a limit).
 * EVENT := TYPE [@tid=N] [@pid=N] [param=value]...; values may be "quoted";
 * STRARRAY values are comma-separated; SOCKADDR "inet:1.2.3.4:80",
 * "inet6:[::1]:80", "unix:/path"; SOCKTUPLE "A->B"; FLAGS by name "O_RDONLY|O_CREAT".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/event.h"
#include "event/flagsets.h"
#include "rules/rules.h"
#include "state/state.h"

static int npass, nfail;
static uint64_t evnum;
static char cur_file[256], cur_case[128];
static int sub;

static void pass(void)
{
	printf("PASS: %s/%s#%d\n", cur_file, cur_case, sub);
	npass++;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: %s/%s#%d: ", cur_file, cur_case, sub);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	nfail++;
}

/* ---- events ---- */

static char *next_tok(char **p)
{
	char *s = *p, *o, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	start = o = s;
	while (*s && *s != ' ' && *s != '\t') {
		if (*s == '"') {
			s++;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1] == 'x' && s[2] && s[3]) {
					char hex[3] = { s[2], s[3], 0 };

					*o++ = (char)strtol(hex, NULL, 16);
					s += 4;
					continue;
				}
				if (*s == '\\' && s[1])
					s++;
				*o++ = *s++;
			}
			if (*s)
				s++;
			continue;
		}
		*o++ = *s++;
	}
	if (*s)
		s++;
	*o = 0;
	*p = s;
	return start;
}

static bool parse_sa(const char *s, struct evt_sockaddr *sa)
{
	char buf[256], *port;

	memset(sa, 0, sizeof(*sa));
	if (!strncmp(s, "unix:", 5)) {
		sa->family = AF_UNIX;
		sa->path = s + 5;
		sa->pathlen = strlen(s + 5);
		return true;
	}
	if (!strncmp(s, "inet:", 5)) {
		snprintf(buf, sizeof(buf), "%s", s + 5);
		port = strrchr(buf, ':');
		if (!port)
			return false;
		*port++ = 0;
		sa->family = AF_INET;
		sa->port = (uint16_t)atoi(port);
		return inet_pton(AF_INET, buf, sa->addr) == 1;
	}
	if (!strncmp(s, "inet6:[", 7)) {
		snprintf(buf, sizeof(buf), "%s", s + 7);
		port = strstr(buf, "]:");
		if (!port)
			return false;
		*port = 0;
		sa->family = AF_INET6;
		sa->port = (uint16_t)atoi(port + 2);
		return inet_pton(AF_INET6, buf, sa->addr) == 1;
	}
	return false;
}

static uint64_t num(const char *v, enum vigil_flag_set fs)
{
	char *end;
	uint64_t r = 0, x;
	char buf[512], *save, *tok;

	r = (uint64_t)strtoll(v, &end, 0);
	if (!*end && end != v)
		return r;
	snprintf(buf, sizeof(buf), "%s", v);
	r = 0;
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		if (evt_flag_by_name(fs, tok, &x))
			r |= x;
		else
			fprintf(stderr, "rtest: unknown flag %s\n", tok);
	}
	return r;
}

/* Builds an event from its text into buf; returns its length or 0. */
static size_t build(char *text, uint8_t *buf, size_t cap, char *err, size_t errlen)
{
	char *p = text, *t = next_tok(&p), *tok;
	const char *vals[VIGIL_MAX_PARAMS] = { 0 };
	uint32_t tid = 100, pid = 100;
	struct evt_builder b;
	int type;
	size_t len;

	if (!t || (type = evt_type_by_name(t)) < 0) {
		snprintf(err, errlen, "unknown event type '%s'", t ? t : "");
		return 0;
	}
	while ((tok = next_tok(&p))) {
		char *eq = strchr(tok, '=');
		int idx;

		if (!eq) {
			snprintf(err, errlen, "bad parameter '%s'", tok);
			return 0;
		}
		*eq = 0;
		if (!strcmp(tok, "@tid")) {
			tid = (uint32_t)atoi(eq + 1);
			continue;
		}
		if (!strcmp(tok, "@pid")) {
			pid = (uint32_t)atoi(eq + 1);
			continue;
		}
		idx = evt_param_index((unsigned)type, tok);
		if (idx < 0) {
			snprintf(err, errlen, "%s has no parameter '%s'", t, tok);
			return 0;
		}
		vals[idx] = eq + 1;
	}
	evt_build_begin(&b, buf, cap, (unsigned)type, 1000000000ull, tid, pid);
	for (unsigned i = 0; i < evt_table[type].nparams; i++) {
		const struct evt_param_info *pi = &evt_table[type].params[i];
		const char *v = vals[i];

		if (!v) {
			evt_build_empty(&b, 0);
			continue;
		}
		switch (pi->type) {
		case VIGIL_PT_S64: case VIGIL_PT_U64: case VIGIL_PT_FD: case VIGIL_PT_PID:
		case VIGIL_PT_ERRNO: case VIGIL_PT_FLAGS64:
			evt_build_u64(&b, num(v, pi->flagset));
			break;
		case VIGIL_PT_PATH: case VIGIL_PT_STR:
			evt_build_str(&b, v);
			break;
		case VIGIL_PT_BYTES:
			evt_build_bytes(&b, v, strlen(v), 0);
			break;
		case VIGIL_PT_STRARRAY: {
			char sa[4096];
			size_t n = strlen(v);

			if (n >= sizeof(sa))
				n = sizeof(sa) - 1;
			memcpy(sa, v, n);
			sa[n] = 0;
			for (size_t k = 0; k < n; k++)
				if (sa[k] == ',')
					sa[k] = 0;
			evt_build_bytes(&b, sa, n + 1, 0);
			break;
		}
		case VIGIL_PT_SOCKADDR: {
			struct evt_sockaddr sa;

			if (!parse_sa(v, &sa)) {
				snprintf(err, errlen, "bad address '%s'", v);
				return 0;
			}
			evt_build_sockaddr(&b, &sa);
			break;
		}
		case VIGIL_PT_SOCKTUPLE: {
			struct evt_sockaddr l, r;
			char tmp[512], *arrow;

			snprintf(tmp, sizeof(tmp), "%s", v);
			arrow = strstr(tmp, "->");
			if (!arrow) {
				snprintf(err, errlen, "bad tuple '%s'", v);
				return 0;
			}
			*arrow = 0;
			if (!parse_sa(tmp, &l) || !parse_sa(arrow + 2, &r)) {
				snprintf(err, errlen, "bad tuple '%s'", v);
				return 0;
			}
			evt_build_tuple(&b, &l, &r);
			break;
		}
		default:
			evt_build_u32(&b, (uint32_t)num(v, pi->flagset));
			break;
		}
	}
	len = evt_build_end(&b);
	if (!len)
		snprintf(err, errlen, "event does not build");
	return len;
}

/* ---- one case ---- */

/* {{N|TEXT}} -> TEXT N times, $i = the copy's index; returns a heap string. */
static char *expand(const char *in)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	if (!m)
		return NULL;
	while (*in) {
		const char *bar, *end;
		char *num_end;
		long n;

		if (strncmp(in, "{{", 2) || !(end = strstr(in, "}}")) ||
		    !(bar = memchr(in, '|', (size_t)(end - in))) ||
		    (n = strtol(in + 2, &num_end, 10)) < 0 || num_end != bar) {
			fputc(*in++, m);
			continue;
		}
		for (long i = 0; i < n; i++)
			for (const char *t = bar + 1; t < end; t++) {
				if (t[0] == '$' && t[1] == 'i') {
					fprintf(m, "%ld", i);
					t++;
				} else {
					fputc(*t, m);
				}
			}
		in = end + 2;
	}
	fclose(m);
	return out;
}

/* file-bytes: the text with \xNN, \n and \\ decoded, in a temporary file */
static bool load_bytes(struct rules_engine *e, const char *text)
{
	char path[] = "/tmp/rtest-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;

	if (!f)
		return false;
	for (const char *s = text; *s; s++) {
		if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char hex[3] = { s[2], s[3], 0 };

			fputc((int)strtol(hex, NULL, 16), f);
			s += 3;
		} else if (s[0] == '\\' && s[1] == 'n') {
			fputc('\n', f);
			s++;
		} else if (s[0] == '\\' && s[1] == '\\') {
			fputc('\\', f);
			s++;
		} else {
			fputc(*s, f);
		}
	}
	fclose(f);
	rules_load_file(e, path);
	unlink(path);
	return true;
}

#define MAXL 256
struct tcase {
	char yaml[16384], yaml2[8192], cond[4096], output[1024], file[512];
	char load[512], bytes[1024], late[1024];
	bool has_cond, all;
	int cond_line;		/* line of the cond text in case.yaml */
	char *state[32];
	int nstate;
	char *checks[MAXL];	/* match:/nomatch:/event:/expect-*:/error:/... lines */
	int nchecks;
};

struct hit {
	char rules[1024];
	char output[2048];
	char fields[2048];
	char prio[32];
	char tags[512];
	int n;
};

static void on_match(const struct rule_match *m, void *arg)
{
	struct hit *h = arg;
	size_t l = strlen(h->rules);

	snprintf(h->rules + l, sizeof(h->rules) - l, "%s%s", l ? "," : "", m->rule->name);
	if (h->n++ == 0) {
		snprintf(h->output, sizeof(h->output), "%s", m->output);
		snprintf(h->prio, sizeof(h->prio), "%s", rule_priority_name(m->rule->priority));
		h->fields[0] = 0;
		for (size_t i = 0; i < m->noutfields; i++) {
			l = strlen(h->fields);
			snprintf(h->fields + l, sizeof(h->fields) - l, "\n%s=%s", m->outfields[i].name,
				 m->outfields[i].value);
		}
		h->tags[0] = 0;
		for (size_t i = 0; i < m->rule->ntags; i++) {
			l = strlen(h->tags);
			snprintf(h->tags + l, sizeof(h->tags) - l, "%s%s", i ? "," : "", m->rule->tags[i]);
		}
	}
}

static bool check_diag(struct rules_engine *e, struct tcase *c, const char *spec,
		       enum diag_sev sev)
{
	const struct diag_list *d = rules_diags(e);
	int line = 0, col = 0;
	const char *msg;
	char buf[512];

	if (spec[0] == '@') {
		line = c->cond_line;
		col = 4 + atoi(spec + 1);
	} else if (sscanf(spec, "%d:%d", &line, &col) != 2) {
		fail("bad spec '%s'", spec);
		return false;
	}
	msg = strchr(spec, ' ');
	msg = msg ? msg + 1 : "";
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].sev == sev && d->v[i].line == line && d->v[i].col == col &&
		    strstr(d->v[i].msg, msg))
			return true;
	buf[0] = 0;
	for (size_t i = 0; i < d->n; i++) {
		size_t l = strlen(buf);

		snprintf(buf + l, sizeof(buf) - l, " [%s %d:%d %s]",
			 d->v[i].sev == DIAG_ERROR ? "error" : "warning", d->v[i].line,
			 d->v[i].col, d->v[i].msg);
	}
	fail("no %s at %d:%d containing '%s'; got:%s", sev == DIAG_ERROR ? "error" : "warning",
	     line, col, msg, buf);
	return false;
}

static void run_case(struct tcase *c)
{
	struct rules_engine *e = rules_new();
	struct state_cfg cfg = { .hostname = "testhost" };
	char err[256];
	struct state *st = state_new(&cfg, err, sizeof(err));
	struct rules_ctx *ctx = NULL;
	uint8_t buf[65536];
	struct hit h = { 0 };
	bool have_event = false;
	int nerr;

	sub = 0;
	if (!e || !st) {
		sub = 1;
		fail("setup: %s", st ? "rules_new" : err);
		goto out;
	}
	if (c->has_cond) {
		size_t l = strlen(c->yaml);
		int line = 1;

		for (const char *p = c->yaml; *p; p++)
			line += *p == '\n';
		snprintf(c->yaml + l, sizeof(c->yaml) - l,
			 "- rule: t\n  desc: t\n  priority: WARNING\n  output: \"%s\"\n  condition: |-\n    %s\n",
			 c->output[0] ? c->output : "out", c->cond);
		c->cond_line = line + 5;
	}
	rules_set_matching(e, c->all ? RULES_MATCH_ALL : RULES_MATCH_FIRST);
	if (c->file[0]) {
		if (access(c->file, R_OK) != 0) {
			for (int i = 0; i < c->nchecks; i++) {
				printf("SKIP: %s/%s#%d: %s not found (compat inputs live outside the "
				       "repo)\n", cur_file, cur_case, i + 1, c->file);
			}
			goto out;
		}
		rules_load_file(e, c->file);
	}
	if (c->load[0]) {
		struct stat sb;

		if (stat(c->load, &sb) == 0 && S_ISDIR(sb.st_mode))
			rules_load_dir(e, c->load);
		else if (!strcmp(c->load + strlen(c->load) - 1, "/"))
			rules_load_dir(e, c->load);
		else
			rules_load_file(e, c->load);
	}
	if (c->bytes[0] && !load_bytes(e, c->bytes)) {
		sub = 1;
		fail("cannot write a temporary file");
		goto out;
	}
	for (int k = 0; k < 2; k++) {
		char *text = expand(k ? c->yaml2 : c->yaml);

		if (!text) {
			sub = 1;
			fail("out of memory");
			goto out;
		}
		if (text[0])
			rules_load_text(e, k ? "case2.yaml" : "case.yaml", text);
		free(text);
	}
	nerr = rules_finish(e);
	if (c->late[0])
		rules_load_text(e, "late.yaml", c->late);
	ctx = rules_ctx_new(e, st);
	for (int i = 0; i < c->nstate; i++) {
		size_t len = build(c->state[i], buf, sizeof(buf), err, sizeof(err));
		struct evt ev;

		if (!len || evt_decode(buf, len, &ev) != EVT_OK) {
			sub = 1;
			fail("state event: %s", len ? "does not decode" : err);
			goto out;
		}
		state_apply(st, &ev);
		state_apply_post(st, &ev);
	}
	for (int i = 0; i < c->nchecks; i++) {
		char *line = c->checks[i], *val = strchr(line, ':');

		*val++ = 0;
		while (*val == ' ')
			val++;
		if (!strcmp(line, "match") || !strcmp(line, "nomatch") || !strcmp(line, "event")) {
			size_t len = build(val, buf, sizeof(buf), err, sizeof(err));
			struct evt ev;

			if (strcmp(line, "event"))
				sub++;
			if (nerr) {
				const struct diag_list *d = rules_diags(e);

				if (!strcmp(line, "event"))
					sub++;
				fail("rules have %d errors: %s", nerr, d->n ? d->v[0].msg : "");
				continue;
			}
			if (!len || evt_decode(buf, len, &ev) != EVT_OK) {
				fail("event: %s", len ? "does not decode" : err);
				continue;
			}
			memset(&h, 0, sizeof(h));
			ev.num = ++evnum;	/* the reader numbers events from 1 */
			state_apply(st, &ev);
			rules_eval(e, ctx, &ev, on_match, &h);
			state_apply_post(st, &ev);
			have_event = true;
			if (!strcmp(line, "match"))
				h.n ? pass() : fail("expected a match, got none");
			else if (!strcmp(line, "nomatch"))
				!h.n ? pass() : fail("expected no match, got %s", h.rules);
			continue;
		}
		sub++;
		if (!strcmp(line, "error") || !strcmp(line, "warning")) {
			if (check_diag(e, c, val, !strcmp(line, "error") ? DIAG_ERROR : DIAG_WARNING))
				pass();
			continue;
		}
		if (!strcmp(line, "valid")) {
			const struct diag_list *d = rules_diags(e);

			nerr ? fail("expected valid, got %d errors, first: %d:%d %s", nerr,
				    d->v[0].line, d->v[0].col, d->v[0].msg) : pass();
			continue;
		}
		if (!strcmp(line, "rule")) {
			char name[128], what[64];
			const struct rule_info *r = NULL;

			if (sscanf(val, "%127s %63s", name, what) != 2) {
				fail("bad rule check");
				continue;
			}
			for (size_t k = 0; k < rules_count(e); k++)
				if (!strcmp(rules_get(e, k)->name, name))
					r = rules_get(e, k);
			if (!strcmp(what, "absent"))
				!r ? pass() : fail("rule %s exists", name);
			else if (!r)
				fail("no rule %s", name);
			else if (!strcmp(what, "enabled"))
				r->enabled && r->compiled ? pass() : fail("rule %s is %s", name,
					r->compiled ? "disabled" : "not compiled");
			else if (!strcmp(what, "disabled"))
				!r->enabled ? pass() : fail("rule %s is enabled", name);
			else if (!strncmp(what, "evtypes=", 8)) {
				/* the event types the index runs the rule on */
				const unsigned long long *bits = NULL;
				char have[1024] = "";

				for (size_t k = 0; k < rules_count(e); k++)
					if (rules_get(e, k) == r)
						bits = rules_evtypes(e, k);
				for (unsigned t = 0; bits && t < VIGIL_EVT_NR; t++) {
					size_t l = strlen(have);

					if (bits[t / 64] >> (t % 64) & 1)
						snprintf(have + l, sizeof(have) - l, "%s%s", l ? "," : "",
							 evt_table[t].name);
				}
				!strcmp(have, what + 8) ? pass() : fail("evtypes %s", have);
			} else if (!strncmp(what, "priority=", 9))
				!strcasecmp(rule_priority_name(r->priority), what + 9) ? pass() :
					fail("priority is %s", rule_priority_name(r->priority));
			else
				fail("bad rule check '%s'", what);
			continue;
		}
		if (!have_event) {
			fail("%s before any event", line);
			continue;
		}
		if (!strcmp(line, "expect-has") || !strcmp(line, "expect-not")) {
			char want[300];
			bool has;

			snprintf(want, sizeof(want), ",%s,", val);
			char all[1100];

			snprintf(all, sizeof(all), ",%s,", h.rules);
			has = strstr(all, want) != NULL;
			if (has == !strcmp(line, "expect-has"))
				pass();
			else
				fail("rule '%s' %s; matched: '%s'", val, has ? "matched" : "did not match",
				     h.rules);
			continue;
		}
		if (!strcmp(line, "expect-rules"))
			!strcmp(h.rules, val) ? pass() : fail("matched '%s', expected '%s'", h.rules, val);
		else if (!strcmp(line, "expect-output"))
			!strcmp(h.output, val) ? pass() : fail("output '%s', expected '%s'", h.output, val);
		else if (!strcmp(line, "expect-prio"))
			!strcasecmp(h.prio, val) ? pass() : fail("priority '%s', expected '%s'", h.prio, val);
		else if (!strcmp(line, "expect-tags"))
			!strcmp(h.tags, val) ? pass() : fail("tags '%s', expected '%s'", h.tags, val);
		else if (!strcmp(line, "expect-field")) {
			char want[600];

			snprintf(want, sizeof(want), "\n%s\n", val);
			char have[2100];

			snprintf(have, sizeof(have), "%s\n", h.fields);
			strstr(have, want) ? pass() : fail("fields:%s; expected %s", h.fields, val);
		} else
			fail("unknown key '%s'", line);
	}
out:
	rules_ctx_free(ctx);
	rules_free(e);
	if (st)
		state_free(st);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "r");
	static char lines[2000][1024];
	int nl = 0;
	struct tcase *c = NULL;
	const char *base = strrchr(path, '/');

	snprintf(cur_file, sizeof(cur_file), "%s", base ? base + 1 : path);
	if (!f) {
		printf("FAIL: %s: cannot open\n", path);
		nfail++;
		return 1;
	}
	for (;;) {
		char *l = nl < 2000 && fgets(lines[nl], sizeof(lines[nl]), f) ? lines[nl] : NULL;

		if (l) {
			l[strcspn(l, "\n")] = 0;
			nl++;
		}
		if (!l || !strncmp(l, "=== ", 4)) {
			if (c) {
				run_case(c);
				free(c);
				c = NULL;
			}
			if (!l)
				break;
			c = calloc(1, sizeof(*c));
			snprintf(cur_case, sizeof(cur_case), "%s", l + 4);
			continue;
		}
		if (!c || !l[0] || l[0] == '#')
			continue;
		if (!strcmp(l, "yaml:") || !strcmp(l, "yaml2:")) {
			char *dst = l[4] == '2' ? c->yaml2 : c->yaml;
			size_t cap = l[4] == '2' ? sizeof(c->yaml2) : sizeof(c->yaml);

			for (;;) {
				long pos = ftell(f);
				char tmp[1024];

				if (!fgets(tmp, sizeof(tmp), f))
					break;
				if (strncmp(tmp, "  ", 2) && tmp[0] != '\n') {
					fseek(f, pos, SEEK_SET);
					break;
				}
				size_t dl = strlen(dst);

				snprintf(dst + dl, cap - dl, "%s", tmp[0] == '\n' ? "\n" : tmp + 2);
			}
			continue;
		}
		if (!strncmp(l, "cond: ", 6)) {
			c->has_cond = true;
			snprintf(c->cond, sizeof(c->cond), "%s", l + 6);
		} else if (!strncmp(l, "output: ", 8)) {
			snprintf(c->output, sizeof(c->output), "%s", l + 8);
		} else if (!strncmp(l, "load: ", 6)) {
			snprintf(c->load, sizeof(c->load), "%s", l + 6);
		} else if (!strncmp(l, "file-bytes: ", 12)) {
			snprintf(c->bytes, sizeof(c->bytes), "%s", l + 12);
		} else if (!strncmp(l, "late: ", 6)) {
			snprintf(c->late, sizeof(c->late), "%s", l + 6);
		} else if (!strncmp(l, "file: ", 6)) {
			snprintf(c->file, sizeof(c->file), "%s", l + 6);
		} else if (!strcmp(l, "matching: all")) {
			c->all = true;
		} else if (!strncmp(l, "state: ", 7) && c->nstate < 32) {
			c->state[c->nstate++] = l + 7;
		} else if (strchr(l, ':') && c->nchecks < MAXL) {
			c->checks[c->nchecks++] = l;
		} else {
			printf("FAIL: %s/%s: bad line '%s'\n", cur_file, cur_case, l);
			nfail++;
		}
	}
	fclose(f);
	return 0;
}

/* ---- golden listings ---- */

static const char *golden_macros;	/* golden/macros.yaml, if any */

static char *dump_cond(const char *cond)
{
	struct rules_engine *e = rules_new();
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	if (golden_macros)
		rules_load_file(e, golden_macros);
	rules_finish(e);
	if (rules_dump(e, cond, m) != 0) {
		const struct diag_list *d = rules_diags(e);

		for (size_t i = 0; i < d->n; i++)
			fprintf(m, "%d:%d: %s\n", d->v[i].line, d->v[i].col, d->v[i].msg);
	}
	fclose(m);
	rules_free(e);
	return out;
}

static int golden(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[1024], cond[4096];

	static char mpath[1024];

	snprintf(mpath, sizeof(mpath), "%s/macros.yaml", dir);
	if (access(mpath, R_OK) == 0)
		golden_macros = mpath;
	snprintf(cur_file, sizeof(cur_file), "golden");
	if (!d) {
		printf("FAIL: golden: no directory %s\n", dir);
		return 1;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		FILE *f;

		if (l < 6 || strcmp(de->d_name + l - 5, ".cond"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(cond, sizeof(cond), f)) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		cond[strcspn(cond, "\n")] = 0;
		char *got = dump_cond(cond), want[16384];
		size_t n;

		snprintf(path + strlen(path) - 5, 6, ".out");
		f = fopen(path, "r");
		n = f ? fread(want, 1, sizeof(want) - 1, f) : 0;
		want[n] = 0;
		if (f)
			fclose(f);
		snprintf(cur_case, sizeof(cur_case), "%.*s", (int)(l - 5), de->d_name);
		sub = 1;
		if (getenv("RTEST_UPDATE")) {
			f = fopen(path, "w");
			if (f) {
				fputs(got, f);
				fclose(f);
			}
		}
		if (!f && !getenv("RTEST_UPDATE"))
			fail("no %s", path);
		else if (strcmp(got, want) && !getenv("RTEST_UPDATE"))
			fail("listing differs from %s:\n%s", path, got);
		else
			pass();
		free(got);
	}
	closedir(d);
	/* aliases: groups separated by blank lines must list the same code */
	snprintf(path, sizeof(path), "%s/aliases.txt", dir);
	FILE *f = fopen(path, "r");
	char *first = NULL;
	int group = 1;

	snprintf(cur_case, sizeof(cur_case), "alias");
	sub = 0;
	while (f && fgets(cond, sizeof(cond), f)) {
		cond[strcspn(cond, "\n")] = 0;
		if (cond[0] == '#')
			continue;
		if (!cond[0]) {
			free(first);
			first = NULL;
			group++;
			continue;
		}
		char *got = dump_cond(cond), *body = strchr(got, '\n');

		body = body ? body + 1 : got;	/* skip the "condition:" line */
		if (!first) {
			first = strdup(body);
			free(got);
			continue;
		}
		sub++;
		!strcmp(first, body) ? pass() : fail("group %d: '%s' compiles differently:\n%s\nvs\n%s",
						     group, cond, body, first);
		free(got);
	}
	free(first);
	if (f)
		fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "dump")) {
		char *s = dump_cond(argv[2]);

		fputs(s, stdout);
		free(s);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "golden")) {
		golden(argv[2]);
	} else if (argc >= 3 && !strcmp(argv[1], "cases")) {
		for (int i = 2; i < argc; i++)
			run_file(argv[i]);
	} else {
		fprintf(stderr, "usage: rtest cases FILE... | dump COND | golden DIR\n");
		return 2;
	}
	fflush(stdout);
	fprintf(stderr, "rtest: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
