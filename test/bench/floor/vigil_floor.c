// SPDX-License-Identifier: GPL-2.0
/*
 * vigil_floor.c - the benchmark's floor: attaches a probe that does nothing
 * to the same tracepoint vigil hooks for syscalls (raw_syscalls sys_exit),
 * so that test/bench/bench_syscalls.sh can measure what any
 * tracepoint-based sensor pays before it does any work (the tracepoint
 * slow path on syscall exit plus one indirect call). Not part of vigil.
 */
#include <linux/module.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/ptrace.h>

static struct tracepoint *floor_tp;

static void floor_probe(void *data, struct pt_regs *regs, long ret)
{
}

static void floor_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_exit"))
		floor_tp = tp;
}

static int __init floor_init(void)
{
	for_each_kernel_tracepoint(floor_find, NULL);
	if (!floor_tp)
		return -ENOENT;
	return tracepoint_probe_register(floor_tp, floor_probe, NULL);
}

static void __exit floor_exit(void)
{
	tracepoint_probe_unregister(floor_tp, floor_probe, NULL);
	tracepoint_synchronize_unregister();
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("empty sys_exit probe: the floor for vigil's syscall benchmark");
