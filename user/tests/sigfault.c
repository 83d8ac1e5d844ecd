/* sigfault.c - faults are signals a handler can catch (docs/signals.md):
 * a SIGSEGV handler mprotects or maps the page and returns, and the access
 * then succeeds; si_addr and si_code say where and why (SEGV_ACCERR,
 * SEGV_MAPERR); SIGILL and SIGFPE report the instruction and the handler
 * can step over it through the saved registers; a fault while the same
 * signal is blocked (inside its own handler, or by the mask) or ignored
 * ends the process.  On cowl only: a corrupted frame handed to
 * rt_sigreturn (segments, privileged flags, kernel addresses, a bad FPU
 * pointer, a garbage stack) and a stack the frame cannot be written to
 * end the process with SIGSEGV, and the kernel runs on. */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static char *volatile fault_page;
static volatile int hits, got_code, fix_prot;
static void *volatile got_addr;
static volatile int *volatile low_address = (volatile int *)16; /* never mapped */

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

/* Make the page usable again (mprotect, or map it where it was missing). */
static void fix_page(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    got_addr = si->si_addr;
    got_code = si->si_code;
    char *page = (char *)((uintptr_t)si->si_addr & ~(uintptr_t)(PAGE - 1));
    if (fix_prot)
        mprotect(page, PAGE, PROT_READ | PROT_WRITE);
    else
        mmap(page, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void segv_handler_fixes_page(void)
{
    on(SIGSEGV, fix_page, 0);
    char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);

    /* Read-only: SEGV_ACCERR, then the write goes through. */
    p[0] = 1;
    CHECK_EQ(mprotect(p, PAGE, PROT_READ), 0);
    hits = 0, fix_prot = 1;
    ((volatile char *)p)[123] = 7;
    CHECK_EQ(hits, 1);
    CHECK(got_addr == p + 123);
    CHECK_EQ(got_code, SEGV_ACCERR);
    CHECK_EQ(p[123], 7);

    /* PROT_NONE, never touched: still a mapping, so SEGV_ACCERR. */
    CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_NONE), 0);
    hits = 0;
    CHECK_EQ(((volatile char *)p)[PAGE + 5], 0);
    CHECK_EQ(hits, 1);
    CHECK(got_addr == p + PAGE + 5);
    CHECK_EQ(got_code, SEGV_ACCERR);

    /* Unmapped: SEGV_MAPERR; the handler maps a fresh page there. */
    CHECK_EQ(munmap(p + 2 * PAGE, PAGE), 0);
    hits = 0, fix_prot = 0;
    ((volatile char *)p)[2 * PAGE + 9] = 3;
    CHECK_EQ(hits, 1);
    CHECK(got_addr == p + 2 * PAGE + 9);
    CHECK_EQ(got_code, SEGV_MAPERR);
    CHECK_EQ(p[2 * PAGE + 9], 3);
    munmap(p, 3 * PAGE);
    signal(SIGSEGV, SIG_DFL);
}

/* Step over the faulting instruction: the saved rip is the frame's. */
static volatile int skip_bytes;
static void skip_insn(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    hits++;
    got_code = si->si_code;
    got_addr = si->si_addr;
    if ((uintptr_t)si->si_addr != (uintptr_t)uc->uc_mcontext.gregs[REG_RIP] && sig != SIGSEGV)
        got_code = -1; /* si_addr must be the instruction */
    uc->uc_mcontext.gregs[REG_RIP] += skip_bytes;
}

extern char ud2_at[], idiv_at[];

static __attribute__((noinline)) void ill_and_fpe(void)
{
    on(SIGILL, skip_insn, 0);
    on(SIGFPE, skip_insn, 0);
    hits = 0, skip_bytes = 2;
    __asm__ volatile("ud2_at: ud2" ::: "memory");
    CHECK_EQ(hits, 1);
    CHECK_EQ(got_code, ILL_ILLOPN);
    CHECK(got_addr == (void *)ud2_at);

    int r;
    __asm__ volatile("mov $7, %%eax\n"
                     "cdq\n"
                     "xor %%ecx, %%ecx\n"
                     "idiv_at: idiv %%ecx\n" /* f7 f9: two bytes */
                     : "=a"(r)
                     :
                     : "rcx", "rdx", "memory");
    CHECK_EQ(hits, 2);
    CHECK_EQ(got_code, FPE_INTDIV);
    CHECK(got_addr == (void *)idiv_at);
    CHECK_EQ(r, 7); /* the division never happened */
    signal(SIGILL, SIG_DFL);
    signal(SIGFPE, SIG_DFL);
}

static int status_of(void (*child)(void))
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        child();
        _exit(0);
    }
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    return st;
}

static int killed_by(int st, int sig) { return WIFSIGNALED(st) && WTERMSIG(st) == sig; }

/* A handler that faults again: SIGSEGV is blocked inside it. */
static void fault_again(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    *low_address = 1;
}
static void fault_in_handler(void)
{
    on(SIGSEGV, fault_again, 0);
    *low_address = 2;
}
static void fault_blocked(void)
{
    on(SIGSEGV, fix_page, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, NULL);
    *low_address = 2;
}
static void fault_ignored(void)
{
    signal(SIGSEGV, SIG_IGN);
    *low_address = 2;
}

