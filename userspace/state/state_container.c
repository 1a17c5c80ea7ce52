/* SPDX-License-Identifier: MIT */
/*
 * state_container.c - containers: the id from the cgroup path, metadata
 * from the runtimes' own files on the node (no daemon API), Kubernetes
 * metadata from CRI annotations, vigil.owner, and the CONTAINER events.
 *
 * Files read (under cfg.root), first found wins:
 *   Docker:      var/lib/docker/containers/<id>/config.v2.json + hostconfig.json
 *   OCI bundle:  run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/config.json
 *                (ns = k8s.io, moby, default),
 *                run/containers/storage/overlay-containers/<id>/userdata/config.json,
 *                var/lib/containers/storage/overlay-containers/<id>/userdata/config.json
 *                (CRI-O, Podman), or the bundle named by runc's state.json:
 *                run/runc/<id>/state.json, run/containerd/runc/<ns>/<id>/state.json
 * Annotations: containerd CRI (io.kubernetes.cri.*), CRI-O
 * (io.kubernetes.pod.*, io.kubernetes.container.name,
 * io.kubernetes.cri-o.ImageName, io.kubernetes.cri-o.Labels).
 */
#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state/state_int.h"

/* Runtimes by the cgroup component prefix that names them. */
#define CGROUP_PREFIXES(X)				\
	X("docker-", "docker")				\
	X("cri-containerd-", "containerd")		\
	X("containerd-", "containerd")			\
	X("crio-", "cri-o")				\
	X("libpod-", "podman")

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

const char *state_container_id_from_cgroup(const char *cg, size_t len, char *id, size_t idlen)
{
	if (idlen)
		id[0] = 0;
	/* walk the components from the last one up */
	size_t end = len;
	const char *runtime = NULL;
	bool docker_parent = false, kube = false;
	if (len >= 8 && memmem(cg, len, "kubepods", 8))
		kube = true;
	while (end > 0) {
		size_t start = end;
		while (start > 0 && cg[start - 1] != '/')
			start--;
		const char *c = cg + start;
		size_t n = end - start;
		end = start ? start - 1 : 0;
		if (n > 6 && !memcmp(c + n - 6, ".scope", 6))
			n -= 6;
		const char *rt = NULL;
#define CG_X_PREFIX(pfx, name)						\
		if (!rt && n > sizeof(pfx) - 1 && !memcmp(c, pfx, sizeof(pfx) - 1)) { \
			c += sizeof(pfx) - 1; n -= sizeof(pfx) - 1; rt = name; }
		CGROUP_PREFIXES(CG_X_PREFIX)
#undef CG_X_PREFIX
		if (n == 64 && is_hex(c, n)) {
			if (start >= 8 && !memcmp(cg + start - 8, "/docker/", 8))
				docker_parent = true;
			runtime = rt ? rt : docker_parent ? "docker" : kube ? "containerd" : "docker";
			if (idlen > n) {
				memcpy(id, c, n);
				id[n] = 0;
			}
			return runtime;
		}
		if (!start)
			break;
	}
	return NULL;
}

/* ------------------------------------------------------------ objects */
void st_container_free(struct st_container *c)
{
	if (!c)
		return;
	free(c->id); free(c->runtime); free(c->name); free(c->image);
	free(c->image_repo); free(c->image_tag); free(c->image_digest);
	for (unsigned i = 0; i < c->nmounts; i++) {
		free(c->mounts[i].source); free(c->mounts[i].dest);
		free(c->mounts[i].mode); free(c->mounts[i].propagation);
	}
	free(c->mounts);
	for (unsigned i = 0; i < c->nlabels; i++) {
		free(c->labels[i].key); free(c->labels[i].val);
	}
	free(c->labels);
	for (unsigned i = 0; i < c->npod_labels; i++) {
		free(c->pod_labels[i].key); free(c->pod_labels[i].val);
	}
	free(c->pod_labels);
	free(c->k8s_ns); free(c->k8s_pod); free(c->k8s_pod_uid);
	free(c->owner);
	free(c->cgroup);
	free(c);
}

void st_containers_free(struct state *st)
{
	for (unsigned i = 0; i < st->ncontainers; i++)
		st_container_free(st->containers[i]);
	free(st->containers);
	st->containers = NULL;
	st->ncontainers = st->capcontainers = 0;
}

