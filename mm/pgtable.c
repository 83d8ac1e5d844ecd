/* pgtable.c - the page-table walker and what is built on it.
 *
 *   va bits:  47..39   38..30   29..21   20..12   11..0
 *             PML4 (4) PDPT (3) PD (2)   PT (1)   offset
 */
#include "mm/pgtable.h"
#include "kernel/printk.h"
#include "mm/pmm.h"
#include "mm/share.h"
#include "mm/tlb.h"

pte_t *kernel_pml4;

/* The table page that holds `entry`, and the entry's index in it. */
static struct page *entry_table(const pte_t *entry) { return virt_to_page(entry); }
static unsigned entry_index(const pte_t *entry)
{
    return ((uint64_t)entry & (PAGE_SIZE - 1)) / sizeof(pte_t);
}

void pte_set(pte_t *entry, pte_t value)
{
    struct page *table = entry_table(entry);
    unsigned group = entry_index(entry) / PT_POPULATED_GROUP;
    __atomic_store_n(entry, value, __ATOMIC_RELEASE);
    if (value) {
        /* A locked OR only where the bit is missing: copying a full table
         * (unshare, fork) would otherwise pay one per entry.  Clearing the
         * bit below only happens where no entry of the group can be filled
         * at the same time (unmaps hold mm->lock for writing). */
        uint64_t bit = 1ul << group;
        if (!(__atomic_load_n(&table->populated, __ATOMIC_RELAXED) & bit))
            __atomic_or_fetch(&table->populated, bit, __ATOMIC_RELAXED);
        return;
    }
    pte_t *first = entry - entry_index(entry) % PT_POPULATED_GROUP;
    for (int i = 0; i < PT_POPULATED_GROUP; i++)
        if (first[i])
            return;
    __atomic_and_fetch(&table->populated, ~(1ul << group), __ATOMIC_RELAXED);
}

