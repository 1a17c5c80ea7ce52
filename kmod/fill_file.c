// SPDX-License-Identifier: GPL-2.0
/*
 * fill_file.c - opens (with the dev/ino of the opened file), pipes,
 * read/write data.
 */
#include <linux/openat2.h>
#include "fill.h"
#include "compat.h"

/* open, openat, creat: arguments up to `dev`, then dev/ino of the result. */
void vigil_fill_open(struct vigil_rec *w, const struct vigil_sc *sc)
{
	int dev = sc->type == VIGIL_EVT_OPEN ? VIGIL_P_OPEN_dev :
		  sc->type == VIGIL_EVT_CREAT ? VIGIL_P_CREAT_dev :
		  VIGIL_P_OPENAT_dev;

	vigil_fill_args(w, sc, 0, dev);
	vigil_put_fd_dev_ino(w, sc->ret);
}

/* openat2(dirfd, path, struct open_how *how, size_t size) */
void vigil_fill_openat2(struct vigil_rec *w, const struct vigil_sc *sc)
{
	struct open_how how;
	bool ok;

	vigil_fill_args(w, sc, 0, VIGIL_P_OPENAT2_flags);
	ok = sc->args[3] >= sizeof(how) &&
	     !vigil_copy_user(&how, (const void __user *)sc->args[2], sizeof(how));
	if (ok) {
		vigil_put_u32(w, (u32)how.flags);
		vigil_put_u32(w, (u32)how.mode);
	} else {
		vigil_put_empty(w, VIGIL_PARAM_FAULT);
		vigil_put_empty(w, VIGIL_PARAM_FAULT);
	}
	vigil_put_fd_dev_ino(w, sc->ret);
	if (ok)
		vigil_put_u64(w, how.resolve);
	else
		vigil_put_empty(w, VIGIL_PARAM_FAULT);
}

/* pipe(int fds[2]), pipe2(int fds[2], int flags) */
void vigil_fill_pipe(struct vigil_rec *w, const struct vigil_sc *sc)
{
	vigil_put_u64(w, (u64)sc->ret);
	vigil_put_user_int_pair(w, (const int __user *)sc->args[0], sc->ret == 0);
	if (sc->type == VIGIL_EVT_PIPE2)
		vigil_put_u32(w, (u32)sc->args[1]);
}

/* read(fd, buf, count): the bytes read, up to the snaplen */
void vigil_fill_read(struct vigil_rec *w, const struct vigil_sc *sc)
{
	vigil_put_u64(w, (u64)sc->ret);
	vigil_put_u64(w, (u64)(s64)(int)sc->args[0]);
	vigil_put_u64(w, sc->args[2]);
	if (sc->ret > 0)
		vigil_put_user_bytes(w, (const void __user *)sc->args[1], sc->ret,
				     READ_ONCE(vigil_snaplen));
	else
		vigil_put_empty(w, 0);
}

/* write(fd, buf, count): the bytes written (all asked for if it failed) */
void vigil_fill_write(struct vigil_rec *w, const struct vigil_sc *sc)
{
	u64 n = sc->ret > 0 ? (u64)sc->ret : sc->args[2];

	vigil_put_u64(w, (u64)sc->ret);
	vigil_put_u64(w, (u64)(s64)(int)sc->args[0]);
	vigil_put_u64(w, sc->args[2]);
	vigil_put_user_bytes(w, (const void __user *)sc->args[1], n,
			     READ_ONCE(vigil_snaplen));
}
