/* paths.c - path resolution as POSIX and Linux have it: ".", "..", trailing
 * slashes, empty and too-long names, files used as directories, and what
 * each call does with a directory versus a file; hard links (link,
 * st_nlink) and access().
 *
 * Most of it is a table of (call, path, expected result or errno).  Each
 * row runs in a fresh directory of its own holding the same fixture, so
 * rows cannot disturb each other, and may name something to stat
 * afterwards (did the failed call leave it alone?  did the good one make
 * the right kind of thing?).  Every expectation is Linux's real answer:
 * make test-linux runs this same program on the host.  All rows run, and
 * each wrong one prints a FAIL line, before the program exits 1. */
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

enum op { STAT, OPEN, UNLINK, MKDIR, RMDIR, CHDIR, ACCESS, LINK };
static const char *const op_names[] = {"stat",  "open",  "unlink", "mkdir",
                                       "rmdir", "chdir", "access", "link"};

/* What to stat after the call: it must be a directory, a regular file, or
 * give this errno. */
#define IS_DIR  (-1)
#define IS_FILE (-2)

struct pcase {
    enum op op;
    const char *path;
    int arg;           /* OPEN: flags; ACCESS: mode */
    const char *path2; /* LINK: the new name */
    int want;          /* 0: success; else the errno */
    const char *post;  /* stat this afterwards (NULL: nothing) */
    int post_want;     /* IS_DIR, IS_FILE or an errno */
};

/* A component longer than any system's NAME_MAX (Linux: 255). */
static char longname[300];

/* The fixture of every row, in its own directory:
 *   f        a regular file holding "abc"
 *   d/       an empty directory
 *   full/x   a directory with a file in it */
#define R(op, path, arg, want)                                                                     \
    {                                                                                              \
        op, path, arg, NULL, want, NULL, 0                                                         \
    }
#define RP(op, path, arg, want, post, pw)                                                          \
    {                                                                                              \
        op, path, arg, NULL, want, post, pw                                                        \
    }
#define L(old, new, want, post, pw)                                                                \
    {                                                                                              \
        LINK, old, 0, new, want, post, pw                                                          \
    }
#define CREAT(flags) (O_CREAT | (flags))

