/* mtstress.c - threads on different CPUs writing, forking and exiting for a
 * while.  Each thread owns a slice of one shared region and stamps every
 * word of it with (thread, iteration); every few iterations it forks.
 *
 *   parent thread: after fork its own slice must still hold its stamps
 *                  (copy-on-write under concurrent faults by the others)
 *   child:         every slice holds stamps of its own thread only, and
 *                  stays the same while the child looks at it twice; then
 *                  it overwrites the region and checks its private copy
 *
 * Threads are joined and started again for several rounds; at the end the
 * free page count is back where it started. */
#include "check.h"
#ifdef __cowl__
#include <cowl.h>
#else
#include <stdint.h>
#endif
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NT          4
#define SLICE_PAGES 16
#define PAGE        4096
#define WORDS       (SLICE_PAGES * PAGE / 8)
#define ITERS       24
#define ROUNDS      3

static uint64_t *region; /* NT slices */

static uint64_t stamp(long t, long iter) { return (uint64_t)(t + 1) << 32 | (uint64_t)iter; }

/* In a child: slice t holds only thread t's stamps (or zeros, untouched). */
static int slice_plausible(long t)
{
    uint64_t *s = region + t * WORDS;
    for (long i = 0; i < WORDS; i++)
        if (s[i] && (s[i] >> 32) != (uint64_t)(t + 1))
            return 0;
    return 1;
}

static void child_checks(void)
{
    static uint64_t first[NT];
    for (long t = 0; t < NT; t++) {
        if (!slice_plausible(t))
            _exit(10 + t);
        first[t] = region[t * WORDS + WORDS - 1];
    }
    for (volatile int spin = 0; spin < 20000; spin++)
        ;
    for (long t = 0; t < NT; t++) /* our copy must not move */
        if (region[t * WORDS + WORDS - 1] != first[t])
            _exit(20 + t);
    for (long i = 0; i < NT * WORDS; i++)
        region[i] = ~(uint64_t)i;
    for (long i = 0; i < NT * WORDS; i++)
        if (region[i] != ~(uint64_t)i)
            _exit(30);
    _exit(0);
}

static void *worker(void *arg)
{
    long t = (long)arg, bad = 0;
    uint64_t *s = region + t * WORDS;
    for (long iter = 1; iter <= ITERS && !bad; iter++) {
        for (long i = 0; i < WORDS; i++)
            s[i] = stamp(t, iter);
        if (iter % 4 == t % 4) {
            pid_t pid = fork();
            if (pid == 0)
                child_checks();
            int st;
            if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
                printf("mtstress: thread %ld iter %ld: child failed (status 0x%x)\n", t, iter,
                       pid < 0 ? -1 : st);
                bad = 1;
            }
        }
        for (long i = 0; i < WORDS && !bad; i++)
            if (s[i] != stamp(t, iter)) {
                printf("mtstress: thread %ld iter %ld: word %ld changed\n", t, iter, i);
                bad = 1;
            }
    }
    return (void *)bad;
}

static void stress(void)
{
    region = mmap(NULL, NT * WORDS * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(region != MAP_FAILED);
    for (int round = 0; round < ROUNDS; round++) {
        pthread_t th[NT];
        for (long t = 0; t < NT; t++)
            CHECK_EQ(pthread_create(&th[t], NULL, worker, (void *)t), 0);
        for (long t = 0; t < NT; t++) {
            void *bad;
            CHECK_EQ(pthread_join(th[t], &bad), 0);
            CHECK_EQ((long)bad, 0);
        }
    }
    CHECK_EQ(munmap(region, NT * WORDS * 8), 0);
}

/* Run the stress in a child process; once it is collected, every page it
 * used (threads' kernel stacks, tables, COW copies) must be free again. */
static void run_and_wait(int stressed)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (stressed)
            stress();
        _exit(0);
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
#ifdef __cowl__
    uint64_t free_before, free_after;
    run_and_wait(0); /* warm up: the pages our own fork path touches stay ours */
    CHECK_EQ(cowl_memstat(&free_before, NULL), 0);
    run_and_wait(1);
    CHECK_EQ(cowl_memstat(&free_after, NULL), 0);
    printf("mtstress: %d rounds of %d threads, %d forks each: ok (free pages %lu -> %lu)\n", ROUNDS,
           NT, ITERS / 4, (unsigned long)free_before, (unsigned long)free_after);
    CHECK_EQ(free_after, free_before);
#else /* make test-linux: the host's free pages are not ours to count */
    run_and_wait(1);
    printf("mtstress: %d rounds of %d threads, %d forks each: ok\n", ROUNDS, NT, ITERS / 4);
#endif
    return 0;
}
