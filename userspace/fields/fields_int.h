/* SPDX-License-Identifier: MIT */
/* fields_int.h - shared by the extractor files of the field stage. */
#ifndef VIGIL_FIELDS_INT_H
#define VIGIL_FIELDS_INT_H

#include "event/event.h"
#include "fields/fields.h"
#include "fields/field_table.h"
#include "state/state.h"

#define FIELD_X_PROTO(id, name, type, flags, fn, desc)			\
	int fn(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max);
FIELD_TABLE(FIELD_X_PROTO)
#undef FIELD_X_PROTO

/* Scratch space of the context (NULL when full). */
char *fx_alloc(struct field_ctx *ctx, size_t n);
/* Value setters; each returns 1. */
int fx_str(struct fv *out, enum field_type t, const char *s, size_t len);
int fx_cstr(struct fv *out, enum field_type t, const char *s);	/* 0 if s NULL */
int fx_i64(struct fv *out, int64_t v);
int fx_u64(struct fv *out, enum field_type t, uint64_t v);
int fx_bool(struct fv *out, bool v);
/* Copies s (len bytes) into scratch and returns it as a value. */
int fx_copy(struct field_ctx *ctx, struct fv *out, enum field_type t, const char *s, size_t len);

/* Lazily looked-up thread/process/fd of the event. */
struct st_thread *fx_thread(struct field_ctx *ctx);
struct st_proc *fx_proc(struct field_ctx *ctx);
struct st_fd *fx_fd(struct field_ctx *ctx, int64_t *fdnum);

/* The return value of a syscall event, if it has one. */
bool fx_res(const struct evt *ev, int64_t *res);

#endif
