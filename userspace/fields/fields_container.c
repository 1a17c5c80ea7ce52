/* SPDX-License-Identifier: MIT */
/* fields_container.c - container.*, k8s.*, vigil.owner fields. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fields/fields_int.h"

/* The process's container; the host pseudo-container when it has none. */
static const struct st_container *cont(struct field_ctx *ctx, bool *host)
{
	if (ctx->ev->hdr->type == VIGIL_EVT_CONTAINER) {
		/* the container event is about the container it names */
		size_t len;
		char id[80];
		const char *s = evt_get_str(ctx->ev, VIGIL_P_CONTAINER_id, &len);
		if (!s || !len || len >= sizeof(id))
			return NULL;
		memcpy(id, s, len);
		id[len] = 0;
		*host = false;
		return state_container(ctx->st, id);
	}
	struct st_proc *p = fx_proc(ctx);
	if (!p)
		return NULL;
	*host = !p->container;
	return p->container;
}

/* "k:v,k:v" from a key/value list. */
static int kv_text(struct field_ctx *ctx, const struct st_kv *kv, unsigned n, struct fv *out)
{
	size_t start = ctx->used, len = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t kl = strlen(kv[i].key), vl = strlen(kv[i].val);
		char *p = fx_alloc(ctx, kl + vl + 2);
		if (!p)
			return 0;
		if (i)
			*p++ = ',';
		memcpy(p, kv[i].key, kl);
		p[kl] = ':';
		memcpy(p + kl + 1, kv[i].val, vl);
		len += kl + vl + 1 + (i ? 1 : 0);
	}
	char *end = fx_alloc(ctx, 1);
	if (!end)
		return 0;
	ctx->scratch[start + len] = 0;
	ctx->used = start + len + 1;
	return fx_str(out, FT_STRING, ctx->scratch + start, len);
}

static const char *kv_get(const struct st_kv *kv, unsigned n, const char *key)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].val;
	return NULL;
}

int fx_container(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	bool host = false;
	const struct st_container *c = cont(ctx, &host);
	if (!c && !host)
		return 0;
	if (host) {
		switch (ref->id) {
		case FID_CONTAINER_ID: case FID_CONTAINER_FULL_ID:
		case FID_CONTAINER_NAME: case FID_CONTAINER_TYPE:
			return fx_cstr(out, FT_STRING, "host");
		case FID_CONTAINER_PRIVILEGED: case FID_CONTAINER_HOST_PID:
		case FID_CONTAINER_HOST_NETWORK: case FID_CONTAINER_HOST_IPC:
			return 0;
		default:
			return 0;
		}
	}
	switch (ref->id) {
	case FID_CONTAINER_ID: return fx_str(out, FT_STRING, c->id, strlen(c->id) > 12 ? 12 : strlen(c->id));
	case FID_CONTAINER_FULL_ID: return fx_cstr(out, FT_STRING, c->id);
	case FID_CONTAINER_NAME: return fx_cstr(out, FT_STRING, c->name);
	case FID_CONTAINER_TYPE: return fx_cstr(out, FT_STRING, c->runtime);
	case FID_CONTAINER_IMAGE: return fx_cstr(out, FT_STRING, c->image);
	case FID_CONTAINER_IMAGE_REPO: return fx_cstr(out, FT_STRING, c->image_repo);
	case FID_CONTAINER_IMAGE_TAG: return fx_cstr(out, FT_STRING, c->image_tag);
	case FID_CONTAINER_IMAGE_DIGEST: return fx_cstr(out, FT_STRING, c->image_digest);
	case FID_CONTAINER_PRIVILEGED: return c->meta_loaded ? fx_bool(out, c->privileged) : 0;
	case FID_CONTAINER_HOST_PID: return c->meta_loaded ? fx_bool(out, c->host_pid) : 0;
	case FID_CONTAINER_HOST_NETWORK: return c->meta_loaded ? fx_bool(out, c->host_network) : 0;
	case FID_CONTAINER_HOST_IPC: return c->meta_loaded ? fx_bool(out, c->host_ipc) : 0;
	case FID_CONTAINER_LABELS: return kv_text(ctx, c->labels, c->nlabels, out);
	case FID_CONTAINER_START_TS: return c->start_ts ? fx_u64(out, FT_ABSTIME, c->start_ts) : 0;
	case FID_CONTAINER_DURATION:
		if (!c->start_ts)
			return 0;
		return fx_i64(out, (int64_t)(ctx->ev->hdr->ts + (uint64_t)state_boot_offset(ctx->st) -
					     c->start_ts));
	case FID_CONTAINER_MOUNTS: {
		size_t start = ctx->used, len = 0;
		for (unsigned i = 0; i < c->nmounts; i++) {
			const struct st_mount *m = &c->mounts[i];
			char tmp[8192];
			int n = snprintf(tmp, sizeof(tmp), "%s%s:%s:%s:%s:%s", i ? "," : "",
					 m->source ? m->source : "", m->dest ? m->dest : "",
					 m->mode ? m->mode : "", m->rw ? "true" : "false",
					 m->propagation ? m->propagation : "");
			if (n < 0 || (size_t)n >= sizeof(tmp))
				continue;
			char *p = fx_alloc(ctx, (size_t)n);
			if (!p)
				return 0;
			memcpy(p, tmp, (size_t)n);
			len += (size_t)n;
		}
		if (!fx_alloc(ctx, 1))
			return 0;
		ctx->scratch[start + len] = 0;
		return fx_str(out, FT_STRING, ctx->scratch + start, len);
	}
	default: return 0;
	}
}

