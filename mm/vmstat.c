/* vmstat.c - the census of physical memory behind SYS_cowl_vmstat and the
 * `vmstat` program.
 *
 * Which user page tables are shared is a property of struct page alone:
 * a table page's refcount is the number of entries, across all address
 * spaces, that point to it (docs/fork.md, section 1).  So one pass over the
 * page array answers "how many tables of each level are shared, and by how
 * many" without walking any address space or taking any lock.  The answer
 * is a snapshot taken while other CPUs may fork and fault: each number is
 * right for some moment during the pass, which is what a statistic needs. */
#include "mm/vmstat.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/page.h"
#include "mm/pmm.h"

struct vm_events vm_events;

static void count_page(struct vm_stats *st, const struct page *p)
{
    uint8_t kind = __atomic_load_n(&p->kind, __ATOMIC_RELAXED);
    if (kind == PAGE_USER) {
        st->user_pages++;
    } else if (kind == PAGE_HEAP) {
        st->heap_pages++;
    } else if (kind == PAGE_KERNEL) {
        st->kernel_pages++;
    } else if (kind == PAGE_TABLE && p->level >= 1 && p->level <= 4) {
        uint32_t refs = __atomic_load_n(&p->refcount, __ATOMIC_RELAXED);
        if (refs > 1) {
            st->tables_shared[p->level]++;
            st->table_sharers[p->level] += refs;
        } else if (refs == 1) {
            st->tables_private[p->level]++;
        }
    }
}

void vm_stats_collect(struct vm_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->total_pages = pmm_total_pages();
    st->free_pages = pmm_free_pages();
    for (uint64_t pfn = 0; pfn < page_array_len; pfn++)
        count_page(st, pfn_to_page(pfn));
    /* The kernel's tables are private tables too, but nobody forks them:
     * report them apart. */
    for (int level = 1; level <= 4; level++) {
        st->kernel_tables[level] = kmap_tables[level];
        st->tables_private[level] -= MIN(kmap_tables[level], st->tables_private[level]);
    }
    for (size_t i = 0; i < sizeof(st->ev) / sizeof(uint64_t); i++)
        ((uint64_t *)&st->ev)[i] = __atomic_load_n((uint64_t *)&vm_events + i, __ATOMIC_RELAXED);
    st->heap_objects = heap_live_objects();
}
