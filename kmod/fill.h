/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fill.h - parameter fillers, by family (fill_proc.c, fill_file.c,
 * fill_net.c, fill_misc.c). A syscall filler writes every parameter of its
 * event, in table order, into a record started by the probe; the probe
 * then ends the record.
 */
#ifndef VIGIL_FILL_H
#define VIGIL_FILL_H

#include <linux/types.h>
#include <linux/sched.h>
#include <linux/binfmts.h>
#include "record.h"

/* A syscall seen at its exit. */
struct vigil_sc {
	unsigned long args[6];	/* from the saved registers */
	long ret;
	u16 type;		/* enum vigil_event_type */
};

/* What sys_enter saw of an execveat, for the record of its success. */
struct vigil_execat {
	u32 pid;		/* caller's tid; 0: slot free */
	s32 dirfd;
	u32 flags;
};

/*
 * The generic filler: the return value, then one syscall argument per
 * parameter, in order, by the parameter's type (integers as the table
 * sizes them, FD/PID sign-extended from int, PATH/STR read from user
 * memory), starting at argument @arg, up to parameter index @upto.
 */
void vigil_fill_args(struct vigil_rec *w, const struct vigil_sc *sc, int arg, int upto);
void vigil_fill_generic(struct vigil_rec *w, const struct vigil_sc *sc);

/* Helpers shared by the families. */
void vigil_put_fd_dev_ino(struct vigil_rec *w, long fd);
void vigil_put_user_int_pair(struct vigil_rec *w, const int __user *p, bool ok);

/* fill_proc.c */
void vigil_fill_exec_failed(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_exec_done(struct vigil_rec *w, struct linux_binprm *bprm,
			  const struct vigil_execat *at);
void vigil_fill_clone3(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_proc_fork(struct vigil_rec *w, struct task_struct *parent,
			  struct task_struct *child);
void vigil_fill_proc_exit(struct vigil_rec *w, struct task_struct *p);

/* fill_file.c */
void vigil_fill_open(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_openat2(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_pipe(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_read(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_write(struct vigil_rec *w, const struct vigil_sc *sc);

/* fill_net.c */
void vigil_fill_connect(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_accept(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_bind(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_sendto(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_sendmsg(struct vigil_rec *w, const struct vigil_sc *sc);
void vigil_fill_socketpair(struct vigil_rec *w, const struct vigil_sc *sc);

/* fill_misc.c */
void vigil_fill_init_module(struct vigil_rec *w, const struct vigil_sc *sc);

#endif /* VIGIL_FILL_H */
