/* pmm.c - the buddy allocator of physical pages, and building it from the
 * boot memory map.
 *
 * A free block of 2^k pages starting at frame f (f a multiple of 2^k) sits
 * on free_lists[k]; its "buddy" is the block at f ^ 2^k.  Freeing merges a
 * block with its buddy as long as the buddy is free and of the same order, so
 * free memory always ends up in the largest aligned blocks it can form. */
#include "mm/pmm.h"
#include "kernel/boot_info.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/failalloc.h"

struct page *page_array;
uint64_t page_array_len;

/* pmm_lock protects free_lists, nr_free and the kind/order of free pages. */
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static struct list_head free_lists[PMM_MAX_ORDER + 1];
static uint64_t nr_free;
static uint64_t nr_total;
static int64_t fail_countdown = -1; /* [pmm_lock] fault injection for tests */

static void set_block_kind(struct page *head, unsigned order, uint8_t kind)
{
    for (uint64_t i = 0; i < (1ul << order); i++)
        head[i].kind = kind;
}

/* Put a block on the free lists, merging with free buddies. pmm_lock held. */
static void free_block(uint64_t pfn, unsigned order)
{
    assert(spin_held(&pmm_lock));
    nr_free += 1ul << order;
    set_block_kind(pfn_to_page(pfn), order, PAGE_FREE_TAIL);
    while (order < PMM_MAX_ORDER) {
        uint64_t buddy_pfn = pfn ^ (1ul << order);
        if (buddy_pfn >= page_array_len)
            break;
        struct page *buddy = pfn_to_page(buddy_pfn);
        if (buddy->kind != PAGE_FREE || buddy->order != order)
            break;
        list_del(&buddy->free_link);
        buddy->kind = PAGE_FREE_TAIL;
        pfn &= ~(1ul << order);
        order++;
    }
    struct page *head = pfn_to_page(pfn);
    head->kind = PAGE_FREE;
    head->order = order;
    list_add(&head->free_link, &free_lists[order]);
}

/* Take a block of exactly `order` off the free lists, splitting a larger
 * one if needed. pmm_lock held. */
static struct page *take_block(unsigned order)
{
    unsigned o = order;
    while (o <= PMM_MAX_ORDER && list_empty(&free_lists[o]))
        o++;
    if (o > PMM_MAX_ORDER)
        return NULL;
    struct page *head = container_of(free_lists[o].next, struct page, free_link);
    list_del(&head->free_link);
    while (o > order) { /* give back the upper halves */
        o--;
        struct page *upper = head + (1ul << o);
        upper->kind = PAGE_FREE;
        upper->order = o;
        list_add(&upper->free_link, &free_lists[o]);
    }
    nr_free -= 1ul << order;
    return head;
}

struct page *pmm_alloc(unsigned order, enum page_kind kind, unsigned flags)
{
    assert(order <= PMM_MAX_ORDER);
    if (failalloc_now())
        return NULL; /* injected (mm/failalloc.c) */
    spin_lock(&pmm_lock);
    struct page *p = NULL;
    if (fail_countdown != 0) {
        if (fail_countdown > 0)
            fail_countdown--;
        p = take_block(order);
    }
    if (p) {
        set_block_kind(p, order, kind);
        p->order = order;
        p->refcount = 1;
    }
    spin_unlock(&pmm_lock);
    if (p && (flags & PMM_ZERO))
        page_zero(page_to_virt(p), PAGE_SIZE << order);
    return p;
}

void pmm_free(struct page *p, unsigned order)
{
    if (p->kind == PAGE_FREE || p->kind == PAGE_FREE_TAIL || p->kind == PAGE_RESERVED)
        panic("pmm_free: page %lx is not allocated (kind %d)", page_to_phys(p), p->kind);
    if (p->refcount != 0)
        panic("pmm_free: page %lx still has %u references", page_to_phys(p), p->refcount);
    spin_lock(&pmm_lock);
    free_block(page_to_pfn(p), order);
    spin_unlock(&pmm_lock);
}

void page_put(struct page *p)
{
    uint32_t old = __atomic_fetch_sub(&p->refcount, 1, __ATOMIC_ACQ_REL);
    if (old == 0)
        panic("page_put: page %lx had no references", page_to_phys(p));
    if (old == 1)
        pmm_free(p, 0);
}

uint64_t pmm_free_pages(void) { return __atomic_load_n(&nr_free, __ATOMIC_RELAXED); }
uint64_t pmm_total_pages(void) { return nr_total; }

uint64_t pmm_free_blocks(unsigned order)
{
    uint64_t n = 0;
    spin_lock(&pmm_lock);
    for (struct list_head *l = free_lists[order].next; l != &free_lists[order]; l = l->next)
        n++;
    spin_unlock(&pmm_lock);
    return n;
}

void pmm_fail_after(int64_t n)
{
    spin_lock(&pmm_lock);
    fail_countdown = n;
    spin_unlock(&pmm_lock);
}

