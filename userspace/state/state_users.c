/* SPDX-License-Identifier: MIT */
/* state_users.c - user and group names from passwd/group files: the host's
 * and, for processes in a container, the container's own
 * (<root>/proc/<pid>/root/etc). Each file set is read once and cached.
 *
 * The host's files: <root>/proc/1/root/etc when that is readable, else
 * <root>/etc. On a host both are the same files; in a container with the
 * host's PID namespace (the Kubernetes DaemonSet: hostPID) /proc/1/root is
 * the node's root, so host processes get the node's names and not the
 * image's, without mounting the node's /etc.
 *
 * A name not found makes the files be looked at again (at most once a
 * second of event time): if passwd or group changed (inode, size or mtime:
 * a user added after start, or a container's files seen before runc's
 * pivot_root), the new ids are added to the set (names already given out
 * stay valid). Never in replay, which reads no files. */
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/state_int.h"

struct st_userdb {
	struct st_userdb *next;
	const struct st_container *owner;	/* NULL = host */
	struct idmap users, groups;		/* id -> char *name */
	char dir[PATH_MAX + 64];		/* where passwd and group are */
	struct stat pw_st, gr_st;		/* as they were when read */
	uint64_t checked_ts;			/* event time of the last look */
};

#define USERDB_RECHECK_NS	1000000000ull

static void load_file(const char *path, struct idmap *m);

static void load_set(struct st_userdb *d)
{
	char path[PATH_MAX + 80];

	snprintf(path, sizeof(path), "%s/passwd", d->dir);
	if (stat(path, &d->pw_st))
		memset(&d->pw_st, 0, sizeof(d->pw_st));
	load_file(path, &d->users);
	snprintf(path, sizeof(path), "%s/group", d->dir);
	if (stat(path, &d->gr_st))
		memset(&d->gr_st, 0, sizeof(d->gr_st));
	load_file(path, &d->groups);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* After a miss: reads the set again if its files changed. True if it did. */
static bool userdb_refresh(struct state *st, struct st_userdb *d)
{
	char path[PATH_MAX + 80];
	struct stat pw, gr;

	if (!st->files_ok || !d->dir[0] || st->cur_ts < d->checked_ts + USERDB_RECHECK_NS)
		return false;
	d->checked_ts = st->cur_ts ? st->cur_ts : 1;
	snprintf(path, sizeof(path), "%s/passwd", d->dir);
	if (stat(path, &pw))
		return false;	/* gone (a container's pid exited): keep what we have */
	snprintf(path, sizeof(path), "%s/group", d->dir);
	if (stat(path, &gr))
		return false;
	if (same_file(&pw, &d->pw_st) && same_file(&gr, &d->gr_st))
		return false;
	/*
	 * Added to, never freed: names already handed out for this event
	 * (fields keep pointers to them) stay valid. An id already known
	 * keeps its first name, as before.
	 */
	load_set(d);
	return true;
}

static void load_file(const char *path, struct idmap *m)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		/* name:x:id:... */
		char *c1 = strchr(line, ':');
		if (!c1)
			continue;
		char *c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		char *end;
		unsigned long id = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':' || id > UINT32_MAX)
			continue;
		if (idmap_get(m, id))
			continue;	/* first entry wins, as getpwuid */
		char *name = st_strndup(line, (size_t)(c1 - line));
		if (name && idmap_put(m, id, name) == name)
			free(name);
	}
	fclose(f);
}

static struct st_userdb *userdb(struct state *st, const struct st_proc *p)
{
	const struct st_container *c = p ? p->container : NULL;
	for (struct st_userdb *d = st->userdbs; d; d = d->next)
		if (d->owner == c)
			return d;
	struct st_userdb *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->owner = c;
	idmap_init(&d->users);
	idmap_init(&d->groups);
	if (st->files_ok) {
		char path[PATH_MAX + 80];
		if (c)
			snprintf(d->dir, sizeof(d->dir), "%s/proc/%u/root/etc", st->root,
				 c->pid ? c->pid : p->pid);
		else {
			snprintf(d->dir, sizeof(d->dir), "%s/proc/1/root/etc", st->root);
			snprintf(path, sizeof(path), "%s/passwd", d->dir);
			if (access(path, R_OK) != 0)
				snprintf(d->dir, sizeof(d->dir), "%s/etc", st->root);
		}
		d->checked_ts = st->cur_ts ? st->cur_ts : 1;
		load_set(d);
	}
	d->next = st->userdbs;
	st->userdbs = d;
	return d;
}

static void free_names(struct idmap *m)
{
	uint64_t k;
	void *v;
	for (size_t i = 0; idmap_next(m, &i, &k, &v);)
		free(v);
	idmap_free(m);
}

void st_userdbs_free(struct state *st)
{
	while (st->userdbs) {
		struct st_userdb *d = st->userdbs;
		st->userdbs = d->next;
		free_names(&d->users);
		free_names(&d->groups);
		free(d);
	}
}

/* Forget the cached files of a container (when it goes away). */
void st_userdb_drop(struct state *st, const struct st_container *c)
{
	for (struct st_userdb **pd = &st->userdbs; *pd; pd = &(*pd)->next) {
		if ((*pd)->owner == c) {
			struct st_userdb *d = *pd;
			*pd = d->next;
			free_names(&d->users);
			free_names(&d->groups);
			free(d);
			return;
		}
	}
}

const char *state_user_name(struct state *st, const struct st_proc *p, uint32_t uid)
{
	struct st_userdb *d = userdb(st, p);
	const char *n = d ? idmap_get(&d->users, uid) : NULL;
	if (!n && d && userdb_refresh(st, d))
		n = idmap_get(&d->users, uid);
	if (!n && uid == 0)
		return "root";
	return n;
}

const char *state_group_name(struct state *st, const struct st_proc *p, uint32_t gid)
{
	struct st_userdb *d = userdb(st, p);
	const char *n = d ? idmap_get(&d->groups, gid) : NULL;
	if (!n && d && userdb_refresh(st, d))
		n = idmap_get(&d->groups, gid);
	if (!n && gid == 0)
		return "root";
	return n;
}