static void set_image(struct st_container *c, const char *img)
{
	st_set_str(&c->image, img, strlen(img));
	const char *at = strchr(img, '@');
	size_t n = at ? (size_t)(at - img) : strlen(img);
	st_set_str(&c->image_digest, at ? at + 1 : NULL, at ? strlen(at + 1) : 0);
	const char *slash = memrchr(img, '/', n);
	const char *colon = memrchr(img, ':', n);
	if (colon && (!slash || colon > slash)) {
		st_set_str(&c->image_repo, img, (size_t)(colon - img));
		st_set_str(&c->image_tag, colon + 1, n - (size_t)(colon - img) - 1);
	} else {
		st_set_str(&c->image_repo, img, n);
		st_set_str(&c->image_tag, at ? NULL : "latest", at ? 0 : 6);
	}
}

static void kv_add(struct st_kv **kv, unsigned *n, const char *k, const char *v)
{
	for (unsigned i = 0; i < *n; i++)
		if (!strcmp((*kv)[i].key, k)) {
			st_set_str(&(*kv)[i].val, v, strlen(v));
			return;
		}
	struct st_kv *nk = realloc(*kv, (*n + 1) * sizeof(**kv));
	if (!nk)
		return;
	*kv = nk;
	nk[*n].key = strdup(k);
	nk[*n].val = strdup(v);
	if (!nk[*n].key || !nk[*n].val) {
		free(nk[*n].key);
		free(nk[*n].val);
		return;
	}
	(*n)++;
}

static const char *kv_find(const struct st_kv *kv, unsigned n, const char *k)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(kv[i].key, k))
			return kv[i].val;
	return NULL;
}

static void add_mount(struct st_container *c, const char *src, const char *dst, bool rw,
		      const char *prop)
{
	struct st_mount *m = realloc(c->mounts, (c->nmounts + 1) * sizeof(*m));
	if (!m)
		return;
	c->mounts = m;
	m += c->nmounts++;
	memset(m, 0, sizeof(*m));
	m->source = strdup(src ? src : "");
	m->dest = strdup(dst ? dst : "");
	m->mode = strdup(rw ? "rw" : "ro");
	m->rw = rw;
	m->propagation = strdup(prop ? prop : "");
}

/* vigil.owner: the first configured key found in the pod labels, then in
 * the container labels. */
static void set_owner(struct state *st, struct st_container *c)
{
	for (const char *k = st->owner_keys; *k; k += strlen(k) + 1) {
		const char *v = kv_find(c->pod_labels, c->npod_labels, k);
		if (!v)
			v = kv_find(c->labels, c->nlabels, k);
		if (v) {
			st_set_str(&c->owner, v, strlen(v));
			return;
		}
	}
}

void st_containers_set_owner(struct state *st)
{
	for (unsigned i = 0; i < st->ncontainers; i++) {
		struct st_container *c = st->containers[i];
		free(c->owner);
		c->owner = NULL;
		set_owner(st, c);
	}
}

