/* SPDX-License-Identifier: MIT */
/* fields_fd.c - fd.* and fs.path.* fields. */
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "fields/fields_int.h"

/* Falco's fd types, by type character: one table. */
#define FD_TYPES(X)							\
	X('f', "file") X('d', "directory") X('4', "ipv4") X('6', "ipv6")	\
	X('u', "unix") X('p', "pipe") X('e', "event") X('s', "signalfd")	\
	X('l', "eventpoll") X('i', "inotify") X('t', "timerfd")		\
	X('n', "netlink") X('m', "memfd") X('b', "bpf") X('o', "unknown")

static const char *fd_type_name(char c)
{
	switch (c) {
#define FD_X_CASE(ch, name) case ch: return name;
	FD_TYPES(FD_X_CASE)
#undef FD_X_CASE
	default: return "unknown";
	}
}

static const char *l4_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: case IPPROTO_ICMPV6: return "icmp";
	case IPPROTO_RAW: return "raw";
	default: return NULL;
	}
}

static bool is_file(const struct st_fd *f)
{
	return f->typechar == 'f' || f->typechar == 'd';
}

int fx_fd_f(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	int64_t num;
	struct st_fd *f = fx_fd(ctx, &num);
	if (ref->id == FID_FD_NUM)
		return num >= 0 || f ? fx_i64(out, num) : 0;
	if (!f)
		return 0;
	const char *s;
	switch (ref->id) {
	case FID_FD_TYPE: return fx_cstr(out, FT_STRING, fd_type_name(f->typechar));
	case FID_FD_TYPECHAR: return fx_str(out, FT_STRING, &f->typechar, 1);	/* lives as long as f->name */
	case FID_FD_NAME: return fx_cstr(out, FT_STRING, f->name);
	case FID_FD_NAMERAW: return fx_cstr(out, FT_STRING, f->nameraw ? f->nameraw : f->name);
	case FID_FD_DIRECTORY:
		if (!is_file(f) || !f->name)
			return 0;
		if (f->typechar == 'd')
			return fx_cstr(out, FT_PATH, f->name);
		s = strrchr(f->name, '/');
		if (!s)
			return 0;
		return fx_str(out, FT_PATH, f->name, s == f->name ? 1 : (size_t)(s - f->name));
	case FID_FD_FILENAME:
		if (!is_file(f) || !f->name || f->typechar == 'd')
			return 0;
		s = strrchr(f->name, '/');
		return fx_cstr(out, FT_STRING, s ? s + 1 : f->name);
	case FID_FD_INO: return fx_i64(out, (int64_t)f->ino);
	case FID_FD_L4PROTO: return fx_cstr(out, FT_STRING, l4_name(f->l4proto));
	case FID_FD_CONNECTED: return fx_bool(out, f->role != ST_ROLE_NONE &&
					      (f->family == AF_UNIX || f->rport || f->lport));
	case FID_FD_NAME_CHANGED:
		return fx_bool(out, ctx->ev->hdr->type == VIGIL_EVT_CONNECT);
	default: return 0;
	}
}

static int ip_val(const struct st_fd *f, const uint8_t *a, bool net, struct fv *out)
{
	if (net) {
		out->type = FT_IPNET;
		out->v.net.family = f->family;
		memcpy(out->v.net.a, a, 16);
		out->v.net.bits = f->family == AF_INET ? 32 : 128;
	} else {
		out->type = FT_IPADDR;
		out->v.ip.family = f->family;
		memcpy(out->v.ip.a, a, 16);
	}
	return 1;
}

