// SPDX-License-Identifier: GPL-2.0
/*
 * probe.c - tracepoint attach/detach and dispatch.
 *
 * raw_syscalls:sys_exit writes every syscall event, once, at exit (the
 * arguments come from the saved registers). sched_process_exec/fork/exit
 * write successful execs, forks and exits. raw_syscalls:sys_enter does one
 * thing: remember execveat's arguments, because by sched_process_exec the
 * loader has cleared the registers and set orig_ax to __NR_execve
 * (set_personality_64bit), so a successful execveat could not be told from
 * an execve otherwise. Nothing here sleeps: records
 * are written with preemption disabled, user memory is read with page
 * faults disabled.
 *
 * The fast path of sys_exit is one table load and one bit test.
 */
#include <linux/module.h>
#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/binfmts.h>
#include <linux/compat.h>
#include <linux/percpu.h>
#include <asm/syscall.h>
#include <asm/ptrace.h>
#include <linux/ptrace.h>
#include <trace/events/syscalls.h>
#include <trace/events/sched.h>
#include "probe.h"
#include "fill.h"
#include "ring.h"

#define VIGIL_NR_MAX	512	/* above every x86_64 syscall number */

u64 vigil_evt_bits[VIGIL_EVT_BITMAP_WORDS] __read_mostly;
pid_t vigil_owner_tgid __read_mostly;

/* syscall number -> event type; VIGIL_EVT_PAD (never enabled) when none */
static u8 vigil_nr_evt[VIGIL_NR_MAX] __read_mostly;

#define VIGIL_X_SRC(id, name, src, nr, ...) [VIGIL_EVT_##id] = VIGIL_SRC_##src,
#define VIGIL_X_NOP(ev, n, t, f)
static const u8 vigil_evt_src[VIGIL_EVT_NR] = {
	VIGIL_EVENT_TABLE(VIGIL_X_SRC, VIGIL_X_NOP)
};
#undef VIGIL_X_SRC

/*
 * The filler of a syscall event: the ones whose parameters are not "return
 * value, then arguments" have their own. A switch, not a table of function
 * pointers: an indirect call goes through a retpoline on most kernels, and
 * this is paid on every captured syscall.
 */
static __always_inline void vigil_fill(struct vigil_rec *w, const struct vigil_sc *sc)
{
	switch (sc->type) {
	case VIGIL_EVT_READ:
		return vigil_fill_read(w, sc);
	case VIGIL_EVT_WRITE:
		return vigil_fill_write(w, sc);
	case VIGIL_EVT_OPEN:
	case VIGIL_EVT_OPENAT:
	case VIGIL_EVT_CREAT:
		return vigil_fill_open(w, sc);
	case VIGIL_EVT_OPENAT2:
		return vigil_fill_openat2(w, sc);
	case VIGIL_EVT_EXECVE:
	case VIGIL_EVT_EXECVEAT:
		return vigil_fill_exec_failed(w, sc);
	case VIGIL_EVT_CLONE3:
		return vigil_fill_clone3(w, sc);
	case VIGIL_EVT_PIPE:
	case VIGIL_EVT_PIPE2:
		return vigil_fill_pipe(w, sc);
	case VIGIL_EVT_CONNECT:
		return vigil_fill_connect(w, sc);
	case VIGIL_EVT_ACCEPT:
	case VIGIL_EVT_ACCEPT4:
		return vigil_fill_accept(w, sc);
	case VIGIL_EVT_BIND:
		return vigil_fill_bind(w, sc);
	case VIGIL_EVT_SENDTO:
		return vigil_fill_sendto(w, sc);
	case VIGIL_EVT_SENDMSG:
		return vigil_fill_sendmsg(w, sc);
	case VIGIL_EVT_SOCKETPAIR:
		return vigil_fill_socketpair(w, sc);
	case VIGIL_EVT_INIT_MODULE:
		return vigil_fill_init_module(w, sc);
	default:
		return vigil_fill_generic(w, sc);
	}
}

static void vigil_sys_enter(void *data, struct pt_regs *regs, long id);
static void vigil_sys_exit(void *data, struct pt_regs *regs, long ret);
static void vigil_sched_exec(void *data, struct task_struct *p, pid_t old_pid,
			     struct linux_binprm *bprm);
static void vigil_sched_fork(void *data, struct task_struct *parent,
			     struct task_struct *child);
static void vigil_sched_exit(void *data, struct task_struct *p);

static void vigil_map_nr(int nr, int src, u8 evt)
{
	if (src == VIGIL_SRC_SYSCALL && nr >= 0 && nr < VIGIL_NR_MAX)
		vigil_nr_evt[nr] = evt;
}

