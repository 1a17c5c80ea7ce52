/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the rules stage's private data: loaded items, compiled
 * programs, constants, slots and the engine. Only the rules stage includes it.
 */
#ifndef VIGIL_RULES_INTERNAL_H
#define VIGIL_RULES_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "event/event.h"
#include "fields/fields.h"
#include "rules/ast.h"
#include "rules/opcodes.h"
#include "rules/rules.h"

/* ---- string hash set (constant sets of `in`/`intersects`) ---- */
struct hashset {
	uint32_t mask;		/* capacity - 1, power of two */
	uint32_t n;
	struct hs_ent { uint32_t hash, len; const char *s; } *tab;
};
struct hashset *hashset_new(uint32_t expected);
bool hashset_add(struct hashset *h, const char *s, uint32_t len);	/* false on OOM */
bool hashset_has(const struct hashset *h, const char *s, uint32_t len);
uint32_t hashset_hash(const char *s, uint32_t len);
bool hashset_has_h(const struct hashset *h, const char *s, uint32_t len, uint32_t hv);
void hashset_free(struct hashset *h);

/* ---- items as loaded ---- */
struct loc {
	const char *file, *raw;
	int line, col;
};

struct cond {
	char *text;
	struct srcmap *map;
};

struct strv {
	const char **v;
	struct loc *loc;	/* per value, may be NULL */
	size_t n;
};

struct list_def {
	const char *name;
	struct strv items;
	struct loc loc;
	int order;
	bool used, expanding;
};

struct macro_def {
	const char *name;
	struct cond cond;
	struct ast *ast;	/* parsed on first use */
	bool parsed, bad;
	struct loc loc;
	int order;
	bool used, expanding;
};

/* One exception: fields (one or several), comps, and value rows. */
struct exc_val {		/* one cell: a scalar or a YAML list */
	const char *s;
	struct strv list;
	bool is_list;
	struct loc loc;
};
struct exception {
	const char *name;
	struct loc loc;
	bool single;		/* fields: is a scalar */
	size_t nfields;
	const char **fields;
	const char **comps;	/* nfields entries, NULL = default */
	struct loc *fields_loc;
	size_t nrows;
	struct exc_val **rows;	/* nrows x (single ? 1 : nfields) */
	size_t *rowlen;
};

struct program;
struct outfmt;

struct rule_def {
	struct rule_info info;
	struct cond cond;
	struct loc loc, output_loc;
	int order;
	bool has_output, has_priority, has_cond;
	bool warn_evttypes, skip_unknown;
	const char **tags;
	size_t ntags;
	struct exception *exc;
	size_t nexc;
	/* compiled */
	struct program *prog;
	struct outfmt *out;
	unsigned long long evbits[VIGIL_EVT_BITMAP_WORDS];
};

/* ---- compiled form ---- */

/* A field slot: a field plus transformers, shared by every rule of the
 * engine so that each is extracted once per event. */
struct slot {
	struct field_ref ref;
	const char *text;	/* canonical spelling, for listings */
	uint8_t nxf;
	uint8_t xf[AST_MAX_XFORMS];
	enum field_type type;	/* after transformers */
	bool multi;		/* may yield several values (after transformers) */
	bool many;		/* extracted as a list (before transformers) */
};

enum kconst_kind { K_STR, K_INT, K_UINT, K_BOOL, K_IP, K_NET, K_SET, K_NETS, K_PATHS, K_REGEX,
		  K_EVTYPES };
struct kconst {
	enum kconst_kind kind;
	const char *s;		/* K_STR (also bytes); glob patterns NUL-terminated */
	uint32_t len;
	int64_t i;
	uint64_t u;
	bool b;
	uint8_t family, bits;	/* K_IP / K_NET */
	uint8_t a[16];
	struct hashset *set;	/* K_SET */
	struct kconst *items;	/* K_NETS / K_PATHS */
	uint32_t nitems;
	pcre2_code *re;		/* K_REGEX */
	unsigned long long evbits[VIGIL_EVT_BITMAP_WORDS];	/* K_EVTYPES */
	const char *text;	/* how the listing shows it */
};

