/* kill.c - kill [-SIGNAL] PID...: end processes (default SIGTERM). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int sig = SIGTERM, i = 1, status = 0;
    if (argc > 1 && argv[1][0] == '-')
        sig = atoi(argv[1] + 1), i = 2;
    if (i >= argc) {
        fprintf(stderr, "usage: kill [-SIGNAL] PID...\n");
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