/* SA_NODEFER: the second fault runs the handler again, inside the first. */
static volatile int nested_depth;
static void fault_nested(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    nested_depth++;
    if (nested_depth == 1)
        *(volatile char *)si->si_addr = 1; /* faults again: this handler runs inside */
    mprotect((void *)((uintptr_t)si->si_addr & ~(uintptr_t)(PAGE - 1)), PAGE,
             PROT_READ | PROT_WRITE);
}
static void nodefer_fault(void)
{
    on(SIGSEGV, fault_nested, SA_NODEFER);
    char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    if (nested_depth != 2 || p[0] != 1)
        _exit(3);
}

static void fatal_faults(void)
{
    CHECK(killed_by(status_of(fault_in_handler), SIGSEGV));
    CHECK(killed_by(status_of(fault_blocked), SIGSEGV));
    CHECK(killed_by(status_of(fault_ignored), SIGSEGV));
    int st = status_of(nodefer_fault);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

#ifdef __cowl__
/* ---- Bad frames: each child's handler spoils one thing in its frame and
 * returns; rt_sigreturn must refuse it with SIGSEGV. */
static volatile int spoil;
static void spoil_frame(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    switch (spoil) {
    case 0: g[REG_CSGSFS] = (g[REG_CSGSFS] & ~0xffffll) | 0x08; break; /* kernel cs */
    case 1: g[REG_CSGSFS] = (g[REG_CSGSFS] & 0xffffll) | (0x10ll << 48); break; /* kernel ss */
    case 2: g[REG_EFL] |= 3 << 12; break;                /* IOPL 3 */
    case 3: g[REG_EFL] |= 1 << 17; break;                /* virtual-8086 mode */
    case 4: g[REG_RIP] = (greg_t)0xffffffff80100000ull; break; /* kernel rip */
    case 5: g[REG_RIP] = (greg_t)0x0000900000000000ull; break; /* non-canonical */
    case 6: g[REG_RSP] = (greg_t)0xffff800000000000ull; break;
    case 7: uc->uc_mcontext.fpregs = (char *)uc->uc_mcontext.fpregs + 8; break; /* misaligned */
    case 8: uc->uc_mcontext.fpregs = (void *)0xffffffff80100000ull; break;
    }
}
static void spoiled_return(void)
{
    on(SIGUSR1, spoil_frame, 0);
    raise(SIGUSR1);
}

/* rt_sigreturn with no frame at all: rsp somewhere useless. */
static void garbage_sigreturn(void)
{
    __asm__ volatile("mov $0x1000, %%rsp\n"
                     "mov $15, %%eax\n"
                     "syscall\n" ::: "memory");
}
static void sigreturn_on_junk(void)
{
    char junk[2048];
    for (unsigned i = 0; i < sizeof(junk); i++)
        junk[i] = (char)(i * 37 + 11);
    __asm__ volatile("mov %0, %%rsp\n"
                     "mov $15, %%eax\n"
                     "syscall\n" ::"r"(junk + 1024) : "memory");
}

/* A signal arrives while rsp points into a read-only page: the frame
 * cannot be written, so the process ends with SIGSEGV. */
static void unwritable_stack(void)
{
    on(SIGUSR1, spoil_frame, 0);
    char *ro = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long pid = getpid();
    __asm__ volatile("mov %0, %%rsp\n"
                     "mov $62, %%eax\n" /* kill(pid, SIGUSR1) */
                     "syscall\n"
                     "ud2\n" ::"r"(ro + 2 * PAGE), "D"(pid), "S"(SIGUSR1) : "memory");
}

/* MXCSR with reserved bits: fxrstor would fault in the kernel.  The kernel
 * clears them (or refuses the frame); either way the kernel runs on. */
static void bad_mxcsr(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    *(uint32_t *)((char *)uc->uc_mcontext.fpregs + 24) = 0xffffffff;
}
static void mxcsr_return(void)
{
    on(SIGUSR1, bad_mxcsr, 0);
    raise(SIGUSR1);
}

static void bad_frames(void)
{
    for (spoil = 0; spoil <= 8; spoil++) {
        int st = status_of(spoiled_return);
        if (!killed_by(st, SIGSEGV))
            printf("sigfault: spoiled frame %d: status %x\n", spoil, st);
        CHECK(killed_by(st, SIGSEGV));
    }
    CHECK(killed_by(status_of(garbage_sigreturn), SIGSEGV));
    CHECK(killed_by(status_of(sigreturn_on_junk), SIGSEGV));
    CHECK(killed_by(status_of(unwritable_stack), SIGSEGV));
    int st = status_of(mxcsr_return);
    CHECK(killed_by(st, SIGSEGV) || (WIFEXITED(st) && WEXITSTATUS(st) == 0));
}
#endif

int main(void)
{
    segv_handler_fixes_page();
    ill_and_fpe();
    fatal_faults();
#ifdef __cowl__
    bad_frames();
#endif
    printf("sigfault: ok\n");
    return 0;
}
