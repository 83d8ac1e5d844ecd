/* elfbad.c - execve of malformed executables fails with ENOEXEC and the
 * caller keeps running.  Each case patches a copy of this very program. */
#include "check.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static char *image;
static size_t size;

static void load_self(void)
{
    int fd = open("/tests/elfbad", O_RDONLY);
    struct stat st;
    CHECK(fd >= 0 && fstat(fd, &st) == 0);
    size = st.st_size;
    image = malloc(size);
    CHECK(image && read(fd, image, size) == (ssize_t)size);
    close(fd);
}

/* Write len bytes of buf as /bad.elf and try to run it. */
static int try_exec(const char *buf, size_t len)
{
    int fd = open("/bad.elf", O_CREAT | O_WRONLY | O_TRUNC, 0755);
    CHECK(fd >= 0 && write(fd, buf, len) == (ssize_t)len);
    close(fd);
    char *argv[] = {"/bad.elf", NULL};
    errno = 0;
    int r = execve("/bad.elf", argv, NULL);
    unlink("/bad.elf");
    return r == -1 ? errno : 0;
}

static struct phdr *load_segment(char *img, int nth)
{
    struct ehdr *h = (struct ehdr *)img;
    struct phdr *ph = (struct phdr *)(img + h->phoff);
    for (int i = 0; i < h->phnum; i++)
        if (ph[i].type == 1 && nth-- == 0)
            return &ph[i];
    return NULL;
}

#define CASE(name, patch)                                                                          \
    do {                                                                                           \
        char *c = malloc(size);                                                                    \
        memcpy(c, image, size);                                                                    \
        struct ehdr *h = (struct ehdr *)c;                                                         \
        (void)h;                                                                                   \
        patch;                                                                                     \
        int err = try_exec(c, size);                                                               \
        free(c);                                                                                   \
        if (err != ENOEXEC) {                                                                      \
            printf("FAIL elfbad: %s gave errno %d, want ENOEXEC\n", name, err);                    \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

int main(void)
{
    load_self();
    CHECK_EQ(try_exec(image, 10), ENOEXEC);                  /* truncated header */
    CHECK_EQ(try_exec(image, 200), ENOEXEC);                 /* segments cut off */
    CHECK_EQ(try_exec("#!/bin/sh\necho hi\n", 19), ENOEXEC); /* not ELF */
    CASE("wrong machine", h->machine = 3);
    CASE("32-bit class", h->ident[4] = 1);
    CASE("not executable type", h->type = 3);
    CASE("program headers past the end", h->phoff = size - 8);
    CASE("too many program headers", h->phnum = 1000);
    CASE("program headers at an odd offset", h->phoff += 1); /* the gABI aligns them */
    CASE("segment in the kernel half", load_segment(c, 0)->vaddr = 0xffffffff80000000ul);
    CASE("segment at page zero", load_segment(c, 0)->vaddr = 0);
    CASE("overlapping segments", load_segment(c, 1)->vaddr = load_segment(c, 0)->vaddr);
    CASE("file size beyond the file", load_segment(c, 0)->filesz = size * 2);
    CASE("filesz larger than memsz", load_segment(c, 0)->filesz = load_segment(c, 0)->memsz + 4096);
    CASE("entry outside any code", h->entry = 0x10);
    CASE("wrapping segment", load_segment(c, 0)->memsz = ~0ul - 100);
    /* and the real thing still works after all that */
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {"/bin/echo", "elfbad: exec still works", NULL};
        execve("/bin/echo", argv, NULL);
        _exit(99);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("elfbad: ok\n");
    return 0;
}
