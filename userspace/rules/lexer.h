/* SPDX-License-Identifier: MIT */
/* lexer.h - tokens of a condition (internal to the rules stage). */
#ifndef VIGIL_RULES_LEXER_H
#define VIGIL_RULES_LEXER_H

#include <stdint.h>
#include <stddef.h>

enum tok_kind { T_EOF, T_LP, T_RP, T_COMMA, T_OP, T_WORD, T_STR, T_ERR };

struct tok {
	enum tok_kind kind;
	uint32_t off, len;	/* raw span in the text */
	char *s;		/* T_STR: unescaped (caller's buffer); T_ERR: reason */
	uint32_t slen;
	char errbuf[80];
};

struct lexer {
	const char *text;
	size_t len, pos;
};

/* Next token. T_STR values are unescaped into `buf` (cap bytes). */
void lex_next(struct lexer *lx, struct tok *t, char *buf, size_t cap);

#endif