static const struct pcase cases[] = {
    /* stat: the lookup itself */
    R(STAT, "f", 0, 0),
    R(STAT, "f/", 0, ENOTDIR),
    R(STAT, "f/.", 0, ENOTDIR),
    R(STAT, "f/..", 0, ENOTDIR),
    R(STAT, "f/x", 0, ENOTDIR),
    R(STAT, "f/../f", 0, ENOTDIR),
    R(STAT, "d", 0, 0),
    R(STAT, "d/", 0, 0),
    R(STAT, "d//", 0, 0),
    R(STAT, "d/.", 0, 0),
    R(STAT, "d/..", 0, 0),
    R(STAT, "d/../f", 0, 0),
    R(STAT, "./f", 0, 0),
    R(STAT, ".", 0, 0),
    R(STAT, "..", 0, 0),
    R(STAT, "/", 0, 0),
    R(STAT, "/..", 0, 0),
    R(STAT, "", 0, ENOENT),
    R(STAT, "missing", 0, ENOENT),
    R(STAT, "missing/", 0, ENOENT),
    R(STAT, "missing/x", 0, ENOENT),
    R(STAT, "missing/../f", 0, ENOENT),
    R(STAT, longname, 0, ENAMETOOLONG),

    /* open without O_CREAT */
    R(OPEN, "f", O_RDONLY, 0),
    R(OPEN, "f/", O_RDONLY, ENOTDIR),
    R(OPEN, "f/.", O_RDONLY, ENOTDIR),
    R(OPEN, "d", O_RDONLY, 0),
    R(OPEN, "d/", O_RDONLY, 0),
    R(OPEN, "d/.", O_RDONLY, 0),
    R(OPEN, ".", O_RDONLY, 0),
    R(OPEN, "d", O_WRONLY, EISDIR),
    R(OPEN, ".", O_RDWR, EISDIR),
    R(OPEN, "f", O_RDONLY | O_DIRECTORY, ENOTDIR),
    R(OPEN, "d", O_RDONLY | O_DIRECTORY, 0),
    R(OPEN, "", O_RDONLY, ENOENT),
    R(OPEN, "missing", O_RDONLY, ENOENT),
    R(OPEN, "missing/", O_RDONLY, ENOENT),
    R(OPEN, longname, O_RDONLY, ENAMETOOLONG),

    /* open with O_CREAT: only a plain name makes a file */
    RP(OPEN, "new", CREAT(O_RDWR), 0, "new", IS_FILE),
    RP(OPEN, "d/new", CREAT(O_RDWR), 0, "d/new", IS_FILE),
    RP(OPEN, "new/", CREAT(O_RDWR), EISDIR, "new", ENOENT),
    RP(OPEN, "f/", CREAT(O_RDWR), EISDIR, "f", IS_FILE),
    R(OPEN, "f", CREAT(O_RDWR), 0),
    R(OPEN, "d", CREAT(O_RDONLY), EISDIR),
    R(OPEN, "d/", CREAT(O_RDONLY), EISDIR),
    R(OPEN, ".", CREAT(O_RDONLY), EISDIR),
    R(OPEN, "f", CREAT(O_RDWR | O_EXCL), EEXIST),
    R(OPEN, "d", CREAT(O_RDWR | O_EXCL), EEXIST),
    R(OPEN, ".", CREAT(O_RDWR | O_EXCL), EEXIST),
    R(OPEN, "..", CREAT(O_RDWR | O_EXCL), EEXIST),
    R(OPEN, "", CREAT(O_RDWR), ENOENT),
    R(OPEN, "missing/new", CREAT(O_RDWR), ENOENT),
    R(OPEN, "f/new", CREAT(O_RDWR), ENOTDIR),
    R(OPEN, longname, CREAT(O_RDWR), ENAMETOOLONG),

    /* unlink: names of files only, never a directory */
    RP(UNLINK, "f", 0, 0, "f", ENOENT),
    RP(UNLINK, "f/", 0, ENOTDIR, "f", IS_FILE),
    RP(UNLINK, "f/.", 0, ENOTDIR, "f", IS_FILE),
    R(UNLINK, "f/x", 0, ENOTDIR),
    RP(UNLINK, "d", 0, EISDIR, "d", IS_DIR),
    RP(UNLINK, "d/", 0, EISDIR, "d", IS_DIR),
    RP(UNLINK, "d/.", 0, EISDIR, "d", IS_DIR),
    RP(UNLINK, "d/..", 0, EISDIR, ".", IS_DIR),
    RP(UNLINK, ".", 0, EISDIR, ".", IS_DIR),
    RP(UNLINK, "..", 0, EISDIR, ".", IS_DIR),
    RP(UNLINK, "full", 0, EISDIR, "full/x", IS_FILE),
    R(UNLINK, "", 0, ENOENT),
    R(UNLINK, "missing", 0, ENOENT),
    R(UNLINK, "missing/x", 0, ENOENT),
    R(UNLINK, longname, 0, ENAMETOOLONG),

    /* mkdir: a trailing slash is fine, an existing name never */
    RP(MKDIR, "new", 0, 0, "new", IS_DIR),
    RP(MKDIR, "new/", 0, 0, "new", IS_DIR),
    RP(MKDIR, "new//", 0, 0, "new", IS_DIR),
    RP(MKDIR, "d/new", 0, 0, "d/new", IS_DIR),
    R(MKDIR, "f", 0, EEXIST),
    R(MKDIR, "f/", 0, EEXIST),
    R(MKDIR, "d", 0, EEXIST),
    R(MKDIR, "d/", 0, EEXIST),
    R(MKDIR, "d/.", 0, EEXIST),
    R(MKDIR, "d/..", 0, EEXIST),
    R(MKDIR, ".", 0, EEXIST),
    R(MKDIR, "..", 0, EEXIST),
    R(MKDIR, "/", 0, EEXIST),
    R(MKDIR, "", 0, ENOENT),
    R(MKDIR, "missing/new", 0, ENOENT),
    R(MKDIR, "f/new", 0, ENOTDIR),
    R(MKDIR, longname, 0, ENAMETOOLONG),

    /* rmdir: empty directories only, and never by "." */
    RP(RMDIR, "d", 0, 0, "d", ENOENT),
    RP(RMDIR, "d/", 0, 0, "d", ENOENT),
    RP(RMDIR, "d/.", 0, EINVAL, "d", IS_DIR),
    RP(RMDIR, "d/..", 0, ENOTEMPTY, ".", IS_DIR),
    RP(RMDIR, ".", 0, EINVAL, ".", IS_DIR),
    RP(RMDIR, "..", 0, ENOTEMPTY, ".", IS_DIR),
    RP(RMDIR, "full", 0, ENOTEMPTY, "full/x", IS_FILE),
    RP(RMDIR, "f", 0, ENOTDIR, "f", IS_FILE),
    RP(RMDIR, "f/", 0, ENOTDIR, "f", IS_FILE),
    R(RMDIR, "f/x", 0, ENOTDIR),
    R(RMDIR, "", 0, ENOENT),
    R(RMDIR, "missing", 0, ENOENT),
    R(RMDIR, "missing/", 0, ENOENT),
    R(RMDIR, "/", 0, EBUSY),
    R(RMDIR, longname, 0, ENAMETOOLONG),

    /* chdir */
    R(CHDIR, "d", 0, 0),
    R(CHDIR, "d/", 0, 0),
    R(CHDIR, "d/.", 0, 0),
    R(CHDIR, "d/..", 0, 0),
    R(CHDIR, ".", 0, 0),
    R(CHDIR, "..", 0, 0),
    R(CHDIR, "f", 0, ENOTDIR),
    R(CHDIR, "f/", 0, ENOTDIR),
    R(CHDIR, "", 0, ENOENT),
    R(CHDIR, "missing", 0, ENOENT),
    R(CHDIR, longname, 0, ENAMETOOLONG),

    /* access: cowl has no owners, so the mode bits stat reports decide
     * (files 0644, directories 0755); Linux's answers as the owner (or
     * root) are the same */
    R(ACCESS, "f", F_OK, 0),
    R(ACCESS, "f", R_OK, 0),
    R(ACCESS, "f", W_OK, 0),
    R(ACCESS, "f", R_OK | W_OK, 0),
    R(ACCESS, "f", X_OK, EACCES),
    R(ACCESS, "f", R_OK | X_OK, EACCES),
    R(ACCESS, "d", F_OK, 0),
    R(ACCESS, "d", R_OK | W_OK | X_OK, 0),
    R(ACCESS, "d/", X_OK, 0),
    R(ACCESS, ".", X_OK, 0),
    R(ACCESS, "f/", F_OK, ENOTDIR),
    R(ACCESS, "f/x", F_OK, ENOTDIR),
    R(ACCESS, "missing", F_OK, ENOENT),
    R(ACCESS, "", F_OK, ENOENT),
    R(ACCESS, "f", 8, EINVAL),
    R(ACCESS, "f", -1, EINVAL),
    R(ACCESS, longname, F_OK, ENAMETOOLONG),

    /* link: a second name for a file */
    L("f", "g", 0, "g", IS_FILE),
    L("f", "d/g", 0, "d/g", IS_FILE),
    L("d/../f", "d/g", 0, "d/g", IS_FILE),
    L("d", "g", EPERM, "g", ENOENT),
    L("d/", "g", EPERM, "g", ENOENT),
    L(".", "g", EPERM, "g", ENOENT),
    L("f", "f", EEXIST, "f", IS_FILE),
    L("f", "d", EEXIST, "d", IS_DIR),
    L("f", ".", EEXIST, "f", IS_FILE),
    L("f", "d/.", EEXIST, "f", IS_FILE),
    L("f", "full/x", EEXIST, "full/x", IS_FILE),
    L("missing", "g", ENOENT, "g", ENOENT),
    L("f", "missing/g", ENOENT, "f", IS_FILE),
    L("f", "f/g", ENOTDIR, "f", IS_FILE),
    L("f/", "g", ENOTDIR, "g", ENOENT),
    L("f", "g/", ENOENT, "g", ENOENT),
    L("", "g", ENOENT, "g", ENOENT),
    L("f", "", ENOENT, "f", IS_FILE),
    L("f", longname, ENAMETOOLONG, "f", IS_FILE),
};