int fx_fd_ip(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	struct st_fd *f = fx_fd(ctx, NULL);
	if (!f || (f->family != AF_INET && f->family != AF_INET6))
		return 0;
	if (f->role == ST_ROLE_NONE && ref->id != FID_FD_LIP && ref->id != FID_FD_LPORT &&
	    ref->id != FID_FD_LNET)
		return 0;
	bool server = f->role == ST_ROLE_SERVER;
	const uint8_t *cip = server ? f->rip : f->lip, *sip = server ? f->lip : f->rip;
	uint16_t cport = server ? f->rport : f->lport, sport = server ? f->lport : f->rport;
	switch (ref->id) {
	case FID_FD_CIP: return ip_val(f, cip, false, out);
	case FID_FD_SIP: return ip_val(f, sip, false, out);
	case FID_FD_LIP: return ip_val(f, f->lip, false, out);
	case FID_FD_RIP: return ip_val(f, f->rip, false, out);
	case FID_FD_CNET: return ip_val(f, cip, true, out);
	case FID_FD_SNET: return ip_val(f, sip, true, out);
	case FID_FD_LNET: return ip_val(f, f->lip, true, out);
	case FID_FD_RNET: return ip_val(f, f->rip, true, out);
	case FID_FD_IP:
	case FID_FD_NET: {
		bool net = ref->id == FID_FD_NET;
		int n = ip_val(f, cip, net, out);
		if (max > 1)
			n += ip_val(f, sip, net, out + 1);
		return n;
	}
	case FID_FD_CPORT: return fx_u64(out, FT_PORT, cport);
	case FID_FD_SPORT: return fx_u64(out, FT_PORT, sport);
	case FID_FD_LPORT: return fx_u64(out, FT_PORT, f->lport);
	case FID_FD_RPORT: return fx_u64(out, FT_PORT, f->rport);
	case FID_FD_PORT: {
		int n = fx_u64(out, FT_PORT, cport);
		if (max > 1)
			n += fx_u64(out + 1, FT_PORT, sport);
		return n;
	}
	default:	/* fd.sip.name, fd.cip.name: no DNS in vigil */
		return 0;
	}
}

/* fd.types: the distinct types of the process's fds; fd.types[N]: the type
 * of fd N. */
int fx_fd_types(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	struct st_proc *p = fx_proc(ctx);
	if (!p)
		return 0;
	if (ref->index >= 0) {
		struct st_fd *f = state_fd(ctx->st, p, ref->index);
		return f ? fx_cstr(out, FT_STRING, fd_type_name(f->typechar)) : 0;
	}
	if (!p->fdtab)
		return 0;
	char seen[128] = { 0 };
	int n = 0;
	uint64_t k;
	void *v;
	for (size_t i = 0; n < max && idmap_next(&p->fdtab->fds, &i, &k, &v);) {
		unsigned char c = (unsigned char)((struct st_fd *)v)->typechar;
		if (c >= 128 || seen[c])
			continue;
		seen[c] = 1;
		n += fx_cstr(&out[n], FT_STRING, fd_type_name((char)c));
	}
	return n;
}

/* fs.path.*: which parameters hold the path (and the dirfd) per event. */
struct path_params {
	int name, name_dirfd, src, src_dirfd, dst, dst_dirfd;
};

