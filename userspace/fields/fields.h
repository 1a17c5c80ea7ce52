/* SPDX-License-Identifier: MIT */
/*
 * fields.h - the field stage: every field a rule condition or an output can
 * name (evt.type, proc.name, fd.sip, container.image.repository, ...),
 * with its type, its argument form, its description, and the function that
 * extracts it from an event plus the engine state.
 *
 * The rules stage resolves names through field_resolve() at compile time
 * and calls field_extract() at run time; it never looks inside the state.
 * The field list is one table (fields/field_table.h) that also feeds
 * `vigil list fields` and the docs.
 */
#ifndef VIGIL_FIELDS_H
#define VIGIL_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evt;
struct state;

/* Value types. Which operators apply to which type is the rules stage's
 * business (rules/ops), decided from this list. */
#define FIELD_TYPES(X)							\
	X(STRING,  "string")						\
	X(PATH,    "path")	/* a string that is a filesystem path */	\
	X(INT64,   "int64")						\
	X(UINT64,  "uint64")						\
	X(BOOL,    "bool")						\
	X(IPADDR,  "ipaddr")						\
	X(IPNET,   "ipnet")						\
	X(PORT,    "port")						\
	X(RELTIME, "reltime")	/* ns */				\
	X(ABSTIME, "abstime")	/* ns since the epoch */		\
	X(BYTES,   "bytes")

enum field_type {
#define FIELD_X_TYPE(id, name) FT_##id,
	FIELD_TYPES(FIELD_X_TYPE)
#undef FIELD_X_TYPE
	FT_NR
};
const char *field_type_name(enum field_type t);

/* Field flags. */
#define FF_ARG_INDEX	0x01u	/* takes [N] (proc.aname[2]) */
#define FF_ARG_KEY	0x02u	/* takes [key] (container.label[app]) */
#define FF_ARG_DOTTED	0x04u	/* takes .name (evt.arg.flags) or [N] */
#define FF_ARG_REQUIRED	0x08u	/* the argument may not be omitted */
#define FF_LIST		0x10u	/* may yield several values (proc.aname) */
#define FF_NEEDS_STATE	0x20u	/* reads the state, not only the event */

/* A field named in a rule, resolved. */
struct field_ref {
	uint16_t id;		/* index into field_table */
	bool has_arg;
	int32_t index;		/* [N] argument, or -1 */
	char key[64];		/* [key] or .name argument, NUL-terminated */
};

/* One extracted value. Strings point into the event, the state, or the
 * context's scratch area; they stay valid until field_ctx_reset(). */
struct fv {
	enum field_type type;
	union {
		int64_t i;
		uint64_t u;
		bool b;
		struct { const char *p; uint32_t len; } s;	/* STRING PATH BYTES */
		struct { uint8_t family; uint8_t a[16]; } ip;	/* IPADDR */
		struct { uint8_t family; uint8_t a[16]; uint8_t bits; } net;
	} v;
};

/* Per-event extraction context. The caller owns it and reuses it for
 * every event: no heap allocation per event. */
#define FIELD_SCRATCH 16384
struct field_ctx {
	const struct evt *ev;
	struct state *st;
	void *thread;		/* looked up once per event, lazily */
	void *fd;		/* likewise */
	int64_t fdnum;		/* the number of that fd, -1 if none */
	bool thread_done, fd_done;
	size_t used;		/* bytes of scratch in use */
	char scratch[FIELD_SCRATCH];
};

void field_ctx_init(struct field_ctx *ctx, struct state *st);
/* Point the context at a new event; drops everything cached. */
void field_ctx_reset(struct field_ctx *ctx, const struct evt *ev);

typedef int (*field_extract_fn)(struct field_ctx *ctx, const struct field_ref *ref,
				struct fv *out, int max);

struct field_info {
	const char *name;
	enum field_type type;
	unsigned flags;
	const char *desc;
	field_extract_fn extract;
};

extern const struct field_info field_table[];
extern const unsigned field_count;

/*
 * Resolves `text` (len bytes, e.g. "proc.aname[2]", "evt.arg.flags",
 * "container.label[app]") to a field reference. On error returns -1 and
 * writes a one-line reason into err (no location; the caller adds it).
 */
int field_resolve(const char *text, size_t len, struct field_ref *ref,
		  char *err, size_t errlen);

/*
 * Extracts the field for ctx->ev. Returns the number of values written to
 * out (at most max; 1 for scalar fields), or 0 when the value is missing
 * (printed as <NA> in outputs, and no comparison matches it except
 * `not ... exists`).
 */
int field_extract(struct field_ctx *ctx, const struct field_ref *ref,
		  struct fv *out, int max);

/* Renders a value as text, the way outputs show it. Returns the length the
 * full text needs (snprintf style). */
size_t fv_render(const struct fv *v, char *buf, size_t size);

#endif
