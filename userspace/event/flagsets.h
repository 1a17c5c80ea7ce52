/* SPDX-License-Identifier: MIT */
/*
 * flagsets.h - names for the values of FLAGS32/FLAGS64/ENUM parameters,
 * one table per flag set (enum vigil_flag_set in vigil_abi.h). Values are
 * the kernel's (x86_64), not libc's: e.g. O_LARGEFILE is 0100000 even
 * though glibc defines it as 0 on 64-bit.
 *
 * An entry matches a value v when (v & mask) == value. Plain flag bits have
 * mask == value; a field inside the word (O_ACCMODE, the SOCK_* type) uses
 * a wider mask, so O_RDONLY (0 under O_ACCMODE) can be named.
 */
#ifndef VIGIL_EVENT_FLAGSETS_H
#define VIGIL_EVENT_FLAGSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil_abi.h"

struct flag_name {
	uint64_t value;
	uint64_t mask;
	const char *name;
};

struct flag_set {
	const char *name;		/* "OPEN", "CLONE", ... */
	const struct flag_name *v;
	size_t n;
};

extern const struct flag_set evt_flagsets[VIGIL_FS_NR];

/*
 * Renders v by name. As flags: the matching entries joined by '|' in table
 * order (each consumes its mask bits), leftover bits as "0x..", and "0"
 * when nothing is set and nothing matched. As an enum (is_enum): the one
 * entry equal to v, else v in decimal. Flag set NONE: decimal.
 * snprintf-style return.
 */
size_t evt_flags_render(enum vigil_flag_set fs, uint64_t v, bool is_enum,
			char *buf, size_t size);

/* Value of a name in a flag set ("O_CREAT" in OPEN); false if unknown. */
bool evt_flag_by_name(enum vigil_flag_set fs, const char *name, uint64_t *value);

#endif
