/* pte.h - the x86-64 page-table entry format, defined once.
 * Every level (PML4, PDPT, PD, PT) uses the same 64-bit entry; bit 7 means
 * "large page" in PDPT/PD entries. Bits 9-11 and 52-58 are ours. */
#ifndef PTE_H
#define PTE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_P         (1ul << 0) /* present */
#define PTE_W         (1ul << 1) /* writable (ANDed across levels) */
#define PTE_U         (1ul << 2) /* user accessible (ANDed across levels) */
#define PTE_PWT       (1ul << 3)
#define PTE_PCD       (1ul << 4) /* cache disable */
#define PTE_A         (1ul << 5) /* accessed */
#define PTE_D         (1ul << 6) /* dirty */
#define PTE_PS        (1ul << 7) /* large page (PDPT: 1 GiB, PD: 2 MiB) */
#define PTE_G         (1ul << 8) /* global: survives CR3 reload */
#define PTE_COW_TABLE (1ul << 9) /* software: points to a shared table (DESIGN 4) */
/* bits 10-11: free for software use */
#define PTE_NX (1ul << 63) /* no execute */

#define PTE_ADDR_MASK 0x000ffffffffff000ul

/* Levels, in the vocabulary of docs/fork.md: PML4=4, PDPT=3, PD=2, PT=1. */
#define PT_LEVELS  4
#define PT_ENTRIES 512
/* The PML4 entries of the user half (0..255); 256..511 map the kernel, the
 * same in every address space (docs/memory.md). */
#define PT_USER_ENTRIES (PT_ENTRIES / 2)

static inline uint64_t pte_addr(pte_t e) { return e & PTE_ADDR_MASK; }
static inline bool pte_present(pte_t e) { return e & PTE_P; }
static inline bool pte_large(pte_t e) { return e & PTE_PS; }

/* Index of va in the table at `level` (1..4). */
static inline unsigned pt_index(uint64_t va, int level)
{
    return (va >> (12 + 9 * (level - 1))) & 511;
}

/* Bytes covered by one entry at `level`: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static inline uint64_t pt_entry_span(int level) { return 1ul << (12 + 9 * (level - 1)); }

#endif
