/* SPDX-License-Identifier: MIT */
/* idmap.c - see idmap.h. */
#include <stdlib.h>

#include "state/idmap.h"

static size_t idmap_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)k;
}

void idmap_init(struct idmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

void idmap_free(struct idmap *m)
{
	free(m->slots);
	idmap_init(m);
}

static struct idmap_slot *idmap_find(const struct idmap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = idmap_hash(key) & mask;; i = (i + 1) & mask) {
		struct idmap_slot *s = &m->slots[i];
		if (!s->val)
			return NULL;
		if (s->key == key)
			return s;
	}
}

void *idmap_get(const struct idmap *m, uint64_t key)
{
	struct idmap_slot *s = idmap_find(m, key);
	return s ? s->val : NULL;
}

static void idmap_insert_raw(struct idmap_slot *slots, size_t cap, uint64_t key, void *val)
{
	size_t mask = cap - 1;
	size_t i = idmap_hash(key) & mask;
	while (slots[i].val)
		i = (i + 1) & mask;
	slots[i].key = key;
	slots[i].val = val;
}

static bool idmap_grow(struct idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct idmap_slot *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return false;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].val)
			idmap_insert_raw(ns, ncap, m->slots[i].key, m->slots[i].val);
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return true;
}

void *idmap_put(struct idmap *m, uint64_t key, void *val)
{
	struct idmap_slot *s = idmap_find(m, key);
	if (s) {
		void *old = s->val;
		s->val = val;
		return old;
	}
	if ((m->count + 1) * 4 > m->cap * 3 && !idmap_grow(m))
		return val;
	idmap_insert_raw(m->slots, m->cap, key, val);
	m->count++;
	return NULL;
}

void *idmap_del(struct idmap *m, uint64_t key)
{
	struct idmap_slot *s = idmap_find(m, key);
	if (!s)
		return NULL;
	void *old = s->val;
	size_t mask = m->cap - 1;
	size_t i = (size_t)(s - m->slots);
	/* backward-shift: move later members of the probe run into the hole */
	for (size_t j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		size_t home = idmap_hash(m->slots[j].key) & mask;
		/* can slot j move to i? only if home is not in (i, j] */
		bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!between) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].val = NULL;
	m->slots[i].key = 0;
	m->count--;
	return old;
}

bool idmap_next(const struct idmap *m, size_t *pos, uint64_t *key, void **val)
{
	while (*pos < m->cap) {
		struct idmap_slot *s = &m->slots[(*pos)++];
		if (s->val) {
			if (key)
				*key = s->key;
			if (val)
				*val = s->val;
			return true;
		}
	}
	return false;
}
