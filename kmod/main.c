// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module init, the /dev/vigil misc device and its file
 * operations: one opener at a time (CAP_SYS_ADMIN), ioctls as in
 * vigil_abi.h, mmap and poll of the rings.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/capability.h>
#include <linux/mutex.h>
#include <linux/log2.h>
#include <linux/cpumask.h>
#include "vigil_abi.h"
#include "ring.h"
#include "record.h"
#include "probe.h"

static DEFINE_MUTEX(vigil_lock);	/* everything below; never held while faulting */
static atomic_t vigil_opened = ATOMIC_INIT(0);
static bool vigil_running;
static u32 vigil_ring_bytes = VIGIL_RING_SIZE_DEFAULT;
static bool vigil_rings_ready;	/* allocated at vigil_ring_bytes */

/*
 * The rings are allocated when first needed (mmap, START, GET_STATS, poll),
 * not at open: a reader that shrinks them first never pays for the default
 * size on every possible CPU.
 */
static int vigil_rings_ensure(void)
{
	int err;

	if (vigil_rings_ready)
		return 0;
	err = vigil_rings_alloc(vigil_ring_bytes);
	if (!err)
		vigil_rings_ready = true;
	return err;
}

static void vigil_stop_locked(void)
{
	if (!vigil_running)
		return;
	vigil_probes_detach();
	vigil_rings_sync();
	vigil_running = false;
	vigil_rings_wake_all();
}

static int vigil_open(struct inode *inode, struct file *file)
{
	static const struct vigil_evt_bitmap none;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (atomic_cmpxchg(&vigil_opened, 0, 1))
		return -EBUSY;
	mutex_lock(&vigil_lock);
	vigil_ring_bytes = VIGIL_RING_SIZE_DEFAULT;
	vigil_rings_ready = false;
	vigil_probe_set_events(&none);
	WRITE_ONCE(vigil_snaplen, VIGIL_SNAPLEN_DEFAULT);
	WRITE_ONCE(vigil_capture_flags, 0);
	WRITE_ONCE(vigil_owner_tgid, current->tgid);
	mutex_unlock(&vigil_lock);
	return 0;
}

/* Last reference gone: no mapping is left (each holds the file). */
static int vigil_release(struct inode *inode, struct file *file)
{
	static const struct vigil_evt_bitmap none;

	mutex_lock(&vigil_lock);
	vigil_stop_locked();
	vigil_probe_set_events(&none);
	vigil_rings_free();
	vigil_rings_ready = false;
	WRITE_ONCE(vigil_owner_tgid, 0);
	mutex_unlock(&vigil_lock);
	atomic_set(&vigil_opened, 0);
	return 0;
}

static void vigil_get_info(struct vigil_info *info)
{
	memset(info, 0, sizeof(*info));
	info->abi_version = VIGIL_ABI_VERSION;
	info->nr_rings = nr_cpu_ids;
	info->ring_size = vigil_ring_bytes;
	info->page_size = VIGIL_PAGE_SIZE;
	info->snaplen = READ_ONCE(vigil_snaplen);
	info->nr_events = VIGIL_EVT_NR;
	info->flags = READ_ONCE(vigil_capture_flags);
	info->running = vigil_running;
}

static int vigil_get_stats(struct vigil_cpu_stats *st)
{
	struct vigil_ring *r;
	u32 cpu = st->cpu;
	int i;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	r = per_cpu(vigil_ring_of, cpu);
	if (!r)
		return -ENODEV;
	memset(st, 0, sizeof(*st));
	st->cpu = cpu;
	st->online = cpu_online(cpu);
	st->head = smp_load_acquire(&r->prod->head);
	st->tail = READ_ONCE(r->cons->tail);
	st->events = READ_ONCE(r->prod->events);
	for (i = 0; i < VIGIL_DROP_NR; i++)
		st->drops[i] = READ_ONCE(r->prod->drops[i]);
	st->faults = READ_ONCE(r->prod->faults);
	st->truncations = READ_ONCE(r->prod->truncations);
	st->bytes = READ_ONCE(r->prod->bytes);
	return 0;
}

