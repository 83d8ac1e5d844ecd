/* sigthreads.c - signals in a process with several threads, and signals
 * racing fork and exit (docs/signals.md): a signal sent to the process
 * runs its handler in a thread that does not block it, and interrupts that
 * thread's sleep; tgkill picks the thread; a signal every thread blocks
 * waits until one unblocks it; masks are per thread, inherited by a new
 * thread.  Then a loop of fork, kill and wait with handlers, threads and
 * exits racing the signals: every child ends as it may, and the leak check
 * after the test finds every page back.  Runs on Linux too. */
#include "check.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int handled_by, hits;
static int ready[2], go[2];
static volatile int reader_done;

static void record(int sig)
{
    (void)sig;
    handled_by = gettid();
    hits++;
}

static void block(int how, int sig)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK_EQ(pthread_sigmask(how, &set, NULL), 0);
}

/* The thread unblocks SIGUSR1 (inherited blocked), says so, and sleeps in
 * a read that the signal interrupts. */
static void *unblocked_reader(void *arg)
{
    (void)arg;
    block(SIG_UNBLOCK, SIGUSR1);
    int tid = gettid();
    write(ready[1], &tid, sizeof(tid));
    char c;
    long r = read(go[0], &c, 1); /* -1 (EINTR): the signal came here */
    reader_done = 1;
    return (void *)r;
}

static void process_signal_finds_unblocked_thread(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = record; /* no SA_RESTART: the read returns */
    CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    CHECK_EQ(pipe(ready), 0);
    CHECK_EQ(pipe(go), 0);
    block(SIG_BLOCK, SIGUSR1);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, unblocked_reader, NULL), 0);
    int tid;
    CHECK_EQ(read(ready[0], &tid, sizeof(tid)), (long)sizeof(tid));
    hits = 0;
    /* Again and again: the first may come before the thread is asleep. */
    for (int i = 0; i < 500 && !reader_done; i++) {
        CHECK_EQ(kill(getpid(), SIGUSR1), 0);
        usleep(10000);
    }
    void *r;
    CHECK_EQ(pthread_join(t, &r), 0);
    CHECK_EQ((long)r, -1);
    CHECK(hits >= 1);
    CHECK_EQ(handled_by, tid);

    /* Now the other way round: the thread blocks, main does not. */
    block(SIG_UNBLOCK, SIGUSR1);
    hits = 0;
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(hits, 1);
    CHECK_EQ(handled_by, gettid());
}

static volatile int thread_tid, stop;
static void *spinner(void *arg)
{
    (void)arg;
    thread_tid = gettid();
    while (!stop)
        sched_yield();
    return NULL;
}

static void tgkill_and_all_blocked(void)
{
    pthread_t t;
    stop = 0, thread_tid = 0;
    CHECK_EQ(pthread_create(&t, NULL, spinner, NULL), 0);
    while (!thread_tid)
        sched_yield();
    /* tgkill: that thread, not this one. */
    hits = 0;
    CHECK_EQ(tgkill(getpid(), thread_tid, SIGUSR1), 0);
    while (!hits)
        sched_yield();
    CHECK_EQ(handled_by, thread_tid);
    stop = 1;
    CHECK_EQ(pthread_join(t, NULL), 0);

    /* Blocked by the only thread: pending until it unblocks. */
    block(SIG_BLOCK, SIGUSR1);
    hits = 0;
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(hits, 0);
    sigset_t pend;
    CHECK_EQ(sigpending(&pend), 0);
    CHECK(sigismember(&pend, SIGUSR1));
    block(SIG_UNBLOCK, SIGUSR1);
    CHECK_EQ(hits, 1);
    signal(SIGUSR1, SIG_DFL);
}

/* ---- Children that live briefly, in several ways, while signals fly. */
static void exit_from_handler(int sig) { _exit(100 + sig); }

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void child(int kind)
{
    pthread_t t;
    switch (kind) {
    case 0: /* ends at once */
        _exit(0);
    case 1: /* a handler that exits */
        signal(SIGUSR1, exit_from_handler);
        signal(SIGTERM, exit_from_handler);
        for (;;)
            pause();
    case 2: /* threads asleep, main spinning */
        pthread_create(&t, NULL, sleeper, NULL);
        pthread_create(&t, NULL, sleeper, NULL);
        for (volatile long i = 0; i < 1000000; i++)
            ;
        _exit(0);
    default: /* signals blocked, then exit */
        block(SIG_BLOCK, SIGUSR1);
        block(SIG_BLOCK, SIGTERM);
        sched_yield();
        _exit(0);
    }
}

static void fork_kill_wait(void)
{
    static const int sigs[] = {SIGUSR1, SIGTERM, SIGKILL};
    for (int i = 0; i < 60; i++) {
        int kind = i % 4, sig = sigs[i % 3];
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
            child(kind);
        for (int y = 0; y < i % 5; y++)
            sched_yield();
        CHECK_EQ(kill(pid, sig), 0); /* a zombie not yet collected still counts */
        int st;
        CHECK_EQ(waitpid(pid, &st, 0), pid);
        int ok = (WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == sig) ||
                 (WIFEXITED(st) && WEXITSTATUS(st) == 100 + sig);
        if (!ok)
            printf("sigthreads: child kind %d, signal %d: status %x\n", kind, sig, st);
        CHECK(ok);
        if (kind == 1) /* it cannot end on its own */
            CHECK(!WIFEXITED(st) || WEXITSTATUS(st) != 0);
    }
}

int main(void)
{
    process_signal_finds_unblocked_thread();
    tgkill_and_all_blocked();
    fork_kill_wait();
    printf("sigthreads: ok\n");
    return 0;
}
