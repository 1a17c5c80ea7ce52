/* SPDX-License-Identifier: MIT */
/* hashset.c - open-addressing set of byte strings (word-wise multiply hash, linear probe). */
#include <stdlib.h>
#include <string.h>

#include "rules/internal.h"

/* 8 bytes a step (a multiply and a shift per word), then a final mix:
 * about a third of the work of byte-wise FNV-1a on file names. */
uint32_t hashset_hash(const char *s, uint32_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	if (len >= 4) {		/* 4..7 bytes: two overlapping 4-byte loads */
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		h = (h ^ ((uint64_t)a << 32 | b)) * 0xff51afd7ed558ccdull;
	} else if (len) {	/* 1..3 bytes */
		w = (uint64_t)(uint8_t)s[0] << 16 | (uint64_t)(uint8_t)s[len / 2] << 8 |
		    (uint8_t)s[len - 1];
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 32;
	return (uint32_t)h | 1;	/* 0 marks an empty bucket */
}

struct hashset *hashset_new(uint32_t expected)
{
	struct hashset *h = calloc(1, sizeof(*h));
	uint32_t cap = 8;

	if (!h)
		return NULL;
	while (cap < expected * 2 + 2)
		cap *= 2;
	h->tab = calloc(cap, sizeof(*h->tab));
	if (!h->tab) {
		free(h);
		return NULL;
	}
	h->mask = cap - 1;
	return h;
}

bool hashset_has(const struct hashset *h, const char *s, uint32_t len)
{
	return hashset_has_h(h, s, len, hashset_hash(s, len));
}

bool hashset_has_h(const struct hashset *h, const char *s, uint32_t len, uint32_t hv)
{
	for (uint32_t i = hv & h->mask;; i = (i + 1) & h->mask) {
		const struct hs_ent *e = &h->tab[i];

		if (!e->hash)
			return false;
		if (e->hash == hv && e->len == len && !memcmp(e->s, s, len))
			return true;
	}
}

bool hashset_add(struct hashset *h, const char *s, uint32_t len)
{
	uint32_t hv;

	if (hashset_has(h, s, len))
		return true;
	if ((h->n + 1) * 2 > h->mask + 1) {
		struct hashset nh = { .mask = h->mask * 2 + 1 };

		nh.tab = calloc(nh.mask + 1, sizeof(*nh.tab));
		if (!nh.tab)
			return false;
		for (uint32_t i = 0; i <= h->mask; i++) {
			struct hs_ent *e = &h->tab[i];

			if (!e->hash)
				continue;
			for (uint32_t j = e->hash & nh.mask;; j = (j + 1) & nh.mask)
				if (!nh.tab[j].hash) {
					nh.tab[j] = *e;
					break;
				}
		}
		free(h->tab);
		h->tab = nh.tab;
		h->mask = nh.mask;
	}
	hv = hashset_hash(s, len);
	for (uint32_t i = hv & h->mask;; i = (i + 1) & h->mask)
		if (!h->tab[i].hash) {
			h->tab[i].hash = hv;
			h->tab[i].len = len;
			h->tab[i].s = s;	/* s must outlive the set (arena) */
			h->n++;
			return true;
		}
}

void hashset_free(struct hashset *h)
{
	if (h) {
		free(h->tab);
		free(h);
	}
}
