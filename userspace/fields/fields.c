/* SPDX-License-Identifier: MIT */
/* fields.c - the field table, name resolution, extraction and rendering. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fields/fields_int.h"

const struct field_info field_table[] = {
#define FIELD_X_INFO(id, name_, type_, flags_, fn, desc_)		\
	[FID_##id] = { .name = name_, .type = FT_##type_, .flags = flags_, \
		       .desc = desc_, .extract = fn },
	FIELD_TABLE(FIELD_X_INFO)
#undef FIELD_X_INFO
};
const unsigned field_count = FID_NR;

const char *field_type_name(enum field_type t)
{
	static const char *const names[] = {
#define FIELD_X_TNAME(id, name) [FT_##id] = name,
		FIELD_TYPES(FIELD_X_TNAME)
#undef FIELD_X_TNAME
	};
	return (unsigned)t < FT_NR ? names[t] : "?";
}

void field_ctx_init(struct field_ctx *ctx, struct state *st)
{
	memset(ctx, 0, offsetof(struct field_ctx, scratch));
	ctx->st = st;
}

void field_ctx_reset(struct field_ctx *ctx, const struct evt *ev)
{
	ctx->ev = ev;
	ctx->thread = NULL;
	ctx->fd = NULL;
	ctx->thread_done = false;
	ctx->fd_done = false;
	ctx->fdnum = -1;
	ctx->used = 0;
}

/* ------------------------------------------------------------ resolving */
static int field_by_name(const char *name, size_t len)
{
	for (unsigned i = 0; i < field_count; i++)
		if (strlen(field_table[i].name) == len && !memcmp(field_table[i].name, name, len))
			return (int)i;
	return -1;
}

