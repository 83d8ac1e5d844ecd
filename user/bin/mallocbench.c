/* mallocbench.c - does malloc get slower when a program holds many blocks?
 *
 *   mallocbench [-l LIVE] [-n OPS] [-s SEED]
 *
 * First allocates LIVE blocks of random sizes (untimed), then times OPS
 * pairs "free one random live block, malloc a new one of a random size in
 * its place", so the number of live blocks stays LIVE throughout.  Sizes
 * are 1..2048 bytes, mostly small, from a fixed-seed generator (the same
 * sequence on cowl and on Linux).  Each block's first byte is written, as a
 * program would.  Prints
 *   mallocbench live=N ops=M ns_per_op=X
 * where one op is one malloc or one free (a pair is two ops).  The same
 * file builds on Linux (tools/bench.py adds libc=glibc to its lines). */
#include "../include/bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned long long rng_state;

/* xorshift64*: the same numbers on every libc, unlike rand(). */
static unsigned long long next_random(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* Mostly small blocks, as programs allocate: 3/4 up to 128 bytes, the
 * rest up to 2048. */
static size_t random_size(void)
{
    unsigned long long r = next_random();
    return (r & 3) ? 1 + (r >> 8) % 128 : 1 + (r >> 8) % 2048;
}

static const char usage[] = "usage: mallocbench [-l LIVE] [-n OPS] [-s SEED]\n";

int main(int argc, char **argv)
{
    long live = 1000, ops = 20000;
    unsigned long long seed = 12345;
    int c;
    while ((c = getopt(argc, argv, "l:n:s:h")) != -1) {
        switch (c) {
        case 'l':
            live = atol(optarg);
            break;
        case 'n':
            ops = atol(optarg);
            break;
        case 's':
            seed = strtoul(optarg, NULL, 10);
            break;
        case 'h':
            printf("%s", usage);
            return 0;
        default:
            fprintf(stderr, "%s", usage);
            return 2;
        }
    }
    if (live < 1 || ops < 2) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    rng_state = seed ? seed : 1;
    char **blocks = malloc(live * sizeof(*blocks));
    if (!blocks) {
        fprintf(stderr, "mallocbench: no memory for %ld pointers\n", live);
        return 1;
    }
    for (long i = 0; i < live; i++) {
        blocks[i] = malloc(random_size());
        if (!blocks[i]) {
            fprintf(stderr, "mallocbench: malloc failed after %ld blocks\n", i);
            return 1;
        }
        blocks[i][0] = (char)i;
    }
    long pairs = ops / 2;
    long start = now_ns();
    for (long i = 0; i < pairs; i++) {
        long k = (long)(next_random() % (unsigned long long)live);
        free(blocks[k]);
        blocks[k] = malloc(random_size());
        if (!blocks[k]) {
            fprintf(stderr, "mallocbench: malloc failed\n");
            return 1;
        }
        blocks[k][0] = (char)i;
    }
    long elapsed = now_ns() - start;
    long tenths = elapsed * 10 / (pairs * 2); /* cowl's printf has no %f */
    printf("mallocbench live=%ld ops=%ld ns_per_op=%ld.%ld\n", live, pairs * 2, tenths / 10,
           tenths % 10);
    for (long i = 0; i < live; i++)
        free(blocks[i]);
    free(blocks);
    return 0;
}
