/* malloc.c - a first-fit allocator with coalescing on top of sbrk; blocks
 * of 128 KiB and more come straight from mmap and go back with munmap.
 *
 *   [size|free] payload ...   [size|free] payload ...   (headers in a list
 *                                                         ordered by address) */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALIGN          16
#define MMAP_THRESHOLD (128 * 1024)

struct block {
    size_t size; /* payload bytes */
    int free;
    int mmapped;
    struct block *next; /* by address (sbrk blocks only) */
};

#define HDR ((sizeof(struct block) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

static struct block *head;

static struct block *grow(size_t size)
{
    struct block *b = sbrk(HDR + size);
    if (b == (void *)-1)
        return NULL;
    b->size = size;
    b->free = 0;
    b->mmapped = 0;
    b->next = NULL;
    struct block **tail = &head;
    while (*tail)
        tail = &(*tail)->next;
    *tail = b;
    return b;
}

static void split(struct block *b, size_t size)
{
    if (b->size < size + HDR + ALIGN)
        return;
    struct block *rest = (struct block *)((char *)b + HDR + size);
    rest->size = b->size - size - HDR;
    rest->free = 1;
    rest->mmapped = 0;
    rest->next = b->next;
    b->next = rest;
    b->size = size;
}

/* One lock for the whole heap: threads may call malloc at once. */
static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;

static void *malloc_locked(size_t n);

void *malloc(size_t n)
{
    pthread_mutex_lock(&heap_lock);
    void *p = malloc_locked(n);
    pthread_mutex_unlock(&heap_lock);
    return p;
}

static void free_locked(void *p);

void free(void *p)
{
    pthread_mutex_lock(&heap_lock);
    free_locked(p);
    pthread_mutex_unlock(&heap_lock);
}

static void *malloc_locked(size_t n)
{
    if (n == 0)
        n = 1;
    size_t size = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (size >= MMAP_THRESHOLD) {
        struct block *b =
            mmap(NULL, HDR + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (b == MAP_FAILED)
            return NULL;
        b->size = size;
        b->free = 0;
        b->mmapped = 1;
        return (char *)b + HDR;
    }
    for (struct block *b = head; b; b = b->next) {
        if (b->free && b->size >= size) {
            split(b, size);
            b->free = 0;
            return (char *)b + HDR;
        }
    }
    struct block *b = grow(size);
    return b ? (char *)b + HDR : NULL;
}

static void free_locked(void *p)
{
    if (!p)
        return;
    struct block *b = (struct block *)((char *)p - HDR);
    if (b->mmapped) {
        munmap(b, HDR + b->size);
        return;
    }
    b->free = 1;
    for (struct block *c = head; c; c = c->next) /* merge neighbours */
        while (c->free && c->next && c->next->free &&
               (char *)c + HDR + c->size == (char *)c->next) {
            c->size += HDR + c->next->size;
            c->next = c->next->next;
        }
}

void *calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = malloc(n * size);
    return p ? memset(p, 0, n * size) : NULL;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    struct block *b = (struct block *)((char *)p - HDR);
    if (b->size >= n)
        return p;
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, b->size);
        free(p);
    }
    return q;
}