int vigil_probe_init(void)
{
	BUILD_BUG_ON(VIGIL_EVT_NR > 255);
	/* the probes are registered as void *: check their types here */
	check_trace_callback_type_sys_enter(vigil_sys_enter);
	check_trace_callback_type_sys_exit(vigil_sys_exit);
	check_trace_callback_type_sched_process_exec(vigil_sched_exec);
	check_trace_callback_type_sched_process_fork(vigil_sched_fork);
	check_trace_callback_type_sched_process_exit(vigil_sched_exit);
	memset(vigil_nr_evt, VIGIL_EVT_PAD, sizeof(vigil_nr_evt));
#define VIGIL_X_MAP(id, name, src, nr, ...)				\
	vigil_map_nr(nr, VIGIL_SRC_##src, VIGIL_EVT_##id);
	VIGIL_EVENT_TABLE(VIGIL_X_MAP, VIGIL_X_NOP)
#undef VIGIL_X_MAP
	return 0;
}

static bool vigil_evt_on(unsigned int evt)
{
	return READ_ONCE(vigil_evt_bits[evt / 64]) & BIT_ULL(evt % 64);
}

void vigil_probe_set_events(const struct vigil_evt_bitmap *bm)
{
	u64 bits[VIGIL_EVT_BITMAP_WORDS];
	unsigned int evt, i;

	for (i = 0; i < VIGIL_EVT_BITMAP_WORDS; i++)
		bits[i] = bm->bits[i];
	for (evt = 0; evt < VIGIL_EVT_BITMAP_WORDS * 64; evt++)
		if (evt >= VIGIL_EVT_NR || vigil_evt_src[evt] == VIGIL_SRC_USER)
			bits[evt / 64] &= ~BIT_ULL(evt % 64);
	for (i = 0; i < VIGIL_EVT_BITMAP_WORDS; i++)
		WRITE_ONCE(vigil_evt_bits[i], bits[i]);
}

/* Takes this CPU's ring for one record; NULL: nothing to do. */
static __always_inline struct vigil_ring *vigil_enter(void)
{
	struct vigil_ring *r;

	preempt_disable();
	r = this_cpu_read(vigil_ring_of);
	if (unlikely(!r))
		goto out;
	if (unlikely(r->busy)) {
		vigil_ring_drop(r, VIGIL_DROP_NESTED);
		goto out;
	}
	r->busy = 1;
	return r;
out:
	preempt_enable();
	return NULL;
}

static __always_inline void vigil_leave(struct vigil_ring *r)
{
	r->busy = 0;
	preempt_enable();
}

/*
 * execveat calls in flight, by caller tid. A slot is claimed at sys_enter
 * and released at sched_process_exec or at sys_exit (exec failed). Two
 * execs of different tids hashing to the same slot at the same moment can
 * mix their dirfd/flags: rare, and it costs only those two values.
 */
#define VIGIL_EXECAT_SLOTS	1024
static struct vigil_execat vigil_execat[VIGIL_EXECAT_SLOTS];

static struct vigil_execat *vigil_execat_slot(pid_t tid)
{
	return &vigil_execat[(u32)tid % VIGIL_EXECAT_SLOTS];
}

/* Takes the slot of @tid if it holds an execveat of @tid. */
static bool vigil_execat_take(pid_t tid, struct vigil_execat *out)
{
	struct vigil_execat *s = vigil_execat_slot(tid);

	if (smp_load_acquire(&s->pid) != (u32)tid)
		return false;
	out->dirfd = READ_ONCE(s->dirfd);
	out->flags = READ_ONCE(s->flags);
	out->pid = tid;
	WRITE_ONCE(s->pid, 0);
	return true;
}

static noinline void vigil_sys_enter_exec(struct pt_regs *regs, long id)
{
	struct vigil_execat *s = vigil_execat_slot(current->pid);

	if (in_compat_syscall())
		return;
	if (id == __NR_execveat && vigil_evt_on(VIGIL_EVT_EXECVEAT)) {
		unsigned long args[6];

		syscall_get_arguments(current, regs, args);
		WRITE_ONCE(s->pid, 0);
		WRITE_ONCE(s->dirfd, (s32)args[0]);
		WRITE_ONCE(s->flags, (u32)args[4]);
		smp_store_release(&s->pid, current->pid);
	} else if (READ_ONCE(s->pid) == (u32)current->pid) {
		WRITE_ONCE(s->pid, 0);	/* a stale execveat of this tid */
	}
}

static void vigil_sys_enter(void *data, struct pt_regs *regs, long id)
{
	if (likely(id != __NR_execveat && id != __NR_execve))
		return;
	vigil_sys_enter_exec(regs, id);
}

static noinline void vigil_sys_exit_slow(struct pt_regs *regs, long ret,
					 unsigned int evt)
{
	struct vigil_ring *r;
	struct vigil_rec w;
	struct vigil_sc sc;

	if (current->tgid == READ_ONCE(vigil_owner_tgid))
		return;
	/*
	 * 32-bit syscalls (ia32 and x32) are not captured: their numbers
	 * and argument layouts are not the x86_64 ones the table is made of.
	 */
	if (in_compat_syscall())
		return;
	if (evt == VIGIL_EVT_EXECVEAT) {
		struct vigil_execat at;

		vigil_execat_take(current->pid, &at);	/* exec failed: release */
	}
	/* a successful exec is written by sched_process_exec */
	if (ret == 0 && (evt == VIGIL_EVT_EXECVE || evt == VIGIL_EVT_EXECVEAT))
		return;
	syscall_get_arguments(current, regs, sc.args);
	sc.ret = ret;
	sc.type = evt;
	r = vigil_enter();
	if (!r)
		return;
	if (vigil_rec_begin(&w, r, evt)) {
		vigil_fill(&w, &sc);
		vigil_rec_end(&w);
	}
	vigil_leave(r);
}

static void vigil_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	unsigned long nr = (unsigned long)syscall_get_nr(current, regs);
	unsigned int evt;

	if (unlikely(nr >= VIGIL_NR_MAX))
		return;
	evt = vigil_nr_evt[nr];
	if (likely(!(READ_ONCE(vigil_evt_bits[evt / 64]) & BIT_ULL(evt % 64))))
		return;
	vigil_sys_exit_slow(regs, ret, evt);
}

