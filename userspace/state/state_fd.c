/* SPDX-License-Identifier: MIT */
/* state_fd.c - fd tables: opens, dups, closes, pipes, sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "state/state_int.h"

struct st_fdtab *st_fdtab_new(void)
{
	struct st_fdtab *t = calloc(1, sizeof(*t));
	if (t) {
		t->refs = 1;
		idmap_init(&t->fds);
	}
	return t;
}

void st_fd_free(struct st_fd *f)
{
	if (!f)
		return;
	free(f->name);
	free(f->nameraw);
	free(f);
}

static struct st_fd *st_fd_clone(const struct st_fd *f)
{
	struct st_fd *n = malloc(sizeof(*n));
	if (!n)
		return NULL;
	*n = *f;
	n->name = f->name ? strdup(f->name) : NULL;
	n->nameraw = f->nameraw ? strdup(f->nameraw) : NULL;
	return n;
}

struct st_fdtab *st_fdtab_copy(struct state *st, const struct st_fdtab *src)
{
	struct st_fdtab *t = st_fdtab_new();
	if (!t)
		return NULL;
	uint64_t k;
	void *v;
	for (size_t i = 0; idmap_next(&src->fds, &i, &k, &v);) {
		struct st_fd *n = st_fd_clone(v);
		if (!n || idmap_put(&t->fds, k, n) == n) {
			st_fd_free(n);
			continue;
		}
		st->stats.fds++;
	}
	return t;
}

void st_fdtab_put(struct state *st, struct st_fdtab *t)
{
	if (!t || --t->refs)
		return;
	uint64_t k;
	void *v;
	for (size_t i = 0; idmap_next(&t->fds, &i, &k, &v);) {
		st_fd_free(v);
		st->stats.fds--;
	}
	idmap_free(&t->fds);
	free(t);
}

struct st_fd *state_fd(struct state *st, const struct st_proc *p, int64_t fd)
{
	(void)st;
	if (!p || !p->fdtab || fd < 0)
		return NULL;
	return idmap_get(&p->fdtab->fds, (uint64_t)fd);
}

/* A new, empty entry for fd (replacing what was there). */
struct st_fd *st_fd_add(struct state *st, struct st_proc *p, int64_t fd)
{
	if (fd < 0 || fd > INT32_MAX || !p->fdtab) {
		st->stats.inconsistent++;
		return NULL;
	}
	struct st_fdtab *t = p->fdtab;
	struct st_fd *old = idmap_get(&t->fds, (uint64_t)fd);
	if (!old && t->fds.count >= st->cfg.max_fds) {
		st->stats.evict_fd++;
		return NULL;
	}
	struct st_fd *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->typechar = 'o';
	if (idmap_put(&t->fds, (uint64_t)fd, f) == f) {
		free(f);
		return NULL;
	}
	if (old)
		st_fd_free(old);
	else
		st->stats.fds++;
	return f;
}

void st_fd_remove(struct state *st, struct st_proc *p, int64_t fd)
{
	if (!p->fdtab || fd < 0)
		return;
	struct st_fd *f = idmap_del(&p->fdtab->fds, (uint64_t)fd);
	if (!f) {
		st->stats.fd_miss++;
		return;
	}
	st_fd_free(f);
	st->stats.fds--;
}

struct st_fd *st_fd_dup(struct state *st, struct st_proc *p, int64_t oldfd, int64_t newfd,
			bool cloexec)
{
	struct st_fd *o = state_fd(st, p, oldfd);
	if (!o) {
		st->stats.fd_miss++;
		return NULL;
	}
	if (oldfd == newfd)
		return o;
	struct st_fd copy = *o;
	char *name = o->name ? strdup(o->name) : NULL;
	char *raw = o->nameraw ? strdup(o->nameraw) : NULL;
	struct st_fd *n = st_fd_add(st, p, newfd);	/* frees what newfd held */
	if (!n) {
		free(name);
		free(raw);
		return NULL;
	}
	*n = copy;
	n->name = name;
	n->nameraw = raw;
	n->flags = cloexec ? (copy.flags | O_CLOEXEC) : (copy.flags & ~(uint32_t)O_CLOEXEC);
	return n;
}

