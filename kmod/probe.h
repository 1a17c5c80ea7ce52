/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe.h - the tracepoint probes: what is captured and when.
 */
#ifndef VIGIL_PROBE_H
#define VIGIL_PROBE_H

#include <linux/types.h>
#include "vigil_abi.h"

/* Events the probes emit (VIGIL_IOC_SET_EVENTS), read with one bit test. */
extern u64 vigil_evt_bits[VIGIL_EVT_BITMAP_WORDS];
/* The tgid of the device's opener, never captured. */
extern pid_t vigil_owner_tgid;

/* Builds the syscall-number -> event table; 0 or -errno. */
int vigil_probe_init(void);
/* Sets the event bitmap, keeping only events the module can emit. */
void vigil_probe_set_events(const struct vigil_evt_bitmap *bm);
/* Finds and attaches the tracepoints / detaches and waits for the probes. */
int vigil_probes_attach(void);
void vigil_probes_detach(void);

#endif /* VIGIL_PROBE_H */
