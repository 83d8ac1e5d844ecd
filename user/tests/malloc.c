/* malloc.c - the heap (user/lib/malloc.c): random malloc/free/realloc with
 * a pattern in every block, 16-byte alignment, calloc zeroes (also memory
 * that was used before), large blocks go back to the kernel, thousands of
 * freed blocks reused, and two threads at once.  One TAP line per part (tap.h).  Runs on Linux too. */
#include "tap.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __cowl__
#include <cowl.h>
#endif

static char why[160];

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf(why, sizeof(why), "malloc.c:%d: %s", __LINE__, #cond);                        \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

/* xorshift64: each caller passes its own state, so threads do not share. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static unsigned char pattern(uint64_t tag, size_t i)
{
    return (unsigned char)(tag * 31 + i * 7 + (i >> 8));
}

static void fill(unsigned char *p, size_t n, uint64_t tag)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(tag, i);
}

static int intact(const unsigned char *p, size_t n, uint64_t tag)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(tag, i))
            return 0;
    return 1;
}

/* Mostly small blocks, some of every class, a few large ones. */
static size_t random_size(uint64_t *s)
{
    uint64_t r = next_random(s);
    switch (r % 64) {
    case 0:
        return (r >> 8) % (300 * 1024); /* now and then large: mmap'd */
    case 1:
    case 2:
    case 3:
    case 4:
        return (r >> 8) % 20000;
    default:
        return (r >> 8) % 300;
    }
}

#define SLOTS 300

struct slot {
    unsigned char *p;
    size_t n;
    uint64_t tag;
};

/* ops random calls on SLOTS blocks; every block checked before it goes. */
static int churn(uint64_t seed, int ops)
{
    struct slot *slots = calloc(SLOTS, sizeof(*slots)); /* one per thread */
    REQUIRE(slots != NULL);
    uint64_t s = seed;
    for (int op = 0; op < ops; op++) {
        struct slot *sl = &slots[next_random(&s) % SLOTS];
        if (sl->p)
            REQUIRE(intact(sl->p, sl->n, sl->tag));
        size_t n = random_size(&s);
        uint64_t tag = seed + (uint64_t)op;
        if (sl->p && next_random(&s) % 3 == 0) {
            unsigned char *q = realloc(sl->p, n);
            REQUIRE(q != NULL || n == 0);
            size_t kept = n < sl->n ? n : sl->n;
            if (q)
                REQUIRE(intact(q, kept, sl->tag));
            sl->p = q;
        } else {
            free(sl->p);
            sl->p = malloc(n);
            REQUIRE(sl->p != NULL);
        }
        if (sl->p) {
            REQUIRE((uintptr_t)sl->p % 16 == 0);
            fill(sl->p, n, tag);
        }
        sl->n = n;
        sl->tag = tag;
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p)
            REQUIRE(intact(slots[i].p, slots[i].n, slots[i].tag));
        free(slots[i].p);
    }
    free(slots);
    return 1;
}

static int test_random(void)
{
    return churn(1, 6000);
}

static int test_alignment(void)
{
    void *p[200];
    for (size_t i = 0; i < 200; i++) {
        p[i] = malloc(i * 37 % 5000);
        REQUIRE(p[i] != NULL && (uintptr_t)p[i] % 16 == 0);
    }
    for (size_t i = 0; i < 200; i++)
        free(p[i]);
    void *a = malloc(0), *b = malloc(0); /* distinct, freeable */
    REQUIRE(a && b && a != b);
    free(a);
    free(b);
    free(NULL);
    return 1;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int test_calloc(void)
{
    static const size_t sizes[] = {1, 16, 100, 1000, 5000, 70000, 200000, 1 << 20};
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *dirty = malloc(sizes[i]); /* leave junk to be reused */
        REQUIRE(dirty != NULL);
        memset(dirty, 0xa5, sizes[i]);
        free(dirty);
        unsigned char *z = calloc(sizes[i], 1);
        REQUIRE(z != NULL && all_zero(z, sizes[i]));
        free(z);
        z = calloc(1, sizes[i]);
        REQUIRE(z != NULL && all_zero(z, sizes[i]));
        free(z);
    }
    volatile size_t huge = SIZE_MAX; /* volatile: gcc would refuse the constant */
    REQUIRE(calloc(huge / 2, 4) == NULL); /* n * size overflows */
    REQUIRE(malloc(huge) == NULL);
    return 1;
}

static int test_realloc(void)
{
    static const size_t steps[] = {1, 17, 200, 3000, 100000, 140000, 1 << 20, 300, 5, 0};
    unsigned char *p = realloc(NULL, 10);
    REQUIRE(p != NULL);
    fill(p, 10, 99);
    size_t n = 10;
    for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        unsigned char *q = realloc(p, steps[i]);
        if (steps[i] == 0) { /* realloc(p, 0) frees p (glibc and cowl) */
            REQUIRE(q == NULL);
            return 1;
        }
        REQUIRE(q != NULL && (uintptr_t)q % 16 == 0);
        size_t kept = steps[i] < n ? steps[i] : n;
        REQUIRE(intact(q, kept, 99));
        fill(q, steps[i], 99);
        p = q;
        n = steps[i];
    }
    free(p);
    return 1;
}

