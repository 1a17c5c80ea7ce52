/* SPDX-License-Identifier: MIT */
/*
 * fuzz_capture.c - libFuzzer target for the capture-file reader: any input
 * either is refused at open, or reads record by record to a clean end or
 * to an error that names the byte offset ("fuzz: offset N: ..."). Every
 * record handed out decodes, and is rendered as `vigil dump` would.
 */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "event/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct evt ev;

	if (!size)
		return 0;
	/*
	 * Seeds carry the event-table fingerprint of the build that wrote
	 * them; patch in this build's, so that an ABI change does not turn
	 * every seed into "refused at the header" (the refusal itself is
	 * covered by test_capture's header_checks).
	 */
	uint8_t *copy = malloc(size);

	memcpy(copy, data, size);
	if (size >= sizeof(struct capture_file_hdr) && !memcmp(copy, CAPTURE_MAGIC, 8)) {
		uint64_t fp = evt_table_fingerprint();
		uint32_t ne = VIGIL_EVT_NR;

		memcpy(copy + offsetof(struct capture_file_hdr, fingerprint), &fp, 8);
		memcpy(copy + offsetof(struct capture_file_hdr, nr_events), &ne, 4);
	}
	FILE *f = fmemopen(copy, size, "rb");

	if (!f)
		abort();
	struct capture_reader *r = capture_reader_open_stream(f, "fuzz", err, sizeof(err));

	if (!r) {
		if (strncmp(err, "fuzz: ", 6))
			abort();
		fclose(f);
		free(copy);
		return 0;
	}
	int rc;
	uint64_t n = 0;

	while ((rc = capture_reader_next(r, &ev, err, sizeof(err))) == 1) {
		char buf[64];

		if (ev.num != ++n)
			abort();
		for (unsigned i = 0; i < ev.info->nparams; i++)
			evt_param_render(&ev, i, buf, sizeof(buf));
		struct json_object *o = evt_format_json(&ev, capture_reader_info(r)->boot_offset_ns,
							"live");

		json_object_put(o);
	}
	if (rc < 0 && strncmp(err, "fuzz: offset ", 13))
		abort();
	if (rc < 0 && capture_reader_next(r, &ev, err, sizeof(err)) != -1)
		abort();	/* errors stick */
	capture_reader_close(r);
	fclose(f);
	free(copy);
	return 0;
}
