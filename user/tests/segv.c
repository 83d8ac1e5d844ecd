/* segv.c - a user program that touches what it must not is killed with the
 * right signal, and its parent sees that in waitpid's status. */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int killed_by(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0); /* survived: wrong */
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
        return 0;
    return WTERMSIG(status);
}

static void read_kernel(void) { (void)*(volatile char *)0xffffffff80100000ul; }
static void write_kernel(void) { *(volatile char *)0xffff800000100000ul = 1; }
static void write_null(void) { *(volatile int *)0 = 1; }
static void write_text(void) { *(volatile char *)(uintptr_t)killed_by = 0; }
static void jump_kernel(void) { ((void (*)(void))0xffffffff80100000ul)(); }

static unsigned char data_code[16] = {0xc3}; /* "ret", in a non-executable page */
static void exec_data(void) { ((void (*)(void))data_code)(); }

static void exec_stack(void)
{
    unsigned char code[16] = {0xc3};
    ((void (*)(void))code)();
}

static void privileged(void) { __asm__ volatile("cli"); }
static void undefined(void) { __asm__ volatile("ud2"); }

static volatile int zero;
static void divide(void)
{
    volatile int a = 100;
    volatile int r = a / zero; /* both volatile: a real idiv (GCC turns 1/x into compares) */
    (void)r;
}

static void write_readonly_mapping(void)
{
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    mprotect(p, 4096, PROT_READ);
    p[0] = 2;
}

static void touch_unmapped(void)
{
    char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[4096] = 1;
    munmap(p + 4096, 4096);
    p[4096] = 2;
}

int main(void)
{
    CHECK_EQ(killed_by(read_kernel), SIGSEGV);
    CHECK_EQ(killed_by(write_kernel), SIGSEGV);
    CHECK_EQ(killed_by(write_null), SIGSEGV);
    CHECK_EQ(killed_by(write_text), SIGSEGV);
    CHECK_EQ(killed_by(jump_kernel), SIGSEGV);
    CHECK_EQ(killed_by(exec_data), SIGSEGV);
    CHECK_EQ(killed_by(exec_stack), SIGSEGV);
    CHECK_EQ(killed_by(privileged), SIGSEGV);
    CHECK_EQ(killed_by(undefined), SIGILL);
    CHECK_EQ(killed_by(divide), SIGFPE);
    CHECK_EQ(killed_by(write_readonly_mapping), SIGSEGV);
    CHECK_EQ(killed_by(touch_unmapped), SIGSEGV);
    printf("segv: ok\n");
    return 0;
}
