/* SPDX-License-Identifier: MIT */
/* format.c - events as text lines and JSON objects (see format.h). */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event/format.h"

size_t evt_format_time(uint64_t ts, int64_t boot_offset_ns, char *buf, size_t size)
{
	int64_t wall;
	struct tm tm;
	char day[64];

	/* raw ts when there is no offset, or the sum is not a sane time */
	if (!boot_offset_ns || ts > INT64_MAX ||
	    __builtin_add_overflow((int64_t)ts, boot_offset_ns, &wall) || wall < 0)
		return (size_t)snprintf(buf, size, "%" PRIu64, ts);
	time_t sec = (time_t)(wall / 1000000000);
	long ns = (long)(wall % 1000000000);

	if (!gmtime_r(&sec, &tm) || tm.tm_year > 9999 - 1900 ||
	    !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm))
		return (size_t)snprintf(buf, size, "%" PRIu64, ts);
	return (size_t)snprintf(buf, size, "%s.%09ldZ", day, ns);
}

/* Renders param i into *buf (grown as needed); returns the length. */
static size_t render(const struct evt *ev, unsigned i, char **buf, size_t *cap)
{
	size_t n = evt_param_render(ev, i, *buf, *cap);

	if (n >= *cap) {
		char *nb = realloc(*buf, n + 1);

		if (!nb)
			return strlen(*buf);
		*buf = nb;
		*cap = n + 1;
		n = evt_param_render(ev, i, *buf, *cap);
	}
	return n;
}

void evt_print_text(FILE *f, const struct evt *ev, int64_t boot_offset_ns)
{
	char tbuf[64];
	size_t cap = 4096;
	char *v = malloc(cap);

	if (!v)
		return;
	evt_format_time(ev->hdr->ts, boot_offset_ns, tbuf, sizeof(tbuf));
	fprintf(f, "%" PRIu64 " %s cpu=%u %s tid=%u pid=%u", ev->num, tbuf, ev->hdr->cpu,
		ev->info->name, ev->hdr->tid, ev->hdr->pid);
	for (unsigned i = 0; i < ev->info->nparams; i++) {
		size_t n = render(ev, i, &v, &cap);
		bool quote = !n || memchr(v, ' ', n);

		fprintf(f, quote ? " %s=\"%s\"" : " %s=%s", ev->info->params[i].name, v);
		if (ev->params[i].flags & VIGIL_PARAM_FAULT)
			fputs("(fault)", f);
		if (ev->params[i].flags & VIGIL_PARAM_TRUNC)
			fputs("(trunc)", f);
	}
	fputc('\n', f);
	free(v);
}

static bool signed_type(enum vigil_param_type t)
{
	return t == VIGIL_PT_S64 || t == VIGIL_PT_FD || t == VIGIL_PT_PID || t == VIGIL_PT_ERRNO;
}

static struct json_object *param_json(const struct evt *ev, unsigned i, char **buf, size_t *cap)
{
	const struct evt_param_info *pi = &ev->info->params[i];

	if (!ev->params[i].len)
		return NULL;
	switch (pi->type) {
	case VIGIL_PT_S64:
	case VIGIL_PT_FD:
	case VIGIL_PT_PID:
	case VIGIL_PT_ERRNO: {
		int64_t v = evt_get_s64(ev, i, 0);

		if (v < 0 && (pi->type == VIGIL_PT_ERRNO || evt_param_is_result(ev, i)))
			break;	/* the errno name */
		return json_object_new_int64(v);
	}
	case VIGIL_PT_U64:
	case VIGIL_PT_U32:
	case VIGIL_PT_UID:
	case VIGIL_PT_GID:
		return json_object_new_uint64(evt_get_u64(ev, i, 0));
	case VIGIL_PT_STRARRAY: {
		struct json_object *a = json_object_new_array();
		const uint8_t *p = ev->params[i].val;
		size_t n = ev->params[i].len;

		if (n && p[n - 1] == '\0')
			n--;
		/* render each element alone through a one-element event view */
		struct evt one = *ev;

		for (size_t off = 0; off <= n;) {
			const uint8_t *z = memchr(p + off, '\0', n - off);
			size_t k = z ? (size_t)(z - (p + off)) : n - off;

			one.params[i].val = p + off;
			one.params[i].len = (uint16_t)k;
			render(&one, i, buf, cap);
			json_object_array_add(a, json_object_new_string(k ? *buf : ""));
			off += k + 1;
		}
		return a;
	}
	default:
		break;
	}
	size_t n = render(ev, i, buf, cap);

	return json_object_new_string_len(*buf, (int)n);
}

struct json_object *evt_format_json(const struct evt *ev, int64_t boot_offset_ns,
				    const char *section)
{
	struct json_object *o = json_object_new_object();
	struct json_object *params = json_object_new_object();
	struct json_object *raw = json_object_new_object();
	struct json_object *flags = json_object_new_object();
	char tbuf[64];
	size_t cap = 4096;
	char *buf = malloc(cap);

	if (!o || !params || !raw || !flags || !buf) {
		json_object_put(o);
		json_object_put(params);
		json_object_put(raw);
		json_object_put(flags);
		free(buf);
		return NULL;
	}
	buf[0] = '\0';
	json_object_object_add(o, "num", json_object_new_uint64(ev->num));
	json_object_object_add(o, "ts", json_object_new_uint64(ev->hdr->ts));
	evt_format_time(ev->hdr->ts, boot_offset_ns, tbuf, sizeof(tbuf));
	json_object_object_add(o, "time", json_object_new_string(tbuf));
	json_object_object_add(o, "cpu", json_object_new_int(ev->hdr->cpu));
	json_object_object_add(o, "type", json_object_new_string(ev->info->name));
	json_object_object_add(o, "tid", json_object_new_int64(ev->hdr->tid));
	json_object_object_add(o, "pid", json_object_new_int64(ev->hdr->pid));
	if (section)
		json_object_object_add(o, "section", json_object_new_string(section));
	for (unsigned i = 0; i < ev->info->nparams; i++) {
		const struct evt_param_info *pi = &ev->info->params[i];

		json_object_object_add(params, pi->name, param_json(ev, i, &buf, &cap));
		if (ev->params[i].len && evt_ptype[pi->type].size)
			json_object_object_add(raw, pi->name, signed_type(pi->type)
					       ? json_object_new_int64(evt_get_s64(ev, i, 0))
					       : json_object_new_uint64(evt_get_u64(ev, i, 0)));
		if (ev->params[i].flags) {
			struct json_object *fl = json_object_new_array();

			if (ev->params[i].flags & VIGIL_PARAM_FAULT)
				json_object_array_add(fl, json_object_new_string("fault"));
			if (ev->params[i].flags & VIGIL_PARAM_TRUNC)
				json_object_array_add(fl, json_object_new_string("trunc"));
			json_object_object_add(flags, pi->name, fl);
		}
	}
	json_object_object_add(o, "params", params);
	json_object_object_add(o, "raw", raw);
	json_object_object_add(o, "flags", flags);
	free(buf);
	return o;
}
