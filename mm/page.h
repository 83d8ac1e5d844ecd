/* page.h - struct page: what the kernel knows about each physical page.
 *
 * One struct page per page frame, in one array indexed by frame number
 * (pfn = physical address >> 12).  Which fields mean something depends on
 * `kind`; the lock legend says who may touch what:
 *   [z] pmm_lock          [a] atomic            [t] the table's own lock
 *   [o] the page's owner (whoever holds a reference and allocated it)
 */
#ifndef PAGE_H
#define PAGE_H

#include "arch.h"
#include "lib/list.h"
#include "kernel/spinlock.h"
#include "lib/types.h"
#include "pte.h"

struct tlb_deferred;

/* Entries of a table page per bit of its `populated` bitmap: 512 entries
 * in 64 bits.  Small groups skip more; this size fills one word. */
#define PT_POPULATED_GROUP 8
_Static_assert(PT_ENTRIES / PT_POPULATED_GROUP == 64, "populated is one 64-bit word");

enum page_kind {
    PAGE_RESERVED = 0, /* firmware, kernel image, holes: never allocated */
    PAGE_FREE,         /* in the buddy allocator; head of a free block */
    PAGE_FREE_TAIL,    /* in the buddy allocator; inside a free block */
    PAGE_KERNEL,       /* allocated for kernel use (stacks, buffers) */
    PAGE_HEAP,         /* a slab of the kernel heap (mm/heap.c) */
    PAGE_TABLE,        /* a page-table page (mm/pgtable.c) */
    PAGE_USER,         /* user data */
};

struct page {
    uint32_t refcount;  /* [a] see docs/fork.md, section 1 */
    uint8_t kind;       /* [z] enum page_kind, changes on alloc/free */
    uint8_t order;      /* [z] block order while in the allocator */
    uint8_t level;      /* [o] PAGE_TABLE: 1 (PT) .. 4 (PML4) */
    uint8_t slab_class; /* [o] PAGE_HEAP: size-class index */
    union {
        struct list_head free_link; /* [z] PAGE_FREE: free-list membership */
        struct list_head slab_link; /* [heap lock] PAGE_HEAP: partial-slab list */
        struct {                    /* PAGE_TABLE level 4 (mm/tlb.c): */
            uint32_t cpus_live;     /* [a] the CPUs that have this PML4 in CR3
                                       (bit = CPU index) */
            struct tlb_deferred *deferred; /* [o] tables waiting for a full flush of
                                              this address space, or NULL */
        };
    };
    union {
        uint64_t populated; /* [t] PAGE_TABLE: bit i set when any entry of group i
                               (PT_POPULATED_GROUP entries from i * PT_POPULATED_GROUP)
                               is non-zero (sparse walks skip the rest) */
        void *slab_free;    /* [heap lock] PAGE_HEAP: first free object */
    };
    struct spinlock lock; /* PAGE_TABLE: protects the table's entries when shared */
    union {
        uint32_t slab_inuse; /* [heap lock] PAGE_HEAP: objects handed out */
        uint32_t flush_gen;  /* [a] PAGE_TABLE level 4: tlb_flush calls so far (mm/tlb.c) */
    };
    uint32_t audit_count; /* [audit] references found by mm/audit.c */
};

extern struct page *page_array; /* indexed by pfn */
extern uint64_t page_array_len; /* number of frames described */

static inline struct page *pfn_to_page(uint64_t pfn) { return &page_array[pfn]; }
static inline uint64_t page_to_pfn(const struct page *p) { return (uint64_t)(p - page_array); }
static inline uint64_t page_to_phys(const struct page *p) { return page_to_pfn(p) << PAGE_SHIFT; }
static inline void *page_to_virt(const struct page *p) { return phys_to_virt(page_to_phys(p)); }
static inline struct page *phys_to_page(uint64_t pa) { return pfn_to_page(pa >> PAGE_SHIFT); }
static inline struct page *virt_to_page(const void *va) { return phys_to_page(virt_to_phys(va)); }
static inline bool phys_has_page(uint64_t pa) { return (pa >> PAGE_SHIFT) < page_array_len; }

/* Zero or copy whole pages a word at a time: the kernel's memset and
 * memcpy (lib/string.c) go a byte at a time, 8 times the iterations, and
 * fork's first write zeroes three tables and copies a page (docs/bench.md,
 * "Fork taken apart"). */
static inline void page_zero(void *to, size_t bytes)
{
    uint64_t *d = to;
    for (size_t i = 0; i < bytes / sizeof(uint64_t); i++)
        d[i] = 0;
}
static inline void page_copy(void *to, const void *from)
{
    uint64_t *d = to;
    const uint64_t *s = from;
    for (size_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++)
        d[i] = s[i];
}

static inline void page_get(struct page *p)
{
    __atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED);
}

#endif
