// SPDX-License-Identifier: GPL-2.0
/*
 * vigil_floor.c - the benchmark's floor: attaches probes that do nothing to
 * the two tracepoints vigil hooks for syscalls (raw_syscalls sys_enter and
 * sys_exit; scap.ko hooks the same two), so that
 * test/bench/bench_syscalls.sh can measure what any tracepoint-based sensor
 * of this shape pays before it does any work: the tracepoint slow path on
 * syscall entry and exit plus one indirect call each. Not part of vigil.
 */
#include <linux/module.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/ptrace.h>

static struct tracepoint *floor_enter_tp, *floor_exit_tp;

static void floor_enter(void *data, struct pt_regs *regs, long id)
{
}

static void floor_exit(void *data, struct pt_regs *regs, long ret)
{
}

static void floor_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_enter"))
		floor_enter_tp = tp;
	else if (!strcmp(tp->name, "sys_exit"))
		floor_exit_tp = tp;
}

static int __init floor_init(void)
{
	int err;

	for_each_kernel_tracepoint(floor_find, NULL);
	if (!floor_enter_tp || !floor_exit_tp)
		return -ENOENT;
	err = tracepoint_probe_register(floor_enter_tp, floor_enter, NULL);
	if (err)
		return err;
	err = tracepoint_probe_register(floor_exit_tp, floor_exit, NULL);
	if (err) {
		tracepoint_probe_unregister(floor_enter_tp, floor_enter, NULL);
		tracepoint_synchronize_unregister();
	}
	return err;
}

static void __exit floor_cleanup(void)
{
	tracepoint_probe_unregister(floor_exit_tp, floor_exit, NULL);
	tracepoint_probe_unregister(floor_enter_tp, floor_enter, NULL);
	tracepoint_synchronize_unregister();
}

module_init(floor_init);
module_exit(floor_cleanup);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("empty sys_enter and sys_exit probes: the floor for vigil's syscall benchmark");
