/* SPDX-License-Identifier: MIT */
/*
 * parser.c - recursive descent over the condition grammar:
 *
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | '(' expr ')' | check
 *   check   := operand ( binop value | listop list | 'exists' )
 *            | NAME                                     (a macro)
 *   operand := FIELD | XFORM '(' operand ')'
 *   value   := WORD | STRING | 'val' '(' operand ')'
 *   list    := '(' [item (',' item)*] ')' | NAME        (a list)
 *
 * Keywords are case-sensitive, as in Falco.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/ast.h"
#include "rules/lexer.h"

const char *const cmp_op_name[CMP_NR] = {
#define CMP_X_NAME(id, s, a) s,
	CMP_OPS(CMP_X_NAME)
#undef CMP_X_NAME
};
const uint8_t cmp_op_arity[CMP_NR] = {
#define CMP_X_AR(id, s, a) a,
	CMP_OPS(CMP_X_AR)
#undef CMP_X_AR
};
const char *const xform_name[XF_NR] = {
#define XF_X_NAME(id, s) s,
	XFORMS(XF_X_NAME)
#undef XF_X_NAME
};

#define PARSE_MAX_DEPTH 200
#define STRBUF 4096

struct parser {
	struct arena *a;
	const struct srcmap *m;
	struct diag_list *d;
	struct lexer lx;
	struct tok t;		/* current token */
	char sbuf[STRBUF];
	char tbuf[64];		/* tok_text() */
	bool failed;
	int depth;
};

static void next(struct parser *p)
{
	lex_next(&p->lx, &p->t, p->sbuf, sizeof(p->sbuf));
}

static void perr(struct parser *p, uint32_t off, const char *fmt, const char *arg)
{
	struct diag_loc loc;

	if (p->failed)
		return;
	p->failed = true;
	/* a lexer error where a token was expected ("expected a value, found
	 * '%s'" with tok_text()): the lexer's own message, at its offset */
	if (p->t.kind == T_ERR && arg == p->t.s)
		fmt = "%s";
	srcmap_locate(p->m, off, &loc);
	diag_add(p->d, DIAG_ERROR, &loc, fmt, arg);
}

static bool tok_is(const struct parser *p, const char *word)
{
	size_t n = strlen(word);

	return p->t.kind == T_WORD && p->t.len == n && !memcmp(p->m->text + p->t.off, word, n);
}

static const char *tok_text(struct parser *p)
{
	char *buf = p->tbuf;
	size_t n;

	switch (p->t.kind) {
	case T_EOF: return "end of condition";
	case T_ERR: return p->t.s;
	default: break;
	}
	n = p->t.len < sizeof(p->tbuf) - 1 ? p->t.len : sizeof(p->tbuf) - 1;
	memcpy(buf, p->m->text + p->t.off, n);
	buf[n] = 0;
	return buf;
}

static struct ast *node(struct parser *p, enum ast_kind k, uint32_t off)
{
	struct ast *n = arena_alloc(p->a, sizeof(*n));

	if (!n) {
		perr(p, off, "%s", "out of memory");
		return NULL;
	}
	n->kind = k;
	n->off = off;
	n->src = p->m;
	return n;
}

static int word_op(struct parser *p)
{
	if (p->t.kind == T_OP) {
		const char *s = p->m->text + p->t.off;

		if (p->t.len == 2 && s[0] == '=')
			return CMP_EQ;
		if (p->t.len == 1 && s[0] == '=')
			return CMP_EQ;
		if (s[0] == '!')
			return CMP_NE;
		if (s[0] == '<')
			return p->t.len == 2 ? CMP_LE : CMP_LT;
		if (s[0] == '>')
			return p->t.len == 2 ? CMP_GE : CMP_GT;
		return -1;
	}
	if (p->t.kind != T_WORD)
		return -1;
	for (int i = CMP_CONTAINS; i < CMP_NR; i++)
		if (tok_is(p, cmp_op_name[i]))
			return i;
	return -1;
}

static int word_xform(struct parser *p)
{
	for (int i = 0; i < XF_NR; i++)
		if (tok_is(p, xform_name[i]))
			return i;
	return -1;
}

/* Is the next raw char after the current token '(' (ignoring spaces)? */
static bool paren_follows(struct parser *p)
{
	size_t i = p->lx.pos;

	while (i < p->lx.len && (p->m->text[i] == ' ' || p->m->text[i] == '\t'))
		i++;
	return i < p->lx.len && p->m->text[i] == '(';
}

