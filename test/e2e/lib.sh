# test/e2e/lib.sh - guest-side helpers of the end-to-end suite (busybox sh).
# Sourced by guest.sh and by every scenario.

E2E_BUNDLES=/tmp/bundles
E2E_CAPS_DEFAULT='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"'
E2E_CAPS_ALL='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE","CAP_NET_BIND_SERVICE","CAP_NET_BROADCAST","CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK","CAP_IPC_OWNER","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT","CAP_SYS_PTRACE","CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE","CAP_SYS_RESOURCE","CAP_SYS_TIME","CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE","CAP_AUDIT_WRITE","CAP_AUDIT_CONTROL","CAP_SETFCAP","CAP_MAC_OVERRIDE","CAP_MAC_ADMIN","CAP_SYSLOG","CAP_WAKE_ALARM","CAP_BLOCK_SUSPEND","CAP_AUDIT_READ","CAP_PERFMON","CAP_BPF","CAP_CHECKPOINT_RESTORE"'

# A busybox root filesystem (plus the helper), built once and copied.
e2e_rootfs() { # DIR
	mkdir -p "$1/bin" "$1/tmp" "$1/etc" "$1/proc" "$1/dev" "$1/sys" "$1/mnt" "$1/root" "$1/usr/bin"
	cp /bin/busybox "$1/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"
	done
	cp "$(command -v e2e_helper)" "$1/bin/e2e_helper"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$1/etc/passwd"
	echo 'root:x:0:' > "$1/etc/group"
}

# e2e_bundle NAME [options] -- ARGS...
#   --privileged  every capability in the bounding set, no seccomp
#   --hostnet --hostpid --hostipc   leave out that namespace
#   --tty         process.terminal (run with e2e_run_tty)
#   --mount SRC:DST                bind mount from the host (read-only)
#   --overlay     rootfs is an overlayfs (image layer below, empty upper)
# The container id is 64 hex characters and the cgroup path is shaped as a
# Kubernetes node's (kubepods/.../pod<uid>/<id>); CRI annotations name the
# container NAME, image registry.example.com/e2e/NAME:1.0, namespace e2e,
# pod NAME-pod.
e2e_bundle() {
	name=$1; shift
	priv=0 hostnet=0 hostpid=0 hostipc=0 tty=false overlay=0 mounts=
	while [ $# -gt 0 ]; do
		case $1 in
		--privileged) priv=1 ;;
		--hostnet) hostnet=1 ;;
		--hostpid) hostpid=1 ;;
		--hostipc) hostipc=1 ;;
		--tty) tty=true ;;
		--overlay) overlay=1 ;;
		--mount) mounts="$mounts $2"; shift ;;
		--) shift; break ;;
		esac
		shift
	done
	b=$E2E_BUNDLES/$name
	rm -rf "$b"; mkdir -p "$b/rootfs"
	[ -d /tmp/e2e-image ] || e2e_rootfs /tmp/e2e-image
	if [ $overlay -eq 1 ]; then
		mkdir -p "$b/upper" "$b/work"
		mount -t overlay overlay -o "lowerdir=/tmp/e2e-image,upperdir=$b/upper,workdir=$b/work" "$b/rootfs" ||
			echo "e2e_bundle: overlay mount failed" >&2
	else
		cp -a /tmp/e2e-image/. "$b/rootfs/"
	fi
	id=$(printf '%s' "$name" | sha256sum | cut -c1-64)
	uid=$(printf '%s' "pod-$name" | md5sum | sed 's/^\(........\)\(....\)\(....\)\(....\)\(............\).*/\1-\2-\3-\4-\5/')
	caps=$E2E_CAPS_DEFAULT; [ $priv -eq 1 ] && caps=$E2E_CAPS_ALL
	args=
	for a in "$@"; do
		a=$(printf '%s' "$a" | sed 's/\\/\\\\/g; s/"/\\"/g')
		args="$args${args:+,}\"$a\""
	done
	ns='{"type":"mount"},{"type":"uts"}'
	[ $hostpid -eq 0 ] && ns="$ns,{\"type\":\"pid\"}"
	[ $hostnet -eq 0 ] && ns="$ns,{\"type\":\"network\"}"
	[ $hostipc -eq 0 ] && ns="$ns,{\"type\":\"ipc\"}"
	m='{"destination":"/proc","type":"proc","source":"proc"},{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755","size=65536k"]},{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620"]}'
	for mm in $mounts; do
		m="$m,{\"destination\":\"${mm#*:}\",\"type\":\"bind\",\"source\":\"${mm%%:*}\",\"options\":[\"rbind\",\"ro\"]}"
	done
	cat > "$b/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": $tty,
    "user": {"uid": 0, "gid": 0},
    "args": [$args],
    "env": ["PATH=/bin:/usr/bin", "TERM=xterm", "HOME=/root"],
    "cwd": "/",
    "capabilities": {"bounding": [$caps], "effective": [$caps], "permitted": [$caps]},
    "noNewPrivileges": false
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "$name",
  "mounts": [$m],
  "annotations": {
    "io.kubernetes.cri.container-type": "container",
    "io.kubernetes.cri.container-name": "$name",
    "io.kubernetes.cri.image-name": "registry.example.com/e2e/$name:1.0",
    "io.kubernetes.cri.sandbox-namespace": "e2e",
    "io.kubernetes.cri.sandbox-name": "$name-pod",
    "io.kubernetes.cri.sandbox-uid": "$uid",
    "io.kubernetes.pod.label.team": "team-e2e"
  },
  "linux": {
    "cgroupsPath": "/kubepods/besteffort/pod$uid/$id",
    "namespaces": [$ns]
  }
}
JSON
	echo "$id"
}

# Runs a bundle made by e2e_bundle in the foreground; its output goes to
# /tmp/containers.log.
# Detached, then deleted once stopped, the way container runtimes run them
# (containerd, Docker, the kubelet): the runtime's state of a container
# outlives its processes until it is deleted. A foreground `runc run`
# deletes it the moment the process exits, which can be before vigil has
# read the exec that names the container (README, "Other things worth
# knowing"). Returns runc's status.
e2e_run() { # NAME
	id=$(printf '%s' "$1" | sha256sum | cut -c1-64)
	runc --root /run/runc run -d --no-pivot -b "$E2E_BUNDLES/$1" "$id" >>/tmp/containers.log 2>&1 </dev/null
	st=$?
	i=0
	while [ $st -eq 0 ] && [ $i -lt 300 ] &&
	      ! runc --root /run/runc state "$id" 2>/dev/null | grep -q '"status": *"stopped"'; do
		sleep 0.1; i=$((i + 1))
	done
	runc --root /run/runc delete -f "$id" >/dev/null 2>&1
	return $st
}

# The same for a bundle made with --tty: in the foreground, runc allocates
# the container's pty itself and relays it to its own terminal (as
# `docker run -it` does), so it runs on a pty of the helper.
e2e_run_tty() { # NAME
	id=$(printf '%s' "$1" | sha256sum | cut -c1-64)
	# runc in the foreground needs a controlling terminal of its own
	e2e_helper pty "$(command -v runc)" --root /run/runc run --no-pivot -b "$E2E_BUNDLES/$1" "$id" \
		>>/tmp/containers.log 2>&1 </dev/null
	st=$?
	runc --root /run/runc delete -f "$id" >/dev/null 2>&1
	return $st
}

e2e_now() { e2e_helper now; }

# A scenario that cannot run in this guest (a tool is missing) says why;
# guest.sh records "SKIP NAME WHY" and check.py reports a SKIP, not a FAIL.
e2e_skip() { echo "$*" > /tmp/e2e-skip; }