static bool fs_params(unsigned type, struct path_params *pp)
{
	*pp = (struct path_params){ -1, -1, -1, -1, -1, -1 };
	switch (type) {
	case VIGIL_EVT_UNLINK: pp->name = VIGIL_P_UNLINK_path; break;
	case VIGIL_EVT_UNLINKAT: pp->name = VIGIL_P_UNLINKAT_name; pp->name_dirfd = VIGIL_P_UNLINKAT_dirfd; break;
	case VIGIL_EVT_MKDIR: pp->name = VIGIL_P_MKDIR_path; break;
	case VIGIL_EVT_MKDIRAT: pp->name = VIGIL_P_MKDIRAT_path; pp->name_dirfd = VIGIL_P_MKDIRAT_dirfd; break;
	case VIGIL_EVT_RMDIR: pp->name = VIGIL_P_RMDIR_path; break;
	case VIGIL_EVT_CHMOD: pp->name = VIGIL_P_CHMOD_filename; break;
	case VIGIL_EVT_FCHMODAT: pp->name = VIGIL_P_FCHMODAT_filename; pp->name_dirfd = VIGIL_P_FCHMODAT_dirfd; break;
	case VIGIL_EVT_CHOWN: pp->name = VIGIL_P_CHOWN_path; break;
	case VIGIL_EVT_LCHOWN: pp->name = VIGIL_P_LCHOWN_path; break;
	case VIGIL_EVT_FCHOWNAT: pp->name = VIGIL_P_FCHOWNAT_pathname; pp->name_dirfd = VIGIL_P_FCHOWNAT_dirfd; break;
	case VIGIL_EVT_TRUNCATE: pp->name = VIGIL_P_TRUNCATE_path; break;
	case VIGIL_EVT_CHDIR: pp->name = VIGIL_P_CHDIR_path; break;
	case VIGIL_EVT_CHROOT: pp->name = VIGIL_P_CHROOT_path; break;
	case VIGIL_EVT_RENAME: pp->src = VIGIL_P_RENAME_oldpath; pp->dst = VIGIL_P_RENAME_newpath; break;
	case VIGIL_EVT_RENAMEAT:
		pp->src = VIGIL_P_RENAMEAT_oldpath; pp->src_dirfd = VIGIL_P_RENAMEAT_olddirfd;
		pp->dst = VIGIL_P_RENAMEAT_newpath; pp->dst_dirfd = VIGIL_P_RENAMEAT_newdirfd; break;
	case VIGIL_EVT_RENAMEAT2:
		pp->src = VIGIL_P_RENAMEAT2_oldpath; pp->src_dirfd = VIGIL_P_RENAMEAT2_olddirfd;
		pp->dst = VIGIL_P_RENAMEAT2_newpath; pp->dst_dirfd = VIGIL_P_RENAMEAT2_newdirfd; break;
	case VIGIL_EVT_LINK: pp->src = VIGIL_P_LINK_oldpath; pp->dst = VIGIL_P_LINK_newpath; break;
	case VIGIL_EVT_LINKAT:
		pp->src = VIGIL_P_LINKAT_oldpath; pp->src_dirfd = VIGIL_P_LINKAT_olddir;
		pp->dst = VIGIL_P_LINKAT_newpath; pp->dst_dirfd = VIGIL_P_LINKAT_newdir; break;
	case VIGIL_EVT_SYMLINK: pp->src = VIGIL_P_SYMLINK_target; pp->dst = VIGIL_P_SYMLINK_linkpath; break;
	case VIGIL_EVT_SYMLINKAT:
		pp->src = VIGIL_P_SYMLINKAT_target;
		pp->dst = VIGIL_P_SYMLINKAT_linkpath; pp->dst_dirfd = VIGIL_P_SYMLINKAT_linkdirfd; break;
	default: return false;
	}
	return true;
}

int fx_fs_path(struct field_ctx *ctx, const struct field_ref *ref, struct fv *out, int max)
{
	(void)max;
	struct path_params pp;
	const struct evt *ev = ctx->ev;
	if (!fs_params(ev->hdr->type, &pp))
		return 0;
	int pi, di;
	bool raw = false;
	switch (ref->id) {
	case FID_FS_PATH_NAMERAW: raw = true; /* fall through */
	case FID_FS_PATH_NAME: pi = pp.name; di = pp.name_dirfd; break;
	case FID_FS_PATH_SOURCERAW: raw = true; /* fall through */
	case FID_FS_PATH_SOURCE: pi = pp.src; di = pp.src_dirfd; break;
	case FID_FS_PATH_TARGETRAW: raw = true; /* fall through */
	default: pi = pp.dst; di = pp.dst_dirfd; break;
	}
	if (pi < 0)
		return 0;
	size_t len;
	const char *s = evt_get_str(ev, (unsigned)pi, &len);
	if (!s)
		return 0;
	/* a symlink's target is kept as written: it is resolved at use */
	if (raw || ((ev->hdr->type == VIGIL_EVT_SYMLINK || ev->hdr->type == VIGIL_EVT_SYMLINKAT) &&
		    pi == pp.src))
		return fx_copy(ctx, out, FT_PATH, s, len);
	int64_t dirfd = di >= 0 ? evt_get_s64(ev, (unsigned)di, AT_FDCWD) : AT_FDCWD;
	char *buf = fx_alloc(ctx, PATH_MAX);
	if (!buf)
		return 0;
	size_t n = state_resolve_path(ctx->st, fx_proc(ctx), dirfd, s, len, buf, PATH_MAX);
	if (!n) {
		ctx->used -= PATH_MAX;
		return fx_copy(ctx, out, FT_PATH, s, len);
	}
	ctx->used -= PATH_MAX - n - 1;
	return fx_str(out, FT_PATH, buf, n);
}
