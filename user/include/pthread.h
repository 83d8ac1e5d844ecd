/* pthread.h - threads and mutexes, on clone() and futex().
 *
 * What cowl's libc has: create, join, exit, self-id (gettid) and a mutex.
 * Each thread has its own errno (its thread control block, user/lib/tls.h);
 * there is no __thread storage for programs yet. */
#ifndef _PTHREAD_H
#define _PTHREAD_H
#include <stddef.h>

typedef struct pthread *pthread_t;
typedef struct {
    volatile int state; /* 0 free, 1 locked, 2 locked with waiters */
} pthread_mutex_t;
typedef int pthread_attr_t;      /* attributes are not supported: pass NULL */
typedef int pthread_mutexattr_t; /* likewise */

#define PTHREAD_MUTEX_INITIALIZER                                                                  \
    {                                                                                              \
        0                                                                                          \
    }

/* Start fn(arg) in a new thread (64 KiB stack plus a guard page).  0, or
 * an error number (EAGAIN, EINVAL). */
int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
/* Wait for t to end; its result into *ret.  Frees t's stack. */
int pthread_join(pthread_t t, void **ret);
/* End the calling thread with result ret (the process ends with the last). */
__attribute__((noreturn)) void pthread_exit(void *ret);

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m); /* 0, or EBUSY */
int pthread_mutex_unlock(pthread_mutex_t *m);

#endif
