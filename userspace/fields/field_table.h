/* SPDX-License-Identifier: MIT */
/*
 * field_table.h - THE list of fields (one table: it makes field_table[],
 * the extractor prototypes, `vigil list fields` and the docs).
 *
 * X(ID, name, TYPE, flags, extractor, description)
 *   TYPE   suffix of enum field_type (FT_<TYPE>)
 *   flags  FF_* from fields.h
 * Names and semantics follow Falco's field documentation.
 */
#ifndef VIGIL_FIELD_TABLE_H
#define VIGIL_FIELD_TABLE_H

#define S_ FF_NEEDS_STATE
#define FIELD_TABLE(X)							\
	/* ---- evt: the event itself */					\
	X(EVT_NUM, "evt.num", UINT64, 0, fx_evt_num, "event number (position in the stream)") \
	X(EVT_TIME, "evt.time", STRING, 0, fx_evt_time, "event time, HH:MM:SS.nnnnnnnnn (UTC)") \
	X(EVT_TIME_S, "evt.time.s", STRING, 0, fx_evt_time, "event time, HH:MM:SS (UTC)") \
	X(EVT_TIME_ISO, "evt.time.iso8601", STRING, 0, fx_evt_time, "event time, ISO 8601 with ns (UTC)") \
	X(EVT_DATETIME, "evt.datetime", STRING, 0, fx_evt_time, "event date and time, YYYY-MM-DD HH:MM:SS.nnnnnnnnn (UTC)") \
	X(EVT_RAWTIME, "evt.rawtime", ABSTIME, 0, fx_evt_rawtime, "event time, ns since the epoch") \
	X(EVT_RAWTIME_S, "evt.rawtime.s", UINT64, 0, fx_evt_rawtime, "integer seconds of evt.rawtime") \
	X(EVT_RAWTIME_NS, "evt.rawtime.ns", UINT64, 0, fx_evt_rawtime, "fractional ns of evt.rawtime") \
	X(EVT_TYPE, "evt.type", STRING, 0, fx_evt_type, "event type name (open, execve, ...)") \
	X(EVT_DIR, "evt.dir", STRING, 0, fx_evt_dir, "event direction: always '<' (one record per syscall, at exit)") \
	X(EVT_CPU, "evt.cpu", INT64, 0, fx_evt_cpu, "CPU that produced the event") \
	X(EVT_ARGS, "evt.args", STRING, 0, fx_evt_args, "all parameters, as name=value pairs") \
	X(EVT_INFO, "evt.info", STRING, 0, fx_evt_args, "all parameters, as name=value pairs") \
	X(EVT_ARG, "evt.arg", STRING, FF_ARG_DOTTED | FF_ARG_INDEX | FF_ARG_REQUIRED, fx_evt_arg, \
	  "one parameter as text: evt.arg.NAME or evt.arg[N]") \
	X(EVT_RAWARG, "evt.rawarg", INT64, FF_ARG_DOTTED | FF_ARG_INDEX | FF_ARG_REQUIRED, fx_evt_rawarg, \
	  "one numeric parameter as a number: evt.rawarg.NAME or evt.rawarg[N]") \
	X(EVT_RES, "evt.res", STRING, 0, fx_evt_res, "return value: SUCCESS, or the errno name (ENOENT)") \
	X(EVT_RAWRES, "evt.rawres", INT64, 0, fx_evt_rawres, "return value as a number") \
	X(EVT_FAILED, "evt.failed", BOOL, 0, fx_evt_failed, "true when the syscall returned an error") \
	X(EVT_IS_OPEN_READ, "evt.is_open_read", BOOL, 0, fx_evt_is_open, "open/openat/openat2/creat for reading") \
	X(EVT_IS_OPEN_WRITE, "evt.is_open_write", BOOL, 0, fx_evt_is_open, "open/openat/openat2/creat for writing") \
	X(EVT_IS_OPEN_EXEC, "evt.is_open_exec", BOOL, 0, fx_evt_is_open, "open/openat/openat2/creat creating a file with execute permission") \
	X(EVT_IS_OPEN_CREATE, "evt.is_open_create", BOOL, 0, fx_evt_is_open, "open/openat/openat2/creat that may create the file (O_CREAT)") \
	X(EVT_HOSTNAME, "evt.hostname", STRING, S_, fx_evt_hostname, "name of the host") \
	X(EVT_SOURCE, "evt.source", STRING, 0, fx_evt_source, "event source: syscall") \
	X(EVT_COUNT, "evt.count", UINT64, 0, fx_evt_count, "1 for every event (for counting)") \
	X(EVT_BUFFER, "evt.buffer", BYTES, 0, fx_evt_buffer, "data of read/write/sendto") \
	X(EVT_BUFLEN, "evt.buflen", UINT64, 0, fx_evt_buffer, "length of evt.buffer") \
	/* ---- proc: the process */					\
	X(PROC_PID, "proc.pid", INT64, S_, fx_proc_num, "process id") \
	X(PROC_VPID, "proc.vpid", INT64, S_, fx_proc_num, "process id in its pid namespace") \
	X(PROC_PPID, "proc.ppid", INT64, S_, fx_proc_num, "parent process id") \
	X(PROC_PVPID, "proc.pvpid", INT64, S_, fx_proc_num, "parent's id in its pid namespace") \
	X(PROC_SID, "proc.sid", INT64, S_, fx_proc_num, "session id") \
	X(PROC_VPGID, "proc.vpgid", INT64, S_, fx_proc_num, "process group id, in the pid namespace") \
	X(PROC_NTHREADS, "proc.nthreads", INT64, S_, fx_proc_num, "threads of the process known to the state") \
	X(PROC_TTY, "proc.tty", INT64, S_, fx_proc_num, "controlling terminal (device number), 0 if none") \
	X(PROC_CMDNARGS, "proc.cmdnargs", INT64, S_, fx_proc_num, "number of command line arguments") \
	X(PROC_CMDLENARGS, "proc.cmdlenargs", INT64, S_, fx_proc_num, "length of the arguments, spaces included") \
	X(PROC_EXE_INO, "proc.exe_ino", INT64, S_, fx_proc_num, "inode of the executable") \
	X(PROC_NAME, "proc.name", STRING, S_, fx_proc_str, "executable name (comm)") \
	X(PROC_EXE, "proc.exe", STRING, S_, fx_proc_str, "first command line argument (argv[0])") \
	X(PROC_EXEPATH, "proc.exepath", PATH, S_, fx_proc_str, "full path of the executable") \
	X(PROC_ARGS, "proc.args", STRING, S_, fx_proc_str, "command line arguments after argv[0]") \
	X(PROC_CMDLINE, "proc.cmdline", STRING, S_, fx_proc_str, "proc.name followed by proc.args") \
	X(PROC_EXELINE, "proc.exeline", STRING, S_, fx_proc_str, "proc.exe followed by proc.args") \
	X(PROC_CWD, "proc.cwd", PATH, S_, fx_proc_str, "current working directory") \
	X(PROC_ENV, "proc.env", STRING, S_ | FF_ARG_KEY, fx_proc_env, "environment, or one variable: proc.env[NAME]") \
	X(PROC_PNAME, "proc.pname", STRING, S_, fx_proc_str, "parent's proc.name") \
	X(PROC_PEXE, "proc.pexe", STRING, S_, fx_proc_str, "parent's proc.exe") \
	X(PROC_PEXEPATH, "proc.pexepath", PATH, S_, fx_proc_str, "parent's proc.exepath") \
	X(PROC_PCMDLINE, "proc.pcmdline", STRING, S_, fx_proc_str, "parent's proc.cmdline") \
	X(PROC_SNAME, "proc.sname", STRING, S_, fx_proc_str, "name of the session leader") \
	X(PROC_VPGID_NAME, "proc.vpgid.name", STRING, S_, fx_proc_str, "name of the process group leader") \
	X(PROC_VPGID_EXE, "proc.vpgid.exe", STRING, S_, fx_proc_str, "proc.exe of the process group leader") \
	X(PROC_VPGID_EXEPATH, "proc.vpgid.exepath", PATH, S_, fx_proc_str, "proc.exepath of the process group leader") \
	X(PROC_ANAME, "proc.aname", STRING, S_ | FF_ARG_INDEX | FF_LIST, fx_proc_anc, \
	  "name of the Nth ancestor (proc.aname[1] = parent); without [N], any ancestor") \
	X(PROC_APID, "proc.apid", INT64, S_ | FF_ARG_INDEX | FF_LIST, fx_proc_anc, "pid of the Nth ancestor; without [N], any ancestor") \
	X(PROC_AEXE, "proc.aexe", STRING, S_ | FF_ARG_INDEX | FF_LIST, fx_proc_anc, "proc.exe of the Nth ancestor") \
	X(PROC_AEXEPATH, "proc.aexepath", PATH, S_ | FF_ARG_INDEX | FF_LIST, fx_proc_anc, "proc.exepath of the Nth ancestor") \
	X(PROC_ACMDLINE, "proc.acmdline", STRING, S_ | FF_ARG_INDEX | FF_LIST, fx_proc_anc, "proc.cmdline of the Nth ancestor") \
	X(PROC_IS_SID_LEADER, "proc.is_sid_leader", BOOL, S_, fx_proc_bool, "the process is its session's leader") \
	X(PROC_IS_VPGID_LEADER, "proc.is_vpgid_leader", BOOL, S_, fx_proc_bool, "the process is its group's leader") \
	X(PROC_IS_EXE_UPPER_LAYER, "proc.is_exe_upper_layer", BOOL, S_, fx_proc_bool, "executable is on an overlayfs upper layer") \
	X(PROC_IS_EXE_FROM_MEMFD, "proc.is_exe_from_memfd", BOOL, S_, fx_proc_bool, "executable is a memfd (fileless)") \
	X(PROC_IS_INCOMPLETE, "proc.is_incomplete", BOOL, S_, fx_proc_bool, "vigil: the process was never seen exec'ing or in a snapshot") \
	X(PROC_PID_TS, "proc.pid.ts", ABSTIME, S_, fx_proc_time, "process start time") \
	X(PROC_DURATION, "proc.duration", RELTIME, S_, fx_proc_time, "ns since the process started") \
	X(PROC_PPID_TS, "proc.ppid.ts", ABSTIME, S_, fx_proc_time, "parent's start time") \
	X(PROC_PPID_DURATION, "proc.ppid.duration", RELTIME, S_, fx_proc_time, "ns since the parent started") \
	X(PROC_EXE_INO_CTIME, "proc.exe_ino.ctime", ABSTIME, S_, fx_proc_time, "ctime of the executable") \
	X(PROC_EXE_INO_MTIME, "proc.exe_ino.mtime", ABSTIME, S_, fx_proc_time, "mtime of the executable") \
	X(PROC_EXE_INO_CTIME_DPS, "proc.exe_ino.ctime_duration_proc_start", RELTIME, S_, fx_proc_time, \
	  "ns between the executable's ctime and the process start") \
	/* ---- thread */						\
	X(THREAD_TID, "thread.tid", INT64, S_, fx_thread_f, "thread id") \
	X(THREAD_VTID, "thread.vtid", INT64, S_, fx_thread_f, "thread id in its pid namespace") \
	X(THREAD_ISMAIN, "thread.ismain", BOOL, S_, fx_thread_f, "the thread is the group leader") \
	X(THREAD_CAP_EFFECTIVE, "thread.cap_effective", STRING, S_, fx_thread_f, "effective capabilities (CAP_X CAP_Y)") \
	X(THREAD_CAP_PERMITTED, "thread.cap_permitted", STRING, S_, fx_thread_f, "permitted capabilities") \
	X(THREAD_CAP_INHERITABLE, "thread.cap_inheritable", STRING, S_, fx_thread_f, "inheritable capabilities") \
	/* ---- users and groups */					\
	X(USER_UID, "user.uid", INT64, S_, fx_user, "user id") \
	X(USER_NAME, "user.name", STRING, S_, fx_user, "user name (container's passwd inside a container)") \
	X(USER_LOGINUID, "user.loginuid", INT64, S_, fx_user, "login user id (-1 if none)") \
	X(USER_LOGINNAME, "user.loginname", STRING, S_, fx_user, "login user name") \
	X(GROUP_GID, "group.gid", INT64, S_, fx_user, "group id") \
	X(GROUP_NAME, "group.name", STRING, S_, fx_user, "group name") \
	/* ---- fd: the file descriptor the event is about */		\
	X(FD_NUM, "fd.num", INT64, S_, fx_fd_f, "fd number") \
	X(FD_TYPE, "fd.type", STRING, S_, fx_fd_f, "file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink, memfd") \
	X(FD_TYPECHAR, "fd.typechar", STRING, S_, fx_fd_f, "fd type as one character (f d 4 6 u p e s l i t n m o)") \
	X(FD_NAME, "fd.name", STRING, S_, fx_fd_f, "full path, or the connection tuple of a socket") \
	X(FD_NAMERAW, "fd.nameraw", STRING, S_, fx_fd_f, "path as the syscall gave it") \
	X(FD_DIRECTORY, "fd.directory", PATH, S_, fx_fd_f, "directory of a file fd") \
	X(FD_FILENAME, "fd.filename", STRING, S_, fx_fd_f, "file name of a file fd, without its directory") \
	X(FD_INO, "fd.ino", INT64, S_, fx_fd_f, "inode number") \
	X(FD_L4PROTO, "fd.l4proto", STRING, S_, fx_fd_f, "tcp, udp, icmp, raw") \
	X(FD_CONNECTED, "fd.connected", BOOL, S_, fx_fd_f, "the socket is connected") \
	X(FD_NAME_CHANGED, "fd.name_changed", BOOL, S_, fx_fd_f, "fd.name changed in this event (connect/accept on a known fd)") \
	X(FD_CIP, "fd.cip", IPADDR, S_, fx_fd_ip, "client IP") \
	X(FD_SIP, "fd.sip", IPADDR, S_, fx_fd_ip, "server IP") \
	X(FD_LIP, "fd.lip", IPADDR, S_, fx_fd_ip, "local IP") \
	X(FD_RIP, "fd.rip", IPADDR, S_, fx_fd_ip, "remote IP") \
	X(FD_IP, "fd.ip", IPADDR, S_ | FF_LIST, fx_fd_ip, "client or server IP (filter only)") \
	X(FD_CNET, "fd.cnet", IPNET, S_, fx_fd_ip, "client IP, for CIDR matching (fd.cnet = 10.0.0.0/8)") \
	X(FD_SNET, "fd.snet", IPNET, S_, fx_fd_ip, "server IP, for CIDR matching") \
	X(FD_LNET, "fd.lnet", IPNET, S_, fx_fd_ip, "local IP, for CIDR matching") \
	X(FD_RNET, "fd.rnet", IPNET, S_, fx_fd_ip, "remote IP, for CIDR matching") \
	X(FD_NET, "fd.net", IPNET, S_ | FF_LIST, fx_fd_ip, "client or server IP, for CIDR matching") \
	X(FD_CPORT, "fd.cport", PORT, S_, fx_fd_ip, "client port") \
	X(FD_SPORT, "fd.sport", PORT, S_, fx_fd_ip, "server port") \
	X(FD_LPORT, "fd.lport", PORT, S_, fx_fd_ip, "local port") \
	X(FD_RPORT, "fd.rport", PORT, S_, fx_fd_ip, "remote port") \
	X(FD_PORT, "fd.port", PORT, S_ | FF_LIST, fx_fd_ip, "client or server port (filter only)") \
	X(FD_SIP_NAME, "fd.sip.name", STRING, S_, fx_fd_ip, "server domain name (not resolved by vigil: always missing)") \
	X(FD_CIP_NAME, "fd.cip.name", STRING, S_, fx_fd_ip, "client domain name (not resolved by vigil: always missing)") \
	X(FD_TYPES, "fd.types", STRING, S_ | FF_ARG_INDEX | FF_LIST, fx_fd_types, \
	  "types of the process's fds (fd.types[N]: of fd N)") \
	/* ---- fs.path: paths of path-taking syscalls (unlink, rename, mkdir...) */ \
	X(FS_PATH_NAME, "fs.path.name", PATH, S_, fx_fs_path, "absolute path the syscall acted on") \
	X(FS_PATH_NAMERAW, "fs.path.nameraw", PATH, S_, fx_fs_path, "path as the syscall gave it") \
	X(FS_PATH_SOURCE, "fs.path.source", PATH, S_, fx_fs_path, "absolute source path (rename, link, symlink target)") \
	X(FS_PATH_SOURCERAW, "fs.path.sourceraw", PATH, S_, fx_fs_path, "source path as the syscall gave it") \
	X(FS_PATH_TARGET, "fs.path.target", PATH, S_, fx_fs_path, "absolute target path (rename, link, symlink)") \
	X(FS_PATH_TARGETRAW, "fs.path.targetraw", PATH, S_, fx_fs_path, "target path as the syscall gave it") \
	/* ---- container */						\
	X(CONTAINER_ID, "container.id", STRING, S_, fx_container, "container id (12 chars), or 'host'") \
	X(CONTAINER_FULL_ID, "container.full_id", STRING, S_, fx_container, "full container id, or 'host'") \
	X(CONTAINER_NAME, "container.name", STRING, S_, fx_container, "container name ('host' for the host)") \
	X(CONTAINER_TYPE, "container.type", STRING, S_, fx_container, "runtime: docker, containerd, cri-o, podman, runc, host") \
	X(CONTAINER_IMAGE, "container.image", STRING, S_, fx_container, "image, as given to the runtime") \
	X(CONTAINER_IMAGE_REPO, "container.image.repository", STRING, S_, fx_container, "image repository") \
	X(CONTAINER_IMAGE_TAG, "container.image.tag", STRING, S_, fx_container, "image tag") \
	X(CONTAINER_IMAGE_DIGEST, "container.image.digest", STRING, S_, fx_container, "image digest") \
	X(CONTAINER_PRIVILEGED, "container.privileged", BOOL, S_, fx_container, "the container is privileged") \
	X(CONTAINER_HOST_PID, "container.host_pid", BOOL, S_, fx_container, "the container shares the host's pid namespace") \
	X(CONTAINER_HOST_NETWORK, "container.host_network", BOOL, S_, fx_container, "the container shares the host's network") \
	X(CONTAINER_HOST_IPC, "container.host_ipc", BOOL, S_, fx_container, "the container shares the host's IPC namespace") \
	X(CONTAINER_MOUNTS, "container.mounts", STRING, S_, fx_container, "mounts: source:dest:mode:rdwr:propagation, comma-separated") \
	X(CONTAINER_MOUNT, "container.mount", STRING, S_ | FF_ARG_INDEX | FF_ARG_KEY | FF_ARG_REQUIRED, fx_container_mount, \
	  "one mount, by index or by source path") \
	X(CONTAINER_MOUNT_SOURCE, "container.mount.source", STRING, S_ | FF_ARG_INDEX | FF_ARG_KEY | FF_ARG_REQUIRED, fx_container_mount, \
	  "mount source, by index or by destination") \
	X(CONTAINER_MOUNT_DEST, "container.mount.dest", STRING, S_ | FF_ARG_INDEX | FF_ARG_KEY | FF_ARG_REQUIRED, fx_container_mount, \
	  "mount destination, by index or by source") \
	X(CONTAINER_MOUNT_MODE, "container.mount.mode", STRING, S_ | FF_ARG_INDEX | FF_ARG_KEY | FF_ARG_REQUIRED, fx_container_mount, \
	  "mount mode, by index or by source") \
	X(CONTAINER_MOUNT_RDWR, "container.mount.rdwr", STRING, S_ | FF_ARG_INDEX | FF_ARG_KEY | FF_ARG_REQUIRED, fx_container_mount, \
	  "mount read/write (true/false), by index or by source") \
	X(CONTAINER_LABEL, "container.label", STRING, S_ | FF_ARG_KEY | FF_ARG_REQUIRED, fx_container_label, "one container label") \
	X(CONTAINER_LABELS, "container.labels", STRING, S_, fx_container, "all container labels, key:value, comma-separated") \
	X(CONTAINER_START_TS, "container.start_ts", ABSTIME, S_, fx_container, "container start time") \
	X(CONTAINER_DURATION, "container.duration", RELTIME, S_, fx_container, "ns since the container started") \
	/* ---- k8s (from CRI annotations) */				\
	X(K8S_NS_NAME, "k8s.ns.name", STRING, S_, fx_k8s, "Kubernetes namespace") \
	X(K8S_POD_NAME, "k8s.pod.name", STRING, S_, fx_k8s, "Kubernetes pod name") \
	X(K8S_POD_UID, "k8s.pod.uid", STRING, S_, fx_k8s, "Kubernetes pod uid") \
	X(K8S_POD_ID, "k8s.pod.id", STRING, S_, fx_k8s, "Kubernetes pod uid (legacy name)") \
	X(K8S_POD_LABEL, "k8s.pod.label", STRING, S_ | FF_ARG_KEY | FF_ARG_REQUIRED, fx_k8s_label, "one pod label") \
	X(K8S_POD_LABELS, "k8s.pod.labels", STRING, S_, fx_k8s, "all pod labels, key:value, comma-separated") \
	X(VIGIL_OWNER, "vigil.owner", STRING, S_, fx_k8s, "owner from the configured ownership labels (config owner_labels)")

enum field_id {
#define FIELD_X_ID(id, name, type, flags, fn, desc) FID_##id,
	FIELD_TABLE(FIELD_X_ID)
#undef FIELD_X_ID
	FID_NR
};

#endif
