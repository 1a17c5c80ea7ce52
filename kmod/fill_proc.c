// SPDX-License-Identifier: GPL-2.0
/*
 * fill_proc.c - process lifecycle: exec (the full process picture), clone3,
 * and the sched_process_fork/exit records.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/fs_struct.h>
#include <linux/pid_namespace.h>
#include <linux/nsproxy.h>
#include <linux/user_namespace.h>
#include <linux/cgroup.h>
#include <linux/audit.h>
#include <linux/tty.h>
#include <linux/mm_types.h>
#include <linux/magic.h>
#include <linux/kdev_t.h>
#include <net/net_namespace.h>
#include "fill.h"
#include "compat.h"

static u32 vigil_uid(kuid_t k)
{
	return from_kuid(&init_user_ns, k);	/* unset (invalid): (u32)-1 */
}

static u32 vigil_gid(kgid_t k)
{
	return from_kgid(&init_user_ns, k);
}

/* The current working directory, without taking references (RCU). */
static void vigil_put_cwd(struct vigil_rec *w)
{
	struct fs_struct *fs = current->fs;
	struct path pwd;

	if (!fs)
		return vigil_put_empty(w, 0);
	rcu_read_lock();
	spin_lock(&fs->lock);
	pwd = fs->pwd;
	spin_unlock(&fs->lock);
	vigil_put_path(w, &pwd);
	rcu_read_unlock();
}

/* The cgroup v2 path of the current task (as the host sees it). */
static void vigil_put_cgroup(struct vigil_rec *w)
{
	u32 room = min_t(u32, vigil_rec_room(w), VIGIL_STRLEN_MAX + 1);
	char *dst = vigil_rec_value(w);
	struct cgroup *cgrp;
	int len;

	if (room < 2)
		return vigil_put_empty(w, VIGIL_PARAM_TRUNC);
	rcu_read_lock();
	cgrp = task_dfl_cgroup(current);
	len = cgrp ? cgroup_path(cgrp, dst, room) : -ENOENT;
	rcu_read_unlock();
	if (len < 0)
		return vigil_put_empty(w, len == -E2BIG ? VIGIL_PARAM_TRUNC : 0);
	if (len >= room)
		return vigil_rec_done(w, strnlen(dst, room - 1), VIGIL_PARAM_TRUNC);
	vigil_rec_done(w, len, 0);
}

/* A user memory area of NUL-terminated strings (mm arg/env area). */
static void vigil_put_user_area(struct vigil_rec *w, unsigned long start,
				unsigned long end)
{
	u32 room = min_t(u32, vigil_rec_room(w), VIGIL_STRLEN_MAX);
	u64 len = end > start ? end - start : 0;
	u32 n = min_t(u64, len, room);
	u8 *dst = vigil_rec_value(w);

	if (!n)
		return vigil_put_empty(w, len ? VIGIL_PARAM_TRUNC : 0);
	if (vigil_copy_user(dst, (const void __user *)start, n))
		return vigil_put_empty(w, VIGIL_PARAM_FAULT);
	if (n < len) {
		dst[n - 1] = '\0';
		return vigil_rec_done(w, n, VIGIL_PARAM_TRUNC);
	}
	vigil_rec_done(w, n, 0);
}

/* Was the file reached through the upper layer of an overlayfs? */
static bool vigil_exe_upper_layer(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct dentry *upper;

	if (inode->i_sb->s_magic != OVERLAYFS_SUPER_MAGIC)
		return false;
	/*
	 * struct ovl_inode (fs/overlayfs/ovl_entry.h, private) embeds the
	 * VFS inode and is followed directly by its upper dentry pointer, on
	 * every kernel from 4.19 to 6.12. Non-NULL: the file has an upper
	 * copy, i.e. it was written or created in the container. The read
	 * stays inside the ovl_inode (the magic says that is what this inode
	 * is) and the pointer is only compared with NULL, never followed: a
	 * layout change could give a wrong flag, never a fault. A kernel whose
	 * structure layout is randomized has no such order: no flag there.
	 */
#if defined(CONFIG_RANDSTRUCT) || defined(CONFIG_GCC_PLUGIN_RANDSTRUCT)
	upper = NULL;
#else
	upper = READ_ONCE(*(struct dentry **)((char *)inode + sizeof(struct inode)));
#endif
	return upper != NULL;
}

