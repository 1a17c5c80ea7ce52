/* SPDX-License-Identifier: MIT */
/*
 * event.h - the decode stage: turns a raw record (kmod/vigil_abi.h) into a
 * checked, indexed view, and back (a builder, for the capture snapshot,
 * userspace-made events and tests). Every stage after this one reads events
 * only through this header.
 *
 * A decoded event points into the record; it owns nothing and is valid as
 * long as the record bytes are.
 */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil_abi.h"

/* Static facts about one event type, made from VIGIL_EVENT_TABLE. */
struct evt_param_info {
	const char *name;
	enum vigil_param_type type;
	enum vigil_flag_set flagset;
};

struct evt_info {
	const char *name;		/* evt.type, e.g. "openat" */
	enum vigil_event_source source;
	int syscall_nr;			/* -1 if not a syscall */
	uint8_t nparams;
	const struct evt_param_info *params;
};

extern const struct evt_info evt_table[VIGIL_EVT_NR];

/* Static facts about one parameter type, made from VIGIL_PARAM_TYPES. */
struct evt_ptype_info {
	const char *name;		/* "fd", "path", ... */
	uint8_t size;			/* fixed size in bytes, 0 = variable */
};
extern const struct evt_ptype_info evt_ptype[VIGIL_PT_NR];

/*
 * Fingerprint of the event table: a 64-bit hash over every event's name
 * and every parameter's name, type and flag set, in table order. Two
 * builds agree on the record format iff their fingerprints are equal
 * (capture files store it).
 */
uint64_t evt_table_fingerprint(void);

/* Event type by evt.type name; -1 if unknown. */
int evt_type_by_name(const char *name);
/* Parameter index by name for a type; -1 if that type has no such param. */
int evt_param_index(unsigned type, const char *name);

struct evt_param {
	const uint8_t *val;	/* NULL when len == 0 */
	uint16_t len;
	uint16_t flags;		/* VIGIL_PARAM_FAULT | VIGIL_PARAM_TRUNC */
};

struct evt {
	const struct vigil_evt_hdr *hdr;
	const struct evt_info *info;
	uint64_t num;		/* sequence number given by the reader */
	struct evt_param params[VIGIL_MAX_PARAMS];
};

/* Why a record was refused by evt_decode(). */
enum evt_decode_err {
	EVT_OK = 0,
	EVT_ERR_SHORT,		/* fewer bytes than the header or its lens[] */
	EVT_ERR_LEN,		/* hdr.len smaller than header or past the buffer */
	EVT_ERR_TYPE,		/* unknown event type */
	EVT_ERR_NPARAMS,	/* nparams differs from the table */
	EVT_ERR_PARAMLEN,	/* a parameter's bytes run past hdr.len */
	EVT_ERR_PARAMSIZE,	/* a fixed-size parameter has the wrong size */
	EVT_ERR_ALIGN,		/* buf or hdr.len not VIGIL_RECORD_ALIGN-aligned */
	EVT_ERR__NR
};
const char *evt_decode_strerror(enum evt_decode_err err);

/*
 * Checks and indexes the record at buf (avail bytes readable). Never reads
 * past buf + avail, never trusts hdr.len. buf must be 8-byte aligned (ring
 * records and capture blocks are); values inside are read with memcpy, so
 * they may be at any offset. A parameter of length 0 is "no value" and is
 * accepted for every type. out->num is left alone (the reader sets it).
 * PAD records decode fine (type PAD, no params); readers skip them.
 */
enum evt_decode_err evt_decode(const void *buf, size_t avail, struct evt *out);

/* Typed accessors. The numeric ones return `dflt` when the parameter is
 * absent (idx out of range, or length 0) or not a fixed-size number; a
 * 4-byte value is zero-extended. evt_get_str returns NULL (and *len = 0)
 * when absent or not a variable-size parameter. */
