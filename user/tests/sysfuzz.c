/* sysfuzz.c - a short, fixed-seed run of the system-call fuzzer
 * (user/bin/sysfuzz.c): 3 processes of 2 threads, 1500 calls per thread,
 * with forks, execs and exits mixed in.  Passes when every worker ended
 * normally (sysfuzz removes the files it made under /fz); the runner then checks that every page
 * came back and audits all reference counts.  `make soak` runs it for longer with fresh seeds. */
#include "check.h"
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char *argv[] = {"sysfuzz", "-s", "20261123", "-n", "1500", "-p", "3", "-t", "2", NULL};
        execv("/bin/sysfuzz", argv);
        _exit(127);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
    return 0;
}
