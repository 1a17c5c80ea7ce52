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
 * Copies up to VIGIL_COPY_INLINE_MAX bytes (the common case: a read's
 * first bytes, a sockaddr, an argv pointer) inline, in one user-access
 * window, 8 bytes at a time, then byte by byte: no call, and no byte read
 * past @src + @n (a fault there would flag a good buffer). A task without
 * user memory (exiting) has nothing to read: the kernel's _nofault copy
 * refuses the same case by looking at the loaded mm, which is current's in
 * every context the probes run in (syscall exit, exec, fork, exit).
 */
#define VIGIL_COPY_INLINE_MAX	64u

static __always_inline long vigil_copy_user_small(void *dst, const void __user *src,
						  size_t n)
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

/* 0 on success, -EFAULT when any byte could not be read without faulting. */
static __always_inline long vigil_copy_user(void *dst, const void __user *src, size_t n)
{
	if (__builtin_constant_p(n) ? n <= VIGIL_COPY_INLINE_MAX :
	    likely(n <= VIGIL_COPY_INLINE_MAX))
		return vigil_copy_user_small(dst, src, n);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 8, 0)
	return copy_from_user_nofault(dst, src, n);
#else
	return probe_user_read(dst, src, n);
#endif
}

/*
 * Copies a NUL-terminated user string into @dst, at most @count bytes.
 * Returns its length without the NUL when the NUL was found (and copied)
 * within @count bytes, @count when it was not (@dst is then not
 * terminated), or -EFAULT. strncpy_from_user_nofault is not exported to
 * modules, so this is strncpy_from_user with page faults disabled: a
 * missing page then gives -EFAULT instead of a sleep. Same on all kernels.
 */
static inline long vigil_strncpy_user(char *dst, const char __user *src,
				      long count)
{
	long ret;

	if (count <= 0)
		return 0;
	pagefault_disable();
	ret = strncpy_from_user(dst, src, count);
	pagefault_enable();
	return ret;
}

/* ---- files and sockets --------------------------------------------------- */

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
