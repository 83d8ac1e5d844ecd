/* heap.c - the kernel heap: power-of-two size classes on top of pmm.
 *
 * A slab is one page cut into equal objects.  Free objects of a slab form a
 * singly linked list through their first word (page->slab_free).  Each class
 * keeps a list of slabs that still have free objects; a slab whose last
 * object is freed goes straight back to the page allocator, so the heap
 * never hoards memory (and tests can check the free-page count exactly).
 *
 *   class:   0    1    2     3     4     5      6      7     8
 *   size:   16   32   64   128   256   512   1024   2048  (>2048: pages)
 */
#include "mm/heap.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/failalloc.h"
#include "mm/pmm.h"

#define NCLASSES 8

/* heap_lock protects partial[] and the slab_* fields of every heap page. */
static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static struct list_head partial[NCLASSES] = {
    LIST_HEAD_INIT(partial[0]), LIST_HEAD_INIT(partial[1]), LIST_HEAD_INIT(partial[2]),
    LIST_HEAD_INIT(partial[3]), LIST_HEAD_INIT(partial[4]), LIST_HEAD_INIT(partial[5]),
    LIST_HEAD_INIT(partial[6]), LIST_HEAD_INIT(partial[7]),
};

static size_t class_size(unsigned c) { return HEAP_MIN_SMALL << c; }

static unsigned size_class(size_t size)
{
    unsigned c = 0;
    while (class_size(c) < size)
        c++;
    return c;
}

/* A fresh slab for class c with all objects on its free list, or NULL. */
static struct page *slab_new(unsigned c)
{
    struct page *p = pmm_alloc(0, PAGE_HEAP, 0);
    if (!p)
        return NULL;
    char *base = page_to_virt(p);
    size_t sz = class_size(c), n = PAGE_SIZE / sz;
    for (size_t i = 0; i < n; i++)
        *(void **)(base + i * sz) = i + 1 < n ? base + (i + 1) * sz : NULL;
    p->slab_class = c;
    p->slab_free = base;
    p->slab_inuse = 0;
    return p;
}

static void *alloc_small(size_t size)
{
    unsigned c = size_class(size);
    spin_lock(&heap_lock);
    if (list_empty(&partial[c])) {
        spin_unlock(&heap_lock);
        struct page *fresh = slab_new(c); /* allocate without the lock held */
        if (!fresh)
            return NULL;
        spin_lock(&heap_lock);
        list_add(&fresh->slab_link, &partial[c]);
    }
    struct page *p = container_of(partial[c].next, struct page, slab_link);
    void *obj = p->slab_free;
    p->slab_free = *(void **)obj;
    p->slab_inuse++;
    if (!p->slab_free)
        list_del(&p->slab_link); /* ful: off the partial list */
    spin_unlock(&heap_lock);
    return obj;
}

static void free_small(struct page *p, void *obj)
{
    spin_lock(&heap_lock);
    bool was_ful = p->slab_free == NULL;
    *(void **)obj = p->slab_free;
    p->slab_free = obj;
    p->slab_inuse--;
    if (p->slab_inuse == 0) {
        if (!was_ful)
            list_del(&p->slab_link);
        spin_unlock(&heap_lock);
        p->refcount = 0;
        pmm_free(p, 0);
        return;
    }
    if (was_ful)
        list_add(&p->slab_link, &partial[p->slab_class]);
    spin_unlock(&heap_lock);
}

static void *alloc_large(size_t size)
{
    unsigned order = 0;
    while ((PAGE_SIZE << order) < size)
        order++;
    if (order > PMM_MAX_ORDER)
        return NULL;
    struct page *p = pmm_alloc(order, PAGE_KERNEL, 0);
    return p ? page_to_virt(p) : NULL;
}

static uint64_t live_objects; /* [a] */

uint64_t heap_live_objects(void) { return __atomic_load_n(&live_objects, __ATOMIC_RELAXED); }

void *kmalloc(size_t size)
{
    if (size == 0 || failalloc_now()) /* failalloc: injected failure */
        return NULL;
    void *p = size <= HEAP_MAX_SMALL ? alloc_small(size) : alloc_large(size);
    if (p)
        __atomic_fetch_add(&live_objects, 1, __ATOMIC_RELAXED);
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p) { /* words first (fork's process, thread and mm), then the tail */
        size_t words = size & ~(sizeof(uint64_t) - 1);
        page_zero(p, words);
        memset((char *)p + words, 0, size - words);
    }
    return p;
}

void kfree(void *obj)
{
    if (!obj)
        return;
    __atomic_fetch_sub(&live_objects, 1, __ATOMIC_RELAXED);
    struct page *p = virt_to_page(obj);
    if (p->kind == PAGE_HEAP) {
        free_small(p, obj);
    } else if (p->kind == PAGE_KERNEL && p->refcount == 1 &&
               ((uint64_t)obj & (PAGE_SIZE - 1)) == 0) {
        p->refcount = 0;
        pmm_free(p, p->order);
    } else {
        panic("kfree: %p was not returned by kmalloc", obj);
    }
}
