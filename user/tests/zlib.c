/* zlib.c - outside code in every boot: zlib 1.2.13's own test programs
 * (third_party/zlib/test/, unchanged; third_party/README.md says where they
 * come from and why zlib) built against cowl's libc with zlib itself.
 *
 * This file is only glue: it includes the three programs with their main
 * renamed, runs each main in a child of its own (they exit(1) or abort()
 * on the first wrong result) and prints one TAP line per run:
 *  - example: zlib's test/example.c: compress/uncompress, deflate and
 *    inflate streams, large buffers, full flush, sync, preset dictionary,
 *    and the gz* file functions (gzopen, gzputs, gzprintf, gzseek, gzgets).
 *  - infcover: zlib's test/infcover.c, inflate's coverage test: every
 *    inflate path over hand-made streams, with its own allocator checking
 *    that every byte allocated is freed, and allocation failures injected.
 *  - minigzip: zlib's test/minigzip.c, a small gzip, as a program is used:
 *    compress a file (file -> file.gz, the original removed), then
 *    decompress it back (-d), and compare with what was written, once per
 *    compression level and strategy; and once through standard output
 *    (-c), as in `minigzip -c f > f.gz; minigzip -d -c f.gz > f.out`. */
#include "tap.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The outside programs.  Each brings its own static helpers; minigzip.c
 * defines `local` again as infcover.c did, so it is undefined in between. */
#define main zlib_example_main
#include "../../third_party/zlib/test/example.c"
#undef main
#define main zlib_infcover_main
#pragma GCC diagnostic push
/* infcover's cover_support() passes a string's address minus one on purpose. */
#pragma GCC diagnostic ignored "-Warray-bounds"
#include "../../third_party/zlib/test/infcover.c"
#pragma GCC diagnostic pop
#undef main
#undef local
#define main zlib_minigzip_main
#include "../../third_party/zlib/test/minigzip.c"
#undef main

#define DATA     "zlib-data"
#define DATA_GZ  "zlib-data.gz"
#define DATA_OUT "zlib-data.out"
#define EXAMPLE  "zlib-example.gz"
#define DATA_LEN (96 * 1024)

/* Runs prog(argc, argv) in a child, its standard output into the file
 * out if not NULL; its exit status, or -1 if it did not exit (killed by a
 * signal: abort() from an assert). */
static int run_child_to(int (*prog)(int, char **), int argc, char **argv, const char *out,
                        char *why, size_t n)
{
    fflush(NULL); /* what is buffered is printed once, by the parent */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, n, "fork failed");
        return -1;
    }
    if (pid == 0) {
        if (out) {
            int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
                _exit(126);
            close(fd);
        }
        exit(prog(argc, argv));
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        snprintf(why, n, "waitpid failed");
        return -1;
    }
    if (WIFEXITED(status)) {
        snprintf(why, n, "%s exited with status %d", argv[0], WEXITSTATUS(status));
        return WEXITSTATUS(status);
    }
    snprintf(why, n, "%s was killed by signal %d", argv[0], WTERMSIG(status));
    return -1;
}

static int run_child(int (*prog)(int, char **), int argc, char **argv, char *why, size_t n)
{
    return run_child_to(prog, argc, argv, NULL, why, n);
}

static int infcover(int argc, char **argv)
{
    (void)argc, (void)argv;
    return zlib_infcover_main();
}

/* Text with some randomness: compressible, but not trivially. */
static void make_data(unsigned char *buf, size_t len)
{
    unsigned long x = 2463534242UL;
    size_t i = 0;
    while (i < len) {
        char line[80];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int n = snprintf(line, sizeof(line), "line %zu: the quick brown fox %lx jumps %lu\n", i,
                         x & 0xffff, x % 97);
        for (int k = 0; k < n && i < len; k++)
            buf[i++] = (unsigned char)line[k];
    }
}

static int write_file(const char *path, const unsigned char *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, buf, len);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

/* The whole file into buf (at most max bytes); its length, or -1. */
static long read_file(const char *path, unsigned char *buf, size_t max)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t got = 0;
    ssize_t n;
    while (got < max && (n = read(fd, buf + got, max - got)) > 0)
        got += (size_t)n;
    close(fd);
    return (long)got;
}