/* ------------------------------------------------------------ file reading */
static json_object *read_json(const char *path)
{
	json_object *o = json_object_from_file(path);
	return o && json_object_is_type(o, json_type_object) ? o : (json_object_put(o), NULL);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *jget(json_object *o, const char *k)
{
	json_object *v;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* RFC 3339 time (2024-01-02T03:04:05.123456789Z) to ns since the epoch. */
static uint64_t parse_rfc3339(const char *s)
{
	struct tm tm = { 0 };
	if (!s)
		return 0;
	const char *r = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!r)
		return 0;
	uint64_t ns = 0, scale = 100000000;
	if (*r == '.')
		for (r++; isdigit((unsigned char)*r); r++, scale /= 10)
			ns += (uint64_t)(*r - '0') * scale;
	time_t t = timegm(&tm);
	if (t < 0)
		return 0;
	return (uint64_t)t * 1000000000u + ns;
}

static void apply_annotations(struct state *st, struct st_container *c, json_object *ann)
{
	if (!ann || !json_object_is_type(ann, json_type_object))
		return;
	json_object_object_foreach(ann, k, v) {
		if (json_object_is_type(v, json_type_string))
			kv_add(&c->labels, &c->nlabels, k, json_object_get_string(v));
	}
	const char *s;
	/* containerd CRI, then CRI-O */
	if ((s = jstr(ann, "io.kubernetes.cri.container-name")) ||
	    (s = jstr(ann, "io.kubernetes.container.name")))
		st_set_str(&c->name, s, strlen(s));
	if ((s = jstr(ann, "io.kubernetes.cri.image-name")) ||
	    (s = jstr(ann, "io.kubernetes.cri-o.ImageName")))
		set_image(c, s);
	if ((s = jstr(ann, "io.kubernetes.cri.sandbox-namespace")) ||
	    (s = jstr(ann, "io.kubernetes.pod.namespace")))
		st_set_str(&c->k8s_ns, s, strlen(s));
	if ((s = jstr(ann, "io.kubernetes.cri.sandbox-name")) ||
	    (s = jstr(ann, "io.kubernetes.pod.name")))
		st_set_str(&c->k8s_pod, s, strlen(s));
	if ((s = jstr(ann, "io.kubernetes.cri.sandbox-uid")) ||
	    (s = jstr(ann, "io.kubernetes.pod.uid")))
		st_set_str(&c->k8s_pod_uid, s, strlen(s));
	/* pod labels: CRI-O's Labels annotation (JSON), minus the
	 * io.kubernetes.* bookkeeping keys */
	if ((s = jstr(ann, "io.kubernetes.cri-o.Labels"))) {
		json_object *l = json_tokener_parse(s);
		if (l && json_object_is_type(l, json_type_object)) {
			json_object_object_foreach(l, lk, lv) {
				if (strncmp(lk, "io.kubernetes.", 14) &&
				    json_object_is_type(lv, json_type_string))
					kv_add(&c->pod_labels, &c->npod_labels, lk,
					       json_object_get_string(lv));
			}
		}
		json_object_put(l);
	}
	/* pod labels passed as annotations (io.kubernetes.pod.label.<key>),
	 * as vigil's deployment and tests set them */
	json_object_object_foreach(ann, k2, v2) {
		if (!strncmp(k2, "io.kubernetes.pod.label.", 24) &&
		    json_object_is_type(v2, json_type_string))
			kv_add(&c->pod_labels, &c->npod_labels, k2 + 24, json_object_get_string(v2));
	}
	(void)st;
}

/* An OCI runtime spec (config.json). */
static bool load_oci(struct state *st, struct st_container *c, const char *path)
{
	json_object *o = read_json(path);
	if (!o)
		return false;
	json_object *linux_ = jget(o, "linux");
	json_object *ns = jget(linux_, "namespaces");
	bool pidns = false, netns = false, ipcns = false;
	if (ns && json_object_is_type(ns, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(ns); i++) {
			const char *t = jstr(json_object_array_get_idx(ns, i), "type");
			const char *p = jstr(json_object_array_get_idx(ns, i), "path");
			/* a namespace joined by path is shared with someone; only
			 * an absent entry means "the host's" */
			(void)p;
			if (!t)
				continue;
			pidns |= !strcmp(t, "pid");
			netns |= !strcmp(t, "network");
			ipcns |= !strcmp(t, "ipc");
		}
	}
	c->host_pid = !pidns;
	c->host_network = !netns;
	c->host_ipc = !ipcns;
	/* privileged: every capability in the bounding set (what runtimes do
	 * for --privileged) */
	json_object *bnd = jget(jget(jget(o, "process"), "capabilities"), "bounding");
	c->privileged = bnd && json_object_is_type(bnd, json_type_array) &&
			json_object_array_length(bnd) >= 38;
	json_object *mounts = jget(o, "mounts");
	if (mounts && json_object_is_type(mounts, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(mounts); i++) {
			json_object *m = json_object_array_get_idx(mounts, i);
			bool rw = true;
			const char *prop = "";
			json_object *opts = jget(m, "options");
			for (size_t j = 0; opts && json_object_is_type(opts, json_type_array) &&
			     j < json_object_array_length(opts); j++) {
				const char *op = json_object_get_string(json_object_array_get_idx(opts, j));
				if (!op)
					continue;
				if (!strcmp(op, "ro"))
					rw = false;
				else if (strstr(op, "private") || strstr(op, "shared") || strstr(op, "slave"))
					prop = op;
			}
			add_mount(c, jstr(m, "source"), jstr(m, "destination"), rw, prop);
		}
	}
	apply_annotations(st, c, jget(o, "annotations"));
	json_object_put(o);
	return true;
}

static bool load_docker(struct state *st, struct st_container *c)
{
	char path[PATH_MAX + 128];
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json", st->root, c->id);
	json_object *o = read_json(path);
	if (!o)
		return false;
	const char *s = jstr(o, "Name");
	if (s)
		st_set_str(&c->name, s[0] == '/' ? s + 1 : s, strlen(s[0] == '/' ? s + 1 : s));
	json_object *cfg = jget(o, "Config");
	if ((s = jstr(cfg, "Image")))
		set_image(c, s);
	json_object *labels = jget(cfg, "Labels");
	if (labels && json_object_is_type(labels, json_type_object)) {
		json_object_object_foreach(labels, k, v)
			if (json_object_is_type(v, json_type_string))
				kv_add(&c->labels, &c->nlabels, k, json_object_get_string(v));
	}
	c->start_ts = parse_rfc3339(jstr(jget(o, "State"), "StartedAt"));
	json_object *mp = jget(o, "MountPoints");
	if (mp && json_object_is_type(mp, json_type_object)) {
		json_object_object_foreach(mp, k, m) {
			json_object *rw = jget(m, "RW");
			add_mount(c, jstr(m, "Source"), jstr(m, "Destination") ? jstr(m, "Destination") : k,
				  rw ? json_object_get_boolean(rw) : true, jstr(m, "Propagation"));
		}
	}
	json_object_put(o);
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/hostconfig.json", st->root, c->id);
	o = read_json(path);
	if (o) {
		json_object *p = jget(o, "Privileged");
		c->privileged = p && json_object_get_boolean(p);
		c->host_pid = (s = jstr(o, "PidMode")) && !strcmp(s, "host");
		c->host_network = (s = jstr(o, "NetworkMode")) && !strcmp(s, "host");
		c->host_ipc = (s = jstr(o, "IpcMode")) && !strcmp(s, "host");
		json_object_put(o);
	}
	/* k8s labels set by the kubelet (dockershim) */
	const char *v;
	if ((v = kv_find(c->labels, c->nlabels, "io.kubernetes.pod.namespace")))
		st_set_str(&c->k8s_ns, v, strlen(v));
	if ((v = kv_find(c->labels, c->nlabels, "io.kubernetes.pod.name")))
		st_set_str(&c->k8s_pod, v, strlen(v));
	if ((v = kv_find(c->labels, c->nlabels, "io.kubernetes.pod.uid")))
		st_set_str(&c->k8s_pod_uid, v, strlen(v));
	return true;
}

static const char *const task_namespaces[] = { "k8s.io", "moby", "default" };

static void load_meta(struct state *st, struct st_container *c)
{
	char path[PATH_MAX + 160];
	if (load_docker(st, c)) {
		c->meta_loaded = true;
		goto done;
	}
	for (size_t i = 0; i < sizeof(task_namespaces) / sizeof(*task_namespaces); i++) {
		snprintf(path, sizeof(path), "%s/run/containerd/io.containerd.runtime.v2.task/%s/%s/config.json",
			 st->root, task_namespaces[i], c->id);
		if (load_oci(st, c, path)) {
			c->meta_loaded = true;
			goto done;
		}
	}
	static const char *const crio_dirs[] = { "run", "var/lib" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s/containers/storage/overlay-containers/%s/userdata/config.json",
			 st->root, crio_dirs[i], c->id);
		if (load_oci(st, c, path)) {
			c->meta_loaded = true;
			goto done;
		}
	}
	/* runc's state.json names the bundle */
	for (int i = -1; i < (int)(sizeof(task_namespaces) / sizeof(*task_namespaces)); i++) {
		if (i < 0)
			snprintf(path, sizeof(path), "%s/run/runc/%s/state.json", st->root, c->id);
		else
			snprintf(path, sizeof(path), "%s/run/containerd/runc/%s/%s/state.json", st->root,
				 task_namespaces[i], c->id);
		json_object *o = read_json(path);
		if (!o)
			continue;
		/* runc keeps the bundle as the label "bundle=<dir>" of its
		 * libcontainer config (`runc state` prints it as "bundle") */
		const char *bundle = jstr(o, "bundle");
		json_object *labels = jget(jget(o, "config"), "labels");
		for (size_t j = 0; !bundle && labels && json_object_is_type(labels, json_type_array) &&
		     j < json_object_array_length(labels); j++) {
			const char *l = json_object_get_string(json_object_array_get_idx(labels, j));
			if (l && !strncmp(l, "bundle=", 7))
				bundle = l + 7;
		}
		uint64_t created = parse_rfc3339(jstr(o, "created"));
		if (bundle) {
			snprintf(path, sizeof(path), "%s%s/config.json", st->root, bundle);
			if (load_oci(st, c, path)) {
				c->meta_loaded = true;
				if (!c->start_ts)
					c->start_ts = created;
			}
		}
		json_object_put(o);
		if (c->meta_loaded)
			goto done;
	}
done:
	if (c->meta_loaded && !c->name && c->id)
		st_set_str(&c->name, c->id, strlen(c->id) > 12 ? 12 : strlen(c->id));
	set_owner(st, c);
}

