/* SPDX-License-Identifier: MIT */
/*
 * optimize.c - peephole passes over a compiled program: jump threading,
 * folding evt.type tests a rule's index entry already guarantees,
 * fusing a test with the jump that follows it, and marking the guards
 * (the leading tests that end the program false when they fail).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile_int.h"

/* A jump to a jump of the same kind goes straight to the final target;
 * a JF landing on a JT (or the reverse) falls through it. */
void rule_thread_jumps(struct program *p)
{
	for (uint32_t i = 0; i < p->ncode; i++) {
		struct vm_insn *in = &p->code[i];
		int guard = 0;

		if (in->op != VM_OP_JF && in->op != VM_OP_JT)
			continue;
		while (guard++ < 64 && in->arg < p->ncode) {
			const struct vm_insn *t = &p->code[in->arg];

			if (t->op == in->op)
				in->arg = t->arg;
			else if (t->op == VM_OP_JF || t->op == VM_OP_JT)
				in->arg = in->arg + 1;
			else
				break;
		}
	}
}

/*
 * A rule runs only on the event types of its index entry, so an evt.type
 * test that covers all of them is always true there (and one that covers
 * none always false). Such tests become TRUE/FALSE, and a TRUE;JF or
 * FALSE;JT pair that no jump lands in is dropped.
 */
void rule_fold_evtypes(struct program *p, const unsigned long long *ev)
{
	uint32_t *map, n = 0;
	bool *drop, *target;

	for (uint32_t i = 0; i < p->ncode; i++) {
		struct vm_insn *in = &p->code[i];
		bool all = true, none = true;

		if (in->op != VM_OP_EVTYPE)
			continue;
		for (unsigned w = 0; w < VIGIL_EVT_BITMAP_WORDS; w++) {
			all &= (ev[w] & ~p->k[in->arg].evbits[w]) == 0;
			none &= (ev[w] & p->k[in->arg].evbits[w]) == 0;
		}
		if (all || none)
			*in = (struct vm_insn){ all ? VM_OP_TRUE : VM_OP_FALSE, 0, 0, 0, UINT32_MAX, 0,
					       VMX_NONE, 0 };
	}
	map = calloc(p->ncode + 1, sizeof(*map));
	drop = calloc(p->ncode + 1, sizeof(*drop));
	target = calloc(p->ncode + 1, sizeof(*target));
	if (!map || !drop || !target)
		goto out;
	for (uint32_t i = 0; i < p->ncode; i++)
		if (p->code[i].op == VM_OP_JF || p->code[i].op == VM_OP_JT)
			target[p->code[i].arg] = true;
	for (uint32_t i = 0; i + 1 < p->ncode; i++) {
		uint8_t a = p->code[i].op, b = p->code[i + 1].op;

		if (((a == VM_OP_TRUE && b == VM_OP_JF) || (a == VM_OP_FALSE && b == VM_OP_JT)) &&
		    !target[i] && !target[i + 1] && !drop[i]) {
			drop[i] = drop[i + 1] = true;
			i++;
		}
	}
	for (uint32_t i = 0; i <= p->ncode; i++) {
		map[i] = n;
		if (i < p->ncode && !drop[i])
			n++;
	}
	for (uint32_t i = 0, o = 0; i < p->ncode; i++) {
		struct vm_insn in = p->code[i];

		if (drop[i])
			continue;
		if (in.op == VM_OP_JF || in.op == VM_OP_JT)
			in.arg = map[in.arg];
		p->code[o++] = in;
	}
	p->ncode = n;
	rule_thread_jumps(p);
out:
	free(map);
	free(drop);
	free(target);
}

/* A test followed by JF/JT that no jump lands on takes the jump into
 * itself: one dispatch instead of two. */
void rule_fuse_jumps(struct program *p)
{
	uint32_t *map = calloc(p->ncode + 1, sizeof(*map)), n = 0;
	bool *drop = calloc(p->ncode + 1, sizeof(*drop));
	bool *target = calloc(p->ncode + 1, sizeof(*target));

	if (!map || !drop || !target)
		goto out;
	for (uint32_t i = 0; i < p->ncode; i++)
		if (p->code[i].op == VM_OP_JF || p->code[i].op == VM_OP_JT)
			target[p->code[i].arg] = true;
	for (uint32_t i = 0; i + 1 < p->ncode; i++) {
		struct vm_insn *a = &p->code[i], *b = &p->code[i + 1];

		if (vm_op_operands[a->op] < VMO_K || (b->op != VM_OP_JF && b->op != VM_OP_JT) ||
		    target[i + 1] || (a->flags & (VMF_JF | VMF_JT)))
			continue;
		a->flags |= b->op == VM_OP_JF ? VMF_JF : VMF_JT;
		a->jmp = b->arg;
		drop[i + 1] = true;
		i++;
	}
	for (uint32_t i = 0; i <= p->ncode; i++) {
		map[i] = n;
		if (i < p->ncode && !drop[i])
			n++;
	}
	for (uint32_t i = 0, o = 0; i < p->ncode; i++) {
		struct vm_insn in = p->code[i];

		if (drop[i])
			continue;
		if (in.op == VM_OP_JF || in.op == VM_OP_JT)
			in.arg = map[in.arg];
		if (in.flags & (VMF_JF | VMF_JT))
			in.jmp = map[in.jmp];
		p->code[o++] = in;
	}
	p->ncode = n;
out:
	free(map);
	free(drop);
	free(target);
}

