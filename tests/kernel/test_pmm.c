/* test_pmm.c - the buddy allocator: split, coalesce, exhaustion. */
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/pmm.h"

/* Lowest order with a free block, the one an order-0 request splits. */
static unsigned smallest_free_order(void)
{
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
        if (pmm_free_blocks(o))
            return o;
    return PMM_MAX_ORDER + 1;
}

KTEST(pmm, alloc_free_counts)
{
    uint64_t before = pmm_free_pages();
    for (unsigned order = 0; order <= PMM_MAX_ORDER; order++) {
        struct page *p = pmm_alloc(order, PAGE_KERNEL, 0);
        ASSERT(p != NULL);
        EXPECT_EQ(pmm_free_pages(), before - (1ul << order));
        EXPECT_EQ(page_to_pfn(p) % (1ul << order), 0); /* blocks are aligned */
        EXPECT_EQ(p->refcount, 1);
        p->refcount = 0;
        pmm_free(p, order);
        EXPECT_EQ(pmm_free_pages(), before);
    }
}

KTEST(pmm, split)
{
    unsigned j = smallest_free_order();
    ASSERT(j <= PMM_MAX_ORDER);
    uint64_t count[PMM_MAX_ORDER + 1];
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
        count[o] = pmm_free_blocks(o);
    struct page *p = pmm_alloc(0, PAGE_KERNEL, 0);
    ASSERT(p != NULL);
    /* An order-j block became the page plus one free block of each order < j. */
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
        uint64_t expect = o < j ? count[o] + 1 : o == j ? count[o] - 1 : count[o];
        if (j == 0 && o == 0)
            expect = count[0] - 1;
        EXPECT_EQ(pmm_free_blocks(o), expect);
    }
    p->refcount = 0;
    pmm_free(p, 0);
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
        EXPECT_EQ(pmm_free_blocks(o), count[o]); /* merged back exactly */
}

KTEST(pmm, coalesce)
{
    const unsigned k = 2;
    struct page *x = pmm_alloc(k + 1, PAGE_KERNEL, 0);
    ASSERT(x != NULL);
    struct page *upper = x + (1u << k); /* treat the halves as two blocks */
    upper->refcount = 1;
    x->refcount = 0;
    pmm_free(x, k);
    EXPECT_EQ(x->kind, PAGE_FREE);
    EXPECT_EQ(x->order, k); /* its buddy is still allocated: no merge */
    upper->refcount = 0;
    pmm_free(upper, k);
    EXPECT(x->kind == PAGE_FREE || x->kind == PAGE_FREE_TAIL);
    if (x->kind == PAGE_FREE)
        EXPECT(x->order >= k + 1); /* merged with its buddy */
    EXPECT_EQ(upper->kind, PAGE_FREE_TAIL);
}

KTEST(pmm, zeroed_allocation)
{
    struct page *p = pmm_alloc(0, PAGE_KERNEL, 0);
    ASSERT(p != NULL);
    memset(page_to_virt(p), 0xa5, PAGE_SIZE);
    p->refcount = 0;
    pmm_free(p, 0);
    struct page *q = pmm_alloc(0, PAGE_KERNEL, PMM_ZERO);
    ASSERT(q != NULL);
    const uint64_t *w = page_to_virt(q);
    uint64_t nonzero = 0;
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
        nonzero += w[i] != 0;
    EXPECT_EQ(nonzero, 0);
    page_put(q);
}

/* Take every page, one at a time, chaining them through their first word. */
static void *drain_all(uint64_t *taken)
{
    void *head = NULL;
    struct page *p;
    *taken = 0;
    while ((p = pmm_alloc(0, PAGE_KERNEL, 0)) != NULL) {
        *(void **)page_to_virt(p) = head;
        head = page_to_virt(p);
        (*taken)++;
    }
    return head;
}

static void release_all(void *head)
{
    while (head) {
        void *next = *(void **)head;
        page_put(virt_to_page(head));
        head = next;
    }
}

KTEST(pmm, exhaustion_returns_null)
{
    uint64_t before = pmm_free_pages();
    uint64_t taken;
    void *all = drain_all(&taken);
    EXPECT_EQ(taken, before);
    EXPECT_EQ(pmm_free_pages(), 0);
    EXPECT(pmm_alloc(0, PAGE_KERNEL, 0) == NULL);
    EXPECT(pmm_alloc(PMM_MAX_ORDER, PAGE_KERNEL, 0) == NULL);
    release_all(all);
    EXPECT_EQ(pmm_free_pages(), before);
    EXPECT(pmm_free_blocks(PMM_MAX_ORDER) > 0); /* everything merged again */
}

KTEST(pmm, fault_injection)
{
    pmm_fail_after(1);
    struct page *a = pmm_alloc(0, PAGE_KERNEL, 0);
    struct page *b = pmm_alloc(0, PAGE_KERNEL, 0);
    pmm_fail_after(-1);
    EXPECT(a != NULL);
    EXPECT(b == NULL);
    if (a)
        page_put(a);
}

KTEST(pmm, refcount_frees_on_last_put)
{
    uint64_t before = pmm_free_pages();
    struct page *p = pmm_alloc(0, PAGE_USER, 0);
    ASSERT(p != NULL);
    page_get(p);
    page_put(p);
    EXPECT_EQ(pmm_free_pages(), before - 1); /* one reference left */
    page_put(p);
    EXPECT_EQ(pmm_free_pages(), before);
}
