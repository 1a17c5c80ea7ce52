/* SPDX-License-Identifier: MIT */
/*
 * idmap.h - a small open-addressing hash map from a 64-bit key to a pointer
 * (tids, pids, fd numbers). Linear probing, backward-shift deletion, grows
 * at 3/4 load. Not thread-safe: the state stage is single-threaded.
 */
#ifndef VIGIL_STATE_IDMAP_H
#define VIGIL_STATE_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint64_t key;
	void *val;		/* NULL = empty slot */
};

struct idmap {
	struct idmap_slot *slots;
	size_t cap;		/* power of two, or 0 */
	size_t count;
};

void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);
void *idmap_get(const struct idmap *m, uint64_t key);
/* Inserts or replaces; returns the previous value (or NULL). val must not
 * be NULL. On allocation failure returns val itself and stores nothing. */
void *idmap_put(struct idmap *m, uint64_t key, void *val);
/* Removes and returns the value, or NULL. */
void *idmap_del(struct idmap *m, uint64_t key);

/* Iteration: for (size_t i = 0; idmap_next(m, &i, &k, &v); ) ... ; the map
 * must not change while iterating (collect keys first to delete). */
bool idmap_next(const struct idmap *m, size_t *pos, uint64_t *key, void **val);

#endif