static bool parse_operand(struct parser *p, struct ast_field *f)
{
	uint8_t stack[AST_MAX_XFORMS];
	int n = 0, x;

	while (p->t.kind == T_WORD && (x = word_xform(p)) >= 0 && paren_follows(p)) {
		if (n == AST_MAX_XFORMS) {
			perr(p, p->t.off, "%s", "too many nested transformers");
			return false;
		}
		stack[n++] = (uint8_t)x;
		next(p);	/* the '(' */
		next(p);
	}
	if (p->t.kind != T_WORD) {
		perr(p, p->t.off, "expected a field, found '%s'", tok_text(p));
		return false;
	}
	f->text = arena_strndup(p->a, p->m->text + p->t.off, p->t.len);
	f->off = p->t.off;
	next(p);
	for (int i = n - 1; i >= 0; i--) {
		if (p->t.kind != T_RP) {
			perr(p, p->t.off, "expected ')' after transformer argument, found '%s'",
			     tok_text(p));
			return false;
		}
		next(p);
		f->xf[f->nxf++] = stack[i];
	}
	return f->text != NULL;
}

static bool add_val(struct parser *p, struct ast *n, uint32_t *cap)
{
	struct ast_val *v;

	if (n->nvals == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 4;
		struct ast_val *nv = arena_alloc(p->a, nc * sizeof(*nv));

		if (!nv) {
			perr(p, p->t.off, "%s", "out of memory");
			return false;
		}
		if (n->nvals)
			memcpy(nv, n->vals, n->nvals * sizeof(*nv));
		n->vals = nv;
		*cap = nc;
	}
	v = &n->vals[n->nvals++];
	v->off = p->t.off;
	if (p->t.kind == T_STR) {
		v->s = arena_strndup(p->a, p->t.s, p->t.slen);
		v->len = p->t.slen;
		v->quoted = true;
	} else {
		v->s = arena_strndup(p->a, p->m->text + p->t.off, p->t.len);
		v->len = p->t.len;
		v->is_name = true;
	}
	next(p);
	return v->s != NULL;
}

static bool parse_list(struct parser *p, struct ast *n)
{
	uint32_t cap = 0;

	if (p->t.kind == T_WORD) {	/* a list name */
		n->name = arena_strndup(p->a, p->m->text + p->t.off, p->t.len);
		n->rhs_list = true;
		if (!add_val(p, n, &cap))
			return false;
		return true;
	}
	if (p->t.kind != T_LP) {
		perr(p, p->t.off, "expected '(' or a list name, found '%s'", tok_text(p));
		return false;
	}
	n->rhs_list = true;
	next(p);
	if (p->t.kind == T_RP) {
		next(p);
		return true;
	}
	for (;;) {
		if (p->t.kind != T_WORD && p->t.kind != T_STR) {
			perr(p, p->t.off, "expected a list item, found '%s'", tok_text(p));
			return false;
		}
		if (!add_val(p, n, &cap))
			return false;
		if (p->t.kind == T_COMMA) {
			next(p);
			continue;
		}
		if (p->t.kind == T_RP) {
			next(p);
			return true;
		}
		perr(p, p->t.off, "expected ',' or ')' in list, found '%s'", tok_text(p));
		return false;
	}
}

static struct ast *parse_check(struct parser *p)
{
	uint32_t off = p->t.off, cap = 0;
	struct ast *n = node(p, AST_CMP, off);
	int op;

	if (!n)
		return NULL;
	if (p->t.kind == T_WORD && word_xform(p) < 0) {
		/* NAME alone is a macro: no operator follows */
		struct lexer save = p->lx;
		struct tok tsave = p->t;
		bool is_macro;

		next(p);
		is_macro = word_op(p) < 0;
		p->lx = save;
		p->t = tsave;
		if (is_macro) {
			const char *s = p->m->text + off;

			for (uint32_t i = 0; i < p->t.len; i++) {
				char c = s[i];

				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				      (c >= '0' && c <= '9') || c == '_')) {
					if (strchr(tok_text(p), '.'))
						perr(p, off, "expected an operator after field '%s'",
						     tok_text(p));
					else
						perr(p, off, "'%s' is not a valid macro name",
						     tok_text(p));
					return NULL;
				}
			}
			n->kind = AST_MACRO;
			n->name = arena_strndup(p->a, s, p->t.len);
			next(p);
			return n->name ? n : NULL;
		}
	}
	if (!parse_operand(p, &n->lhs))
		return NULL;
	op = word_op(p);
	if (op < 0) {
		perr(p, p->t.off, "expected an operator, found '%s'", tok_text(p));
		return NULL;
	}
	n->op = (enum cmp_op)op;
	next(p);
	switch (cmp_op_arity[op]) {
	case 1:
		return n;
	case 3:
		return parse_list(p, n) ? n : NULL;
	}
	if (tok_is(p, "val") && paren_follows(p)) {
		next(p);
		next(p);
		if (!parse_operand(p, &n->rhs_f))
			return NULL;
		if (p->t.kind != T_RP) {
			perr(p, p->t.off, "expected ')' after val(, found '%s'", tok_text(p));
			return NULL;
		}
		next(p);
		n->rhs_field = true;
		return n;
	}
	if (p->t.kind == T_OP && p->t.len == 1 && strchr("<>", p->m->text[p->t.off]))
		p->t.kind = T_WORD;	/* evt.dir = < (older Falco rules) */
	if (p->t.kind != T_WORD && p->t.kind != T_STR) {
		perr(p, p->t.off, "expected a value, found '%s'", tok_text(p));
		return NULL;
	}
	if (!add_val(p, n, &cap))
		return NULL;
	n->vals[0].is_name = false;
	return n;
}

