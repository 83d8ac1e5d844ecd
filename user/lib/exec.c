/* exec.c - execv and execvp (PATH search) on top of execve. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

int execvp(const char *file, char *const argv[])
{
    if (strchr(file, '/'))
        return execv(file, argv);
    const char *path = getenv("PATH");
    if (!path)
        path = "/bin";
    char buf[256];
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n + strlen(file) + 2 <= sizeof(buf)) {
            memcpy(buf, path, n);
            buf[n] = '/';
            strcpy(buf + n + 1, file);
            execv(buf, argv);
            if (errno != ENOENT)
                return -1;
        }
        path += n + (colon ? 1 : 0);
    }
    errno = ENOENT;
    return -1;
}
