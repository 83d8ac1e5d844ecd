/* ls.c - list directories (or name files): one entry per line, with size
 * for files and a trailing / for directories. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int list(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        printf("%8lu %s\n", (unsigned long)st.st_size, path);
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (struct dirent *e; (e = readdir(d));) {
        char full[256];
        snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
        if (e->d_type == DT_DIR)
            printf("%8s %s/\n", "-", e->d_name);
        else if (stat(full, &st) == 0)
            printf("%8lu %s\n", (unsigned long)st.st_size, e->d_name);
    }
    closedir(d);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 1)
        return list(".");
    int status = 0;
    for (int i = 1; i < argc; i++)
        status |= list(argv[i]);
    return status;
}
