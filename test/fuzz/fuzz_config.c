/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config.c - libFuzzer target for the vigil.yaml loader: any input must
 * either load (and then free cleanly) or fail with a message naming the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_config *c = NULL;
	char err[512];

	err[0] = 0;
	if (config_parse((const char *)data, size, "fuzz.yaml", 1764790000, &c, err,
			 sizeof(err)) == 0) {
		if (!c)
			abort();
		config_free(c);
	} else if (c || strncmp(err, "fuzz.yaml", 9)) {
		abort();	/* failure must name the file and return nothing */
	}
	return 0;
}
