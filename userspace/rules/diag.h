/* SPDX-License-Identifier: MIT */
/*
 * diag.h - diagnostics of the rules stage: errors and warnings with a file,
 * line and column, printed GCC style with the offending line and a caret.
 */
#ifndef VIGIL_RULES_DIAG_H
#define VIGIL_RULES_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum diag_sev { DIAG_ERROR, DIAG_WARNING };

struct diag_loc {
	const char *file;	/* NULL when the text has no file */
	const char *raw;	/* the file's text, for the caret line */
	int line, col;		/* 1-based; 0 = unknown */
};

struct diag {
	enum diag_sev sev;
	char *file;		/* owned */
	int line, col;
	char *msg;		/* owned */
	char *text;		/* the offending source line, owned, or NULL */
};

struct diag_list {
	struct diag *v;
	size_t n, cap;
	size_t nerr, nwarn;
	bool oom;
};

void diag_add(struct diag_list *d, enum diag_sev sev, const struct diag_loc *loc,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diag_vadd(struct diag_list *d, enum diag_sev sev, const struct diag_loc *loc,
	       const char *fmt, va_list ap);
/* file:line:col: error: msg, then the line and a caret under the column. */
void diag_print(const struct diag *g, FILE *f);
void diag_list_free(struct diag_list *d);

#endif
