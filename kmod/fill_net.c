// SPDX-License-Identifier: GPL-2.0
/*
 * fill_net.c - socket addresses (from the syscall's user sockaddr) and
 * socket tuples (read from the socket in the kernel).
 *
 * SOCKADDR:  u8 family, then AF_INET addr[4] port | AF_INET6 addr[16] port
 *            | AF_UNIX path bytes; ports in host order, addresses as on
 *            the wire.
 * SOCKTUPLE: u8 family, then saddr sport daddr dport (s = local end), or
 *            for AF_UNIX the path bytes of one name.
 */
#include <linux/file.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/un.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/af_unix.h>
#include "fill.h"
#include "compat.h"

/* The encoded forms, built on the stack, then put as one value. */
struct vigil_addr_buf {
	u32 len;
	u8 b[1 + 2 * (16 + 2) + UNIX_PATH_MAX];
};

static void vigil_ab_put(struct vigil_addr_buf *ab, const void *p, u32 n)
{
	n = min_t(u32, n, sizeof(ab->b) - ab->len);
	memcpy(ab->b + ab->len, p, n);
	ab->len += n;
}

static void vigil_ab_port(struct vigil_addr_buf *ab, __be16 port)
{
	u16 p = ntohs(port);

	vigil_ab_put(ab, &p, 2);
}

/* The path of a unix socket name, without trailing NULs unless abstract. */
static void vigil_ab_unix(struct vigil_addr_buf *ab, const char *path, int len)
{
	if (len <= 0)
		return;
	len = min_t(int, len, UNIX_PATH_MAX);
	if (path[0])
		len = strnlen(path, len);
	vigil_ab_put(ab, path, len);
}

/* Encodes a user sockaddr of @ulen bytes (@ab->len 0 when there is none). */
static int vigil_read_sockaddr(struct vigil_addr_buf *ab,
			       const void __user *uaddr, long ulen)
{
	struct sockaddr_storage ss;
	u8 fam;

	ab->len = 0;
	if (!uaddr || ulen < (long)sizeof(sa_family_t))
		return 0;
	ulen = min_t(long, ulen, sizeof(ss));
	memset(&ss, 0, sizeof(ss));
	if (vigil_copy_user(&ss, uaddr, ulen))
		return -EFAULT;
	fam = (u8)ss.ss_family;
	vigil_ab_put(ab, &fam, 1);
	switch (ss.ss_family) {
	case AF_INET: {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		vigil_ab_put(ab, &in->sin_addr, 4);
		vigil_ab_port(ab, in->sin_port);
		break;
	}
	case AF_INET6: {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		vigil_ab_put(ab, &in6->sin6_addr, 16);
		vigil_ab_port(ab, in6->sin6_port);
		break;
	}
	case AF_UNIX: {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss;

		vigil_ab_unix(ab, un->sun_path,
			      ulen - (long)offsetof(struct sockaddr_un, sun_path));
		break;
	}
	}
	return 0;
}

static void vigil_put_ab(struct vigil_rec *w, const struct vigil_addr_buf *ab, int err)
{
	if (err)
		vigil_put_empty(w, VIGIL_PARAM_FAULT);
	else
		vigil_put_kbytes(w, ab->b, ab->len, sizeof(ab->b));
}

static void vigil_put_user_sockaddr(struct vigil_rec *w, const void __user *uaddr,
				    long ulen)
{
	struct vigil_addr_buf ab;
	int err = vigil_read_sockaddr(&ab, uaddr, ulen);

	vigil_put_ab(w, &ab, err);
}

static const struct unix_address *vigil_unix_addr(struct sock *sk)
{
	return sk ? smp_load_acquire(&unix_sk(sk)->addr) : NULL;
}

/*
 * The tuple of the socket at @fd. @dest (optional, an encoded user
 * sockaddr) fills the remote end of an unconnected socket (sendto).
 * @peer_first: for unix sockets, name the peer rather than the local name.
 */
static void vigil_put_tuple(struct vigil_rec *w, long fd,
			    const struct vigil_addr_buf *dest, bool peer_first)
{
	struct vigil_addr_buf ab = { .len = 0 };
	struct vigil_fd f;
	struct file *file = vigil_fd_get(&f, fd);
	struct socket *sock = file ? vigil_sock_from_file(file) : NULL;
	struct sock *sk = sock ? sock->sk : NULL;
	u8 fam;

	if (!sk)
		goto out;
	fam = (u8)sk->sk_family;
	switch (sk->sk_family) {
	case AF_INET: {
		struct inet_sock *inet = inet_sk(sk);
		__be32 daddr = inet->inet_daddr;
		__be16 dport = inet->inet_dport;

		if (!daddr && dest && dest->len == 1 + 4 + 2 && dest->b[0] == AF_INET) {
			memcpy(&daddr, dest->b + 1, 4);
			dport = htons(get_unaligned((u16 *)(dest->b + 5)));
		}
		vigil_ab_put(&ab, &fam, 1);
		vigil_ab_put(&ab, &inet->inet_saddr, 4);
		vigil_ab_port(&ab, inet->inet_sport);
		vigil_ab_put(&ab, &daddr, 4);
		vigil_ab_port(&ab, dport);
		break;
	}
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6: {
		struct inet_sock *inet = inet_sk(sk);
		struct in6_addr daddr = sk->sk_v6_daddr;
		__be16 dport = inet->inet_dport;

		if (ipv6_addr_any(&daddr) && dest && dest->len == 1 + 16 + 2 &&
		    dest->b[0] == AF_INET6) {
			memcpy(&daddr, dest->b + 1, 16);
			dport = htons(get_unaligned((u16 *)(dest->b + 17)));
		}
		vigil_ab_put(&ab, &fam, 1);
		vigil_ab_put(&ab, &sk->sk_v6_rcv_saddr, 16);
		vigil_ab_port(&ab, inet->inet_sport);
		vigil_ab_put(&ab, &daddr, 16);
		vigil_ab_port(&ab, dport);
		break;
	}
#endif
	case AF_UNIX: {
		const struct unix_address *local = vigil_unix_addr(sk), *peer;
		struct sock *psk;

		vigil_ab_put(&ab, &fam, 1);
		unix_state_lock(sk);
		psk = unix_sk(sk)->peer;
		peer = psk ? vigil_unix_addr(psk) : NULL;
		if (peer_first ? peer != NULL : local == NULL)
			local = peer;
		if (local)
			vigil_ab_unix(&ab, local->name[0].sun_path,
				      local->len - (int)offsetof(struct sockaddr_un, sun_path));
		unix_state_unlock(sk);
		break;
	}
	default:
		vigil_ab_put(&ab, &fam, 1);
		break;
	}
out:
	vigil_fd_put(&f);
	vigil_put_kbytes(w, ab.b, ab.len, sizeof(ab.b));
}