void st_fd_close_on_exec(struct state *st, struct st_proc *p)
{
	if (!p->fdtab)
		return;
	if (p->fdtab->refs > 1) {	/* exec unshares the fd table */
		struct st_fdtab *t = st_fdtab_copy(st, p->fdtab);
		if (!t)
			return;
		st_fdtab_put(st, p->fdtab);
		p->fdtab = t;
	}
	uint64_t k;
	void *v;
	size_t n = 0;
	for (size_t i = 0; idmap_next(&p->fdtab->fds, &i, &k, &v);)
		if (((struct st_fd *)v)->flags & O_CLOEXEC)
			n++;
	if (!n)
		return;
	int64_t *victims = malloc(n * sizeof(*victims));
	if (!victims)
		return;
	n = 0;
	for (size_t i = 0; idmap_next(&p->fdtab->fds, &i, &k, &v);)
		if (((struct st_fd *)v)->flags & O_CLOEXEC)
			victims[n++] = (int64_t)k;
	for (size_t i = 0; i < n; i++)
		st_fd_remove(st, p, victims[i]);
	free(victims);
}

/* ------------------------------------------------------------ sockets */
static size_t fmt_addr(char *buf, size_t size, uint8_t family, const uint8_t *a, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN];
	if (!inet_ntop(family, a, ip, sizeof(ip)))
		ip[0] = 0;
	return (size_t)snprintf(buf, size, "%s:%u", ip, port);
}

/* Sets the fd's addresses from a local/remote pair; role says which end is
 * the client. The name is "client->server", as in Falco. */
void st_fd_set_tuple(struct st_fd *f, const struct evt_sockaddr *local,
		     const struct evt_sockaddr *remote, int role)
{
	uint8_t fam = local && local->family ? local->family : remote ? remote->family : 0;
	if (!fam)
		return;
	f->family = fam;
	f->role = (uint8_t)role;
	if (fam == AF_UNIX) {
		f->typechar = 'u';
		const struct evt_sockaddr *s = remote && remote->pathlen ? remote : local;
		if (s && s->pathlen) {
			free(f->name);
			f->name = st_strndup(s->path, s->pathlen);
			/* abstract names start with NUL: show them as '@' */
			if (f->name && f->name[0] == 0 && s->pathlen)
				f->name[0] = '@';
		}
		return;
	}
	if (fam != AF_INET && fam != AF_INET6)
		return;
	f->typechar = fam == AF_INET ? '4' : '6';
	if (!f->l4proto)
		f->l4proto = IPPROTO_TCP;
	if (local && local->family == fam) {
		memcpy(f->lip, local->addr, 16);
		f->lport = local->port;
	}
	if (remote && remote->family == fam) {
		memcpy(f->rip, remote->addr, 16);
		f->rport = remote->port;
	}
	char c[64], s[64], buf[160];
	const uint8_t *cip = role == ST_ROLE_SERVER ? f->rip : f->lip;
	const uint8_t *sip = role == ST_ROLE_SERVER ? f->lip : f->rip;
	uint16_t cport = role == ST_ROLE_SERVER ? f->rport : f->lport;
	uint16_t sport = role == ST_ROLE_SERVER ? f->lport : f->rport;
	fmt_addr(c, sizeof(c), fam, cip, cport);
	fmt_addr(s, sizeof(s), fam, sip, sport);
	snprintf(buf, sizeof(buf), "%s->%s", c, s);
	free(f->name);
	f->name = strdup(buf);
}

static char sock_typechar(uint32_t domain)
{
	switch (domain) {
	case AF_INET: return '4';
	case AF_INET6: return '6';
	case AF_UNIX: return 'u';
	case AF_NETLINK: return 'n';
	default: return 'o';
	}
}

/* ------------------------------------------------------------ opens */
static void fd_set_file(struct state *st, struct st_proc *p, struct st_fd *f, int64_t dirfd,
			const char *path, size_t len, uint32_t flags, uint64_t ino)
{
	char buf[PATH_MAX];
	size_t n = state_resolve_path(st, p, dirfd, path, len, buf, sizeof(buf));
	free(f->name);
	free(f->nameraw);
	f->name = n ? st_strndup(buf, n) : st_strndup(path, len);
	f->nameraw = st_strndup(path, len);
	f->typechar = (flags & O_DIRECTORY) ? 'd' : 'f';
	f->flags = flags;
	f->ino = ino;
}

static void apply_open(struct state *st, struct st_proc *p, const struct evt *ev, int64_t fd,
		       int64_t dirfd, unsigned name_i, uint32_t flags, uint64_t ino)
{
	if (fd < 0)
		return;
	size_t len;
	const char *path = evt_get_str(ev, name_i, &len);
	if (!path)
		path = "", len = 0;
	struct st_fd *f = st_fd_add(st, p, fd);
	if (f)
		fd_set_file(st, p, f, dirfd, path, len, flags, ino);
}