/* Takes effect at the next allocation; the old rings go now. */
static int vigil_set_ring_size(u32 size)
{
	if (size < VIGIL_RING_SIZE_MIN || size > VIGIL_RING_SIZE_MAX ||
	    !is_power_of_2(size))
		return -EINVAL;
	if (vigil_running || vigil_ring_mapped())
		return -EBUSY;
	if (size == vigil_ring_bytes)
		return 0;
	vigil_rings_free();
	vigil_rings_ready = false;
	vigil_ring_bytes = size;
	return 0;
}

static long vigil_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	union {
		struct vigil_info info;
		struct vigil_cpu_stats stats;
		struct vigil_evt_bitmap bm;
		u32 u;
	} a;
	long err = 0;

	/* arguments in before the lock, results out after it */
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && _IOC_SIZE(cmd) <= sizeof(a) &&
	    copy_from_user(&a, uarg, _IOC_SIZE(cmd)))
		return -EFAULT;

	mutex_lock(&vigil_lock);
	switch (cmd) {
	case VIGIL_IOC_INFO:
		vigil_get_info(&a.info);
		break;
	case VIGIL_IOC_START:
		if (vigil_running)
			break;
		err = vigil_rings_ensure();
		if (!err)
			err = vigil_probes_attach();
		if (!err)
			vigil_running = true;
		break;
	case VIGIL_IOC_STOP:
		vigil_stop_locked();
		break;
	case VIGIL_IOC_SET_EVENTS:
		vigil_probe_set_events(&a.bm);
		break;
	case VIGIL_IOC_SET_RING_SIZE:
		err = vigil_set_ring_size(a.u);
		break;
	case VIGIL_IOC_SET_SNAPLEN:
		if (a.u > VIGIL_PARAM_MAX_LEN)
			err = -EINVAL;
		else
			WRITE_ONCE(vigil_snaplen, a.u);
		break;
	case VIGIL_IOC_GET_STATS:
		err = vigil_rings_ensure();
		if (!err)
			err = vigil_get_stats(&a.stats);
		break;
	case VIGIL_IOC_SET_FLAGS:
		if (a.u & ~VIGIL_CAPTURE_ENV)
			err = -EINVAL;
		else
			WRITE_ONCE(vigil_capture_flags, a.u);
		break;
	default:
		err = -ENOTTY;
		break;
	}
	mutex_unlock(&vigil_lock);

	if (!err && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, &a, _IOC_SIZE(cmd)))
		err = -EFAULT;
	return err;
}

static int vigil_mmap(struct file *file, struct vm_area_struct *vma)
{
	int err;

	mutex_lock(&vigil_lock);
	err = vigil_rings_ensure();
	if (!err)
		err = vigil_ring_mmap(file, vma);
	mutex_unlock(&vigil_lock);
	return err;
}

static __poll_t vigil_poll(struct file *file, poll_table *pt)
{
	__poll_t mask;

	mutex_lock(&vigil_lock);
	mask = vigil_ring_poll(file, pt);
	mutex_unlock(&vigil_lock);
	return mask;
}

static const struct file_operations vigil_fops = {
	.owner = THIS_MODULE,
	.open = vigil_open,
	.release = vigil_release,
	.unlocked_ioctl = vigil_ioctl,
	.mmap = vigil_mmap,
	.poll = vigil_poll,
	.llseek = noop_llseek,
};

static struct miscdevice vigil_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = VIGIL_DEVICE_NAME,
	.fops = &vigil_fops,
	.mode = 0600,
};

static int __init vigil_init(void)
{
	int err = vigil_probe_init();

	if (err)
		return err;
	err = misc_register(&vigil_misc);
	if (err)
		return err;
	pr_info("vigil: loaded, ABI %u, %u events\n", VIGIL_ABI_VERSION, VIGIL_EVT_NR);
	return 0;
}

static void __exit vigil_exit(void)
{
	misc_deregister(&vigil_misc);
	pr_info("vigil: unloaded\n");
}

module_init(vigil_init);
module_exit(vigil_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vigil: syscall and process event capture into per-CPU rings");
MODULE_AUTHOR("vigil contributors");