/* A memfd: "memfd:<name>" in an unlinked shmem/hugetlbfs inode. */
static bool vigil_exe_memfd(struct file *file)
{
	return file_inode(file)->i_nlink == 0 &&
	       !strncmp(file->f_path.dentry->d_name.name, "memfd:", 6);
}

/* Everything exec records carry after the args, from `exe` on. */
static void vigil_put_proc(struct vigil_rec *w, struct file *exe)
{
	const struct cred *cred = current_cred();
	struct tty_struct *tty = get_current_tty();
	struct task_struct *parent;
	struct nsproxy *nsp = current->nsproxy;
	struct inode *inode = exe ? file_inode(exe) : NULL;
	u32 flags = 0;

	if (exe)
		vigil_put_path(w, &exe->f_path);
	else
		vigil_put_empty(w, 0);
	vigil_put_cwd(w);
	rcu_read_lock();
	parent = rcu_dereference(current->real_parent);
	vigil_put_u64(w, parent ? task_tgid_nr(parent) : 0);
	rcu_read_unlock();
	vigil_put_u64(w, task_pid_vnr(current));
	vigil_put_u64(w, task_tgid_vnr(current));
	vigil_put_u64(w, task_pgrp_nr_ns(current, &init_pid_ns));
	vigil_put_u64(w, task_pgrp_vnr(current));
	vigil_put_u64(w, task_session_nr_ns(current, &init_pid_ns));
	vigil_put_u32(w, vigil_uid(cred->uid));
	vigil_put_u32(w, vigil_gid(cred->gid));
	vigil_put_u32(w, vigil_uid(cred->euid));
	vigil_put_u32(w, vigil_gid(cred->egid));
	vigil_put_u32(w, vigil_uid(audit_get_loginuid(current)));
	vigil_put_u32(w, tty ? new_encode_dev(tty_devnum(tty)) : 0);
	vigil_put_cgroup(w);
	vigil_put_u64(w, vigil_cap_u64(&cred->cap_inheritable));
	vigil_put_u64(w, vigil_cap_u64(&cred->cap_permitted));
	vigil_put_u64(w, vigil_cap_u64(&cred->cap_effective));
	if (inode) {
		vigil_put_u64(w, inode->i_ino);
		vigil_put_u64(w, vigil_inode_ctime_ns(inode));
		vigil_put_u64(w, vigil_inode_mtime_ns(inode));
		if (vigil_exe_upper_layer(exe))
			flags |= VIGIL_EXEC_UPPER_LAYER;
		if (vigil_exe_memfd(exe))
			flags |= VIGIL_EXEC_FROM_MEMFD;
	} else {
		vigil_put_empty(w, 0);
		vigil_put_empty(w, 0);
		vigil_put_empty(w, 0);
	}
	if (tty) {
		flags |= VIGIL_EXEC_TTY;
		tty_kref_put(tty);
	}
	vigil_put_u32(w, flags);
	vigil_put_u32(w, task_active_pid_ns(current)->ns.inum);
	if (nsp) {
		vigil_put_u32(w, ((struct vigil_mnt_ns_head *)nsp->mnt_ns)->ns.inum);
		vigil_put_u32(w, nsp->net_ns->ns.inum);
	} else {
		vigil_put_empty(w, 0);
		vigil_put_empty(w, 0);
	}
	vigil_put_u32(w, current_user_ns()->ns.inum);
	vigil_put_kbytes(w, current->comm, strnlen(current->comm, TASK_COMM_LEN),
			 TASK_COMM_LEN);
}

/*
 * A successful exec, from sched_process_exec: the new program is in place,
 * its argv/envp are on its stack, the registers are already reset by the
 * binary loader. @at: execveat's dirfd and flags as sys_enter saw them, or
 * NULL for execve (both empty then).
 */
void vigil_fill_exec_done(struct vigil_rec *w, struct linux_binprm *bprm,
			  const struct vigil_execat *at)
{
	struct mm_struct *mm = current->mm;

	vigil_put_u64(w, 0);
	vigil_put_kstr(w, bprm->filename);
	if (mm) {
		vigil_put_user_area(w, mm->arg_start, mm->arg_end);
		if (READ_ONCE(vigil_capture_flags) & VIGIL_CAPTURE_ENV)
			vigil_put_user_area(w, mm->env_start, mm->env_end);
		else
			vigil_put_empty(w, 0);
	} else {
		vigil_put_empty(w, 0);
		vigil_put_empty(w, 0);
	}
	vigil_put_proc(w, bprm->file);
	if (at) {
		vigil_put_u64(w, (u64)(s64)at->dirfd);
		vigil_put_u32(w, at->flags);
	} else {
		vigil_put_empty(w, 0);
		vigil_put_empty(w, 0);
	}
}