/* ------------------------------------------------------------ lookups */
struct st_container *state_container(struct state *st, const char *id)
{
	if (!id || !strcmp(id, "host"))
		return NULL;
	for (unsigned i = 0; i < st->ncontainers; i++)
		if (!strcmp(st->containers[i]->id, id))
			return st->containers[i];
	return NULL;
}

static void evict_container(struct state *st)
{
	/* the least recently seen container that no process uses */
	unsigned victim = UINT32_MAX;
	for (unsigned i = 0; i < st->ncontainers; i++) {
		struct st_container *c = st->containers[i];
		if (!c->nprocs && (victim == UINT32_MAX ||
				   c->last_seen < st->containers[victim]->last_seen))
			victim = i;
	}
	if (victim == UINT32_MAX)
		return;
	st_userdb_drop(st, st->containers[victim]);
	st_container_free(st->containers[victim]);
	st->containers[victim] = st->containers[--st->ncontainers];
	st->stats.evict_container++;
	st->stats.containers = st->ncontainers;
}

struct st_container *st_container_get(struct state *st, const char *id, bool create)
{
	struct st_container *c = state_container(st, id);
	if (c || !create || !id || !id[0] || !strcmp(id, "host"))
		return c;
	if (st->ncontainers >= st->cfg.max_containers) {
		evict_container(st);
		if (st->ncontainers >= st->cfg.max_containers)
			return NULL;
	}
	if (st->ncontainers == st->capcontainers) {
		unsigned ncap = st->capcontainers ? st->capcontainers * 2 : 16;
		struct st_container **n = realloc(st->containers, ncap * sizeof(*n));
		if (!n)
			return NULL;
		st->containers = n;
		st->capcontainers = ncap;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->id = strdup(id))) {
		free(c);
		return NULL;
	}
	c->last_seen = st->now_num;
	st->containers[st->ncontainers++] = c;
	st->stats.containers = st->ncontainers;
	return c;
}

