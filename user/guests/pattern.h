/* pattern.h - the protocol between the pattern guest (user/guests/pattern.c)
 * and the monitor that drives it (user/tests/vmfork.c).  Both include it,
 * so the numbers and the pattern itself cannot drift apart.
 *
 * The guest loops on one hypercall, PATTERN_HC_NEXT: it hands in the result
 * of the command it just did (RBX, RCX) and gets the next command in RAX.
 * A command is one 64-bit word, so one exit carries it:
 *
 *   bits 0-7   the operation (PAT_*)
 *   bits 8-31  its argument: a size in MiB, or a page number
 *   bits 32-63 a seed (which pattern)
 *
 * Guest RAM from PAT_START up holds patterns: the word at address a written
 * with seed s holds pattern_word(a, s).  Seed 0 is "never written": zero,
 * which is what untouched RAM reads as. */
#ifndef PATTERN_H
#define PATTERN_H

#include <stdint.h>

#define PATTERN_HC_NEXT 16 /* RBX = result, RCX = first bad address; RAX = command */

#define PAT_FILL        1 /* every word in [PAT_START, arg MiB) := pattern_word(a, seed) */
#define PAT_CHECK       2 /* compare [PAT_START, arg MiB) with seed: RBX = bad words, RCX = first */
#define PAT_WRITE_PAGE  3 /* rewrite page number arg with seed */
#define PAT_CHECK_MODEL 4 /* like PAT_CHECK, but page p must hold the seed at PAT_MODEL_ADDR[p] */
#define PAT_EXIT        5 /* the guest exits with status seed */

#define PAT_START (1ul << 20) /* below: page tables, image, stack, the model */
#define PAT_PAGE  4096ul
/* The model for PAT_CHECK_MODEL: one uint32_t seed per page of RAM, indexed
 * by page number, written there by the monitor; 64 KiB of it covers 64 MiB. */
#define PAT_MODEL_ADDR 0x90000ul
#define PAT_MODEL_MAX  (0x10000ul / sizeof(uint32_t))

static inline uint64_t pattern_cmd(uint64_t op, uint64_t arg, uint64_t seed)
{
    return op | (arg & 0xffffff) << 8 | seed << 32;
}

static inline uint64_t pattern_op(uint64_t cmd) { return cmd & 0xff; }
static inline uint64_t pattern_arg(uint64_t cmd) { return (cmd >> 8) & 0xffffff; }
static inline uint32_t pattern_seed(uint64_t cmd) { return (uint32_t)(cmd >> 32); }

/* Different for every address (so a page mapped at the wrong place shows)
 * and for every seed (multiplying by an odd constant is one-to-one). */
static inline uint64_t pattern_word(uint64_t addr, uint32_t seed)
{
    return seed ? addr ^ (seed * 0x9e3779b97f4a7c15ull) : 0;
}

#endif
