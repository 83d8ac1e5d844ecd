/* sysfuzz.c - short, fixed-seed runs of the system-call fuzzer
 * (user/bin/sysfuzz.c) in every boot: 3 processes of 2 threads, with forks,
 * execs and exits mixed in.
 *   1. 1500 calls per thread: every worker must end normally.
 *   2. 500 calls per thread while 0.5% of the workers' allocations fail
 *      (sysfuzz -f, mm/failalloc.c): workers may fail or be killed, the
 *      fuzzer itself must end normally.
 * Each run removes the files it made under /fz.  After the test the runner
 * checks that every page came back and audits all reference counts.
 * `make soak` runs the fuzzer for longer, with fresh seeds. */
#include "check.h"
#include <sys/wait.h>
#include <unistd.h>

static void run(char *const argv[])
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        execv("/bin/sysfuzz", argv);
        _exit(127);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
}

int main(void)
{
    char *plain[] = {"sysfuzz", "-s", "20261123", "-n", "1500", "-p", "3", "-t", "2", NULL};
    char *starved[] = {"sysfuzz", "-s", "20261124", "-n", "500",  "-p",
                       "3",       "-t", "2",        "-f", "5000", NULL};
    run(plain);
    run(starved);
    return 0;
}
