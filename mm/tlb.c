/* tlb.c - flushing stale translations after page-table changes. */
#include "mm/tlb.h"
#include "arch.h"
#include "mm/pgtable.h"

void tlb_flush(pte_t *pml4, uint64_t start, uint64_t end)
{
    bool live = read_cr3() == virt_to_phys(pml4) || start >= USER_TOP;
    if (!live)
        return;
    if ((end - start) / PAGE_SIZE > TLB_FULL_FLUSH_PAGES) {
        if (start >= USER_TOP)
            arch_flush_tlb_global(); /* kernel mappings are global: CR3 reload keeps them */
        else
            arch_flush_tlb_all();
        return;
    }
    for (uint64_t va = start; va < end; va += PAGE_SIZE)
        arch_flush_tlb_page(va);
}