/* ------------------------------------------------------------ CONTAINER events */
static json_object *kv_json(const struct st_kv *kv, unsigned n)
{
	json_object *o = json_object_new_object();
	for (unsigned i = 0; i < n; i++)
		json_object_object_add(o, kv[i].key, json_object_new_string(kv[i].val));
	return o;
}

/* The metadata as JSON, for the `meta` parameter (so that a replay sees
 * what the live engine saw). */
static char *container_meta_json(const struct st_container *c)
{
	json_object *o = json_object_new_object();
	if (c->runtime)
		json_object_object_add(o, "runtime", json_object_new_string(c->runtime));
	json_object_object_add(o, "loaded", json_object_new_boolean(c->meta_loaded));
	json_object_object_add(o, "privileged", json_object_new_boolean(c->privileged));
	json_object_object_add(o, "host_pid", json_object_new_boolean(c->host_pid));
	json_object_object_add(o, "host_network", json_object_new_boolean(c->host_network));
	json_object_object_add(o, "host_ipc", json_object_new_boolean(c->host_ipc));
	json_object_object_add(o, "start_ts", json_object_new_uint64(c->start_ts));
	json_object *m = json_object_new_array();
	for (unsigned i = 0; i < c->nmounts; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "source", json_object_new_string(c->mounts[i].source));
		json_object_object_add(x, "dest", json_object_new_string(c->mounts[i].dest));
		json_object_object_add(x, "rw", json_object_new_boolean(c->mounts[i].rw));
		json_object_object_add(x, "propagation", json_object_new_string(c->mounts[i].propagation));
		json_object_array_add(m, x);
	}
	json_object_object_add(o, "mounts", m);
	json_object_object_add(o, "labels", kv_json(c->labels, c->nlabels));
	if (c->k8s_ns)
		json_object_object_add(o, "k8s_ns", json_object_new_string(c->k8s_ns));
	if (c->k8s_pod)
		json_object_object_add(o, "k8s_pod", json_object_new_string(c->k8s_pod));
	if (c->k8s_pod_uid)
		json_object_object_add(o, "k8s_pod_uid", json_object_new_string(c->k8s_pod_uid));
	json_object_object_add(o, "pod_labels", kv_json(c->pod_labels, c->npod_labels));
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* Builds the CONTAINER record of c into buf; returns its length or 0. */
size_t st_container_record(const struct st_container *c, uint64_t ts, void *buf, size_t cap)
{
	struct evt_builder b;
	char *meta = container_meta_json(c);
	evt_build_begin(&b, buf, cap, VIGIL_EVT_CONTAINER, ts, 0, 0);
	evt_build_str(&b, c->id);
	evt_build_str(&b, c->name ? c->name : "");
	evt_build_str(&b, c->image ? c->image : "");
	evt_build_u64(&b, c->pid);
	if (meta && strlen(meta) <= VIGIL_PARAM_MAX_LEN)
		evt_build_str(&b, meta);
	else
		evt_build_empty(&b, VIGIL_PARAM_TRUNC);
	free(meta);
	return evt_build_end(&b);
}