/* The leading run of memoized tests fused with a JF to a RET: when one
 * fails the program returns false, whatever follows. */
void rule_count_guards(struct program *p)
{
	uint32_t i = 0;

	while (i < p->ncode) {
		const struct vm_insn *in = &p->code[i];

		if (in->op > VM_OP_EXISTS || in->memo == UINT32_MAX ||
		    (in->flags & (VMF_JF | VMF_JT)) != VMF_JF || in->jmp >= p->ncode ||
		    p->code[in->jmp].op != VM_OP_RET)
			break;
		i++;
	}
	p->nguard = i;
}

/* Which fast path (enum vm_fast) a comparison of a constant with a field
 * that has one value at most can take. */
static uint8_t fast_kind(unsigned op, const struct kconst *k)
{
	switch (op) {
	case VM_OP_EQ:
	case VM_OP_NE:
		if (k->kind == K_STR)
			return VMX_STR_EQ;
		if (k->kind == K_BOOL && op == VM_OP_EQ)
			return VMX_BOOL;
		/* fall through */
	case VM_OP_LT:
	case VM_OP_LE:
	case VM_OP_GT:
	case VM_OP_GE:
		return k->kind == K_INT ? VMX_INT : k->kind == K_UINT ? VMX_UINT : VMX_NONE;
	case VM_OP_STARTSWITH:
	case VM_OP_BSTARTSWITH:
		return k->kind == K_STR ? VMX_STR_PREFIX : VMX_NONE;
	case VM_OP_ENDSWITH:
		return k->kind == K_STR ? VMX_STR_SUFFIX : VMX_NONE;
	case VM_OP_CONTAINS:
	case VM_OP_BCONTAINS:
		return k->kind == K_STR ? VMX_STR_SUB : VMX_NONE;
	case VM_OP_IN:
	case VM_OP_INTERSECTS:
		if (k->kind == K_SET)
			return VMX_STR_SET;
		/* fall through */
	case VM_OP_PMATCH:
		return k->kind == K_PATHS ? VMX_PATHS : VMX_NONE;
	default:
		return VMX_NONE;
	}
}

/* Whether a and b (the next) can be in one chain: fast string tests of
 * one field, a jumping where b is not jumped to. */
static bool chains_with(const struct vm_insn *a, const struct vm_insn *b, bool b_target,
			uint32_t first_jmp)
{
	return a->fast && a->fast <= VMX_PATHS && b->fast && b->fast <= VMX_PATHS &&
	       a->slot == b->slot && (a->flags & (VMF_JF | VMF_JT)) == VMF_JT &&
	       a->jmp == first_jmp && !b_target && b->memo != UINT32_MAX;
}

/* Marks the comparisons vm_run() can do inline (see enum vm_fast), and
 * the chains of them it runs in one loop. */
void rule_pick_fast(const struct rules_engine *e, struct program *p)
{
	bool *target = calloc(p->ncode + 1, sizeof(*target));

	for (uint32_t i = 0; i < p->ncode; i++) {
		struct vm_insn *in = &p->code[i];

		in->fast = VMX_NONE;
		in->chain = 0;
		if (target && (in->op == VM_OP_JF || in->op == VM_OP_JT) && in->arg < p->ncode)
			target[in->arg] = true;
		if (target && (in->flags & (VMF_JF | VMF_JT)) && in->jmp < p->ncode)
			target[in->jmp] = true;
		if (vm_op_operands[in->op] != VMO_SLOT_K || (in->flags & VMF_RHS_SLOT) ||
		    in->slot >= e->nslots || e->slots[in->slot].many || in->arg >= p->nk)
			continue;
		in->fast = fast_kind(in->op, &p->k[in->arg]);
	}
	if (!target)
		return;		/* no chains: still right, only slower */
	for (uint32_t i = 0; i < p->ncode; i++) {
		struct vm_insn *in = &p->code[i];
		uint32_t n = 0;

		if (in->memo == UINT32_MAX)
			continue;
		while (n < UINT8_MAX && i + n + 1 < p->ncode &&
		       chains_with(&p->code[i + n], &p->code[i + n + 1], target[i + n + 1], in->jmp))
			n++;
		in->chain = (uint8_t)n;
	}
	free(target);
}