static bool parse_index(const char *s, size_t len, int32_t *out)
{
	if (!len || len > 9)
		return false;
	int32_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* evt.arg.NAME: some event must have a parameter of that name. */
static bool some_event_has_param(const char *name)
{
	for (unsigned t = 0; t < VIGIL_EVT_NR; t++)
		if (evt_param_index(t, name) >= 0)
			return true;
	return false;
}

int field_resolve(const char *text, size_t len, struct field_ref *ref,
		  char *err, size_t errlen)
{
	memset(ref, 0, sizeof(*ref));
	ref->index = -1;
	const char *br = memchr(text, '[', len);
	size_t nlen = br ? (size_t)(br - text) : len;
	const char *arg = NULL;
	size_t alen = 0;
	bool bracket = false;

	if (br) {
		if (text[len - 1] != ']' || len - nlen < 2) {
			snprintf(err, errlen, "field '%.*s': '[' without a closing ']'", (int)len, text);
			return -1;
		}
		arg = br + 1;
		alen = len - nlen - 2;
		bracket = true;
	}
	int id = field_by_name(text, nlen);
	if (id < 0 && !br) {
		/* dotted argument: the longest known prefix ending before a '.' */
		for (size_t cut = nlen; cut > 0; cut--) {
			if (text[cut - 1] != '.')
				continue;
			int p = field_by_name(text, cut - 1);
			if (p >= 0 && (field_table[p].flags & FF_ARG_DOTTED)) {
				id = p;
				arg = text + cut;
				alen = nlen - cut;
				break;
			}
		}
		if (id < 0) {
			snprintf(err, errlen, "unknown field '%.*s'", (int)len, text);
			return -1;
		}
	} else if (id < 0) {
		snprintf(err, errlen, "unknown field '%.*s'", (int)nlen, text);
		return -1;
	}
	const struct field_info *fi = &field_table[id];
	ref->id = (uint16_t)id;
	if (arg) {
		if (!alen) {
			snprintf(err, errlen, "field '%s': empty argument", fi->name);
			return -1;
		}
		ref->has_arg = true;
		int32_t n;
		if (bracket && (fi->flags & FF_ARG_INDEX) && parse_index(arg, alen, &n)) {
			ref->index = n;
		} else if ((fi->flags & FF_ARG_KEY) || (!bracket && (fi->flags & FF_ARG_DOTTED))) {
			if (alen >= sizeof(ref->key)) {
				snprintf(err, errlen, "field '%s': argument longer than %zu bytes",
					 fi->name, sizeof(ref->key) - 1);
				return -1;
			}
			memcpy(ref->key, arg, alen);
			ref->key[alen] = 0;
		} else if (fi->flags & FF_ARG_INDEX) {
			snprintf(err, errlen, "field '%s': argument '%.*s' is not a number",
				 fi->name, (int)alen, arg);
			return -1;
		} else {
			snprintf(err, errlen, "field '%s' takes no argument", fi->name);
			return -1;
		}
		if ((id == FID_EVT_ARG || id == FID_EVT_RAWARG) && ref->key[0] &&
		    !some_event_has_param(ref->key)) {
			snprintf(err, errlen, "field '%s': no event has a parameter named '%s'",
				 fi->name, ref->key);
			return -1;
		}
	} else if (fi->flags & FF_ARG_REQUIRED) {
		snprintf(err, errlen, "field '%s' needs an argument (%s)", fi->name,
			 fi->flags & FF_ARG_DOTTED ? "e.g. .name or [N]" :
			 fi->flags & FF_ARG_KEY ? "e.g. [key]" : "e.g. [N]");
		return -1;
	}
	return 0;
}

int field_extract(struct field_ctx *ctx, const struct field_ref *ref,
		  struct fv *out, int max)
{
	if (ref->id >= field_count || max < 1 || !ctx->ev)
		return 0;
	const struct field_info *fi = &field_table[ref->id];
	if ((fi->flags & FF_NEEDS_STATE) && !ctx->st)
		return 0;
	int n = fi->extract(ctx, ref, out, max);
	for (int i = 0; i < n; i++)
		out[i].type = fi->type;
	return n;
}

/* ------------------------------------------------------------ helpers */
char *fx_alloc(struct field_ctx *ctx, size_t n)
{
	if (n > FIELD_SCRATCH - ctx->used)
		return NULL;
	char *p = ctx->scratch + ctx->used;
	ctx->used += n;
	return p;
}

int fx_str(struct fv *out, enum field_type t, const char *s, size_t len)
{
	out->type = t;
	out->v.s.p = s;
	out->v.s.len = (uint32_t)len;
	return 1;
}

int fx_cstr(struct fv *out, enum field_type t, const char *s)
{
	return s ? fx_str(out, t, s, strlen(s)) : 0;
}

int fx_i64(struct fv *out, int64_t v)
{
	out->type = FT_INT64;
	out->v.i = v;
	return 1;
}

int fx_u64(struct fv *out, enum field_type t, uint64_t v)
{
	out->type = t;
	out->v.u = v;
	return 1;
}

int fx_bool(struct fv *out, bool v)
{
	out->type = FT_BOOL;
	out->v.b = v;
	return 1;
}

int fx_copy(struct field_ctx *ctx, struct fv *out, enum field_type t, const char *s, size_t len)
{
	char *p = fx_alloc(ctx, len + 1);
	if (!p)
		return 0;
	memcpy(p, s, len);
	p[len] = 0;
	return fx_str(out, t, p, len);
}

struct st_thread *fx_thread(struct field_ctx *ctx)
{
	if (!ctx->thread_done) {
		ctx->thread_done = true;
		const struct vigil_evt_hdr *h = ctx->ev->hdr;
		ctx->thread = ctx->st ? state_thread(ctx->st, h->tid) : NULL;
		/* after an exec by a non-leader thread, that thread is the
		 * leader: it has the pid as its tid */
		if (!ctx->thread && ctx->st &&
		    (h->type == VIGIL_EVT_EXECVE || h->type == VIGIL_EVT_EXECVEAT))
			ctx->thread = state_thread(ctx->st, h->pid);
	}
	return ctx->thread;
}

struct st_proc *fx_proc(struct field_ctx *ctx)
{
	struct st_thread *t = fx_thread(ctx);
	return t ? t->proc : NULL;
}

struct st_fd *fx_fd(struct field_ctx *ctx, int64_t *fdnum)
{
	if (!ctx->fd_done) {
		ctx->fd_done = true;
		ctx->fdnum = -1;
		ctx->fd = NULL;
		if (ctx->st)	/* a failed open: a temporary entry, no allocation */
			ctx->fd = state_event_fd(ctx->st, ctx->ev, &ctx->fdnum);
	}
	if (fdnum)
		*fdnum = ctx->fdnum;
	return ctx->fd;
}

bool fx_res(const struct evt *ev, int64_t *res)
{
	if (ev->info->source != VIGIL_SRC_SYSCALL || ev->info->nparams < 1)
		return false;
	if (!ev->params[0].val)
		return false;
	*res = evt_get_s64(ev, 0, 0);
	return true;
}

/* ------------------------------------------------------------ rendering */
size_t fv_render(const struct fv *v, char *buf, size_t size)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	switch (v->type) {
	case FT_STRING:
	case FT_PATH:
		if (size) {
			size_t n = v->v.s.len < size - 1 ? v->v.s.len : size - 1;
			memcpy(buf, v->v.s.p, n);
			buf[n] = 0;
		}
		return v->v.s.len;
	case FT_BYTES: {
		/* printable bytes as is, others as '.', like Falco's default */
		size_t n = v->v.s.len;
		for (size_t i = 0; i < n && i + 1 < size; i++) {
			unsigned char c = (unsigned char)v->v.s.p[i];
			buf[i] = (c >= 32 && c < 127) ? (char)c : '.';
		}
		if (size)
			buf[n < size - 1 ? n : size - 1] = 0;
		return n;
	}
	case FT_INT64:
	case FT_RELTIME:
		return (size_t)snprintf(buf, size, "%" PRId64, v->v.i);
	case FT_UINT64:
	case FT_ABSTIME:
	case FT_PORT:
		return (size_t)snprintf(buf, size, "%" PRIu64, v->v.u);
	case FT_BOOL:
		return (size_t)snprintf(buf, size, "%s", v->v.b ? "true" : "false");
	case FT_IPADDR:
		if (!inet_ntop(v->v.ip.family == AF_INET6 ? AF_INET6 : AF_INET, v->v.ip.a,
			       tmp, sizeof(tmp)))
			tmp[0] = 0;
		return (size_t)snprintf(buf, size, "%s", tmp);
	case FT_IPNET:
		if (!inet_ntop(v->v.net.family == AF_INET6 ? AF_INET6 : AF_INET, v->v.net.a,
			       tmp, sizeof(tmp)))
			tmp[0] = 0;
		return (size_t)snprintf(buf, size, "%s/%u", tmp, v->v.net.bits);
	case FT_NR:
		break;
	}
	if (size)
		buf[0] = 0;
	return 0;
}