static struct ast *parse_or(struct parser *p);

static struct ast *parse_unary(struct parser *p)
{
	struct ast *n;

	if (p->t.kind == T_ERR) {
		perr(p, p->t.off, "%s", p->t.s);
		return NULL;
	}
	if (++p->depth > PARSE_MAX_DEPTH) {
		perr(p, p->t.off, "%s", "condition nested too deeply");
		return NULL;
	}
	if (tok_is(p, "not")) {
		n = node(p, AST_NOT, p->t.off);
		next(p);
		if (n && !(n->l = parse_unary(p)))
			n = NULL;
	} else if (p->t.kind == T_LP) {
		uint32_t off = p->t.off;

		next(p);
		n = parse_or(p);
		if (n && p->t.kind != T_RP) {
			perr(p, p->t.kind == T_EOF ? off : p->t.off,
			     p->t.kind == T_EOF ? "%s" : "expected ')', found '%s'",
			     p->t.kind == T_EOF ? "unbalanced '('" : tok_text(p));
			n = NULL;
		}
		if (n)
			next(p);
	} else if (p->t.kind == T_EOF) {
		perr(p, p->t.off, "%s", "unexpected end of condition");
		n = NULL;
	} else if (p->t.kind != T_WORD || tok_is(p, "and") || tok_is(p, "or")) {
		perr(p, p->t.off, "unexpected '%s'", tok_text(p));
		n = NULL;
	} else {
		n = parse_check(p);
	}
	p->depth--;
	return n;
}

static struct ast *parse_and(struct parser *p)
{
	struct ast *l = parse_unary(p);

	while (l && tok_is(p, "and")) {
		struct ast *n = node(p, AST_AND, p->t.off);

		next(p);
		if (!n)
			return NULL;
		n->l = l;
		if (!(n->r = parse_unary(p)))
			return NULL;
		l = n;
	}
	return l;
}

static struct ast *parse_or(struct parser *p)
{
	struct ast *l = parse_and(p);

	while (l && tok_is(p, "or")) {
		struct ast *n = node(p, AST_OR, p->t.off);

		next(p);
		if (!n)
			return NULL;
		n->l = l;
		if (!(n->r = parse_and(p)))
			return NULL;
		l = n;
	}
	return l;
}

struct ast *cond_parse(struct arena *a, const struct srcmap *m, struct diag_list *d)
{
	struct parser *p = calloc(1, sizeof(*p));	/* ~4 KiB: not on the stack */
	struct ast *n;

	if (!p) {
		diag_add(d, DIAG_ERROR, NULL, "%s", "out of memory");
		return NULL;
	}
	p->a = a;
	p->m = m;
	p->d = d;
	p->lx.text = m->text;
	p->lx.len = strlen(m->text);
	next(p);
	n = parse_or(p);
	if (n && p->t.kind != T_EOF) {
		if (p->t.kind == T_ERR)
			perr(p, p->t.off, "%s", p->t.s);
		else if (p->t.kind == T_RP)
			perr(p, p->t.off, "%s", "unbalanced ')'");
		else
			perr(p, p->t.off, "expected 'and', 'or' or end of condition, found '%s'",
			     tok_text(p));
		n = NULL;
	}
	if (p->failed)
		n = NULL;
	free(p);
	return n;
}

/* ---- source positions ---- */

