/* tls.h - libc's thread control block, one per thread, found through the
 * thread pointer (the FS base, set by arch_prctl or clone's CLONE_SETTLS).
 * As on every x86-64 system, its first word points to itself, so that
 * %fs:0 gives the block's address in one load.  libc-internal. */
#ifndef COWL_LIBC_TLS_H
#define COWL_LIBC_TLS_H

struct pthread;

struct tcb {
    struct tcb *self;       /* %fs:0 */
    int errno_value;        /* errno, per thread (errno.h) */
    struct pthread *thread; /* its pthread_create's struct; NULL in the main thread */
};

/* The calling thread's block.  Not volatile: a thread's pointer never
 * changes once set, so the compiler may reuse it. */
static inline struct tcb *tcb_self(void)
{
    struct tcb *t;
    __asm__("mov %%fs:0, %0" : "=r"(t));
    return t;
}

/* Make t the calling thread's block (crt0 for the main thread). */
void tls_init_main(void);

#endif
