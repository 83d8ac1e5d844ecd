/* malloc.c - the user heap: size classes in chunks of one class each for
 * small blocks, mmap for large ones.  Every call costs the same however
 * many blocks the program holds, and the common case reads nothing from
 * the block itself (see "Why the block is left alone").
 *
 *  - Small blocks (below MMAP_THRESHOLD, 128 KiB) are rounded up to a size
 *    class: 16, 32, ..., 128 bytes in steps of 16, then four classes
 *    between each power of two and the next (160, 192, 224, 256, 320,
 *    ...), 48 classes in all, so at most 25% of a block is rounding.
 *    class_of() computes the class from the size with a few shifts.  Every
 *    class size is a multiple of 16, so blocks carved one after another
 *    from a 16-aligned chunk stay 16-aligned.
 *  - A chunk (at least 64 KiB, or four blocks; a whole number of 64 KiB
 *    slots, aligned to 64 KiB) holds blocks of one class only; it comes
 *    from sbrk, or from mmap if brk cannot grow.  The slot map (a two-level
 *    table, below) records each slot's class, so free finds a block's
 *    class from its address alone: small blocks have no header.
 *  - Each class keeps its last STACK_SLOTS (32) freed blocks in an array
 *    (a stack of pointers, in classes[]), older ones on its spill list,
 *    linked through the freed blocks themselves, and a bump region: the
 *    uncarved rest of its last chunk.  free pushes on the stack, or on the
 *    spill list when the stack is full; malloc pops the stack, else the
 *    spill list, else carves the next block from the bump region, else
 *    gets a new chunk.  Nothing is searched and nothing is merged: O(1).
 *  - Small blocks' memory stays with the process when freed; it is reused
 *    by the next malloc of the same class.  That is the price of O(1):
 *    memory freed in one class does not serve another.
 *  - Large blocks (>= 128 KiB) get their own mapping with a 16-byte header
 *    (the mapping's length and a magic number); free gives the mapping
 *    back to the kernel with munmap at once.  calloc of a large block
 *    skips the memset: fresh anonymous pages are zero.  A large block is
 *    never inside a chunk's slots, so the slot map tells the two apart.
 *  - realloc keeps the block if the new size has the same class (or, for a
 *    large block, still fits its mapping and is still large), else
 *    allocates, copies and frees.
 *
 * Why the block is left alone: a program frees blocks it may not have
 * touched for a long time, and gets back blocks freed long ago.  Reading a
 * header before the block, or a free-list link inside it, costs a cache
 * and TLB miss per call once the heap outgrows the caches: a cost that
 * grows with the heap (docs/bench.md, "The user heap").  The slot map's
 * few hot bytes replace the header; the stacks replace the link for the
 * blocks freed last, which are the ones malloc hands out next.  The
 * stacks are small on purpose: all 48 fit in four pages, and under QEMU
 * (TCG) every page the allocator keeps hot is one more TLB entry, which
 * is what a growable stack per class cost (measured in docs/bench.md).
 *
 * One mutex (heap_lock) protects the classes and the slot map's writers:
 * threads may call malloc at once.  free reads the slot map without it:
 * a slot is marked before any block in it is handed out, and never
 * unmarked.  mmap and munmap of large blocks happen outside the lock. */
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
#define NCLASSES       48 /* 8 steps of 16 up to 128, then 4 per power of two up to 128 KiB */
#define STACK_SLOTS    32 /* freed blocks a class keeps in classes[]; older ones spill */

/* The slot map: one byte per 64 KiB of the 47-bit user address space,
 * 0 for "not a small-block chunk", else class + 1; a root of 2^15 leaf
 * pointers, each leaf 2^16 bytes (4 GiB of addresses).  Both are mmap'd
 * when first needed: fresh pages are zero, and only the pages written
 * take memory (a 4 GiB heap needs one page of root and 16 of leaf). */
#define SLOT_SHIFT 16
#define SLOT       ((size_t)1 << SLOT_SHIFT)
#define LEAF_BITS  16
#define ROOT_BITS  (47 - SLOT_SHIFT - LEAF_BITS)
#define LEAF_SIZE  ((size_t)1 << LEAF_BITS)