static const char *errno_name(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {
        {0, "0"},
        {EPERM, "EPERM"},
        {ENOENT, "ENOENT"},
        {EBADF, "EBADF"},
        {EACCES, "EACCES"},
        {EBUSY, "EBUSY"},
        {EEXIST, "EEXIST"},
        {ENOTDIR, "ENOTDIR"},
        {EISDIR, "EISDIR"},
        {EINVAL, "EINVAL"},
        {ENOSYS, "ENOSYS"},
        {ENOTEMPTY, "ENOTEMPTY"},
        {ENAMETOOLONG, "ENAMETOOLONG"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    static char other[24];
    snprintf(other, sizeof(other), "errno %d", e);
    return other;
}

static void must(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL paths.c: fixture: %s (errno %d)\n", what, errno);
        exit(1);
    }
}

static void make_file(const char *path, const char *data)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    must(fd >= 0, path);
    must(write(fd, data, strlen(data)) == (ssize_t)strlen(data), path);
    close(fd);
}

/* Remove path and everything under it; what is not there is fine. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    DIR *dir = opendir(path);
    must(dir != NULL, path);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[1024];
        must(snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) < (int)sizeof(sub), path);
        remove_tree(sub);
        closedir(dir); /* the listing changed under it: start again */
        dir = opendir(path);
        must(dir != NULL, path);
    }
    closedir(dir);
    rmdir(path);
}