/* connect(fd, addr, addrlen) */
void vigil_fill_connect(struct vigil_rec *w, const struct vigil_sc *sc)
{
	vigil_fill_args(w, sc, 0, VIGIL_P_CONNECT_addr);
	vigil_put_user_sockaddr(w, (const void __user *)sc->args[1], (int)sc->args[2]);
	if (sc->ret == 0 || sc->ret == -EINPROGRESS)
		vigil_put_tuple(w, (int)sc->args[0], NULL, true);
	else
		vigil_put_empty(w, 0);
}

/* accept(fd, addr, addrlen), accept4(fd, addr, addrlen, flags) */
void vigil_fill_accept(struct vigil_rec *w, const struct vigil_sc *sc)
{
	vigil_put_u64(w, (u64)sc->ret);
	vigil_put_u64(w, (u64)(s64)(int)sc->args[0]);
	if (sc->ret >= 0)
		vigil_put_tuple(w, sc->ret, NULL, false);
	else
		vigil_put_empty(w, 0);
	vigil_put_u32(w, sc->type == VIGIL_EVT_ACCEPT4 ? (u32)sc->args[3] : 0);
}

/* bind(fd, addr, addrlen) */
void vigil_fill_bind(struct vigil_rec *w, const struct vigil_sc *sc)
{
	vigil_fill_args(w, sc, 0, VIGIL_P_BIND_addr);
	vigil_put_user_sockaddr(w, (const void __user *)sc->args[1], (int)sc->args[2]);
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
void vigil_fill_sendto(struct vigil_rec *w, const struct vigil_sc *sc)
{
	struct vigil_addr_buf ab;
	int err;
	u64 n = sc->ret > 0 ? (u64)sc->ret : sc->args[2];

	vigil_put_u64(w, (u64)sc->ret);
	vigil_put_u64(w, (u64)(s64)(int)sc->args[0]);
	vigil_put_u64(w, sc->args[2]);
	err = vigil_read_sockaddr(&ab, (const void __user *)sc->args[4], (int)sc->args[5]);
	vigil_put_ab(w, &ab, err);
	vigil_put_tuple(w, (int)sc->args[0], err ? NULL : &ab, true);
	vigil_put_user_bytes(w, (const void __user *)sc->args[1], n,
			     READ_ONCE(vigil_snaplen));
}

#define VIGIL_IOV_MAX	16	/* iovecs summed for the size of sendmsg */

/* sendmsg(fd, struct user_msghdr *msg, flags) */
void vigil_fill_sendmsg(struct vigil_rec *w, const struct vigil_sc *sc)
{
	struct user_msghdr mh;
	struct vigil_addr_buf ab = { .len = 0 };
	int err = -EFAULT;
	bool ok;

	vigil_put_u64(w, (u64)sc->ret);
	vigil_put_u64(w, (u64)(s64)(int)sc->args[0]);
	ok = !vigil_copy_user(&mh, (const void __user *)sc->args[1], sizeof(mh));
	if (ok) {
		struct iovec iov[VIGIL_IOV_MAX];
		size_t n = min_t(size_t, mh.msg_iovlen, VIGIL_IOV_MAX), i;
		u64 size = 0;

		if (n && vigil_copy_user(iov, mh.msg_iov, n * sizeof(iov[0]))) {
			vigil_put_empty(w, VIGIL_PARAM_FAULT);
		} else {
			for (i = 0; i < n; i++)
				size += iov[i].iov_len;
			vigil_put_u64(w, size);
		}
		err = vigil_read_sockaddr(&ab, mh.msg_name, mh.msg_namelen);
	} else {
		vigil_put_empty(w, VIGIL_PARAM_FAULT);
	}
	vigil_put_ab(w, &ab, err);
	vigil_put_tuple(w, (int)sc->args[0], err ? NULL : &ab, true);
}

/* socketpair(domain, type, proto, int sv[2]) */
void vigil_fill_socketpair(struct vigil_rec *w, const struct vigil_sc *sc)
{
	vigil_put_u64(w, (u64)sc->ret);
	vigil_put_user_int_pair(w, (const int __user *)sc->args[3], sc->ret == 0);
	vigil_fill_args(w, sc, 0, w->np);
}
