/* SPDX-License-Identifier: MIT */
/*
 * format.h - whole events as text lines and JSON objects, the forms
 * `vigil dump` prints (and anything else that wants to show raw events).
 *
 * Text line:
 *   <num> <time> cpu=<cpu> <type> tid=<tid> pid=<pid> <param>=<value> ...
 * time is RFC 3339 UTC with ns when the boot offset is known (else the raw
 * monotonic ns); values are evt_param_render() text, in double quotes when
 * empty or containing a space; a flagged value is followed by "(fault)"
 * and/or "(trunc)".
 *
 * JSON object (one per event, keys in this order):
 *   {"num":N, "ts":<monotonic ns>, "time":"<RFC 3339>", "cpu":N,
 *    "type":"openat", "tid":N, "pid":N, "section":"live"|"snapshot",
 *    "params":{<name>:<value>, ...}, "raw":{<name>:<number>, ...},
 *    "flags":{<name>:["fault","trunc"], ...}}
 *   params values: absent (length 0) -> null; STRARRAY -> array of strings;
 *     S64/FD/PID/ERRNO -> number, except a negative syscall result, which is
 *     the errno name ("ENOENT"); U64/U32/UID/GID -> number; everything else
 *     (flags, enum, mode, dev, path, string, bytes, addresses) -> the
 *     rendered string ("O_RDONLY|O_CLOEXEC", "0644", "1.2.3.4:80").
 *   raw: every present fixed-size parameter as a number (signed for
 *     S64/FD/PID/ERRNO, unsigned otherwise).
 *   flags: only parameters with a flag; "section" only when given.
 */
#ifndef VIGIL_EVENT_FORMAT_H
#define VIGIL_EVENT_FORMAT_H

#include <stdint.h>
#include <stdio.h>

#include "event/event.h"

struct json_object;

/* RFC 3339 UTC with nanoseconds of ts + boot_offset_ns; raw ts if the
 * offset is 0. snprintf-style return. */
size_t evt_format_time(uint64_t ts, int64_t boot_offset_ns, char *buf, size_t size);
/* Writes the text line (with '\n'). */
void evt_print_text(FILE *f, const struct evt *ev, int64_t boot_offset_ns);
/* New JSON object (caller json_object_put()s it); section may be NULL. */
struct json_object *evt_format_json(const struct evt *ev, int64_t boot_offset_ns,
				    const char *section);

#endif
