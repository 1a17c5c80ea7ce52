/* SPDX-License-Identifier: MIT */
/* fields_evt.c - evt.* fields: read from the event alone (evt.hostname
 * excepted, which comes from the state's config). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fields/fields_int.h"

int fx_evt_num(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ref; (void)max;
	return fx_u64(out, FT_UINT64, ctx->ev->num);
}

static uint64_t evt_epoch_ns(struct field_ctx *ctx)
{
	int64_t off = ctx->st ? state_boot_offset(ctx->st) : 0;
	return ctx->ev->hdr->ts + (uint64_t)off;
}

int fx_evt_rawtime(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	uint64_t t = evt_epoch_ns(ctx);
	if (ref->id == FID_EVT_RAWTIME_S)
		return fx_u64(out, FT_UINT64, t / 1000000000u);
	if (ref->id == FID_EVT_RAWTIME_NS)
		return fx_u64(out, FT_UINT64, t % 1000000000u);
	return fx_u64(out, FT_ABSTIME, t);
}

/* Times are printed in UTC so that a replay prints the same thing
 * wherever it runs. */
int fx_evt_time(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	uint64_t t = evt_epoch_ns(ctx);
	time_t s = (time_t)(t / 1000000000u);
	unsigned ns = (unsigned)(t % 1000000000u);
	struct tm tm;
	if (!gmtime_r(&s, &tm))
		return 0;
	char *buf = fx_alloc(ctx, 48);
	if (!buf)
		return 0;
	int n;
	switch (ref->id) {
	case FID_EVT_TIME_S:
		n = snprintf(buf, 48, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
		break;
	case FID_EVT_TIME_ISO:
		n = snprintf(buf, 48, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
		break;
	case FID_EVT_DATETIME:
		n = snprintf(buf, 48, "%04d-%02d-%02d %02d:%02d:%02d.%09u", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
		break;
	default:
		n = snprintf(buf, 48, "%02d:%02d:%02d.%09u", tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
		break;
	}
	return fx_str(out, FT_STRING, buf, (size_t)n);
}

int fx_evt_type(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ref; (void)max;
	return fx_cstr(out, FT_STRING, ctx->ev->info->name);
}

int fx_evt_dir(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ctx; (void)ref; (void)max;
	return fx_cstr(out, FT_STRING, "<");
}

int fx_evt_cpu(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ref; (void)max;
	return fx_i64(out, ctx->ev->hdr->cpu);
}

/* Renders parameter idx into the scratch area: straight into the free
 * part, which is then taken (one rendering, not a sizing pass first). */
static int render_param(struct field_ctx *ctx, unsigned idx, struct fv *out)
{
	size_t room = FIELD_SCRATCH - ctx->used;
	char *buf = ctx->scratch + ctx->used;
	size_t need = evt_param_render(ctx->ev, idx, buf, room);
	if (need >= room)
		return 0;	/* does not fit, with its NUL */
	ctx->used += need + 1;
	return fx_str(out, FT_STRING, buf, need);
}

int fx_evt_args(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ref; (void)max;
	const struct evt *ev = ctx->ev;
	size_t start = ctx->used;
	for (unsigned i = 0; i < ev->info->nparams; i++) {
		const char *name = ev->info->params[i].name;
		size_t nl = strlen(name);
		char *p = fx_alloc(ctx, nl + 2 - (i == 0));
		if (!p)
			return 0;
		if (i)
			*p++ = ' ';
		memcpy(p, name, nl);
		p[nl] = '=';
		size_t need = evt_param_render(ev, i, NULL, 0);
		char *v = fx_alloc(ctx, need + 1);
		if (!v)
			return 0;
		evt_param_render(ev, i, v, need + 1);
		ctx->used--;		/* drop the NUL, the next pair follows */
	}
	char *end = fx_alloc(ctx, 1);
	if (!end)
		return 0;
	*end = 0;
	return fx_str(out, FT_STRING, ctx->scratch + start, ctx->used - start - 1);
}

static int arg_index(struct field_ctx *ctx, const struct field_ref *ref)
{
	if (ref->index >= 0)
		return ref->index < ctx->ev->info->nparams ? ref->index : -1;
	return evt_param_index(ctx->ev->hdr->type, ref->key);
}

int fx_evt_arg(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	int idx = arg_index(ctx, ref);
	if (idx < 0)
		return 0;
	return render_param(ctx, (unsigned)idx, out);
}

int fx_evt_rawarg(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	int idx = arg_index(ctx, ref);
	if (idx < 0)
		return 0;
	const struct evt_param *p = &ctx->ev->params[idx];
	if (!p->val)
		return 0;
	if (p->len == 8) {
		int64_t v;
		memcpy(&v, p->val, 8);
		return fx_i64(out, v);
	}
	if (p->len == 4) {
		uint32_t v;
		memcpy(&v, p->val, 4);
		return fx_i64(out, v);
	}
	return 0;		/* not a number: use evt.arg */
}

int fx_evt_res(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ref; (void)max;
	int64_t res;
	if (!fx_res(ctx->ev, &res))
		return 0;
	if (res >= 0)
		return fx_cstr(out, FT_STRING, "SUCCESS");
	const char *name = res > -4096 ? strerrorname_np((int)-res) : NULL;
	if (name)
		return fx_cstr(out, FT_STRING, name);
	char *buf = fx_alloc(ctx, 24);
	if (!buf)
		return 0;
	int n = snprintf(buf, 24, "%" PRId64, res);
	return fx_str(out, FT_STRING, buf, (size_t)n);
}

int fx_evt_rawres(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ref; (void)max;
	int64_t res;
	return fx_res(ctx->ev, &res) ? fx_i64(out, res) : 0;
}

int fx_evt_failed(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ref; (void)max;
	int64_t res;
	return fx_bool(out, fx_res(ctx->ev, &res) && res < 0);
}

int fx_evt_is_open(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	const struct evt *ev = ctx->ev;
	int fi, mi;		/* parameter indexes of the flags and the mode */
	switch (ev->hdr->type) {
	case VIGIL_EVT_OPEN: fi = VIGIL_P_OPEN_flags; mi = VIGIL_P_OPEN_mode; break;
	case VIGIL_EVT_OPENAT: fi = VIGIL_P_OPENAT_flags; mi = VIGIL_P_OPENAT_mode; break;
	case VIGIL_EVT_OPENAT2: fi = VIGIL_P_OPENAT2_flags; mi = VIGIL_P_OPENAT2_mode; break;
	case VIGIL_EVT_CREAT: fi = -1; mi = VIGIL_P_CREAT_mode; break;
	default: return fx_bool(out, false);
	}
	uint32_t flags = fi < 0 ? O_CREAT | O_WRONLY | O_TRUNC :
			 (uint32_t)evt_get_u64(ev, (unsigned)fi, 0);
	uint32_t acc = flags & O_ACCMODE;
	switch (ref->id) {
	case FID_EVT_IS_OPEN_READ:
		return fx_bool(out, acc == O_RDONLY || acc == O_RDWR);
	case FID_EVT_IS_OPEN_WRITE:
		return fx_bool(out, acc == O_WRONLY || acc == O_RDWR);
	case FID_EVT_IS_OPEN_EXEC:	/* the mode matters only here */
		return fx_bool(out, (flags & O_CREAT) &&
			       ((uint32_t)evt_get_u64(ev, (unsigned)mi, 0) & 0111));
	default:
		return fx_bool(out, (flags & O_CREAT) != 0);
	}
}

int fx_evt_hostname(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ref; (void)max;
	return fx_cstr(out, FT_STRING, state_hostname(ctx->st));
}

int fx_evt_source(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ctx; (void)ref; (void)max;
	return fx_cstr(out, FT_STRING, "syscall");
}

int fx_evt_count(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)ctx; (void)ref; (void)max;
	return fx_u64(out, FT_UINT64, 1);
}

int fx_evt_buffer(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	const struct evt *ev = ctx->ev;
	int idx;
	switch (ev->hdr->type) {
	case VIGIL_EVT_READ: idx = VIGIL_P_READ_data; break;
	case VIGIL_EVT_WRITE: idx = VIGIL_P_WRITE_data; break;
	case VIGIL_EVT_SENDTO: idx = VIGIL_P_SENDTO_data; break;
	default: return 0;
	}
	const struct evt_param *p = &ev->params[idx];
	if (ref->id == FID_EVT_BUFLEN)
		return fx_u64(out, FT_UINT64, p->len);
	return fx_str(out, FT_BYTES, (const char *)(p->val ? p->val : (const uint8_t *)""), p->len);
}