static int audit_fail(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* One free block: head and tails marked as such, aligned, unreferenced. */
static int audit_block(struct page *head, unsigned order, char *why, size_t size)
{
    uint64_t pfn = page_to_pfn(head);
    if (head->kind != PAGE_FREE || head->order != order || pfn % (1ul << order))
        return audit_fail(why, size, "free block %lx on list %u: kind %d order %d", pfn, order,
                          head->kind, head->order);
    for (uint64_t i = 0; i < (1ul << order); i++) {
        if (head[i].refcount)
            return audit_fail(why, size, "free page %lx has %u references", pfn + i,
                              head[i].refcount);
        if (i && head[i].kind != PAGE_FREE_TAIL)
            return audit_fail(why, size, "page %lx inside free block %lx has kind %d", pfn + i, pfn,
                              head[i].kind);
    }
    return 0;
}

int pmm_audit(char *why, size_t size)
{
    spin_lock(&pmm_lock);
    uint64_t on_lists = 0, marked_free = 0;
    int err = 0;
    for (unsigned o = 0; o <= PMM_MAX_ORDER && !err; o++) {
        for (struct list_head *l = free_lists[o].next; l != &free_lists[o] && !err; l = l->next) {
            err = audit_block(container_of(l, struct page, free_link), o, why, size);
            on_lists += 1ul << o;
        }
    }
    for (uint64_t pfn = 0; pfn < page_array_len && !err; pfn++)
        marked_free += page_array[pfn].kind == PAGE_FREE || page_array[pfn].kind == PAGE_FREE_TAIL;
    if (!err && (on_lists != nr_free || marked_free != nr_free))
        err = audit_fail(why, size, "free count %lu, on lists %lu, marked free %lu", nr_free,
                         on_lists, marked_free);
    spin_unlock(&pmm_lock);
    return err;
}

/* ------------------------------------------------------------------------
 * Building the allocator at boot.  Usable RAM from the memory map, minus
 * "holes": the first MiB (firmware, and later the AP trampoline), the kernel
 * image, boot modules, and page_array itself. */

#define MAX_HOLES (BOOT_MODULES_MAX + 3)

struct range {
    uint64_t start, end;
};

static struct range holes[MAX_HOLES];
static int nholes;

extern char __kernel_phys_end[];

static void add_hole(uint64_t start, uint64_t end)
{
    assert(nholes < MAX_HOLES);
    holes[nholes++] = (struct range){ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE)};
}

/* First address >= start where [a, a+size) avoids every hole. */
static uint64_t skip_holes(uint64_t start, uint64_t size)
{
    for (bool moved = true; moved;) {
        moved = false;
        for (int i = 0; i < nholes; i++) {
            if (start < holes[i].end && start + size > holes[i].start) {
                start = holes[i].end;
                moved = true;
            }
        }
    }
    return start;
}

/* Physical memory for page_array: usable, below `limit`, outside holes. */
static uint64_t find_early_memory(const struct boot_info *bi, uint64_t size, uint64_t limit)
{
    for (int i = 0; i < bi->nmmap; i++) {
        const struct boot_mem_range *r = &bi->mmap[i];
        if (r->type != MEM_USABLE)
            continue;
        uint64_t end = MIN(ALIGN_DOWN(r->base + r->len, PAGE_SIZE), limit);
        uint64_t start = skip_holes(ALIGN_UP(r->base, PAGE_SIZE), size);
        if (start + size <= end)
            return start;
    }
    panic("pmm_init: no room for %lu bytes of struct page", size);
}

/* Free [start, end) into the buddy lists, minus the holes. pmm_lock held. */
static void add_free_range(uint64_t start, uint64_t end)
{
    for (int i = 0; i < nholes; i++) {
        if (start < holes[i].end && end > holes[i].start) {
            if (start < holes[i].start)
                add_free_range(start, holes[i].start);
            if (end > holes[i].end)
                add_free_range(holes[i].end, end);
            return;
        }
    }
    for (uint64_t pfn = start >> PAGE_SHIFT; pfn < end >> PAGE_SHIFT; pfn++) {
        struct page *p = pfn_to_page(pfn);
        if (p->kind != PAGE_RESERVED)
            continue; /* the memory map listed this page twice */
        p->kind = PAGE_KERNEL;
        free_block(pfn, 0);
        nr_total++;
    }
}

/* Hand every usable page in [lo, hi) to the allocator. */
static void add_usable(const struct boot_info *bi, uint64_t lo, uint64_t hi)
{
    spin_lock(&pmm_lock);
    for (int i = 0; i < bi->nmmap; i++) {
        const struct boot_mem_range *r = &bi->mmap[i];
        if (r->type != MEM_USABLE)
            continue;
        uint64_t start = MAX(ALIGN_UP(r->base, PAGE_SIZE), lo);
        uint64_t end = MIN(ALIGN_DOWN(r->base + r->len, PAGE_SIZE), hi);
        if (start < end)
            add_free_range(start, end);
    }
    spin_unlock(&pmm_lock);
}

void pmm_init(const struct boot_info *bi)
{
    uint64_t top = 0;
    for (int i = 0; i < bi->nmmap; i++)
        if (bi->mmap[i].type == MEM_USABLE)
            top = MAX(top, ALIGN_DOWN(bi->mmap[i].base + bi->mmap[i].len, PAGE_SIZE));
    page_array_len = top >> PAGE_SHIFT;

    add_hole(0, 1 * MiB);
    add_hole(1 * MiB, (uint64_t)__kernel_phys_end);
    for (int i = 0; i < bi->nmodules; i++)
        add_hole(bi->modules[i].start, bi->modules[i].end);

    /* The boot page tables map only the low 4 GiB at DIRECT_MAP_BASE. */
    uint64_t size = ALIGN_UP(page_array_len * sizeof(struct page), PAGE_SIZE);
    uint64_t at = find_early_memory(bi, size, 4 * GiB);
    add_hole(at, at + size);
    page_array = phys_to_virt(at);
    memset(page_array, 0, size); /* every frame starts PAGE_RESERVED */

    for (int o = 0; o <= PMM_MAX_ORDER; o++)
        list_init(&free_lists[o]);
    add_usable(bi, 0, 4 * GiB);
}

void pmm_init_high(const struct boot_info *bi)
{
    add_usable(bi, 4 * GiB, ~0ul);
    pr_info("pmm: %lu MiB usable, %lu pages free, struct page array %lu KiB\n",
            nr_total * PAGE_SIZE / MiB, nr_free, page_array_len * sizeof(struct page) / KiB);
}
