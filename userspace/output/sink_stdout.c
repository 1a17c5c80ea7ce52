/* SPDX-License-Identifier: MIT */
/* sink_stdout.c - one line per alert on standard output, text or JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "output/sink.h"

static int stdout_open(struct out_sink *s, char *err, size_t errlen)
{
	(void)s;
	(void)err;
	(void)errlen;
	return 0;
}

static size_t stdout_send(struct out_sink *s, struct alert *const *a, size_t n)
{
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		char *line = s->c->format == OUT_FORMAT_JSON ? alert_json(a[i])
							      : alert_text(a[i]);

		if (line && puts(line) >= 0)
			ok++;
		free(line);
	}
	if (fflush(stdout))
		return 0;
	return ok;
}

static void stdout_close(struct out_sink *s)
{
	(void)s;
	fflush(stdout);
}

const struct out_sink_ops out_sink_STDOUT_ops = {
	.open = stdout_open,
	.send = stdout_send,
	.close = stdout_close,
};
