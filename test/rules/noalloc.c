/* SPDX-License-Identifier: MIT */
/*
 * noalloc.c - proves "no heap allocation per event on the evaluation path":
 * rules_eval() (index, VM, field extraction, regexes, output rendering of
 * every match) must not call malloc, calloc, realloc, free or an aligned
 * allocator once warmed up.
 *
 *   noalloc [-n EVENTS] RULEFILE|DIR...
 *
 * Every allocation function of the process is interposed here (they forward
 * to glibc's __libc_* entry points), so allocations made by libc or by
 * shared libraries on vigil's behalf (strdup, PCRE2's match frames, ...)
 * count too. Built without sanitizers, which replace the allocator.
 *
 * The host and the event mix are bench_rules.c's (test/bench): a process
 * tree and fd tables through the state stage, then a pool of generated
 * events of a realistic mix. Every pool event is evaluated once to warm up
 * (lazy caches, first-time regex frames), then EVENTS (default 200000)
 * drawn at random with matching "all", counting allocations only inside
 * rules_eval(). Prints PASS/FAIL lines in the layer's format; on FAIL the
 * callers of the first allocations (object+offset, for addr2line -e).
 */
#define main bench_rules_main	/* reuse the generator, not its main */
#include "../bench/bench_rules.c"
#undef main

#include <dlfcn.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static volatile int counting;
static unsigned long nalloc, nfree;
static void *sites[8];
static size_t nsites;

static void note(void *site, bool is_free)
{
	if (!counting)
		return;
	if (is_free)
		nfree++;
	else
		nalloc++;
	if (nsites < 8)
		sites[nsites++] = site;
}

void *malloc(size_t n)
{
	note(__builtin_return_address(0), false);
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	note(__builtin_return_address(0), false);
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	note(__builtin_return_address(0), false);
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (p)
		note(__builtin_return_address(0), true);
	__libc_free(p);
}

void *memalign(size_t al, size_t n)
{
	note(__builtin_return_address(0), false);
	return __libc_memalign(al, n);
}

void *aligned_alloc(size_t al, size_t n)
{
	note(__builtin_return_address(0), false);
	return __libc_memalign(al, n);
}

int posix_memalign(void **out, size_t al, size_t n)
{
	void *p;

	note(__builtin_return_address(0), false);
	p = __libc_memalign(al, n);
	if (!p)
		return 12;	/* ENOMEM */
	*out = p;
	return 0;
}

static unsigned long nmatch, nbytes;

static void count_match(const struct rule_match *m, void *arg)
{
	(void)arg;
	/* read what an output stage reads: the rendered text and fields */
	nmatch++;
	nbytes += strlen(m->output);
	for (size_t i = 0; i < m->noutfields; i++)
		nbytes += strlen(m->outfields[i].value);
}

int main(int argc, char **argv)
{
	long n = 200000;
	struct rules_engine *e = rules_new();
	struct state_cfg cfg = { .hostname = "noalloc" };
	char err[256];
	struct state *st = state_new(&cfg, err, sizeof(err));
	enum { POOL = 4096 };
	struct evt *pool = calloc(POOL, sizeof(*pool));
	uint8_t *store = malloc((size_t)POOL * 512);
	size_t npool = 0, enabled = 0;
	int nfiles = 0;

	if (!e || !st || !pool || !store) {
		printf("FAIL: noalloc/setup: out of memory or state: %s\n", st ? "" : err);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = atol(argv[++i]);
			continue;
		}
		load_rules_arg(e, argv[i]);
		nfiles++;
	}
	if (!nfiles) {
		fprintf(stderr, "usage: noalloc [-n EVENTS] RULEFILE|DIR...\n");
		return 2;
	}
	if (finish_rules_all(e, stdout)) {
		printf("FAIL: noalloc/load: the rules above have errors\n");
		return 1;
	}
	for (size_t i = 0; i < rules_count(e); i++)
		enabled += rules_get(e, i)->enabled && rules_get(e, i)->compiled;
	build_host(st);		/* bench_rules.c's host and event mix */
	npool = build_pool(store, (size_t)POOL * 512, pool, POOL);
	struct rules_ctx *c = rules_ctx_new(e, st);

	if (!c || !npool) {
		printf("FAIL: noalloc/setup: no context or no events\n");
		return 1;
	}
	for (size_t i = 0; i < npool; i++) {	/* warm up */
		pool[i].num = i + 1;
		rules_eval(e, c, &pool[i], count_match, NULL);
	}
	nmatch = 0;
	for (long i = 0; i < n; i++) {
		struct evt *ev = &pool[rnd() % npool];

		ev->num = npool + (uint64_t)i + 1;
		counting = 1;
		rules_eval(e, c, ev, count_match, NULL);
		counting = 0;
	}
	if (nalloc || nfree) {
		printf("FAIL: noalloc/rules_eval: %lu allocations and %lu frees in %ld events "
		       "(%zu rules enabled, %lu matches); first callers:", nalloc, nfree, n,
		       enabled, nmatch);
		for (size_t i = 0; i < nsites; i++) {
			Dl_info di;

			if (dladdr(sites[i], &di) && di.dli_fname)	/* for addr2line -e */
				printf(" %s+%#lx", strrchr(di.dli_fname, '/') ?
				       strrchr(di.dli_fname, '/') + 1 : di.dli_fname,
				       (unsigned long)((char *)sites[i] - (char *)di.dli_fbase));
			else
				printf(" %p", sites[i]);
		}
		printf("\n");
	} else {
		printf("PASS: noalloc/rules_eval: 0 allocations in %ld events (%zu rules enabled, "
		       "%lu matches)\n", n, enabled, nmatch);
	}
	rules_ctx_free(c);
	rules_free(e);
	state_free(st);
	free(pool);
	free(store);
	return nalloc || nfree ? 1 : 0;
}
