/* malloc.c - the user heap: size classes with free lists for small
 * blocks, mmap for large ones.  Every call costs the same however many
 * blocks the program holds.
 *
 * Each block starts with a 16-byte header (struct header) that says how
 * big the block is; the program gets the 16-aligned bytes after it.
 *
 *  - Small blocks (payload below MMAP_THRESHOLD, 128 KiB) are rounded up
 *    to a size class: 16, 32, ..., 128 bytes in steps of 16, then four
 *    classes between each power of two and the next (160, 192, 224, 256,
 *    320, ...), 48 classes in all, so at most 25% of a block is rounding.
 *    class_of() computes the class from the size with a few shifts.
 *  - Each class has a singly linked list of its free blocks (the link
 *    lives in the freed payload) and a bump region: the untouched rest of
 *    the last chunk it got.  malloc pops the list, else carves the next
 *    block from the bump region, else gets a new chunk for the class
 *    (at least 64 KiB, or four blocks) from sbrk, or from mmap if brk
 *    cannot grow.  free pushes the block on its class's list.  Nothing is
 *    searched and nothing is merged: O(1) per call.
 *  - Small blocks' memory stays with the process (on its class's list) when
 *    freed; it is reused by the next malloc of the same class.  That is the
 *    price of O(1): memory freed in one class does not serve another.
 *  - Large blocks (>= 128 KiB) get their own mapping, rounded to pages,
 *    and free gives it back to the kernel with munmap at once.  calloc
 *    of a large block skips the memset: fresh anonymous pages are zero.
 *  - realloc keeps the block if the new size has the same class (or, for a
 *    large block, still fits its mapping and is still large), else
 *    allocates, copies and frees.
 *
 * One mutex (heap_lock) protects the classes: threads may call malloc at
 * once.  mmap and munmap of large blocks happen outside it. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALIGN          16
#define MMAP_THRESHOLD (128 * 1024)
#define CHUNK_MIN      (64 * 1024)
#define PAGE           4096
#define NCLASSES       48 /* 8 steps of 16 up to 128, then 4 per power of two up to 128 KiB */
#define LARGE          0xffffffffu

struct header {
    size_t size;    /* payload bytes this block can hold (its class's size, or
                       for a large block the mapping's length minus the header) */
    unsigned klass; /* size class, or LARGE for a block with its own mapping */
    unsigned magic; /* HEADER_MAGIC: catches some frees of pointers malloc never gave */
};
#define HEADER_MAGIC 0xa110c8edu
#define HDR          sizeof(struct header)
_Static_assert(sizeof(struct header) == ALIGN, "the header keeps payloads 16-aligned");

struct free_block {
    struct free_block *next;
};

struct size_class {
    struct free_block *free; /* [h] freed blocks of this class */
    char *bump, *bump_end;   /* [h] the uncarved rest of its last chunk */
};

/* Lock legend: [h] heap_lock. */
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct size_class classes[NCLASSES]; /* [h] */

/* The class that holds n bytes (0 < n < MMAP_THRESHOLD). */
static unsigned class_of(size_t n)
{
    if (n <= 128)
        return (n + 15) / 16 - 1;
    unsigned p = 63 - __builtin_clzl(n - 1); /* 2^p < n <= 2^(p+1), p >= 7 */
    size_t step = (size_t)1 << (p - 2);
    size_t k = (n - ((size_t)1 << p) + step - 1) / step; /* 1..4 */
    return 8 + (p - 7) * 4 + (unsigned)k - 1;
}

/* The payload size of class c: the inverse of class_of. */
static size_t class_size(unsigned c)
{
    if (c < 8)
        return (c + 1) * 16;
    unsigned p = 7 + (c - 8) / 4;
    return ((size_t)1 << p) + ((c - 8) % 4 + 1) * ((size_t)1 << (p - 2));
}

/* len bytes of fresh memory, 16-aligned: from brk, or mmap if brk is full. */
static char *get_chunk(size_t len)
{
    uintptr_t cur = (uintptr_t)sbrk(0);
    size_t pad = (ALIGN - cur % ALIGN) % ALIGN;
    char *p = sbrk(pad + len);
    if (p != (void *)-1)
        return p + pad;
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* A block of class c; heap_lock held. */
static struct header *class_alloc(unsigned c)
{
    struct size_class *sc = &classes[c];
    if (sc->free) {
        struct free_block *f = sc->free;
        sc->free = f->next;
        return (struct header *)f - 1;
    }
    size_t block = HDR + class_size(c);
    if ((size_t)(sc->bump_end - sc->bump) < block) {
        size_t len = block * 4 > CHUNK_MIN ? block * 4 : CHUNK_MIN;
        len = (len + PAGE - 1) & ~(size_t)(PAGE - 1);
        char *chunk = get_chunk(len);
        if (!chunk)
            return NULL;
        /* The old region's tail (less than one block) is left unused. */
        sc->bump = chunk;
        sc->bump_end = chunk + len;
    }
    struct header *h = (struct header *)sc->bump;
    sc->bump += block;
    h->size = class_size(c);
    h->klass = c;
    h->magic = HEADER_MAGIC;
    return h;
}

static void *large_alloc(size_t n)
{
    if (n > SIZE_MAX - HDR - PAGE)
        return NULL;
    size_t len = (HDR + n + PAGE - 1) & ~(size_t)(PAGE - 1);
    struct header *h =
        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h == MAP_FAILED)
        return NULL;
    h->size = len - HDR;
    h->klass = LARGE;
    h->magic = HEADER_MAGIC;
    return h + 1;
}

void *malloc(size_t n)
{
    if (n >= MMAP_THRESHOLD)
        return large_alloc(n);
    unsigned c = class_of(n ? n : 1);
    pthread_mutex_lock(&heap_lock);
    struct header *h = class_alloc(c);
    pthread_mutex_unlock(&heap_lock);
    return h ? h + 1 : NULL;
}

static struct header *header_of(void *p)
{
    struct header *h = (struct header *)p - 1;
    if (h->magic != HEADER_MAGIC || (h->klass != LARGE && h->klass >= NCLASSES))
        abort(); /* not a block from malloc, or its header was overwritten */
    return h;
}

void free(void *p)
{
    if (!p)
        return;
    struct header *h = header_of(p);
    if (h->klass == LARGE) {
        munmap(h, HDR + h->size);
        return;
    }
    struct free_block *f = p;
    pthread_mutex_lock(&heap_lock);
    f->next = classes[h->klass].free;
    classes[h->klass].free = f;
    pthread_mutex_unlock(&heap_lock);
}

void *calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t total = n * size;
    void *p = malloc(total);
    if (p && total < MMAP_THRESHOLD) /* a large block is fresh pages: zero already */
        memset(p, 0, total);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    struct header *h = header_of(p);
    bool keep = h->klass == LARGE ? n >= MMAP_THRESHOLD && n <= h->size
                                  : n < MMAP_THRESHOLD && class_of(n) == h->klass;
    if (keep) /* it still fits, and not in a smaller class */
        return p;
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, n < h->size ? n : h->size);
        free(p);
    }
    return q;
}
