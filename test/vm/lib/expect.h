/* SPDX-License-Identifier: MIT */
/*
 * expect.h - how the VM trigger program writes down what the module must
 * report. One expectation per syscall the trigger makes: the event type, the
 * thread that makes it, and a value for EVERY parameter of that type in the
 * event table (vigil_abi.h); x_end() refuses an expectation that misses one.
 *
 * Output: one JSON object per line, in the order the thread made the calls:
 *   {"label":"openat-ok","type":"openat","tid":123,
 *    "params":{"fd":{"i":3},"name":{"s":"/tmp/x"},"dev":{"absent":1},...}}
 * A value is one of
 *   {"i":N}          raw number (vigil dump --json "raw")
 *   {"s":"text"}     rendered text (vigil dump --json "params")
 *   {"absent":1}     no value (length 0)
 *   {"any":1}        a value the trigger cannot know (still must be present)
 *   {"oneof":[v,..]} any of these values
 *   {"fault":1}      no value, and the FAULT flag (user memory unreadable)
 *   {"trunc":1,"s":"text"}  this text, cut at the snaplen, with the TRUNC flag
 * A value given by "i" or "s" alone must carry neither flag.
 * test/vm/check_driver.py matches them against `vigil dump --json`.
 */
#ifndef VIGIL_VM_EXPECT_H
#define VIGIL_VM_EXPECT_H

#include "vigil_abi.h"

/* Start an expectation for event `type` made by thread `tid`. */
void x_begin(int type, int tid, const char *label);
void x_int(int type, int idx, long long v);
void x_str(int type, int idx, const char *s);
void x_raw(int type, int idx, const char *json);	/* a JSON value as is */
/* Close it; prints FAIL and returns -1 if a parameter was not given. */
int x_end(void);
/* Write the expectations of this process to fd (O_APPEND) and forget them. */
int x_flush_fd(int fd);
/* Forget the expectations (a forked child starts with none). */
void x_reset(void);
/* Number of distinct event types expected so far. */
int x_types(void);

/* JSON helpers for x_raw(): results point into a static ring of buffers. */
const char *j_int(long long v);
const char *j_str(const char *s);
const char *j_oneof2(const char *a, const char *b);
const char *j_trunc(const char *s);
#define J_ABSENT "{\"absent\":1}"
#define J_ANY    "{\"any\":1}"
#define J_FAULT  "{\"fault\":1}"

/* Names the parameters: XB(OPENAT, tid, "label"); XI(OPENAT, fd, 3); ... */
#define XB(ev, tid, label)	x_begin(VIGIL_EVT_##ev, (tid), (label))
#define XI(ev, p, v)		x_int(VIGIL_EVT_##ev, VIGIL_P_##ev##_##p, (long long)(v))
#define XS(ev, p, s)		x_str(VIGIL_EVT_##ev, VIGIL_P_##ev##_##p, (s))
#define XR(ev, p, json)		x_raw(VIGIL_EVT_##ev, VIGIL_P_##ev##_##p, (json))
#define XE()			x_end()

#endif
