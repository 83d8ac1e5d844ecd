/* Exercise 5: copy-on-write of a buffer in user space (docs/exercises.md).
 *
 * ucow_init (below, given) maps the buffer and the saved area and installs
 * ucow_fault as the SIGSEGV handler with SA_SIGINFO.  Write:
 *
 *   ucow_snapshot   forget the copies of the previous snapshot (copied[],
 *                   ncopies), then mprotect the whole buffer read-only.
 *   ucow_fault      the handler.  If si->si_addr is inside the buffer and
 *                   that page has no copy yet: copy the page to saved[],
 *                   mark it copied, count it, and mprotect that one page
 *                   read-write; then return: the kernel runs the faulting
 *                   write again, and now it succeeds.  Any other fault is
 *                   a real bug in the program: set SIGSEGV back to SIG_DFL
 *                   and return, so that the access faults again and the
 *                   process dies as it would have without you.
 *
 * Hints: a handler may call mprotect and memcpy (they are
 * async-signal-safe in practice here).  si->si_code is SEGV_ACCERR for a
 * write to your read-only page.  The page of an address a is
 * a & ~(UCOW_PAGE - 1).  docs/signals.md section 7 says why returning
 * from the handler retries the write. */
#include "ucow.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

static struct ucow *active; /* the handler's way to the ucow */

static void ucow_fault(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    (void)uc;
    signal(SIGSEGV, SIG_DFL); /* replace with your handler */
}

int ucow_snapshot(struct ucow *c)
{
    (void)c;
    return -ENOSYS; /* replace with your snapshot */
}

const char *ucow_snapshot_page(const struct ucow *c, size_t i)
{
    return c->copied[i] ? c->saved + i * UCOW_PAGE : c->buf + i * UCOW_PAGE;
}

/* ---- Given */
int ucow_init(struct ucow *c, size_t npages)
{
    memset(c, 0, sizeof(*c));
    size_t size = npages * UCOW_PAGE;
    c->buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    c->saved = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    c->copied = mmap(NULL, npages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c->buf == MAP_FAILED || c->saved == MAP_FAILED || c->copied == MAP_FAILED)
        return -1;
    c->npages = npages;
    active = c;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = ucow_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGSEGV, &sa, NULL);
}

void ucow_destroy(struct ucow *c)
{
    size_t size = c->npages * UCOW_PAGE;
    munmap(c->buf, size);
    munmap(c->saved, size);
    munmap(c->copied, c->npages);
    signal(SIGSEGV, SIG_DFL);
    active = NULL;
}