/* 0, or the errno of the call. */
static int run_op(const struct pcase *c)
{
    struct stat st;
    int r;
    switch (c->op) {
    case STAT:
        r = stat(c->path, &st);
        break;
    case OPEN:
        r = open(c->path, c->arg, 0644);
        if (r >= 0)
            r = close(r);
        break;
    case UNLINK:
        r = unlink(c->path);
        break;
    case MKDIR:
        r = mkdir(c->path, 0755);
        break;
    case RMDIR:
        r = rmdir(c->path);
        break;
    case CHDIR:
        r = chdir(c->path);
        break;
    case ACCESS:
        r = access(c->path, c->arg);
        break;
    case LINK:
        r = link(c->path, c->path2);
        break;
    default:
        r = -1, errno = ENOSYS;
    }
    return r < 0 ? errno : 0;
}

/* 0 if what c->post names is as expected; else prints why and returns 1. */
static int check_post(const struct pcase *c, const char *where)
{
    if (!c->post)
        return 0;
    if (chdir(where) < 0) { /* the call took our directory away */
        printf("  and then the row's directory %s is gone (errno %d)\n", where, errno);
        return 1;
    }
    struct stat st;
    int got = stat(c->post, &st) < 0 ? errno
              : S_ISDIR(st.st_mode)  ? IS_DIR
              : S_ISREG(st.st_mode)  ? IS_FILE
                                     : 0;
    if (got == c->post_want)
        return 0;
    const char *kind[] = {"", "a directory", "a file"};
    printf("  and then stat(\"%s\") is %s, want %s\n", c->post,
           got < 0 ? kind[-got] : errno_name(got),
           c->post_want < 0 ? kind[-c->post_want] : errno_name(c->post_want));
    return 1;
}

/* Run row i in base/c<i>; 1 if it failed. */
static int run_case(const char *base, int i)
{
    const struct pcase *c = &cases[i];
    char where[512];
    snprintf(where, sizeof(where), "%s/c%d", base, i);
    must(mkdir(where, 0755) == 0, where);
    must(chdir(where) == 0, where);
    make_file("f", "abc");
    must(mkdir("d", 0755) == 0, "d");
    must(mkdir("full", 0755) == 0, "full");
    make_file("full/x", "x");

    int got = run_op(c);
    int bad = got != c->want;
    const char *path = c->path == longname ? "<300 x a>" : c->path;
    const char *path2 = c->path2 == longname ? "<300 x a>" : c->path2;
    if (bad) {
        printf("FAIL paths.c: row %d: %s(\"%s\"", i, op_names[c->op], path);
        if (c->op == LINK)
            printf(", \"%s\"", path2);
        else if (c->op == OPEN || c->op == ACCESS)
            printf(", 0x%x", (unsigned)c->arg);
        printf(") = %s, want %s\n", errno_name(got), errno_name(c->want));
    }
    if (check_post(c, where)) {
        if (!bad)
            printf("FAIL paths.c: row %d: %s(\"%s\") = %s as it should, but\n", i, op_names[c->op],
                   path, errno_name(got));
        bad = 1;
    }
    must(chdir(base) == 0, base);
    remove_tree(where);
    return bad;
}

/* Hard links: st_nlink counts names, both names are one file, and the data
 * lives until the last name and the last open file are gone. */