/*
 * A failed execve/execveat, at sys_exit: arguments from the registers and
 * user memory; the process picture is the caller's (its exe is not
 * read here: empty).
 */
void vigil_fill_exec_failed(struct vigil_rec *w, const struct vigil_sc *sc)
{
	int a = sc->type == VIGIL_EVT_EXECVEAT ? 1 : 0;

	vigil_put_u64(w, (u64)sc->ret);
	vigil_put_user_str(w, (const char __user *)sc->args[a]);
	vigil_put_user_strarray(w, (const char __user *const __user *)sc->args[a + 1]);
	if (READ_ONCE(vigil_capture_flags) & VIGIL_CAPTURE_ENV)
		vigil_put_user_strarray(w, (const char __user *const __user *)sc->args[a + 2]);
	else
		vigil_put_empty(w, 0);
	vigil_put_proc(w, NULL);
	if (a) {
		vigil_put_u64(w, (u64)(s64)(int)sc->args[0]);
		vigil_put_u32(w, (u32)sc->args[4]);
	} else {
		vigil_put_empty(w, 0);
		vigil_put_empty(w, 0);
	}
}

/* clone3(struct clone_args *args, size_t size): flags is the first u64 */
void vigil_fill_clone3(struct vigil_rec *w, const struct vigil_sc *sc)
{
	u64 flags;

	vigil_put_u64(w, (u64)sc->ret);
	if (sc->args[1] < sizeof(flags) ||
	    vigil_copy_user(&flags, (const void __user *)sc->args[0], sizeof(flags)))
		vigil_put_empty(w, VIGIL_PARAM_FAULT);
	else
		vigil_put_u64(w, flags);
}

/* sched_process_fork runs in the parent. */
void vigil_fill_proc_fork(struct vigil_rec *w, struct task_struct *parent,
			  struct task_struct *child)
{
	u32 flags = 0;

	vigil_put_u64(w, task_pid_nr(child));
	vigil_put_u64(w, task_tgid_nr(child));
	vigil_put_u64(w, task_pid_nr_ns(child, task_active_pid_ns(child)));
	if (child->tgid == parent->tgid)
		flags |= VIGIL_FORK_THREAD;
	if (child->files == parent->files)
		flags |= VIGIL_FORK_FILES;
	if (child->fs == parent->fs)
		flags |= VIGIL_FORK_FS;
	if (child->mm == parent->mm)
		flags |= VIGIL_FORK_VM;
	if (task_active_pid_ns(child) != task_active_pid_ns(parent))
		flags |= VIGIL_FORK_NEWPIDNS;
	vigil_put_u32(w, flags);
}

/*
 * The tgid that orphans of @p are handed to: another live thread of its
 * group, else the nearest child subreaper ancestor, else the init of its
 * pid namespace.
 */
static pid_t vigil_reaper(struct task_struct *p, bool group_dead)
{
	struct task_struct *t;
	pid_t r = 0;
	int depth = 0;

	if (!group_dead)
		return p->tgid;
	rcu_read_lock();
	if (p->signal->has_child_subreaper) {
		for (t = rcu_dereference(p->real_parent);
		     t && t != &init_task && depth < 64;
		     t = rcu_dereference(t->real_parent), depth++) {
			if (t->signal->is_child_subreaper) {
				r = t->tgid;
				break;
			}
			if (t == rcu_dereference(t->real_parent))
				break;
		}
	}
	if (!r) {
		struct pid_namespace *ns = task_active_pid_ns(p);

		t = ns ? ns->child_reaper : NULL;
		r = t && t->tgid != p->tgid ? t->tgid : 0;
	}
	rcu_read_unlock();
	return r;
}

/* sched_process_exit runs in the exiting task. */
void vigil_fill_proc_exit(struct vigil_rec *w, struct task_struct *p)
{
	bool group_dead = atomic_read(&p->signal->live) == 0;

	vigil_put_u64(w, (u64)(s64)p->exit_code);
	vigil_put_u32(w, group_dead ? VIGIL_EXIT_GROUP_DEAD : 0);
	vigil_put_u64(w, vigil_reaper(p, group_dead));
}