int64_t evt_get_s64(const struct evt *ev, unsigned idx, int64_t dflt);
uint64_t evt_get_u64(const struct evt *ev, unsigned idx, uint64_t dflt);
/* String parameter as a pointer + length (not NUL-terminated). */
const char *evt_get_str(const struct evt *ev, unsigned idx, size_t *len);

/* A decoded socket address or tuple (SOCKADDR / SOCKTUPLE values). */
struct evt_sockaddr {
	uint8_t family;		/* AF_INET, AF_INET6, AF_UNIX, 0 = none */
	uint8_t addr[16];	/* network order; v4 in the first 4 bytes */
	uint16_t port;
	const char *path;	/* AF_UNIX, not NUL-terminated */
	size_t pathlen;
};
/* False when the parameter is absent or too short for its family. An
 * unknown family yields true with only `family` set. For an AF_UNIX tuple
 * the path goes to `remote` (local gets family only). */
bool evt_get_sockaddr(const struct evt *ev, unsigned idx, struct evt_sockaddr *sa);
bool evt_get_tuple(const struct evt *ev, unsigned idx,
		   struct evt_sockaddr *local, struct evt_sockaddr *remote);

/* True for the syscall return value (param 0 of a SYSCALL event), whose
 * negative values are -errno. */
bool evt_param_is_result(const struct evt *ev, unsigned idx);

/*
 * Renders one parameter as text, the way `vigil dump` and evt.arg.NAME show
 * it: numbers in decimal, flags by name ("O_WRONLY|O_CREAT"), errno by name
 * for negative results ("ENOENT"), addresses as "1.2.3.4:80" or
 * "1.2.3.4:5->5.6.7.8:80", "[::1]:53", unix paths as is (abstract ones
 * with a leading '@'), strarrays space-separated, modes in octal ("0644"),
 * devs in hex. Control bytes and invalid UTF-8 in strings print as \xNN;
 * BYTES print non-printable bytes as '.'. An absent value renders as "".
 * The FAULT/TRUNC flags are not part of the text. Returns the length that
 * the full text needs (snprintf style); buf is always NUL-terminated when
 * size > 0.
 */
size_t evt_param_render(const struct evt *ev, unsigned idx, char *buf, size_t size);

/*
 * Builder: makes a record in a caller's buffer (8-byte aligned). Parameters
 * must be added in table order; evt_build_end() checks the count, pads to
 * VIGIL_RECORD_ALIGN and returns the record length, or 0 (with b->failed
 * and b->why set) if anything did not fit or did not match: wrong width for
 * the parameter's type, too many/few parameters, value longer than
 * VIGIL_PARAM_MAX_LEN, record past `cap` or VIGIL_RECORD_MAX. The cpu byte
 * of the header is 0; set ((struct vigil_evt_hdr *)buf)->cpu if needed.
 * evt_build_str of NULL adds an empty value.
 */
struct evt_builder {
	uint8_t *buf;
	size_t cap;
	size_t off;		/* next value byte */
	unsigned type;
	unsigned next;		/* next parameter index */
	bool failed;
	const char *why;	/* when failed: what went wrong (static text) */
};
void evt_build_begin(struct evt_builder *b, void *buf, size_t cap, unsigned type,
		     uint64_t ts, uint32_t tid, uint32_t pid);
void evt_build_u64(struct evt_builder *b, uint64_t v);	/* any 8-byte type */
void evt_build_u32(struct evt_builder *b, uint32_t v);	/* any 4-byte type */
void evt_build_bytes(struct evt_builder *b, const void *p, size_t len, uint16_t flags);
void evt_build_str(struct evt_builder *b, const char *s);	/* PATH/STR */
void evt_build_empty(struct evt_builder *b, uint16_t flags);
void evt_build_sockaddr(struct evt_builder *b, const struct evt_sockaddr *sa);
void evt_build_tuple(struct evt_builder *b, const struct evt_sockaddr *local,
		     const struct evt_sockaddr *remote);
size_t evt_build_end(struct evt_builder *b);

#endif