/* container.mount[N] / container.mount[/src] and the per-part fields:
 * by index, or by source path (dest fields) / destination (source). */
int fx_container_mount(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	bool host = false;
	const struct st_container *c = cont(ctx, &host);
	if (!c)
		return 0;
	const struct st_mount *m = NULL;
	if (ref->index >= 0) {
		if ((unsigned)ref->index < c->nmounts)
			m = &c->mounts[ref->index];
	} else {
		for (unsigned i = 0; i < c->nmounts && !m; i++) {
			const char *k = ref->id == FID_CONTAINER_MOUNT_SOURCE ? c->mounts[i].dest :
				c->mounts[i].source;
			if (k && !strcmp(k, ref->key))
				m = &c->mounts[i];
		}
	}
	if (!m)
		return 0;
	switch (ref->id) {
	case FID_CONTAINER_MOUNT_SOURCE: return fx_cstr(out, FT_STRING, m->source);
	case FID_CONTAINER_MOUNT_DEST: return fx_cstr(out, FT_STRING, m->dest);
	case FID_CONTAINER_MOUNT_MODE: return fx_cstr(out, FT_STRING, m->mode);
	case FID_CONTAINER_MOUNT_RDWR: return fx_cstr(out, FT_STRING, m->rw ? "true" : "false");
	default: {
		char *buf = fx_alloc(ctx, 8192);
		if (!buf)
			return 0;
		int n = snprintf(buf, 8192, "%s:%s:%s:%s:%s", m->source ? m->source : "",
				 m->dest ? m->dest : "", m->mode ? m->mode : "",
				 m->rw ? "true" : "false", m->propagation ? m->propagation : "");
		if (n < 0 || n >= 8192)
			return 0;
		ctx->used -= 8192 - (size_t)n - 1;
		return fx_str(out, FT_STRING, buf, (size_t)n);
	}
	}
}

int fx_container_label(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	bool host = false;
	const struct st_container *c = cont(ctx, &host);
	if (!c)
		return 0;
	return fx_cstr(out, FT_STRING, kv_get(c->labels, c->nlabels, ref->key));
}

int fx_k8s(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	bool host = false;
	const struct st_container *c = cont(ctx, &host);
	if (!c)
		return 0;
	switch (ref->id) {
	case FID_K8S_NS_NAME: return fx_cstr(out, FT_STRING, c->k8s_ns);
	case FID_K8S_POD_NAME: return fx_cstr(out, FT_STRING, c->k8s_pod);
	case FID_K8S_POD_UID: case FID_K8S_POD_ID: return fx_cstr(out, FT_STRING, c->k8s_pod_uid);
	case FID_K8S_POD_LABELS:
		return c->k8s_pod ? kv_text(ctx, c->pod_labels, c->npod_labels, out) : 0;
	default: return fx_cstr(out, FT_STRING, c->owner);
	}
}

int fx_k8s_label(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	bool host = false;
	const struct st_container *c = cont(ctx, &host);
	if (!c)
		return 0;
	return fx_cstr(out, FT_STRING, kv_get(c->pod_labels, c->npod_labels, ref->key));
}
