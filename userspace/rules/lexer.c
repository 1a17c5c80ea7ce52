/* SPDX-License-Identifier: MIT */
/*
 * lexer.c - splits a condition into tokens: ( ) , symbolic operators,
 * quoted strings (Falco's escapes), and bare words. A bare word runs to
 * whitespace, ( ) , quotes or a symbolic operator; a [...] suffix is part
 * of the word (proc.aname[2], container.label[app]).
 */
#include <stdio.h>
#include <string.h>

#include "rules/lexer.h"

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int ends_word(int c)
{
	return is_space(c) || c == '(' || c == ')' || c == ',' || c == '=' || c == '<' ||
	       c == '>' || c == '!' || c == '"' || c == '\'' || c == 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void lex_err(struct tok *t, const char *msg)
{
	t->kind = T_ERR;
	snprintf(t->errbuf, sizeof(t->errbuf), "%s", msg);
	t->s = t->errbuf;
}

static void lex_string(struct lexer *lx, struct tok *t, char *buf, size_t cap)
{
	char q = lx->text[lx->pos++];
	size_t n = 0;

	while (lx->pos < lx->len && lx->text[lx->pos] != q) {
		char c = lx->text[lx->pos++];

		if (c == '\\') {
			if (lx->pos >= lx->len)
				break;
			c = lx->text[lx->pos++];
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '\\': case '"': case '\'': case '/': break;
			case 'x': {
				int h, l;

				if (lx->pos + 1 >= lx->len ||
				    (h = hexval(lx->text[lx->pos])) < 0 ||
				    (l = hexval(lx->text[lx->pos + 1])) < 0) {
					t->off = (uint32_t)(lx->pos - 2);
					lex_err(t, "bad \\x escape in string");
					return;
				}
				lx->pos += 2;
				c = (char)(h * 16 + l);
				break;
			}
			default:
				t->off = (uint32_t)(lx->pos - 2);
				lex_err(t, "unknown escape in string");
				return;
			}
		}
		if (n + 1 >= cap) {
			lex_err(t, "string too long");
			return;
		}
		buf[n++] = c;
	}
	if (lx->pos >= lx->len) {
		lex_err(t, "unterminated string");
		return;
	}
	lx->pos++;
	buf[n] = 0;
	t->kind = T_STR;
	t->s = buf;
	t->slen = (uint32_t)n;
	t->len = (uint32_t)(lx->pos - t->off);
}

void lex_next(struct lexer *lx, struct tok *t, char *buf, size_t cap)
{
	const char *s = lx->text;

	memset(t, 0, sizeof(*t) - sizeof(t->errbuf));
	while (lx->pos < lx->len && is_space(s[lx->pos]))
		lx->pos++;
	t->off = (uint32_t)lx->pos;
	if (lx->pos >= lx->len) {
		t->kind = T_EOF;
		return;
	}
	switch (s[lx->pos]) {
	case '(': t->kind = T_LP; t->len = 1; lx->pos++; return;
	case ')': t->kind = T_RP; t->len = 1; lx->pos++; return;
	case ',': t->kind = T_COMMA; t->len = 1; lx->pos++; return;
	case '"': case '\'':
		lex_string(lx, t, buf, cap);
		return;
	case '=': case '<': case '>': case '!':
		t->kind = T_OP;
		t->len = 1;
		if (lx->pos + 1 < lx->len && s[lx->pos + 1] == '=')
			t->len = 2;
		if (s[lx->pos] == '!' && t->len == 1) {
			lex_err(t, "'!' must be followed by '='");
			lx->pos++;
			return;
		}
		lx->pos += t->len;
		return;
	}
	while (lx->pos < lx->len && !ends_word((unsigned char)s[lx->pos])) {
		if (s[lx->pos] == '[') {
			const char *e = memchr(s + lx->pos, ']', lx->len - lx->pos);

			if (!e) {
				lex_err(t, "missing ']'");
				lx->pos = lx->len;
				return;
			}
			lx->pos = (size_t)(e - s) + 1;
			continue;
		}
		lx->pos++;
	}
	t->kind = T_WORD;
	t->len = (uint32_t)(lx->pos - t->off);
}
