/* pthread.c - threads on clone(), mutexes on futex().
 *
 * A thread's stack is an mmap'ed region with a PROT_NONE guard page at the
 * bottom; struct pthread lives in the caller's heap, with the thread's
 * control block (tls.h: its errno), which clone makes its thread pointer
 * (CLONE_SETTLS).  The kernel writes 0 into t->tid and futex-wakes it when
 * the thread has exited (CLONE_CHILD_CLEARTID): join sleeps on that word,
 * then frees the stack. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define STACK_SIZE (64 * 1024)
#define GUARD_SIZE 4096

#include "tls.h"
#include "uapi/futex.h"
#include "uapi/sched.h"
#include "uapi/syscall.h"

long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);
int __clone_thread(long flags, void *stack_top, volatile int *ptid, volatile int *ctid,
                   int (*fn)(void *), void *arg, void *tls);

struct pthread {
    volatile int tid; /* set by clone, cleared by the kernel at exit */
    void *stack;
    void *(*fn)(void *);
    void *arg;
    void *ret;
    struct tcb tcb; /* its thread pointer points here */
};

/* futex without errno: a wait that finds the word already changed fails
 * with EAGAIN, which is no error here, and a thread's errno must not
 * change under it because it joined a thread or took a mutex. */
static void futex_call(volatile int *addr, int op, int val)
{
    __syscall(SYS_futex, (long)addr, op, val, 0, 0, 0);
}

static int thread_main(void *p)
{
    struct pthread *t = p;
    t->ret = t->fn(t->arg);
    return 0;
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    if (attr)
        return EINVAL;
    struct pthread *t = calloc(1, sizeof(*t));
    if (!t)
        return EAGAIN;
    char *stack = mmap(NULL, STACK_SIZE + GUARD_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED || mprotect(stack, GUARD_SIZE, PROT_NONE) < 0) {
        if (stack != MAP_FAILED)
            munmap(stack, STACK_SIZE + GUARD_SIZE);
        free(t);
        return EAGAIN;
    }
    t->stack = stack;
    t->fn = fn;
    t->arg = arg;
    t->tcb.self = &t->tcb;
    t->tcb.thread = t;
    long flags = CLONE_THREAD_FLAGS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_SETTLS;
    long r = __clone_thread(flags, stack + STACK_SIZE + GUARD_SIZE, &t->tid, &t->tid, thread_main,
                            t, &t->tcb);
    if (r < 0) {
        munmap(stack, STACK_SIZE + GUARD_SIZE);
        free(t);
        return r == -EINVAL ? EINVAL : EAGAIN;
    }
    *out = t;
    return 0;
}

int pthread_join(pthread_t t, void **ret)
{
    for (int tid; (tid = t->tid) != 0;)
        futex_call(&t->tid, FUTEX_WAIT, tid);
    if (ret)
        *ret = t->ret;
    munmap(t->stack, STACK_SIZE + GUARD_SIZE);
    free(t);
    return 0;
}

void pthread_exit(void *ret)
{
    struct pthread *t = tcb_self()->thread; /* NULL in the main thread: nobody joins it */
    if (t)
        t->ret = ret;
    for (;;)
        __asm__ volatile("syscall" ::"a"(60), "D"(0) : "rcx", "r11", "memory");
}

/* Mutex: 0 free, 1 locked, 2 locked and someone may sleep on it.  The
 * uncontended lock and unlock are one atomic instruction each; only a
 * thread that finds it taken goes to the kernel (after Drepper, "Futexes
 * Are Tricky", mutex 3). */
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    (void)attr;
    m->state = 0;
    return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m) { return m->state ? EBUSY : 0; }

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    int expected = 0;
    return __atomic_compare_exchange_n(&m->state, &expected, 1, 0, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED)
               ? 0
               : EBUSY;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
    int c = 0;
    if (__atomic_compare_exchange_n(&m->state, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return 0;
    if (c != 2) /* announce a waiter: the unlocker must call the kernel */
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        futex_call(&m->state, FUTEX_WAIT, 2);
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    }
    return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2)
        futex_call(&m->state, FUTEX_WAKE, 1);
    return 0;
}