/* minigzip with option opt (a level or a strategy) on DATA, and back. */
static void minigzip_round_trip(const char *opt, const unsigned char *data, unsigned char *back)
{
    char name[40], why[120] = "";
    snprintf(name, sizeof(name), "minigzip %s", opt);
    char *compress[] = {"minigzip", (char *)opt, DATA, NULL};
    char *decompress[] = {"minigzip", "-d", DATA_GZ, NULL};
    struct stat st;
    int ok = write_file(DATA, data, DATA_LEN) == 0;
    if (!ok)
        snprintf(why, sizeof(why), "could not write " DATA);
    ok = ok && run_child(zlib_minigzip_main, 3, compress, why, sizeof(why)) == 0;
    if (ok && (stat(DATA, &st) == 0 || stat(DATA_GZ, &st) != 0 || st.st_size >= DATA_LEN)) {
        snprintf(why, sizeof(why), "compressing did not replace " DATA " by a smaller " DATA_GZ);
        ok = 0;
    }
    ok = ok && run_child(zlib_minigzip_main, 3, decompress, why, sizeof(why)) == 0;
    if (ok && (stat(DATA_GZ, &st) == 0 || read_file(DATA, back, DATA_LEN + 1) != DATA_LEN ||
               memcmp(back, data, DATA_LEN) != 0)) {
        snprintf(why, sizeof(why), "decompressing did not give back the same " DATA);
        ok = 0;
    }
    unlink(DATA);
    unlink(DATA_GZ);
    tap_result(ok, name, why);
}

/* minigzip -c: DATA compressed to standard output (a file here, through
 * gzdopen(fileno(stdout))), and decompressed with -d -c through stdio's
 * stdout; DATA itself stays. */
static void minigzip_stdout(const unsigned char *data, unsigned char *back)
{
    char why[120] = "";
    char *compress[] = {"minigzip", "-c", DATA, NULL};
    char *decompress[] = {"minigzip", "-d", "-c", DATA_GZ, NULL};
    int ok = write_file(DATA, data, DATA_LEN) == 0;
    if (!ok)
        snprintf(why, sizeof(why), "could not write " DATA);
    ok = ok && run_child_to(zlib_minigzip_main, 3, compress, DATA_GZ, why, sizeof(why)) == 0;
    ok = ok && run_child_to(zlib_minigzip_main, 4, decompress, DATA_OUT, why, sizeof(why)) == 0;
    if (ok && (read_file(DATA_OUT, back, DATA_LEN + 1) != DATA_LEN ||
               memcmp(back, data, DATA_LEN) != 0 || read_file(DATA, back, 1) != 1)) {
        snprintf(why, sizeof(why), "-d -c did not give back the same " DATA);
        ok = 0;
    }
    unlink(DATA);
    unlink(DATA_GZ);
    unlink(DATA_OUT);
    tap_result(ok, "minigzip -c (standard output)", why);
}

int main(void)
{
    static const char *const opts[] = {"-1", "-6", "-9", "-f", "-h", "-r"};
    const int nopts = sizeof(opts) / sizeof(opts[0]);
    char why[120] = "";
    tap_plan(3 + nopts);

    char *example[] = {"example", EXAMPLE, NULL};
    tap_result(run_child(zlib_example_main, 2, example, why, sizeof(why)) == 0, "example", why);
    unlink(EXAMPLE);

    char *cover[] = {"infcover", NULL};
    tap_result(run_child(infcover, 1, cover, why, sizeof(why)) == 0, "infcover", why);

    unsigned char *data = malloc(DATA_LEN), *back = malloc(DATA_LEN + 1);
    if (!data || !back) {
        printf("# zlib: no memory for the data\n");
        return 1;
    }
    make_data(data, DATA_LEN);
    for (int i = 0; i < nopts; i++)
        minigzip_round_trip(opts[i], data, back);
    minigzip_stdout(data, back);
    free(data);
    free(back);
    return tap_status();
}
