/* dirent.c - opendir/readdir on top of getdents64. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int getdents64(int fd, void *buf, size_t size);

struct DIR {
    int fd;
    int pos, len;
    char buf[1024];
    struct dirent ent;
};

DIR *opendir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return NULL;
    DIR *d = calloc(1, sizeof(*d));
    if (!d) {
        close(fd);
        return NULL;
    }
    d->fd = fd;
    return d;
}

struct dirent *readdir(DIR *d)
{
    if (d->pos >= d->len) {
        d->len = getdents64(d->fd, d->buf, sizeof(d->buf));
        d->pos = 0;
        if (d->len <= 0)
            return NULL;
    }
    struct dirent64 *e = (struct dirent64 *)(d->buf + d->pos);
    d->pos += e->d_reclen;
    d->ent.d_ino = e->d_ino;
    d->ent.d_type = e->d_type;
    strlcpy(d->ent.d_name, e->d_name, sizeof(d->ent.d_name));
    return &d->ent;
}

int closedir(DIR *d)
{
    close(d->fd);
    free(d);
    return 0;
}