static void queue_container_event(struct state *st, const struct st_container *c)
{
	if (!st->pend && !(st->pend = malloc(STATE_PEND_MAX)))
		return;
	size_t n = st_container_record(c, st->cur_ts, st->pend + st->pend_len,
				       STATE_PEND_MAX - st->pend_len);
	if (n) {
		st->pend_len += n;
		st->stats.container_events++;
	}
}

/*
 * A container is first seen before its runtime has written the files that
 * describe it: runc's init forks inside the new cgroup before `runc create`
 * saves state.json, and the entrypoint's exec comes after. So the metadata
 * is looked up again at each exec or fork seen in the container (this is
 * only called for those), up to META_TRIES times, and the container-start
 * event, which rules on privileged containers and mounts match, is made
 * once the metadata is there, or with what is known when the tries run out.
 */
#define META_TRIES 8

static void retry_meta(struct state *st, struct st_container *c)
{
	if (c->start_queued)
		return;
	if (st->files_ok && !c->meta_loaded && c->meta_tries < META_TRIES) {
		c->meta_tries++;
		load_meta(st, c);	/* the runtime's creation time, if it says */
	}
	if (!c->first_seen_ts)
		c->first_seen_ts = st->cur_ts + (uint64_t)st->cfg.boot_offset_ns;
	if (c->meta_loaded || !st->files_ok || c->meta_tries >= META_TRIES) {
		if (!c->start_ts)	/* the runtime did not say: first sighting */
			c->start_ts = c->first_seen_ts;
		c->start_queued = true;
		if (st->cfg.live)
			queue_container_event(st, c);
	}
}

struct st_container *st_container_for_cgroup(struct state *st, const char *cg, size_t len,
					      uint32_t pid)
{
	char id[80];
	const char *rt = state_container_id_from_cgroup(cg, len, id, sizeof(id));
	if (!rt) {
		/* a cgroup a CONTAINER record told us about (plain runc ids) */
		for (unsigned i = 0; i < st->ncontainers; i++) {
			struct st_container *c = st->containers[i];
			if (c->cgroup && strlen(c->cgroup) == len && !memcmp(c->cgroup, cg, len))
				return c;
		}
		/* plain runc, when live: the last component names a container
		 * that runc knows */
		if (!st->files_ok || !len)
			return NULL;
		const char *last = memrchr(cg, '/', len);
		last = last ? last + 1 : cg;
		size_t ln = len - (size_t)(last - cg);
		if (!ln || ln >= sizeof(id) || memchr(last, '.', ln))
			return NULL;
		memcpy(id, last, ln);
		id[ln] = 0;
		char path[PATH_MAX + 100];
		snprintf(path, sizeof(path), "%s/run/runc/%s/state.json", st->root, id);
		if (access(path, R_OK))
			return NULL;
		rt = "runc";
	}
	struct st_container *c = state_container(st, id);
	if (c) {
		c->last_seen = st->now_num;
		retry_meta(st, c);
		return c;
	}
	c = st_container_get(st, id, true);
	if (!c)
		return NULL;
	c->runtime = strdup(rt);
	c->pid = pid;
	c->cgroup = st_strndup(cg, len);
	retry_meta(st, c);
	return c;
}

