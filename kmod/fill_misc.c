// SPDX-License-Identifier: GPL-2.0
/*
 * fill_misc.c - the generic filler (most events are "return value, then
 * the arguments in order") and the events that need little more.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include "fill.h"
#include "compat.h"

void vigil_fill_args(struct vigil_rec *w, const struct vigil_sc *sc, int arg, int upto)
{
	if (w->idx == 0)
		vigil_put_u64(w, (u64)sc->ret);
	while (w->idx < upto && arg < 6) {
		unsigned long a = sc->args[arg++];

		switch (vigil_evt_ptypes[w->type][w->idx]) {
		case VIGIL_PT_FD:
		case VIGIL_PT_PID:
			vigil_put_u64(w, (u64)(s64)(int)a);
			break;
		case VIGIL_PT_PATH:
		case VIGIL_PT_STR:
			vigil_put_user_str(w, (const char __user *)a);
			break;
		case VIGIL_PT_STRARRAY:
		case VIGIL_PT_BYTES:
		case VIGIL_PT_SOCKADDR:
		case VIGIL_PT_SOCKTUPLE:
			/* needs a dedicated filler; never a raw pointer */
			vigil_put_empty(w, 0);
			break;
		default:
			vigil_put_int(w, a);
			break;
		}
	}
}

void vigil_fill_generic(struct vigil_rec *w, const struct vigil_sc *sc)
{
	vigil_fill_args(w, sc, 0, w->np);
}

/* dev and ino of the file open at @fd (both empty when there is none). */
void vigil_put_fd_dev_ino(struct vigil_rec *w, long fd)
{
	struct vigil_fd f;
	struct file *file = vigil_fd_get(&f, fd);
	struct inode *inode;

	if (!file) {
		vigil_put_empty(w, 0);
		vigil_put_empty(w, 0);
		return;
	}
	inode = file_inode(file);
	vigil_put_u32(w, new_encode_dev(inode->i_sb->s_dev));
	vigil_put_u64(w, inode->i_ino);
	vigil_fd_put(&f);
}

/* Two FD values from a user int[2] (pipe, socketpair), when @ok. */
void vigil_put_user_int_pair(struct vigil_rec *w, const int __user *p, bool ok)
{
	int fds[2];

	if (!ok || !p) {
		vigil_put_empty(w, 0);
		vigil_put_empty(w, 0);
		return;
	}
	if (vigil_copy_user(fds, p, sizeof(fds))) {
		vigil_put_empty(w, VIGIL_PARAM_FAULT);
		vigil_put_empty(w, VIGIL_PARAM_FAULT);
		return;
	}
	vigil_put_u64(w, (u64)(s64)fds[0]);
	vigil_put_u64(w, (u64)(s64)fds[1]);
}

/* init_module(void *umod, unsigned long len, const char *uargs) */
void vigil_fill_init_module(struct vigil_rec *w, const struct vigil_sc *sc)
{
	vigil_fill_args(w, sc, 1, w->np);
}
