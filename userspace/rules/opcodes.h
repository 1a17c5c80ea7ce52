/* SPDX-License-Identifier: MIT */
/*
 * opcodes.h - THE opcode table of the rule VM (one X-macro; the VM's
 * dispatch, the listing and the compiler all expand it).
 *
 * The VM is an accumulator machine: each comparison sets `acc` (true or
 * false); JF/JT jump without touching acc, which is how and/or short-
 * circuit; RET ends the program with acc as the verdict.
 *
 * X(id, mnemonic, operands, what it does)
 *   operands: NONE, JUMP (arg = target pc), K (arg = constant index),
 *             SLOT (slot = field slot),
 *             SLOT_K (slot, arg = constant index, or with VMF_RHS_SLOT
 *             arg = a second field slot: val())
 * The comparison opcodes EQ..EXISTS are in the order of CMP_OPS (ast.h),
 * so that opcode = VM_OP_EQ + cmp.
 */
#ifndef VIGIL_RULES_OPCODES_H
#define VIGIL_RULES_OPCODES_H

#include <stdint.h>

#define VM_OPCODES(X)							\
	X(EQ,          "eq",          SLOT_K, "acc = any value == k")	\
	X(NE,          "ne",          SLOT_K, "acc = no value == k (and a value exists)") \
	X(LT,          "lt",          SLOT_K, "acc = value < k")	\
	X(LE,          "le",          SLOT_K, "acc = value <= k")	\
	X(GT,          "gt",          SLOT_K, "acc = value > k")	\
	X(GE,          "ge",          SLOT_K, "acc = value >= k")	\
	X(CONTAINS,    "contains",    SLOT_K, "acc = k is a substring")	\
	X(ICONTAINS,   "icontains",   SLOT_K, "the same, ignoring ASCII case") \
	X(BCONTAINS,   "bcontains",   SLOT_K, "acc = bytes k are in the value") \
	X(STARTSWITH,  "startswith",  SLOT_K, "acc = value starts with k") \
	X(BSTARTSWITH, "bstartswith", SLOT_K, "acc = value starts with bytes k") \
	X(ENDSWITH,    "endswith",    SLOT_K, "acc = value ends with k")	\
	X(GLOB,        "glob",        SLOT_K, "acc = value matches shell glob k") \
	X(IGLOB,       "iglob",       SLOT_K, "the same, ignoring case")	\
	X(REGEX,       "regex",       SLOT_K, "acc = PCRE2 (JIT) k matches") \
	X(IN,          "in",          SLOT_K, "acc = a value is in set k") \
	X(INTERSECTS,  "intersects",  SLOT_K, "acc = a value is in set k") \
	X(PMATCH,      "pmatch",      SLOT_K, "acc = value is under a path of k") \
	X(EXISTS,      "exists",      SLOT,   "acc = the field has a value") \
	X(EVTYPE,      "evtype",      K,      "acc = the event's type is in bitmap k") \
	X(JF,          "jf",          JUMP,   "if !acc goto arg")	\
	X(JT,          "jt",          JUMP,   "if acc goto arg")		\
	X(NOT,         "not",         NONE,   "acc = !acc")		\
	X(TRUE,        "true",        NONE,   "acc = true")		\
	X(FALSE,       "false",       NONE,   "acc = false")		\
	X(RET,         "ret",         NONE,   "return acc")

enum vm_operands { VMO_NONE, VMO_JUMP, VMO_K, VMO_SLOT, VMO_SLOT_K };

enum vm_opcode {
#define VM_X_ENUM(id, mn, opnd, doc) VM_OP_##id,
	VM_OPCODES(VM_X_ENUM)
#undef VM_X_ENUM
	VM_OP_NR
};

#define VMF_RHS_SLOT	0x01u	/* arg is a field slot (val()), not a constant */
#define VMF_JF		0x02u	/* then: if !acc goto jmp (a JF fused into the test) */
#define VMF_JT		0x04u	/* then: if acc goto jmp */

/*
 * The shape of a comparison that vm_run() does inline: a scalar field (one
 * value at most) against a constant of the matching kind. rule_pick_fast()
 * picks it; the value's type is still checked at run time, and anything
 * else goes the general way.
 */
enum vm_fast {
	VMX_NONE,	/* the general way (run_cmp) */
	VMX_STR_EQ,	/* string ==, != (by op) */
	VMX_STR_PREFIX,	/* startswith, bstartswith */
	VMX_STR_SUFFIX,	/* endswith */
	VMX_STR_SUB,	/* contains, bcontains */
	VMX_STR_SET,	/* in / intersects a string set */
	VMX_PATHS,	/* pmatch / in / intersects a path list */
	VMX_INT,	/* signed number == != < <= > >= (by op) */
	VMX_UINT,	/* unsigned number, likewise */
	VMX_BOOL,	/* bool == */
};

struct vm_insn {
	uint8_t op;
	uint8_t flags;
	uint16_t slot;
	uint32_t arg;
	uint32_t memo;	/* comparisons: engine-wide id of (op, slot, operand); the
			 * result is computed once per event and shared by rules */
	uint32_t jmp;	/* with VMF_JF / VMF_JT: a fused jump's target */
	uint8_t fast;	/* enum vm_fast */
	uint8_t chain;	/* this fast string test and the next `chain` ones test
			 * one field; all but the last `; jt` one place: vm_run()
			 * fetches the value once and loops (no dispatch) */
};

extern const char *const vm_op_name[VM_OP_NR];
extern const uint8_t vm_op_operands[VM_OP_NR];

#endif