/* Fills c from the `meta` JSON of a CONTAINER record. */
static void apply_meta(struct state *st, struct st_container *c, const char *s, size_t len)
{
	char *copy = st_strndup(s, len);
	json_object *o = copy ? json_tokener_parse(copy) : NULL;
	free(copy);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return;
	}
	const char *v;
	if ((v = jstr(o, "runtime")))
		st_set_str(&c->runtime, v, strlen(v));
	json_object *b;
	c->meta_loaded = (b = jget(o, "loaded")) && json_object_get_boolean(b);
	c->privileged = (b = jget(o, "privileged")) && json_object_get_boolean(b);
	c->host_pid = (b = jget(o, "host_pid")) && json_object_get_boolean(b);
	c->host_network = (b = jget(o, "host_network")) && json_object_get_boolean(b);
	c->host_ipc = (b = jget(o, "host_ipc")) && json_object_get_boolean(b);
	if ((b = jget(o, "start_ts")))
		c->start_ts = json_object_get_uint64(b);
	json_object *m = jget(o, "mounts");
	if (m && json_object_is_type(m, json_type_array) && !c->nmounts)
		for (size_t i = 0; i < json_object_array_length(m); i++) {
			json_object *x = json_object_array_get_idx(m, i);
			json_object *rw = jget(x, "rw");
			add_mount(c, jstr(x, "source"), jstr(x, "dest"), rw && json_object_get_boolean(rw),
				  jstr(x, "propagation"));
		}
	json_object *l = jget(o, "labels");
	if (l && json_object_is_type(l, json_type_object)) {
		json_object_object_foreach(l, k, lv)
			if (json_object_is_type(lv, json_type_string))
				kv_add(&c->labels, &c->nlabels, k, json_object_get_string(lv));
	}
	l = jget(o, "pod_labels");
	if (l && json_object_is_type(l, json_type_object)) {
		json_object_object_foreach(l, k, lv)
			if (json_object_is_type(lv, json_type_string))
				kv_add(&c->pod_labels, &c->npod_labels, k, json_object_get_string(lv));
	}
	if ((v = jstr(o, "k8s_ns")))
		st_set_str(&c->k8s_ns, v, strlen(v));
	if ((v = jstr(o, "k8s_pod")))
		st_set_str(&c->k8s_pod, v, strlen(v));
	if ((v = jstr(o, "k8s_pod_uid")))
		st_set_str(&c->k8s_pod_uid, v, strlen(v));
	json_object_put(o);
	set_owner(st, c);
}

/* A CONTAINER record (snapshot, or generated by a live engine and saved in
 * a capture): creates or completes the container, and attaches it to its
 * pid's process. */
void st_container_apply(struct state *st, const struct evt *ev)
{
	size_t len;
	const char *id = evt_get_str(ev, VIGIL_P_CONTAINER_id, &len);
	char idbuf[80];
	if (!id || !len || len >= sizeof(idbuf)) {
		st->stats.inconsistent++;
		return;
	}
	memcpy(idbuf, id, len);
	idbuf[len] = 0;
	struct st_container *c = st_container_get(st, idbuf, true);
	if (!c)
		return;
	c->last_seen = st->now_num;
	c->start_queued = true;		/* this record is its start event */
	const char *s = evt_get_str(ev, VIGIL_P_CONTAINER_name, &len);
	if (s && len)
		st_set_str(&c->name, s, len);
	s = evt_get_str(ev, VIGIL_P_CONTAINER_image, &len);
	if (s && len) {
		char *img = st_strndup(s, len);
		if (img)
			set_image(c, img);
		free(img);
	}
	uint32_t pid = (uint32_t)evt_get_u64(ev, VIGIL_P_CONTAINER_pid, 0);
	if (pid)
		c->pid = pid;
	s = evt_get_str(ev, VIGIL_P_CONTAINER_meta, &len);
	if (s && len)
		apply_meta(st, c, s, len);
	struct st_proc *p = pid ? state_proc(st, pid) : NULL;
	if (p) {
		st_proc_set_container(p, c);
		/* remember the cgroup for later execs (plain runc ids that are
		 * not hex), but only one that names the container: a process
		 * may still be in its parent's cgroup */
		if (p->cgroup && !c->cgroup && strstr(p->cgroup, c->id))
			c->cgroup = strdup(p->cgroup);
	}
}