/* Large blocks are written end to end and, on cowl, give their pages back. */
static int test_big(void)
{
    size_t sizes[] = {128 * 1024, 1 << 20, 8 << 20};
#ifdef __cowl__
    uint64_t before, after, total;
    REQUIRE(cowl_memstat(&before, &total) == 0);
#endif
    for (int i = 0; i < 3; i++) {
        unsigned char *p = malloc(sizes[i]);
        REQUIRE(p != NULL && (uintptr_t)p % 16 == 0);
        memset(p, 0x5a, sizes[i]);
        REQUIRE(p[0] == 0x5a && p[sizes[i] - 1] == 0x5a);
        free(p);
    }
#ifdef __cowl__
    REQUIRE(cowl_memstat(&after, &total) == 0);
    /* 9.1 MiB were touched; all but a few table pages must be back */
    REQUIRE(after + 16 >= before);
#endif
    return 1;
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

/* Many blocks of two classes freed in a shuffled order (on cowl: the class
 * stacks fill up, and the rest goes on the spill lists), then as many
 * allocated again: every block distinct, and on cowl
 * exactly the blocks that were freed, none new. */
#define MANY 6000
static int test_many_freed(void)
{
    static void *p[MANY], *before[MANY];
    uint64_t s = 7;
    for (int i = 0; i < MANY; i++) {
        p[i] = malloc(i % 3 ? 40 : 900);
        REQUIRE(p[i] != NULL);
        fill(p[i], 40, (uint64_t)i);
    }
    for (int i = MANY - 1; i > 0; i--) { /* shuffle */
        int j = (int)(next_random(&s) % (uint64_t)(i + 1));
        void *t = p[i];
        p[i] = p[j], p[j] = t;
    }
    for (int i = 0; i < MANY; i++) {
        before[i] = p[i];
        free(p[i]);
    }
    for (int i = 0; i < MANY; i++) {
        p[i] = malloc(i % 3 ? 40 : 900);
        REQUIRE(p[i] != NULL);
        fill(p[i], 40, (uint64_t)i);
    }
    for (int i = 0; i < MANY; i++)
        REQUIRE(intact(p[i], 40, (uint64_t)i)); /* no block was handed out twice */
    qsort(p, MANY, sizeof(p[0]), cmp_ptr);
    qsort(before, MANY, sizeof(before[0]), cmp_ptr);
    for (int i = 1; i < MANY; i++)
        REQUIRE(p[i] != p[i - 1]);
#ifdef __cowl__
    for (int i = 0; i < MANY; i++)
        REQUIRE(p[i] == before[i]); /* the freed blocks came back, nothing new */
#endif
    for (int i = 0; i < MANY; i++)
        free(p[i]);
    return 1;
}

static void *thread_churn(void *arg)
{
    return (void *)(intptr_t)churn((uint64_t)(intptr_t)arg, 3000);
}

/* Blocks made by one thread and freed by another. */
static void *thread_make(void *arg)
{
    void **out = arg;
    for (int i = 0; i < 1000; i++) {
        out[i] = malloc(i % 500 + 1);
        if (out[i])
            memset(out[i], i & 0xff, i % 500 + 1);
    }
    return NULL;
}

static int test_threads(void)
{
    pthread_t a, b;
    REQUIRE(pthread_create(&a, NULL, thread_churn, (void *)2) == 0);
    REQUIRE(pthread_create(&b, NULL, thread_churn, (void *)3) == 0);
    int mine = churn(4, 1500);
    void *ra, *rb;
    REQUIRE(pthread_join(a, &ra) == 0 && pthread_join(b, &rb) == 0);
    REQUIRE(mine && ra && rb);
    static void *made[1000];
    REQUIRE(pthread_create(&a, NULL, thread_make, made) == 0);
    REQUIRE(pthread_join(a, NULL) == 0);
    for (int i = 0; i < 1000; i++) {
        REQUIRE(made[i] != NULL);
        REQUIRE(((unsigned char *)made[i])[i % 500] == (i & 0xff));
        free(made[i]);
    }
    return 1;
}

static const struct {
    const char *name;
    int (*fn)(void);
} parts[] = {
    {"random_alloc_free_realloc", test_random},
    {"alignment_16", test_alignment},
    {"calloc_zeroes", test_calloc},
    {"realloc_keeps_data", test_realloc},
    {"big_blocks", test_big},
    {"many_freed_reused", test_many_freed},
    {"two_threads", test_threads},
};

int main(void)
{
    int n = sizeof(parts) / sizeof(parts[0]);
    tap_plan(n);
    for (int i = 0; i < n; i++) {
        why[0] = 0;
        tap_result(parts[i].fn(), parts[i].name, why);
    }
    return tap_status();
}
