/* mallocbench.c - does malloc get slower when a program holds many blocks?
 *
 *   mallocbench [-l LIVE] [-n OPS] [-r ROUNDS] [-s SEED]
 *
 * First allocates LIVE blocks of random sizes (untimed), then times pairs
 * "free one random live block, malloc a new one of a random size in its
 * place", so the number of live blocks stays LIVE throughout.  Sizes are
 * 1..2048 bytes, mostly small, from a fixed-seed generator (the same
 * sequence on cowl and on Linux).  Each new block's first byte is written,
 * as a program would.
 *
 * The same loop without malloc and free (the baseline: pick a random live
 * block, draw a size, write the block's first byte) is timed too: what the
 * program itself costs, which grows with LIVE on any allocator, because it
 * touches a random block of a heap that no longer fits in the caches and
 * the TLB (docs/bench.md, "The user heap").  The two loops alternate, one
 * of each per round, ROUNDS rounds (49) over OPS ops in all, and each
 * figure is the median over the rounds: rounds short enough (about a
 * millisecond) that most of them run without the host preempting QEMU.  Prints
 *   mallocbench live=N ops=M rounds=R ns_per_op=X base_ns_per_op=Y net_ns_per_op=Z
 * where one op is one malloc or one free (a pair is two ops), X is the
 * whole loop, Y the baseline, and Z the median of the rounds' X - Y: the
 * time malloc and free themselves add.  The same file builds on Linux
 * (tools/bench.py adds libc=glibc to its lines). */
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

static const char usage[] = "usage: mallocbench [-l LIVE] [-n OPS] [-r ROUNDS] [-s SEED]\n";

/* Keeps a value alive without storing it: both loops draw the sizes. */
#define USE(x) __asm__ volatile("" : : "r"(x))

/* ns for `pairs` pairs of free + malloc (or, as the baseline, without them). */
static long time_pairs(char **blocks, long live, long pairs, int with_malloc)
{
    long start = now_ns();
    for (long i = 0; i < pairs; i++) {
        long k = (long)(next_random() % (unsigned long long)live);
        size_t n = random_size();
        if (with_malloc) {
            free(blocks[k]);
            blocks[k] = malloc(n);
            if (!blocks[k]) {
                fprintf(stderr, "mallocbench: malloc failed\n");
                exit(1);
            }
        } else {
            USE(n);
        }
        blocks[k][0] = (char)i;
    }
    return now_ns() - start;
}

/* " key=12.3" for 123 tenths: cowl's printf has no %f. */
static void print_tenths(const char *key, long tenths)
{
    long a = tenths < 0 ? -tenths : tenths;
    printf(" %s=%s%ld.%ld", key, tenths < 0 ? "-" : "", a / 10, a % 10);
}

int main(int argc, char **argv)
{
    long live = 1000, ops = 20000, rounds = 49;
    unsigned long long seed = 12345;
    int c;
    while ((c = getopt(argc, argv, "l:n:r:s:h")) != -1) {
        switch (c) {
        case 'l':
            live = atol(optarg);
            break;
        case 'n':
            ops = atol(optarg);
            break;
        case 'r':
            rounds = atol(optarg);
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
    long pairs = rounds > 0 ? ops / 2 / rounds : 0; /* per round and loop */
    if (live < 1 || pairs < 1 || rounds > 99) {
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
    /* Per round, in tenths of a ns per op (one op: one malloc or one free). */
    long whole[99], base[99], net[99];
    for (long r = 0; r < rounds; r++) {
        long b = time_pairs(blocks, live, pairs, 0) * 10 / (pairs * 2);
        long w = time_pairs(blocks, live, pairs, 1) * 10 / (pairs * 2);
        whole[r] = w, base[r] = b, net[r] = w - b;
    }
    printf("mallocbench live=%ld ops=%ld rounds=%ld", live, pairs * 2 * rounds, rounds);
    print_tenths("ns_per_op", median(whole, (int)rounds));
    print_tenths("base_ns_per_op", median(base, (int)rounds));
    print_tenths("net_ns_per_op", median(net, (int)rounds));
    printf("\n");
    for (long i = 0; i < live; i++)
        free(blocks[i]);
    free(blocks);
    return 0;
}