static void apply_pipe(struct state *st, struct st_proc *p, int64_t fd, uint32_t flags,
		       char tc, const char *name)
{
	struct st_fd *f = st_fd_add(st, p, fd);
	if (!f)
		return;
	f->typechar = tc;
	f->flags = flags;
	f->name = strdup(name);
	if (tc == 'u')
		f->family = AF_UNIX;
}

int st_fd_apply(struct state *st, struct st_proc *p, const struct evt *ev)
{
	const unsigned type = ev->hdr->type;
	int64_t r = evt_get_s64(ev, 0, -1);
	struct evt_sockaddr l, rm, a;
	struct st_fd *f;

	switch (type) {
	case VIGIL_EVT_OPEN:
		apply_open(st, p, ev, r, AT_FDCWD, VIGIL_P_OPEN_name,
			   (uint32_t)evt_get_u64(ev, VIGIL_P_OPEN_flags, 0),
			   evt_get_u64(ev, VIGIL_P_OPEN_ino, 0));
		break;
	case VIGIL_EVT_OPENAT:
		apply_open(st, p, ev, r, evt_get_s64(ev, VIGIL_P_OPENAT_dirfd, AT_FDCWD),
			   VIGIL_P_OPENAT_name, (uint32_t)evt_get_u64(ev, VIGIL_P_OPENAT_flags, 0),
			   evt_get_u64(ev, VIGIL_P_OPENAT_ino, 0));
		break;
	case VIGIL_EVT_OPENAT2:
		apply_open(st, p, ev, r, evt_get_s64(ev, VIGIL_P_OPENAT2_dirfd, AT_FDCWD),
			   VIGIL_P_OPENAT2_name, (uint32_t)evt_get_u64(ev, VIGIL_P_OPENAT2_flags, 0),
			   evt_get_u64(ev, VIGIL_P_OPENAT2_ino, 0));
		break;
	case VIGIL_EVT_CREAT:
		apply_open(st, p, ev, r, AT_FDCWD, VIGIL_P_CREAT_name, O_CREAT | O_WRONLY | O_TRUNC,
			   evt_get_u64(ev, VIGIL_P_CREAT_ino, 0));
		break;
	case VIGIL_EVT_MEMFD_CREATE:
		if (r >= 0 && (f = st_fd_add(st, p, r))) {
			size_t len;
			const char *n = evt_get_str(ev, VIGIL_P_MEMFD_CREATE_name, &len);
			char buf[300];
			snprintf(buf, sizeof(buf), "memfd:%.*s", (int)(n ? len : 0), n ? n : "");
			f->name = strdup(buf);
			f->typechar = 'm';
			uint32_t mf = (uint32_t)evt_get_u64(ev, VIGIL_P_MEMFD_CREATE_flags, 0);
			f->flags = (mf & 1u /* MFD_CLOEXEC */) ? O_CLOEXEC : 0;
		}
		break;
	case VIGIL_EVT_DUP:
		if (r >= 0)
			st_fd_dup(st, p, evt_get_s64(ev, VIGIL_P_DUP_oldfd, -1), r, false);
		break;
	case VIGIL_EVT_DUP2:
		if (r >= 0)
			st_fd_dup(st, p, evt_get_s64(ev, VIGIL_P_DUP2_oldfd, -1), r, false);
		break;
	case VIGIL_EVT_DUP3:
		if (r >= 0)
			st_fd_dup(st, p, evt_get_s64(ev, VIGIL_P_DUP3_oldfd, -1), r,
				  evt_get_u64(ev, VIGIL_P_DUP3_flags, 0) & O_CLOEXEC);
		break;
	case VIGIL_EVT_FCNTL: {
		int64_t fd = evt_get_s64(ev, VIGIL_P_FCNTL_fd, -1);
		uint64_t cmd = evt_get_u64(ev, VIGIL_P_FCNTL_cmd, 0);
		uint64_t arg = evt_get_u64(ev, VIGIL_P_FCNTL_arg, 0);
		if (r < 0)
			break;
		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
			st_fd_dup(st, p, fd, r, cmd == F_DUPFD_CLOEXEC);
		} else if (cmd == F_SETFD && (f = state_fd(st, p, fd))) {
			if (arg & FD_CLOEXEC)
				f->flags |= O_CLOEXEC;
			else
				f->flags &= ~(uint32_t)O_CLOEXEC;
		}
		break;
	}
	case VIGIL_EVT_PIPE:
	case VIGIL_EVT_PIPE2: {
		if (r < 0)
			break;
		uint32_t fl = type == VIGIL_EVT_PIPE2 ?
			(uint32_t)evt_get_u64(ev, VIGIL_P_PIPE2_flags, 0) & O_CLOEXEC : 0;
		apply_pipe(st, p, evt_get_s64(ev, 1, -1), fl, 'p', "pipe");
		apply_pipe(st, p, evt_get_s64(ev, 2, -1), fl, 'p', "pipe");
		break;
	}
	case VIGIL_EVT_SOCKETPAIR: {
		if (r < 0)
			break;
		uint32_t ty = (uint32_t)evt_get_u64(ev, VIGIL_P_SOCKETPAIR_type, 0);
		uint32_t fl = (ty & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
		apply_pipe(st, p, evt_get_s64(ev, VIGIL_P_SOCKETPAIR_fd1, -1), fl, 'u', "");
		apply_pipe(st, p, evt_get_s64(ev, VIGIL_P_SOCKETPAIR_fd2, -1), fl, 'u', "");
		break;
	}
	case VIGIL_EVT_SOCKET:
		if (r >= 0 && (f = st_fd_add(st, p, r))) {
			uint32_t dom = (uint32_t)evt_get_u64(ev, VIGIL_P_SOCKET_domain, 0);
			uint32_t ty = (uint32_t)evt_get_u64(ev, VIGIL_P_SOCKET_type, 0);
			uint32_t proto = (uint32_t)evt_get_u64(ev, VIGIL_P_SOCKET_proto, 0);
			f->typechar = sock_typechar(dom);
			f->family = (uint8_t)dom;
			f->flags = (ty & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
			f->name = strdup("");
			if (dom == AF_INET || dom == AF_INET6) {
				uint32_t base = ty & 0xf;
				if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
					f->l4proto = (uint8_t)proto;
				else if (base == SOCK_STREAM)
					f->l4proto = IPPROTO_TCP;
				else if (base == SOCK_DGRAM)
					f->l4proto = IPPROTO_UDP;
				else if (base == SOCK_RAW)
					f->l4proto = IPPROTO_RAW;
			}
		}
		break;
	case VIGIL_EVT_CONNECT: {
		int64_t fd = evt_get_s64(ev, VIGIL_P_CONNECT_fd, -1);
		if (r < 0 && r != -EINPROGRESS)
			break;
		bool have = evt_get_tuple(ev, VIGIL_P_CONNECT_tuple, &l, &rm);
		if (!have) {
			if (!evt_get_sockaddr(ev, VIGIL_P_CONNECT_addr, &a))
				break;
			memset(&l, 0, sizeof(l));
			l.family = a.family;
			rm = a;
		}
		f = state_fd(st, p, fd);
		if (!f) {
			st->stats.fd_miss++;
			f = st_fd_add(st, p, fd);
		}
		if (f)
			st_fd_set_tuple(f, &l, &rm, ST_ROLE_CLIENT);
		break;
	}
	case VIGIL_EVT_ACCEPT:
	case VIGIL_EVT_ACCEPT4: {
		if (r < 0)
			break;
		int64_t lfd = evt_get_s64(ev, 1, -1);
		struct st_fd *lf = state_fd(st, p, lfd);
		if (lfd == r) {		/* the new fd cannot be the listening one */
			st->stats.inconsistent++;
			break;
		}
		/* copy what we need: adding r may grow the table */
		struct st_fd lcopy;
		if (lf)
			lcopy = *lf;
		char *lname = lf && lf->name ? strdup(lf->name) : NULL;
		uint32_t fl = (uint32_t)evt_get_u64(ev, 3, 0);
		f = st_fd_add(st, p, r);
		if (!f) {
			free(lname);
			break;
		}
		f->l4proto = lf ? lcopy.l4proto : 0;
		f->flags = (fl & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
		if (evt_get_tuple(ev, 2, &l, &rm))
			st_fd_set_tuple(f, &l, &rm, ST_ROLE_SERVER);
		else if (lf) {
			f->typechar = lcopy.typechar;
			f->family = lcopy.family;
		}
		if (!f->name) {
			f->name = lname ? lname : strdup("");
			lname = NULL;
		}
		free(lname);
		break;
	}
	case VIGIL_EVT_BIND: {
		int64_t fd = evt_get_s64(ev, VIGIL_P_BIND_fd, -1);
		if (r < 0 || !evt_get_sockaddr(ev, VIGIL_P_BIND_addr, &a))
			break;
		f = state_fd(st, p, fd);
		if (!f) {
			st->stats.fd_miss++;
			f = st_fd_add(st, p, fd);
		}
		if (!f)
			break;
		if (a.family == AF_UNIX) {
			st_fd_set_tuple(f, &a, NULL, ST_ROLE_SERVER);
		} else if (a.family == AF_INET || a.family == AF_INET6) {
			f->family = a.family;
			f->typechar = a.family == AF_INET ? '4' : '6';
			f->role = ST_ROLE_SERVER;
			memcpy(f->lip, a.addr, 16);
			f->lport = a.port;
			char buf[80];
			fmt_addr(buf, sizeof(buf), a.family, a.addr, a.port);
			free(f->name);
			f->name = strdup(buf);
		}
		break;
	}
	case VIGIL_EVT_SENDTO:
	case VIGIL_EVT_SENDMSG: {
		int64_t fd = evt_get_s64(ev, 1, -1);
		f = state_fd(st, p, fd);
		if (!f) {
			if (fd >= 0)
				st->stats.fd_miss++;
			break;
		}
		if (f->role == ST_ROLE_NONE && evt_get_tuple(ev, 4, &l, &rm))
			st_fd_set_tuple(f, &l, &rm, ST_ROLE_CLIENT);
		break;
	}
	case VIGIL_EVT_FD_SNAP:
		break;
	default: {
		int i = st->fdparam[type];
		if (i >= 0) {
			int64_t fd = evt_get_s64(ev, (unsigned)i, -1);
			if (fd >= 0 && !state_fd(st, p, fd))
				st->stats.fd_miss++;
		}
		break;
	}
	}
	return 0;
}

void st_fd_apply_post(struct state *st, struct st_proc *p, const struct evt *ev)
{
	if (ev->hdr->type != VIGIL_EVT_CLOSE)
		return;
	if (evt_get_s64(ev, VIGIL_P_CLOSE_res, -1) < 0)
		return;
	st_fd_remove(st, p, evt_get_s64(ev, VIGIL_P_CLOSE_fd, -1));
}

/* The fd an event is about. */
struct st_fd *state_event_fd(struct state *st, const struct evt *ev, int64_t *fdnum)
{
	const unsigned type = ev->hdr->type;
	if (fdnum)
		*fdnum = -1;
	if (type >= VIGIL_EVT_NR || st->fdparam[type] < 0)
		return NULL;
	int64_t fd = evt_get_s64(ev, (unsigned)st->fdparam[type], -1);
	struct st_thread *t;
	struct st_proc *p;
	if (type == VIGIL_EVT_FD_SNAP) {
		p = state_proc(st, (uint32_t)evt_get_u64(ev, VIGIL_P_FD_SNAP_pid, 0));
	} else {
		t = state_thread(st, ev->hdr->tid);
		p = t ? t->proc : NULL;
	}
	if (fdnum)
		*fdnum = fd;
	if (fd >= 0)
		return state_fd(st, p, fd);
	/* a failed open: a temporary entry made from the path */
	int64_t dirfd = AT_FDCWD;
	unsigned ni;
	uint32_t flags = 0;
	switch (type) {
	case VIGIL_EVT_OPEN:
		ni = VIGIL_P_OPEN_name;
		flags = (uint32_t)evt_get_u64(ev, VIGIL_P_OPEN_flags, 0);
		break;
	case VIGIL_EVT_OPENAT:
		ni = VIGIL_P_OPENAT_name;
		dirfd = evt_get_s64(ev, VIGIL_P_OPENAT_dirfd, AT_FDCWD);
		flags = (uint32_t)evt_get_u64(ev, VIGIL_P_OPENAT_flags, 0);
		break;
	case VIGIL_EVT_OPENAT2:
		ni = VIGIL_P_OPENAT2_name;
		dirfd = evt_get_s64(ev, VIGIL_P_OPENAT2_dirfd, AT_FDCWD);
		flags = (uint32_t)evt_get_u64(ev, VIGIL_P_OPENAT2_flags, 0);
		break;
	case VIGIL_EVT_CREAT:
		ni = VIGIL_P_CREAT_name;
		flags = O_CREAT | O_WRONLY | O_TRUNC;
		break;
	default:
		return NULL;
	}
	size_t len;
	const char *path = evt_get_str(ev, ni, &len);
	if (!path)
		return NULL;
	/* built in the state's own buffers: the rules call this for every
	 * failed open, and evaluation must not allocate */
	struct st_fd *f = &st->tmpfd;
	memset(f, 0, sizeof(*f));
	size_t n = state_resolve_path(st, p, dirfd, path, len, st->tmpname, sizeof(st->tmpname));
	if (!n) {
		n = strnlen(path, len < sizeof(st->tmpname) - 1 ? len : sizeof(st->tmpname) - 1);
		memcpy(st->tmpname, path, n);
		st->tmpname[n] = 0;
	}
	f->name = st->tmpname;
	f->nameraw = NULL;
	f->typechar = (flags & O_DIRECTORY) ? 'd' : 'f';
	f->flags = flags;
	return f;
}
