/* SPDX-License-Identifier: MIT */
/* checksum.c - the block checksum: a multiply-xor hash over 8-byte words
 * (payloads are multiples of 8), fast enough not to show in read speed. */
#include <string.h>

#include "capture/capture.h"

uint64_t capture_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, 8);
		h ^= w;
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}
