/* init.c - the first user process: greets, runs the shell, and turns the
 * machine off when the shell ends (so that a script piped into `make run`
 * ends QEMU once it has run). */
#include <cowl.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void motd(void)
{
    int fd = open("/etc/motd", O_RDONLY);
    if (fd < 0)
        return;
    char buf[512];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        write(1, buf, n);
    close(fd);
}

int main(void)
{
    motd();
    pid_t sh = fork();
    if (sh == 0) {
        char *argv[] = {"sh", NULL};
        execv("/bin/sh", argv);
        perror("init: /bin/sh");
        _exit(127);
    }
    for (;;) { /* until the shell ends (orphans go to the kernel's boot thread) */
        int status;
        pid_t pid = wait(&status);
        if (pid == sh || pid < 0)
            break;
    }
    printf("init: shell exited, powering off\n");
    poweroff();
    return 1;
}