static void vigil_sched_exec(void *data, struct task_struct *p, pid_t old_pid,
			     struct linux_binprm *bprm)
{
	struct vigil_execat at;
	bool is_at = vigil_execat_take(old_pid, &at);
	unsigned int evt = is_at ? VIGIL_EVT_EXECVEAT : VIGIL_EVT_EXECVE;
	struct vigil_ring *r;
	struct vigil_rec w;

	if (!vigil_evt_on(evt) || current->tgid == READ_ONCE(vigil_owner_tgid))
		return;
	r = vigil_enter();
	if (!r)
		return;
	if (vigil_rec_begin(&w, r, evt)) {
		vigil_fill_exec_done(&w, bprm, is_at ? &at : NULL);
		vigil_rec_end(&w);
	}
	vigil_leave(r);
}

static void vigil_sched_fork(void *data, struct task_struct *parent,
			     struct task_struct *child)
{
	struct vigil_ring *r;
	struct vigil_rec w;

	if (!vigil_evt_on(VIGIL_EVT_PROC_FORK) ||
	    parent->tgid == READ_ONCE(vigil_owner_tgid))
		return;
	r = vigil_enter();
	if (!r)
		return;
	if (vigil_rec_begin(&w, r, VIGIL_EVT_PROC_FORK)) {
		vigil_fill_proc_fork(&w, parent, child);
		vigil_rec_end(&w);
	}
	vigil_leave(r);
}

static void vigil_sched_exit(void *data, struct task_struct *p)
{
	struct vigil_ring *r;
	struct vigil_rec w;

	if (!vigil_evt_on(VIGIL_EVT_PROC_EXIT) ||
	    p->tgid == READ_ONCE(vigil_owner_tgid))
		return;
	r = vigil_enter();
	if (!r)
		return;
	if (vigil_rec_begin(&w, r, VIGIL_EVT_PROC_EXIT)) {
		vigil_fill_proc_exit(&w, p);
		vigil_rec_end(&w);
	}
	vigil_leave(r);
}

/* ---- attach / detach ---------------------------------------------------- */

struct vigil_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool attached;
};

static struct vigil_tp vigil_tps[] = {
	{ .name = "sys_enter", .probe = vigil_sys_enter },
	{ .name = "sys_exit", .probe = vigil_sys_exit },
	{ .name = "sched_process_exec", .probe = vigil_sched_exec },
	{ .name = "sched_process_fork", .probe = vigil_sched_fork },
	{ .name = "sched_process_exit", .probe = vigil_sched_exit },
};

/* tracepoints are not exported symbols: find them by name */
static void vigil_tp_find(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vigil_tps); i++)
		if (!strcmp(tp->name, vigil_tps[i].name))
			vigil_tps[i].tp = tp;
}

void vigil_probes_detach(void)
{
	bool any = false;
	int i;

	for (i = 0; i < ARRAY_SIZE(vigil_tps); i++) {
		if (!vigil_tps[i].attached)
			continue;
		tracepoint_probe_unregister(vigil_tps[i].tp, vigil_tps[i].probe, NULL);
		vigil_tps[i].attached = false;
		any = true;
	}
	if (any)
		tracepoint_synchronize_unregister();
}

int vigil_probes_attach(void)
{
	int i, err;

	for_each_kernel_tracepoint(vigil_tp_find, NULL);
	for (i = 0; i < ARRAY_SIZE(vigil_tps); i++) {
		if (!vigil_tps[i].tp) {
			pr_err("vigil: tracepoint %s not found\n", vigil_tps[i].name);
			err = -ENOENT;
			goto detach;
		}
		err = tracepoint_probe_register(vigil_tps[i].tp, vigil_tps[i].probe, NULL);
		if (err) {
			pr_err("vigil: attaching %s: error %d\n", vigil_tps[i].name, err);
			goto detach;
		}
		vigil_tps[i].attached = true;
	}
	return 0;
detach:
	vigil_probes_detach();
	return err;
}
