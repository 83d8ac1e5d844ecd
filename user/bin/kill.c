/* kill.c - kill [-SIGNAL] [--] PID...: end processes (default SIGTERM).  A
 * PID of -N means process group N (kill(2)); after a signal or `--`,
 * kill -9 -7 and kill -- -7 say it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int sig = SIGTERM, i = 1, status = 0;
    if (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"))
        sig = atoi(argv[i] + 1), i++;
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (i >= argc) {
        fprintf(stderr, "usage: kill [-SIGNAL] [--] PID|-PGID...\n");
        return 2;
    }
    for (; i < argc; i++) {
        if (kill(atoi(argv[i]), sig) < 0) {
            perror("kill");
            status = 1;
        }
    }
    return status;
}
