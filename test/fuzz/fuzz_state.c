/* SPDX-License-Identifier: MIT */
/*
 * fuzz_state.c - random event sequences through the state stage.
 *
 * The input is read as a stream of choices: an event type (from every type
 * in the table), then a value per parameter, with tids, pids and fds drawn
 * from small ranges so that events collide with each other (forks of
 * known threads, dups of open fds, exits of parents...). Each event is
 * built with the real builder, decoded, applied (pre step), every field of
 * the table is extracted from it, then the post step runs. Tables are kept
 * small so eviction paths run. Every few events the state is written as a
 * snapshot and read back into a second state. Leaks, overflows and UB are
 * caught by ASan/UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "event/event.h"
#include "fields/fields.h"
#include "state/state.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t u64(struct in *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | u8(in);
	return v;
}

static const char *const paths[] = {
	"/etc/passwd", "rel/file", "../..", "/", "", ".", "a//b/./c/..", "/proc/self/fd/3",
	"/kubepods.slice/kubepods-pod1.slice/cri-containerd-abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.scope",
	"/docker/1111111111111111111111111111111111111111111111111111111111111111", "/user.slice",
};

static void add_param(struct evt_builder *b, const struct evt_param_info *pi, struct in *in)
{
	uint8_t sel = u8(in);
	switch (pi->type) {
	case VIGIL_PT_PID:
		evt_build_u64(b, sel < 200 ? 1 + sel % 12 : u64(in));
		break;
	case VIGIL_PT_FD:
	case VIGIL_PT_ERRNO:
	case VIGIL_PT_S64:
		evt_build_u64(b, sel < 200 ? (uint64_t)((int64_t)(sel % 14) - 3) :
			      sel < 230 ? (uint64_t)(int64_t)-100 : u64(in));
		break;
	case VIGIL_PT_U64:
	case VIGIL_PT_FLAGS64:
		evt_build_u64(b, sel < 128 ? sel : u64(in));
		break;
	case VIGIL_PT_U32:
	case VIGIL_PT_UID:
	case VIGIL_PT_GID:
	case VIGIL_PT_MODE:
	case VIGIL_PT_DEV:
	case VIGIL_PT_FLAGS32:
	case VIGIL_PT_ENUM:
		evt_build_u32(b, sel < 128 ? sel : (uint32_t)u64(in));
		break;
	case VIGIL_PT_PATH:
	case VIGIL_PT_STR:
		if (sel < 200) {
			evt_build_str(b, paths[sel % (sizeof(paths) / sizeof(*paths))]);
		} else {
			size_t n = u8(in) % 64;
			n = n < in->n ? n : in->n;
			evt_build_bytes(b, in->p, n, 0);
			in->p += n;
			in->n -= n;
		}
		break;
	case VIGIL_PT_STRARRAY:
	case VIGIL_PT_BYTES: {
		size_t n = sel % 48;
		n = n < in->n ? n : in->n;
		if (n)
			evt_build_bytes(b, in->p, n, 0);
		else
			evt_build_empty(b, 0);
		in->p += n;
		in->n -= n;
		break;
	}
	case VIGIL_PT_SOCKADDR:
	case VIGIL_PT_SOCKTUPLE: {
		static const uint8_t fams[] = { AF_INET, AF_INET6, AF_UNIX, 0, 99 };
		struct evt_sockaddr l, r;
		memset(&l, 0, sizeof(l));
		memset(&r, 0, sizeof(r));
		l.family = r.family = fams[sel % 5];
		for (int i = 0; i < 16; i++) {
			l.addr[i] = u8(in);
			r.addr[i] = u8(in);
		}
		l.port = u8(in);
		r.port = u8(in);
		r.path = sel & 1 ? "/run/x.sock" : "\0abstract";
		r.pathlen = sel & 1 ? 11 : 9;
		if (pi->type == VIGIL_PT_SOCKADDR)
			evt_build_sockaddr(b, &r);
		else
			evt_build_tuple(b, &l, &r);
		break;
	}
	default:
		evt_build_empty(b, 0);
		break;
	}
}

static struct field_ctx ctx;
static uint8_t rec[VIGIL_RECORD_MAX];

static void extract_all(struct state *st, const struct evt *ev)
{
	static const char *const keys[] = { "0", "1", "3", "app", "/data", "PATH" };
	field_ctx_reset(&ctx, ev);
	for (unsigned i = 0; i < field_count; i++) {
		struct field_ref ref;
		memset(&ref, 0, sizeof(ref));
		ref.id = (uint16_t)i;
		ref.index = -1;
		struct fv v[8];
		char buf[256];
		for (unsigned k = 0; k < 3; k++) {
			unsigned f = field_table[i].flags;
			if (k && !(f & (FF_ARG_INDEX | FF_ARG_KEY | FF_ARG_DOTTED)))
				break;
			if (k == 0 && (f & FF_ARG_REQUIRED))
				continue;
			ref.has_arg = k > 0;
			ref.index = k == 1 ? (int32_t)(ev->num % 4) : -1;
			snprintf(ref.key, sizeof(ref.key), "%s", k == 2 ? keys[ev->num % 6] : "");
			if ((f & FF_ARG_DOTTED) && k == 2)
				snprintf(ref.key, sizeof(ref.key), "%s",
					 ev->info->nparams ? ev->info->params[0].name : "res");
			int n = field_extract(&ctx, &ref, v, 8);
			for (int j = 0; j < n; j++)
				fv_render(&v[j], buf, sizeof(buf));
		}
		if (ctx.used > FIELD_SCRATCH / 2)
			field_ctx_reset(&ctx, ev);
	}
	(void)st;
}

static int emit_apply(void *arg, const void *r, size_t len)
{
	struct evt ev;
	if (evt_decode(r, len, &ev) != EVT_OK)
		abort();	/* the snapshot writer must write valid records */
	state_apply(arg, &ev);
	state_apply_post(arg, &ev);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct state_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_threads = 24;
	cfg.max_fds = 8;
	cfg.max_containers = 2;
	cfg.hostname = "fuzz";
	char err[256];
	struct state *st = state_new(&cfg, err, sizeof(err));
	if (!st)
		return 0;
	field_ctx_init(&ctx, st);
	uint64_t num = 0;
	while (in.n) {
		unsigned type = u8(&in) % VIGIL_EVT_NR;
		const struct evt_info *info = &evt_table[type];
		uint32_t tid = 1 + u8(&in) % 12, pid = tid;
		uint8_t shape = u8(&in);
		if (shape & 1)
			pid = 1 + shape % 12;	/* a thread of another pid */
		struct evt_builder b;
		evt_build_begin(&b, rec, sizeof(rec), type, 1000 + num, tid, pid);
		for (unsigned i = 0; i < info->nparams; i++)
			add_param(&b, &info->params[i], &in);
		size_t len = evt_build_end(&b);
		if (!len)
			continue;
		struct evt ev;
		if (evt_decode(rec, len, &ev) != EVT_OK)
			continue;
		ev.num = ++num;
		state_apply(st, &ev);
		size_t plen;
		const void *gen;
		while ((gen = state_pending_event(st, &plen)))
			(void)gen;
		extract_all(st, &ev);
		state_apply_post(st, &ev);
		if (num % 64 == 0) {
			struct state *copy = state_new(&cfg, err, sizeof(err));
			if (copy) {
				state_write_snapshot(st, num, emit_apply, copy, err, sizeof(err));
				state_free(copy);
			}
		}
	}
	const struct state_stats *s = state_stats(st);
	if (s->threads > cfg.max_threads)
		abort();	/* the bound must hold */
	state_free(st);
	return 0;
}