static void hard_links(void)
{
    struct stat a, b;
    make_file("one", "hello");
    CHECK_EQ(stat("one", &a), 0);
    CHECK_EQ(a.st_nlink, 1);
    CHECK_EQ(link("one", "two"), 0);
    CHECK_EQ(stat("one", &a), 0);
    CHECK_EQ(stat("two", &b), 0);
    CHECK_EQ(a.st_nlink, 2);
    CHECK_EQ(b.st_nlink, 2);
    CHECK_EQ(a.st_ino, b.st_ino);
    CHECK(S_ISREG(b.st_mode));

    /* a write through one name is seen through the other */
    int fd = open("two", O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, " world", 6), 6);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(stat("one", &a), 0);
    CHECK_EQ(a.st_size, 11);

    /* a third name in a subdirectory, then the first goes */
    CHECK_EQ(mkdir("sub", 0755), 0);
    CHECK_EQ(link("two", "sub/three"), 0);
    CHECK_EQ(stat("one", &a), 0);
    CHECK_EQ(a.st_nlink, 3);
    CHECK_EQ(unlink("one"), 0);
    CHECK_EQ(stat("one", &a), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(stat("sub/three", &a), 0);
    CHECK_EQ(a.st_nlink, 2);
    CHECK_EQ(a.st_ino, b.st_ino);
    char buf[16] = {0};
    fd = open("sub/three", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(read(fd, buf, sizeof(buf)), 11);
    CHECK(!strcmp(buf, "hello world"));

    /* every name gone, the open file still reads; a new file of the old
     * name is another file */
    CHECK_EQ(unlink("two"), 0);
    CHECK_EQ(unlink("sub/three"), 0);
    CHECK_EQ(fstat(fd, &a), 0);
    CHECK_EQ(a.st_nlink, 0);
    CHECK_EQ(a.st_size, 11);
    make_file("two", "x");
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(read(fd, buf, sizeof(buf)), 11);
    CHECK(!strcmp(buf, "hello world"));
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(stat("two", &a), 0);
    CHECK_EQ(a.st_nlink, 1);
    CHECK_EQ(a.st_size, 1);
    CHECK_EQ(unlink("two"), 0);
    CHECK_EQ(rmdir("sub"), 0);
}

/* A directory has 2 + one link per subdirectory (its name, its ".", and
 * each child's ".."); files inside do not count. */
static void directory_links(void)
{
    struct stat st;
    CHECK_EQ(mkdir("top", 0755), 0);
    CHECK_EQ(stat("top", &st), 0);
    CHECK_EQ(st.st_nlink, 2);
    CHECK_EQ(mkdir("top/a", 0755), 0);
    CHECK_EQ(mkdir("top/b", 0755), 0);
    make_file("top/file", "");
    CHECK_EQ(stat("top", &st), 0);
    CHECK_EQ(st.st_nlink, 4);
    CHECK_EQ(stat("top/a", &st), 0);
    CHECK_EQ(st.st_nlink, 2);
    CHECK_EQ(rmdir("top/a"), 0);
    CHECK_EQ(stat("top/.", &st), 0);
    CHECK_EQ(st.st_nlink, 3);
    CHECK_EQ(unlink("top/file"), 0);
    CHECK_EQ(rmdir("top/b"), 0);
    CHECK_EQ(rmdir("top"), 0);
}

/* unlink(".") and rmdir(".") once removed an empty working directory from
 * under its process; it must still be there and usable. */
static void dot_stays(void)
{
    char here[512], again[512];
    CHECK_EQ(mkdir("empty", 0755), 0);
    CHECK_EQ(chdir("empty"), 0);
    CHECK(getcwd(here, sizeof(here)) != NULL);
    CHECK_EQ(unlink("."), -1);
    CHECK_EQ(errno, EISDIR);
    CHECK_EQ(rmdir("."), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK(getcwd(again, sizeof(again)) != NULL);
    CHECK(!strcmp(here, again));
    make_file("still", "ok");
    CHECK_EQ(unlink("still"), 0);
    CHECK_EQ(chdir(".."), 0);
    CHECK_EQ(rmdir("empty"), 0);
}

int main(void)
{
    memset(longname, 'a', sizeof(longname) - 1);
    char base[256];
    CHECK(getcwd(base, 200) != NULL);
    snprintf(base + strlen(base), sizeof(base) - strlen(base), "%spaths-%d",
             base[strlen(base) - 1] == '/' ? "" : "/", getpid());
    CHECK_EQ(mkdir(base, 0755), 0);
    CHECK_EQ(chdir(base), 0);

    int ncases = sizeof(cases) / sizeof(cases[0]), failed = 0;
    for (int i = 0; i < ncases; i++)
        failed += run_case(base, i);
    if (failed) {
        printf("FAIL paths.c: %d of %d rows wrong\n", failed, ncases);
        exit(1);
    }
    hard_links();
    directory_links();
    dot_stays();

    CHECK_EQ(chdir(".."), 0);
    CHECK_EQ(rmdir(base), 0);
    printf("paths: %d rows and the link checks pass\n", ncases);
    return 0;
}
