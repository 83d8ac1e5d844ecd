/* test_heap.c - kmalloc/kfree: sizes, alignment, no overlap, exhaustion. */
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pmm.h"

KTEST(heap, sizes_and_alignment)
{
    static const size_t sizes[] = {1, 8, 16, 17, 100, 512, 2048, 2049, 4096, 10000, 65536};
    void *p[ARRAY_SIZE(sizes)];
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        p[i] = kmalloc(sizes[i]);
        ASSERT(p[i] != NULL);
        size_t align = sizes[i] >= 16 ? 16 : 8;
        EXPECT_EQ((uint64_t)p[i] % align, 0);
        memset(p[i], (int)i + 1, sizes[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) { /* no object overwrote another */
        const unsigned char *b = p[i];
        for (size_t j = 0; j < sizes[i]; j++)
            if (b[j] != i + 1) {
                EXPECT(!"object contents changed");
                break;
            }
        kfree(p[i]);
    }
    EXPECT(kmalloc(0) == NULL);
}

KTEST(heap, slab_pages_return)
{
    uint64_t before = pmm_free_pages();
    void *objs[300]; /* 300 x 64 bytes spans several slab pages */
    for (int i = 0; i < 300; i++) {
        objs[i] = kmalloc(64);
        ASSERT(objs[i] != NULL);
    }
    EXPECT(pmm_free_pages() < before);
    for (int i = 0; i < 300; i++)
        kfree(objs[i]);
    EXPECT_EQ(pmm_free_pages(), before);
}

KTEST(heap, kzalloc_zeroes)
{
    char *a = kmalloc(256);
    ASSERT(a != NULL);
    memset(a, 0x5a, 256);
    kfree(a);
    char *b = kzalloc(256);
    ASSERT(b != NULL);
    int nonzero = 0;
    for (int i = 0; i < 256; i++)
        nonzero += b[i] != 0;
    EXPECT_EQ(nonzero, 0);
    kfree(b);
}

KTEST(heap, too_large_is_null) { EXPECT(kmalloc((PAGE_SIZE << PMM_MAX_ORDER) + 1) == NULL); }

/* Fill memory with 2 KiB objects until kmalloc says no, then give it back. */
KTEST(heap, exhaustion_returns_null)
{
    uint64_t before = pmm_free_pages();
    void *head = NULL;
    uint64_t n = 0;
    void *obj;
    while ((obj = kmalloc(2048)) != NULL) {
        *(void **)obj = head;
        head = obj;
        n++;
    }
    EXPECT_EQ(pmm_free_pages(), 0);
    EXPECT(n >= 2 * before); /* two objects from every page there was */
    while (head) {
        void *next = *(void **)head;
        kfree(head);
        head = next;
    }
    EXPECT_EQ(pmm_free_pages(), before);
}

KTEST(heap, fails_cleanly_without_pages)
{
    pmm_fail_after(0);
    void *small = kmalloc(1024), *large = kmalloc(3 * PAGE_SIZE);
    pmm_fail_after(-1);
    EXPECT(large == NULL);
    kfree(small); /* may have come from a partial slab: that is fine */
}