static void walk(const struct src_seg *s, uint32_t rel, const char *text, struct diag_loc *loc)
{
	const char *r = s->raw;
	int line = s->line, col = s->col;
	size_t pos = 0;

	loc->file = s->file;
	loc->raw = s->raw;
	loc->line = line;
	loc->col = col + (int)rel;
	if (!r)
		return;
	/* find the scalar's first char in raw */
	for (int l = 1; l < line && r[pos]; pos++)
		if (r[pos] == '\n')
			l++;
	pos += (size_t)(col - 1);
	if (pos > strlen(r))
		return;
	if (s->style == 2 || s->style == 3)	/* quoted: skip the quote */
		pos++, col++;
	else if (s->style == 4 || s->style == 5) {	/* literal / folded block */
		while (r[pos] && r[pos] != '\n')
			pos++;
		if (r[pos])
			pos++, line++, col = 1;
		while (r[pos] == ' ')
			pos++, col++;
	}
	for (uint32_t i = 0; i < rel && r[pos]; i++) {
		char c = text[i];

		if (r[pos] == c) {
			if (c == '\n') {
				/* a kept newline (literal block, or a more-indented
				 * line of a folded one): skip the indentation that is
				 * not part of the value */
				size_t k = 0, m = 0;

				line++;
				col = 1;
				pos++;
				while (r[pos + k] == ' ')
					k++;
				while (text[i + 1 + m] == ' ')
					m++;
				if (k > m)
					pos += k - m, col += (int)(k - m);
				continue;
			}
			pos++, col++;
			continue;
		}
		if (r[pos] == '\n' || r[pos] == ' ' || r[pos] == '\r') {
			/* folding: a newline plus indentation became one space */
			while (r[pos] == '\n' || r[pos] == ' ' || r[pos] == '\r' || r[pos] == '\t') {
				if (r[pos] == '\n')
					line++, col = 0;
				pos++, col++;
			}
			if (c != ' ' && r[pos] == c)
				pos++, col++;
			continue;
		}
		if (r[pos] == '\\' || (r[pos] == '\'' && s->style == 2)) {
			pos += 2, col += 2;	/* an escape in a quoted scalar */
			continue;
		}
		pos++, col++;
	}
	loc->line = line;
	loc->col = col;
}

void srcmap_locate(const struct srcmap *m, uint32_t off, struct diag_loc *loc)
{
	unsigned i = 0;

	memset(loc, 0, sizeof(*loc));
	if (!m || !m->nseg) {
		loc->line = 1;
		loc->col = (int)off + 1;
		return;
	}
	while (i + 1 < m->nseg && m->seg[i + 1].off <= off)
		i++;
	walk(&m->seg[i], off - m->seg[i].off, m->text + m->seg[i].off, loc);
}

/* ---- rendering ---- */

struct sbuf {
	char *p;
	size_t size, n;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, b->n++)
		if (b->n + 1 < b->size)
			b->p[b->n] = s[i];
	if (b->size)
		b->p[b->n < b->size ? b->n : b->size - 1] = 0;
}

static void puts_(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void render_field(struct sbuf *b, const struct ast_field *f)
{
	for (int i = f->nxf - 1; i >= 0; i--) {
		puts_(b, xform_name[f->xf[i]]);
		puts_(b, "(");
	}
	puts_(b, f->text);
	for (int i = 0; i < f->nxf; i++)
		puts_(b, ")");
}

static void render_val(struct sbuf *b, const struct ast_val *v)
{
	put(b, "\"", 1);
	for (uint32_t i = 0; i < v->len; i++) {
		if (v->s[i] == '"' || v->s[i] == '\\')
			put(b, "\\", 1);
		put(b, v->s + i, 1);
	}
	put(b, "\"", 1);
}

static void render(struct sbuf *b, const struct ast *n)
{
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		puts_(b, "(");
		render(b, n->l);
		puts_(b, n->kind == AST_AND ? " and " : " or ");
		render(b, n->r);
		puts_(b, ")");
		break;
	case AST_NOT:
		puts_(b, "not ");
		render(b, n->l);
		break;
	case AST_MACRO:
		puts_(b, n->name);
		break;
	case AST_CONST:
		puts_(b, n->cval ? "true" : "false");
		break;
	case AST_CMP:
		render_field(b, &n->lhs);
		puts_(b, " ");
		puts_(b, cmp_op_name[n->op]);
		if (n->op == CMP_EXISTS)
			break;
		puts_(b, " ");
		if (n->rhs_field) {
			puts_(b, "val(");
			render_field(b, &n->rhs_f);
			puts_(b, ")");
		} else if (n->rhs_list) {
			puts_(b, "(");
			for (uint32_t i = 0; i < n->nvals; i++) {
				if (i)
					puts_(b, ", ");
				render_val(b, &n->vals[i]);
			}
			puts_(b, ")");
		} else if (n->nvals) {
			render_val(b, &n->vals[0]);
		}
		break;
	}
}

size_t ast_render(const struct ast *n, char *buf, size_t size)
{
	struct sbuf b = { buf, size, 0 };

	if (size)
		buf[0] = 0;
	render(&b, n);
	return b.n;
}