bool pte_cas(pte_t *entry, pte_t old, pte_t new)
{
    if (!old || !new)
        panic("pte_cas: only for present-to-present changes");
    return __atomic_compare_exchange_n(entry, &old, new, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

bool pte_install(pte_t *entry, pte_t value)
{
    pte_t empty = 0;
    if (!__atomic_compare_exchange_n(entry, &empty, value, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return false;
    __atomic_or_fetch(&entry_table(entry)->populated, 1ul << (entry_index(entry) / PT_POPULATED_GROUP),
                      __ATOMIC_RELAXED);
    return true;
}

uint64_t pgtable_tables_allocated; /* [a] ever: for fork's statistics */

pte_t *table_alloc(int level)
{
    struct page *p = pmm_alloc(0, PAGE_TABLE, PMM_ZERO);
    if (!p)
        return NULL;
    __atomic_add_fetch(&pgtable_tables_allocated, 1, __ATOMIC_RELAXED);
    p->level = level;
    p->populated = 0;
    p->cpus_live = 0;
    p->deferred = NULL;
    p->lock = (struct spinlock)SPINLOCK_INIT("pgtable");
    return page_to_virt(p);
}

/* Entries that point to tables: user tables get U, leaves decide the rest. */
static pte_t table_entry_flags(uint64_t va)
{
    return va < USER_TOP ? PTE_P | PTE_W | PTE_U : PTE_P | PTE_W;
}

/* Give the empty entry e (at level l) a new table. */
static int walk_fill(pte_t *e, uint64_t va, int l)
{
    pte_t *next = table_alloc(l - 1);
    if (!next)
        return -ENOMEM;
    /* Threads fault concurrently (mm->lock is held for reading): if
     * another one installed a table here first, use theirs. */
    if (!pte_install(e, virt_to_phys(next) | table_entry_flags(va)))
        page_put(virt_to_page(next));
    return 0;
}

/* Make the entry e (at level l) lead to a table the walk may go down into. */
static int walk_step(pte_t *pml4, pte_t *e, uint64_t va, int l, unsigned flags)
{
    pte_t seen = pte_read(e);
    if (!pte_present(seen))
        return flags & PGW_ALLOC ? walk_fill(e, va, l) : -ENOENT;
    if (pte_large(seen))
        return -EEXIST;
    if ((seen & PTE_COW_TABLE) && (flags & PGW_UNSHARE))
        return share_unshare(pml4, e, l - 1);
    return 0;
}

int pgtable_walk(pte_t *pml4, uint64_t va, int level, unsigned flags, pte_t **entry)
{
    pte_t *table = pml4;
    for (int l = PT_LEVELS; l > level; l--) {
        pte_t *e = &table[pt_index(va, l)];
        int err = walk_step(pml4, e, va, l, flags);
        if (err)
            return err;
        table = pte_table(pte_read(e));
    }
    *entry = &table[pt_index(va, level)];
    return 0;
}

struct page *pgtable_counted_page(uint64_t pa)
{
    if (!phys_has_page(pa))
        return NULL;
    struct page *p = phys_to_page(pa);
    return p->kind == PAGE_RESERVED ? NULL : p;
}

static int map_at_level(pte_t *pml4, uint64_t va, uint64_t pa, pte_t flags, int level)
{
    pte_t *e;
    int err = pgtable_walk(pml4, va, level, PGW_ALLOC | PGW_UNSHARE, &e);
    if (err)
        return err; /* -ENOMEM, or -EEXIST: a large page is in the way */
    if (pte_present(*e))
        return -EEXIST;
    struct page *p = level == 1 ? pgtable_counted_page(pa) : NULL;
    if (p)
        page_get(p);
    pte_set(e, pa | flags | PTE_P | (level > 1 ? PTE_PS : 0));
    return 0;
}

int pgtable_map(pte_t *pml4, uint64_t va, uint64_t pa, pte_t flags)
{
    return map_at_level(pml4, va, pa, flags, 1);
}

int pgtable_map_large(pte_t *pml4, uint64_t va, uint64_t pa, pte_t flags)
{
    return map_at_level(pml4, va, pa, flags, 2);
}

bool pgtable_translate(pte_t *pml4, uint64_t va, uint64_t *pa, pte_t *leaf)
{
    pte_t *table = pml4;
    for (int l = PT_LEVELS; l >= 1; l--) {
        pte_t e = pte_read(&table[pt_index(va, l)]); /* a fault may fill it meanwhile */
        if (!pte_present(e))
            return false;
        if (l == 1 || pte_large(e)) {
            uint64_t span = pt_entry_span(l);
            if (pa)
                *pa = pte_addr(e) + (va & (span - 1));
            if (leaf)
                *leaf = e;
            return true;
        }
        table = pte_table(e);
    }
    return false;
}

/* Whole groups of PT_POPULATED_GROUP empty entries are skipped with the table's
 * populated bitmap, so a sparse table costs a few bit tests, not 512 loads. */
unsigned pgtable_next_entry(const pte_t *table, unsigned i)
{
    uint64_t populated = virt_to_page(table)->populated;
    while (i < PT_ENTRIES) {
        uint64_t groups = populated & (~0ul << (i / PT_POPULATED_GROUP));
        if (!groups)
            return PT_ENTRIES;
        unsigned first = __builtin_ctzll(groups) * PT_POPULATED_GROUP;
        if (first > i)
            i = first;
        if (table[i])
            return i;
        i++;
    }
    return PT_ENTRIES;
}

void table_put(pte_t *table, int level)
{
    struct page *tp = virt_to_page(table);
    if (__atomic_sub_fetch(&tp->refcount, 1, __ATOMIC_ACQ_REL))
        return; /* other address spaces still use it */
    for_each_entry(table, i)
    {
        pte_t e = table[i];
        if (level > 1) {
            table_put(pte_table(e), level - 1);
        } else {
            struct page *p = pgtable_counted_page(pte_addr(e));
            if (p)
                page_put(p);
        }
    }
    pmm_free(tp, 0);
}

pte_t *pgtable_create(void)
{
    pte_t *pml4 = table_alloc(4);
    if (!pml4)
        return NULL;
    for (unsigned i = PT_USER_ENTRIES; i < PT_ENTRIES; i++)
        if (kernel_pml4[i])
            pte_set(&pml4[i], kernel_pml4[i]);
    return pml4;
}

void pgtable_destroy(pte_t *pml4)
{
    if (read_cr3() == virt_to_phys(pml4) || virt_to_page(pml4)->cpus_live)
        panic("pgtable_destroy: address space still live on CPUs %x",
              virt_to_page(pml4)->cpus_live);
    for (unsigned i = 0; i < PT_USER_ENTRIES; i++)
        if (pml4[i])
            table_put(pte_table(pml4[i]), 3);
    struct page *tp = virt_to_page(pml4);
    tp->refcount = 0;
    pmm_free(tp, 0);
}

/* The part [lo, hi) of [start, end) that entry i of a table at `level`
 * covers; false when the entry lies wholly past end.  [start, end) lies
 * within the table's reach (a walk down passes each table its [lo, hi)). */
static bool range_entry(uint64_t start, uint64_t end, int level, uint64_t i, uint64_t *lo,
                        uint64_t *hi)
{
    uint64_t span = pt_entry_span(level);
    uint64_t entry_lo = ALIGN_DOWN(start, span * PT_ENTRIES) + i * span;
    *lo = MAX(start, entry_lo);
    *hi = MIN(end, entry_lo + span);
    return *lo < *hi;
}

/* For each non-empty entry i of `table` (at `level`) that overlaps
 * [start, end), with [lo, hi) the part of the range under it.  Empty
 * entries are skipped with the populated bitmap. */
#define for_each_entry_in_range(table, level, start, end, i, lo, hi)                              \
    for (uint64_t i = pgtable_next_entry(table, pt_index(start, level)), lo, hi;                  \
         i < PT_ENTRIES && range_entry(start, end, level, i, &lo, &hi);                           \
         i = pgtable_next_entry(table, i + 1))

/* Clear [start, end) below `table` (at `level`).  A page, or a subtree the
 * range covers whole, goes with its entry; a partly covered table is
 * descended into (it is on a boundary path, made private beforehand). */
static void unmap_level(pte_t *table, int level, uint64_t start, uint64_t end,
                        struct tlb_gather *g)
{
    for_each_entry_in_range(table, level, start, end, i, lo, hi)
    {
        pte_t e = table[i];
        if (level > 1 && hi - lo < pt_entry_span(level)) {
            if (e & PTE_COW_TABLE)
                panic("unmap_level: partially covered table at %lx is still shared", lo);
            unmap_level(pte_table(e), level - 1, lo, hi, g);
            continue;
        }
        pte_set(&table[i], 0);
        tlb_gather_add(g, lo, hi);
        struct page *p = level == 1 ? pgtable_counted_page(pte_addr(e)) : NULL;
        if (level > 1)
            tlb_gather_table(g, pte_table(e), level - 1);
        else if (p)
            tlb_gather_page(g, p);
    }
}

int pgtable_unmap_range(pte_t *pml4, uint64_t start, uint64_t end)
{
    if (start >= end || end > USER_TOP)
        return -EINVAL;
    /* The tables on the two boundary paths stay partly mapped: make them
     * private first.  Where a table is missing there is nothing below. */
    uint64_t boundary[2] = {start, end - 1};
    for (int b = 0; b < 2; b++) {
        pte_t *leaf;
        int err = pgtable_walk(pml4, boundary[b], 1, PGW_UNSHARE, &leaf);
        if (err && err != -ENOENT)
            return err;
    }
    struct tlb_gather g;
    tlb_gather_init(&g, pml4);
    unmap_level(pml4, PT_LEVELS, start, end, &g);
    tlb_gather_flush(&g); /* once for the range; then the pages may go */
    return 0;
}

/* Unshare every shared table that has entries inside [start, end), below
 * `table` (at `level` > 1). */
static int unshare_level(pte_t *pml4, pte_t *table, int level, uint64_t start, uint64_t end)
{
    for_each_entry_in_range(table, level, start, end, i, lo, hi)
    {
        pte_t *e = &table[i];
        int err = pte_read(e) & PTE_COW_TABLE ? share_unshare(pml4, e, level - 1) : 0;
        if (!err && level > 2)
            err = unshare_level(pml4, pte_table(pte_read(e)), level - 1, lo, hi);
        if (err)
            return err;
    }
    return 0;
}

static void protect_level(pte_t *table, int level, uint64_t start, uint64_t end, pte_t leaf)
{
    for_each_entry_in_range(table, level, start, end, i, lo, hi)
    {
        if (level > 1) {
            protect_level(pte_table(table[i]), level - 1, lo, hi, leaf);
            continue;
        }
        pte_t e = table[i], keep_w = e & leaf & PTE_W;
        pte_set(&table[i], (e & ~(PTE_W | PTE_U | PTE_NX)) | keep_w | (leaf & (PTE_U | PTE_NX)));
    }
}

int pgtable_protect_range(pte_t *pml4, uint64_t start, uint64_t end, pte_t leaf)
{
    if (start >= end || end > USER_TOP)
        return -EINVAL;
    int err = unshare_level(pml4, pml4, PT_LEVELS, start, end);
    if (!err)
        protect_level(pml4, PT_LEVELS, start, end, leaf);
    return err;
}

static uint64_t count_below(pte_t *table, int level)
{
    uint64_t n = 1;
    if (level > 1)
        for_each_entry(table, i) if (!pte_large(table[i])) n +=
            count_below(pte_table(table[i]), level - 1);
    return n;
}

uint64_t pgtable_count_tables(pte_t *pml4)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < PT_USER_ENTRIES; i++)
        if (pml4[i])
            n += count_below(pte_table(pml4[i]), 3);
    return n;
}