/* The header of a large block, just before it. */
struct large_header {
    size_t len;   /* the mapping's length */
    size_t magic; /* LARGE_MAGIC: catches some frees of pointers malloc never gave */
};
#define LARGE_MAGIC 0xa110c8ed1a56e000ul
_Static_assert(sizeof(struct large_header) == ALIGN, "the header keeps large blocks 16-aligned");

struct free_block {
    struct free_block *next;
};

struct size_class {
    void *stack[STACK_SLOTS]; /* [h] freed blocks, the last freed on top */
    unsigned nfree;           /* [h] entries of stack in use */
    struct free_block *spill; /* [h] freed blocks the stack had no room for */
    char *bump, *bump_end;    /* [h] the uncarved rest of its last chunk */
};

/* Lock legend: [h] heap_lock; [w] written under heap_lock, read without. */
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct size_class classes[NCLASSES]; /* [h] */
static unsigned char **slot_root;           /* [w] 2^ROOT_BITS leaves, or NULL */
/* The first leaf made and its index in the root, set once: the brk heap's
 * 4 GiB, where nearly every block is.  free looks there first and reads
 * the root only for other leaves: one page fewer to keep hot. */
static unsigned char *home_leaf; /* [w] */
static uintptr_t home_index;     /* [w] before home_leaf */

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

