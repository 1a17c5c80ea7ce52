/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference vigil cares about, in one
 * place, chosen by LINUX_VERSION_CODE. Built against Debian's 5.10, 6.1
 * and 6.12; 5.4..5.7 get the pre-_nofault user-memory helpers.
 */
#ifndef VIGIL_COMPAT_H
#define VIGIL_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/capability.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include <linux/ns_common.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* ---- reading user memory with page faults disabled ---------------------- */

/*
 * vigil reads user memory itself, inline, in one user-access window, with
 * page faults disabled (a missing page gives -EFAULT, never a sleep):
 *  - no call on the path every read/write/open pays (the kernel's helpers
 *    are two or three calls deep);
 *  - no hardened-usercopy check of the destination on every value
 *    (check_object_size: on kernels from 5.19 that do not skip it with
 *    page faults disabled, a vmalloc destination like the ring costs a
 *    search of the vmap areas under their lock). The destinations here are
 *    the record window, whose room the callers bound.
 * A task without user memory (exiting) has nothing to read. The kernel's
 * _nofault copy refuses the same case by comparing the loaded mm with
 * current's; in every context the probes run in (syscall exit, exec, fork,
 * exit) the loaded mm is current's.
 */

/* 0 on success, -EFAULT when any byte could not be read. 8 bytes at a time,
 * then byte by byte: no byte past @src + @n is read (a fault there would
 * flag a good buffer). */
static __always_inline long vigil_copy_user(void *dst, const void __user *src, size_t n)
{
	const u8 __user *s = src;
	u8 *d = dst;

	if (unlikely(!current->mm))
		return -EFAULT;
	pagefault_disable();
	if (!user_access_begin(src, n))
		goto out;
	for (; n >= 8; n -= 8, s += 8, d += 8) {
		u64 v;

		unsafe_get_user(v, (const u64 __user *)s, fault);
		put_unaligned(v, (u64 *)d);
	}
	for (; n; n--, s++, d++)
		unsafe_get_user(*d, s, fault);
	user_access_end();
	pagefault_enable();
	return 0;
fault:
	user_access_end();
out:
	pagefault_enable();
	return -EFAULT;
}

/*
 * Copies a NUL-terminated user string into @dst, at most @count bytes.
 * Returns its length without the NUL when the NUL was found (and copied)
 * within @count bytes, @count when it was not (@dst is then not
 * terminated), or -EFAULT.
 *
 * 8 bytes at a time while 8 fit in @count: a word may reach past the NUL
 * into a page that cannot be read, so a word that faults is read again
 * byte by byte, and only a byte that faults is a fault. A string whose
 * @count bytes would pass the top of user space (access_ok refuses them)
 * goes to strncpy_from_user, which knows where that top is.
 */
static __always_inline long vigil_strncpy_user(char *dst, const char __user *src,
					       long count)
{
	long res = 0;

	if (count <= 0)
		return 0;
	if (unlikely(!current->mm))
		return -EFAULT;
	pagefault_disable();
	if (unlikely(!user_access_begin(src, count))) {
		res = strncpy_from_user(dst, src, count);
		pagefault_enable();
		return res;
	}
	for (; count - res >= 8; res += 8) {
		unsigned long v, zero;

		unsafe_get_user(v, (const unsigned long __user *)(src + res), bytes);
		put_unaligned(v, (unsigned long *)(dst + res));
		/* the lowest byte that is 0 sets its high bit here, and no
		 * byte below it does (little endian) */
		zero = (v - 0x0101010101010101ul) & ~v & 0x8080808080808080ul;
		if (zero) {
			res += __ffs(zero) >> 3;
			goto done;
		}
	}
bytes:
	for (; res < count; res++) {
		char c;

		unsafe_get_user(c, src + res, fault);
		dst[res] = c;
		if (!c)
			break;
	}
done:
	user_access_end();
	pagefault_enable();
	return res;
fault:
	user_access_end();
	pagefault_enable();
	return -EFAULT;
}

/* ---- files and sockets --------------------------------------------------- */

/*
 * The file at @fd of the current task, to look inside it, and letting go
 * of it. When the task's fd table is not shared (one thread), fdget()
 * lends the file without touching its reference count (no other thread
 * can close it meanwhile): two atomic operations fewer per open. Else, or
 * for an O_PATH file (which fdget refuses), a reference is taken.
 * fdget() is an exported function from 6.12, an inline over the exported
 * __fdget() before; struct fd's file is fd_file() from 6.12.
 */
struct vigil_fd {
	struct fd fd;
	struct file *ref;	/* taken by fget_raw, else NULL */
};

#ifdef fd_file
#define vigil_fd_file(f)	fd_file(f)
#else
#define vigil_fd_file(f)	((f).file)
#endif

static inline struct file *vigil_fd_get(struct vigil_fd *v, long fd)
{
	struct file *file;

	memset(v, 0, sizeof(*v));
	if (fd < 0 || fd > INT_MAX)
		return NULL;
	v->fd = fdget((unsigned int)fd);
	file = vigil_fd_file(v->fd);
	if (!file)
		file = v->ref = fget_raw((unsigned int)fd);
	return file;
}

static inline void vigil_fd_put(struct vigil_fd *v)
{
	if (v->ref)
		fput(v->ref);
	else
		fdput(v->fd);
}

static inline struct socket *vigil_sock_from_file(struct file *file)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
	return sock_from_file(file);
#else
	int err;

	return sock_from_file(file, &err);
#endif
}

/* inode timestamps in ns since the epoch */
static inline u64 vigil_ts_ns(struct timespec64 ts)
{
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static inline u64 vigil_inode_ctime_ns(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return vigil_ts_ns(inode_get_ctime(inode));
#else
	return vigil_ts_ns(inode->i_ctime);
#endif
}

static inline u64 vigil_inode_mtime_ns(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return vigil_ts_ns(inode_get_mtime(inode));
#else
	return vigil_ts_ns(inode->i_mtime);
#endif
}

/* ---- credentials ---------------------------------------------------------- */

static inline u64 vigil_cap_u64(const kernel_cap_t *cap)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return cap->val;
#else
	return (u64)cap->cap[0] | ((u64)cap->cap[1] << 32);
#endif
}

/* ---- namespaces ------------------------------------------------------------ */

/*
 * struct mnt_namespace is private to fs/ (fs/mount.h). Its ns_common is
 * the first member since 5.11; before, an atomic_t count preceded it.
 * This mirrors only that prefix.
 */
struct vigil_mnt_ns_head {
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
	atomic_t count;
#endif
	struct ns_common ns;
};

/* ---- mmap ------------------------------------------------------------------ */

static inline void vigil_vma_make_readonly(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, VM_MAYWRITE);
#else
	vma->vm_flags &= ~VM_MAYWRITE;
#endif
}

#endif /* VIGIL_COMPAT_H */
