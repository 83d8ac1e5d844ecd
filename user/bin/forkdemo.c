/* forkdemo - a small program to watch fork over shared page tables in gdb
 * (the worked session in docs/debugging.md; the gdb test boots it as init).
 *
 *   1. writes its page (so the page and its tables exist),
 *   2. starts a thread (so there is a thread to see in cowl-ps),
 *   3. forks; the child writes the page once (unsharing its path to it:
 *      new PDPT, PD and PT for the child, and a copy of the page),
 *   4. calls forkdemo_ready(child): a place to stop and look around,
 *   5. lets the thread and the child go, collects them, exits. */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

char forkdemo_page[4096] __attribute__((aligned(4096)));
static int release[2]; /* the thread and the child wait here */

static void *thread_main(void *arg)
{
    char c;
    (void)arg;
    read(release[0], &c, 1);
    return NULL;
}

/* Nothing to do: a function to put a breakpoint on.  noinline, and the asm
 * keeps the compiler from dropping the call. */
__attribute__((noinline)) void forkdemo_ready(int child)
{
    __asm__ volatile("" : : "r"(child) : "memory");
}

int main(void)
{
    int done[2];
    pthread_t thread;
    forkdemo_page[0] = 'p';
    if (pipe(release) || pipe(done) || pthread_create(&thread, NULL, thread_main, NULL)) {
        perror("forkdemo");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        char c;
        forkdemo_page[0] = 'c'; /* the child's first write */
        write(done[1], "w", 1);
        read(release[0], &c, 1);
        _exit(forkdemo_page[0] == 'c' ? 0 : 1);
    }
    char c;
    read(done[0], &c, 1);
    /* dprintf, not printf: stdout's buffer and FILE live in .data/.bss,
     * beside forkdemo_page, and writing them would unshare the parent's
     * path to the page before gdb looks at it in forkdemo_ready. */
    dprintf(1, "forkdemo: pid %d forked %d; the page at %p holds '%c' here\n", getpid(), child,
            (void *)forkdemo_page, forkdemo_page[0]);
    forkdemo_ready(child);
    write(release[1], "gg", 2);
    pthread_join(thread, NULL);
    int status;
    waitpid(child, &status, 0);
    printf("forkdemo: child exited with %d, the page still holds '%c' here\n", WEXITSTATUS(status),
           forkdemo_page[0]);
    return 0;
}