struct program {
	struct vm_insn *code;
	uint32_t ncode;
	struct kconst *k;
	uint32_t nk;
	/* code[0..nguard-1] are guards: memoized tests whose failure ends the
	 * program false (a top-level `and` prefix). rules_eval() skips a rule
	 * when one of them is already known false for the event, and starts
	 * the VM after those already known true. */
	uint32_t nguard;
};

/* An output format: literal text and field slots, alternating. */
struct outpart {
	const char *lit;
	uint32_t litlen;
	int slot;		/* -1: literal only */
	const char *name;	/* field text as written after % */
};
struct outfmt {
	struct outpart *parts;
	uint32_t nparts;
	uint32_t nfields;	/* distinct fields, for output_fields */
};

#define VM_MAXV 16
struct slot_cache {
	uint32_t gen;
	int n;
	bool hashed;		/* h[] is filled (set lookups hash a value once) */
	uint32_t h[VM_MAXV];
	struct fv v[VM_MAXV];
};

struct memo {
	uint32_t gen;
	bool val;
};

struct rules_ctx {
	struct rules_engine *e;
	struct field_ctx fc;
	uint32_t gen;
	struct slot_cache *cache;	/* one per engine slot */
	struct memo *memo;		/* one per engine comparison */
	uint32_t nmemo;
	pcre2_match_data *md;
	size_t xused;
	char xbuf[16384];		/* transformer output, per event */
	char outbuf[8192];
	char valbuf[8192];
	struct rule_outfield of[64];
};

struct rules_engine {
	struct arena a;
	struct diag_list diags;
	struct rule_def **rules;
	size_t nrules, caprules;
	struct macro_def **macros;
	size_t nmacros, capmacros;
	struct list_def **lists;
	size_t nlists, caplists;
	int order;		/* items seen so far */
	struct slot *slots;
	uint32_t nslots, capslots;
	uint32_t *slot_tab;		/* slot index + 1 by hash of its text; 0 = empty */
	uint32_t slot_tabcap;		/* a power of two, > 2 * nslots */
	struct idx_ent {		/* rules per event type, in load order */
		const struct program *prog;
		uint32_t rule;
	} *idx[VIGIL_EVT_NR];
	uint32_t nidx[VIGIL_EVT_NR];
	enum rules_matching matching;
	bool finished;
	uint64_t *memo_keys;		/* distinct comparisons, by content hash */
	uint32_t nmemo, capmemo;
	struct program **extra;		/* programs made by rules_dump() */
	size_t nextra;
};

/* loader.c */
int loader_load(struct rules_engine *e, const char *name, const char *text);
struct list_def *rule_find_list(struct rules_engine *e, const char *name);
struct macro_def *rule_find_macro(struct rules_engine *e, const char *name);
struct rule_def *rule_find_rule(struct rules_engine *e, const char *name);

/* compile.c: compiles one condition (rule or ad hoc). order limits which
 * macros are visible. Returns NULL on error (diagnostics added). */
struct program *compile_cond(struct rules_engine *e, struct rule_def *r,
			     const struct cond *c, int order,
			     unsigned long long evbits[VIGIL_EVT_BITMAP_WORDS], bool *unknown_field);
void program_free(struct program *p);
int slot_intern(struct rules_engine *e, const struct ast_field *f, const struct srcmap *m,
		char *err, size_t errlen);
const char *rule_type_name(enum field_type t);
void program_dump(const struct rules_engine *e, const struct program *p, FILE *f);

/* output.c */
struct outfmt *outfmt_compile(struct rules_engine *e, const char *text, const struct loc *loc);
const char *outfmt_render(struct rules_ctx *c, const struct outfmt *o, size_t *nfields);

/* vm.c */
/* Runs p from pc (0, or past guards known true); returns the verdict. */
bool vm_run(struct rules_ctx *c, const struct program *p, uint32_t pc);
int slot_get(struct rules_ctx *c, uint32_t slot, const struct fv **out);

#endif
