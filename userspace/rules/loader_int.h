/* SPDX-License-Identifier: MIT */
/*
 * loader_int.h - what the loader's files share (internal to rules/): the
 * per-file loading state, YAML node helpers that report problems with
 * their line and column, and the item handlers.
 */
#ifndef VIGIL_RULES_LOADER_INT_H
#define VIGIL_RULES_LOADER_INT_H

#include <yaml.h>

#include "rules/internal.h"

struct ld {
	struct rules_engine *e;
	yaml_document_t *doc;
	const char *file, *raw;
	size_t errs;
};

/* Reads `override:`; fills keys/modes (0 append, 1 replace). */
struct ovr {
	size_t n;
	const char *key[16];
	int replace[16];
	yaml_node_t *node[16];
};

/* Keys each item type knows. */
#define RULE_KEYS(X) X(rule) X(desc) X(condition) X(output) X(priority) X(source) \
	X(enabled) X(tags) X(exceptions) X(override) X(append) X(warn_evttypes) \
	X(skip-if-unknown-filter) X(capture) X(capture_duration)
#define MACRO_KEYS(X) X(macro) X(condition) X(override) X(append) X(desc)
#define LIST_KEYS(X) X(list) X(items) X(override) X(append) X(desc)
#define KEY_STR(k) #k,

void ld_msg(struct ld *l, enum diag_sev sev, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define ERR(l, n, ...) ld_msg(l, DIAG_ERROR, n, __VA_ARGS__)
#define WARN(l, n, ...) ld_msg(l, DIAG_WARNING, n, __VA_ARGS__)

bool ld_in_set(const char *const *set, const char *s);
struct loc ld_loc_of(struct ld *l, yaml_node_t *n);
yaml_node_t *ld_node(struct ld *l, int id);
const char *ld_scalar(yaml_node_t *n);
yaml_node_t *ld_map_get(struct ld *l, yaml_node_t *m, const char *key);
const char *ld_need_str(struct ld *l, yaml_node_t *item, const char *key, bool required);
int ld_get_bool(struct ld *l, yaml_node_t *item, const char *key, int dflt);
bool ld_get_strv(struct ld *l, yaml_node_t *n, const char *what, struct strv *out);
void ld_strv_cat(struct arena *a, struct strv *dst, const struct strv *src);
bool ld_get_cond(struct ld *l, yaml_node_t *n, struct cond *c);
void ld_cond_append(struct arena *a, struct cond *dst, const struct cond *add);
char *ld_str_append(struct arena *a, const char *x, const char *y);
void ld_check_keys(struct ld *l, yaml_node_t *item, const char *const *keys, const char *what);
bool ld_get_override(struct ld *l, yaml_node_t *item, const char *what,
		     const char *const *app_ok, const char *const *rep_ok, struct ovr *o);
int ld_ovr_mode(const struct ovr *o, const char *key);
void ld_grow(void **v, size_t *cap, size_t n, size_t sz);

/* items.c, rule_item.c */
void ld_do_list(struct ld *l, yaml_node_t *item);
void ld_do_macro(struct ld *l, yaml_node_t *item);
void ld_do_rule(struct ld *l, yaml_node_t *item);

/* exceptions.c */
bool ld_get_exceptions(struct ld *l, yaml_node_t *n, struct exception **out, size_t *nout,
		       bool appending);
void ld_merge_exceptions(struct ld *l, struct rule_def *r, yaml_node_t *n,
			 struct exception *add, size_t nadd);

#endif