static void *map_zero(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The class of the small block at p, or -1 if p is in no chunk. */
static int slot_class(const void *p)
{
    uintptr_t s = (uintptr_t)p >> SLOT_SHIFT;
    unsigned char *home = __atomic_load_n(&home_leaf, __ATOMIC_ACQUIRE);
    if (home && s >> LEAF_BITS == home_index)
        return (int)home[s & (LEAF_SIZE - 1)] - 1;
    if (s >> (ROOT_BITS + LEAF_BITS))
        return -1;
    unsigned char **root = __atomic_load_n(&slot_root, __ATOMIC_ACQUIRE);
    if (!root)
        return -1;
    unsigned char *leaf = __atomic_load_n(&root[s >> LEAF_BITS], __ATOMIC_ACQUIRE);
    return leaf ? (int)leaf[s & (LEAF_SIZE - 1)] - 1 : -1;
}

/* The slot map's byte for address a, its tables made if need be, or NULL
 * without memory for them; heap_lock held. */
static unsigned char *slot_entry(uintptr_t a)
{
    uintptr_t s = a >> SLOT_SHIFT;
    if (!slot_root) {
        unsigned char **root = map_zero(sizeof(*root) << ROOT_BITS);
        if (!root)
            return NULL;
        __atomic_store_n(&slot_root, root, __ATOMIC_RELEASE);
    }
    unsigned char **leafp = &slot_root[s >> LEAF_BITS];
    if (!*leafp) {
        unsigned char *leaf = map_zero(LEAF_SIZE);
        if (!leaf)
            return NULL;
        __atomic_store_n(leafp, leaf, __ATOMIC_RELEASE);
        if (!home_leaf) {
            home_index = s >> LEAF_BITS;
            __atomic_store_n(&home_leaf, leaf, __ATOMIC_RELEASE);
        }
    }
    return &(*leafp)[s & (LEAF_SIZE - 1)];
}

/* Marks the slots of [chunk, chunk + len) as class c; false without
 * memory for the map (no slot is marked then).  heap_lock held. */
static bool slots_mark(char *chunk, size_t len, unsigned c)
{
    for (size_t off = 0; off < len; off += SLOT) /* make every table first */
        if (!slot_entry((uintptr_t)chunk + off))
            return false;
    for (size_t off = 0; off < len; off += SLOT)
        __atomic_store_n(slot_entry((uintptr_t)chunk + off), (unsigned char)(c + 1),
                         __ATOMIC_RELEASE);
    return true;
}

/* len bytes of fresh memory (len a multiple of SLOT), aligned to SLOT:
 * from brk, or mmap if brk is full; NULL without memory. */
static char *chunk_get(size_t len)
{
    uintptr_t cur = (uintptr_t)sbrk(0);
    size_t pad = (SLOT - cur % SLOT) % SLOT; /* once, or after someone else's sbrk */
    char *p = sbrk(pad + len);
    if (p != (void *)-1)
        return p + pad;
    p = map_zero(len + SLOT - 4096); /* mmap gives pages: room to align */
    if (!p)
        return NULL;
    char *start = (char *)(((uintptr_t)p + SLOT - 1) & ~(SLOT - 1));
    if (start > p)
        munmap(p, start - p);
    if (start + len < p + len + SLOT - 4096)
        munmap(start + len, p + len + SLOT - 4096 - (start + len));
    return start;
}

/* Gives back a chunk chunk_get returned (when its slots could not be
 * marked): brk shrinks if the chunk is its top, else it is unmapped. */
static void chunk_put(char *chunk, size_t len)
{
    if (chunk + len == (char *)sbrk(0))
        sbrk(-(intptr_t)len);
    else
        munmap(chunk, len);
}

/* A fresh block of class c, carved from its bump region (refilled with a
 * new chunk when too small); heap_lock held. */
static void *class_carve(unsigned c)
{
    struct size_class *sc = &classes[c];
    size_t size = class_size(c);
    if ((size_t)(sc->bump_end - sc->bump) < size) {
        size_t len = size * 4 > CHUNK_MIN ? size * 4 : CHUNK_MIN;
        len = (len + SLOT - 1) & ~(SLOT - 1);
        char *chunk = chunk_get(len);
        if (!chunk)
            return NULL;
        if (!slots_mark(chunk, len, c)) {
            chunk_put(chunk, len);
            return NULL;
        }
        /* The old region's tail (less than one block) is left unused. */
        sc->bump = chunk;
        sc->bump_end = chunk + len;
    }
    void *p = sc->bump;
    sc->bump += size;
    return p;
}

/* A block of class c: the last one freed, else a fresh one; heap_lock held. */
static void *class_alloc(unsigned c)
{
    struct size_class *sc = &classes[c];
    if (sc->nfree)
        return sc->stack[--sc->nfree];
    if (sc->spill) {
        struct free_block *f = sc->spill;
        sc->spill = f->next;
        return f;
    }
    return class_carve(c);
}

/* Gives p back to class c; heap_lock held. */
static void class_free(unsigned c, void *p)
{
    struct size_class *sc = &classes[c];
    if (sc->nfree < STACK_SLOTS) {
        sc->stack[sc->nfree++] = p;
        return;
    }
    struct free_block *f = p; /* the stack is full: older blocks spill */
    f->next = sc->spill;
    sc->spill = f;
}

static void *large_alloc(size_t n)
{
    if (n > SIZE_MAX - ALIGN - 4096)
        return NULL;
    size_t len = (ALIGN + n + 4095) & ~(size_t)4095;
    struct large_header *h = map_zero(len);
    if (!h)
        return NULL;
    h->len = len;
    h->magic = LARGE_MAGIC;
    return h + 1;
}

/* The header of a large block p; aborts if p is neither small nor large. */
static struct large_header *large_header_of(void *p)
{
    struct large_header *h = (struct large_header *)p - 1;
    if ((uintptr_t)p % 4096 != ALIGN || h->magic != LARGE_MAGIC)
        abort(); /* not a block from malloc, or its header was overwritten */
    return h;
}

void *malloc(size_t n)
{
    if (n >= MMAP_THRESHOLD)
        return large_alloc(n);
    unsigned c = class_of(n ? n : 1);
    pthread_mutex_lock(&heap_lock);
    void *p = class_alloc(c);
    pthread_mutex_unlock(&heap_lock);
    return p;
}

void free(void *p)
{
    if (!p)
        return;
    int c = slot_class(p);
    if (c < 0) {
        struct large_header *h = large_header_of(p);
        munmap(h, h->len);
        return;
    }
    if ((uintptr_t)p % ALIGN)
        abort(); /* inside a chunk, but not where a block starts */
    pthread_mutex_lock(&heap_lock);
    class_free((unsigned)c, p);
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
    int c = slot_class(p);
    size_t have = c < 0 ? large_header_of(p)->len - ALIGN : class_size((unsigned)c);
    bool keep =
        c < 0 ? n >= MMAP_THRESHOLD && n <= have : n < MMAP_THRESHOLD && class_of(n) == (unsigned)c;
    if (keep) /* it still fits, and not in a smaller class */
        return p;
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, n < have ? n : have);
        free(p);
    }
    return q;
}
