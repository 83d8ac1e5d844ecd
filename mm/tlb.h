/* tlb.h - the one TLB flush API (DESIGN.md section 5).
 * Today: a local INVLPG when `pml4` is live on this CPU (or is the kernel's,
 * whose upper half every address space shares).  The SMP issue adds the
 * per-address-space CPU set and IPIs behind this same call. */
#ifndef TLB_H
#define TLB_H

#include "pte.h"

/* Above this many pages one ful flush is cheaper than page-by-page INVLPG
 * (each INVLPG costs roughly as much as refilling a few TLB entries). */
#define TLB_FULL_FLUSH_PAGES 32

void tlb_flush(pte_t *pml4, uint64_t start, uint64_t end);

#endif
