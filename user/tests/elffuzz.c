/* elffuzz.c - a small mutation fuzzer for the ELF loader (kernel/exec.c).
 * Each iteration takes a real program (/bin/true), changes one to four
 * things in its ELF header or program headers (a flipped byte, a field set
 * to 0, -1, a huge, unaligned, kernel or non-canonical value, a count past
 * the table, overlapping or oversized segments, a truncated file), and
 * execs the result in a child.  Whatever the file says, the kernel must
 * either refuse it (execve fails, the child reports the errno) or run it
 * (it exits or is killed by a signal); it must never panic or hang, and
 * when every child is gone and the file deleted, every page must be back.
 *
 *   elffuzz [-s SEED] [-n ITERATIONS] [-i ITERATION] [-f PROGRAM] [-v]
 *
 * Iteration i draws its mutations from a generator seeded with SEED and i:
 * -i replays just that one, -v prints each iteration's mutations before it
 * runs (so the last line before a panic names the culprit) and its
 * outcome after.  The unmutated program runs first as a control and must
 * exit 0. */
#include "../include/bench.h"
#include "check.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __cowl__
#include <cowl.h>
#define HAVE_MEMSTAT 1
#else
#define HAVE_MEMSTAT 0 /* elsewhere: no count of free pages to compare */
#endif

#define MAX_IMAGE    (512 << 10) /* /bin/true with its debug sections: 130 KiB now */
#define DIR          "/tmp" /* made if missing (cowl's initrd has none), removed after */
#define EHDR_SIZE    64
#define PHDR_SIZE    56
#define PT_LOAD      1
#define PAGE         4096ul
#define EXEC_FAILED  200         /* child exit status: 200 + errno of execve */
#define TIMEOUT_NS   3000000000L /* a mutated program that runs longer is killed */
#define KERNEL_ADDR  0xffffffff80000000ul
#define NONCANONICAL 0x0000800000000000ul

/* Where a header field lies, and how wide it is. */
struct field {
    const char *name;
    uint8_t off, width;
};

static const struct field ehdr_fields[] = {
    {"ei_class", 4, 1},     {"ei_data", 5, 1},   {"e_type", 16, 2},      {"e_machine", 18, 2},
    {"e_version", 20, 4},   {"e_entry", 24, 8},  {"e_phoff", 32, 8},     {"e_shoff", 40, 8},
    {"e_flags", 48, 4},     {"e_ehsize", 52, 2}, {"e_phentsize", 54, 2}, {"e_phnum", 56, 2},
    {"e_shentsize", 58, 2}, {"e_shnum", 60, 2},  {"e_shstrndx", 62, 2},
};
enum { E_PHOFF = 6, E_PHNUM = 11 }; /* indexes of ehdr_fields */
static const struct field phdr_fields[] = {
    {"p_type", 0, 4},   {"p_flags", 4, 4},   {"p_offset", 8, 8}, {"p_vaddr", 16, 8},
    {"p_paddr", 24, 8}, {"p_filesz", 32, 8}, {"p_memsz", 40, 8}, {"p_align", 48, 8},
};
enum { P_TYPE, P_FLAGS, P_OFFSET, P_VADDR, P_PADDR, P_FILESZ, P_MEMSZ, P_ALIGN };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t original[MAX_IMAGE], image[MAX_IMAGE];
static size_t original_size, size; /* size: of the mutated image */
static uint64_t phoff;             /* the unmutated program header table */
static int phnum;

static uint64_t seed = 1, rng;
static long iterations = 300, only = -1;
static int verbose;
static const char *program = "/bin/true";
static char description[512]; /* this iteration's mutations, for -v */
static char path[64];         /* the mutated program: /tmp/elffuzz-PID.bin */

/* What happened to each iteration. */
static long rejected_noexec, rejected_other, ran_ok, ran_nonzero, signaled, timed_out;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(uint64_t n) { return next() % n; }

static uint64_t get(size_t off, int width)
{
    uint64_t v = 0;
    memcpy(&v, image + off, width); /* x86-64: little endian, like the file */
    return v;
}

static void put(size_t off, int width, uint64_t v) { memcpy(image + off, &v, width); }

static void note(const char *fmt, const char *name, uint64_t v)
{
    size_t used = strlen(description);
    snprintf(description + used, sizeof(description) - used, fmt, name, (unsigned long)v);
}

/* A value a careless loader might mishandle, sometimes relative to the
 * field's current value. */
static uint64_t interesting(uint64_t cur)
{
    switch (pick(16)) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return ~0ul;
    case 3:
        return 0x7fffffff;
    case 4:
        return 0x8000000000000000ul;
    case 5:
        return 1ul << 44; /* the top of the loader's user range */
    case 6:
        return size; /* the end of the file */
    case 7:
        return size + 1 + pick(PAGE);
    case 8:
        return size - 1;
    case 9:
        return cur + 1; /* unaligned */
    case 10:
        return cur + PAGE;
    case 11:
        return cur - PAGE;
    case 12:
        return KERNEL_ADDR + pick(4) * PAGE;
    case 13:
        return NONCANONICAL;
    case 14:
        return 0x00007ffffffff000ul; /* the stack top */
    default:
        return cur ^ (1ul << pick(64));
    }
}

static size_t phdr_at(int i) { return phoff + (size_t)i * PHDR_SIZE; }

/* Field f of program header i, as it is now. */
static uint64_t ph_get(int i, int f)
{
    return get(phdr_at(i) + phdr_fields[f].off, phdr_fields[f].width);
}

/* The index of the nth PT_LOAD header (as mutated so far), or of any
 * header if there are not that many. */
static int load_header(int nth)
{
    for (int i = 0, seen = 0; i < phnum; i++)
        if (ph_get(i, P_TYPE) == PT_LOAD && seen++ == nth)
            return i;
    return (int)pick(phnum);
}

static void set_field(const char *what, size_t off, const struct field *f, uint64_t v)
{
    put(off + f->off, f->width, v);
    char name[40];
    snprintf(name, sizeof(name), "%s%s", what, f->name);
    note(" %s=0x%lx", name, get(off + f->off, f->width));
}

static void flip_byte(size_t base, size_t len, const char *where)
{
    size_t at = base + pick(len);
    image[at] ^= (uint8_t)(1 + pick(255));
    note(" flip %s+%lu", where, at - base);
}

/* Set field f of program header i. */
static void set_ph(int i, int f, uint64_t v)
{
    char what[16];
    snprintf(what, sizeof(what), "ph%d.", i);
    set_field(what, phdr_at(i), &phdr_fields[f], v);
}

/* Structured damage to one program header: the cases a loader's checks
 * exist for. */
static void phdr_special(void)
{
    int i = load_header((int)pick(3)), j = load_header((int)pick(3));
    switch (pick(8)) {
    case 0: /* more file than memory */
        set_ph(i, P_FILESZ, ph_get(i, P_MEMSZ) + 1 + pick(2 * PAGE));
        break;
    case 1: /* a huge or wrapping memory size */
        set_ph(i, P_MEMSZ, pick(2) ? 1ul << (40 + pick(24)) : ~0ul - pick(PAGE));
        break;
    case 2: /* overlapping another segment */
        set_ph(i, P_VADDR, ph_get(j, P_VADDR) + pick(2) * PAGE);
        break;
    case 3: /* an odd alignment */
        set_ph(i, P_ALIGN, 1 + 2 * pick(PAGE));
        break;
    case 4: /* a non-load header becomes a load one, or the reverse */
        set_ph((int)pick(phnum), P_TYPE, pick(2) ? PT_LOAD : 0);
        break;
    case 5: /* in the kernel, non-canonical, or under the first mappable page */
        set_ph(i, P_VADDR,
               (uint64_t[]){KERNEL_ADDR, NONCANONICAL - PAGE, PAGE, 0}[pick(4)] +
                   ph_get(i, P_OFFSET) % PAGE);
        break;
    case 6: /* file bytes past the end, alignment kept */
        set_ph(i, P_OFFSET, (size + pick(4) * PAGE) / PAGE * PAGE + ph_get(i, P_VADDR) % PAGE);
        break;
    default: /* across the top of user space */
        set_ph(i, P_VADDR, 0x00007ffffffff000ul - pick(4) * PAGE);
        set_ph(i, P_MEMSZ, 2 * PAGE + pick(1ul << 32));
        break;
    }
}

static void mutate_once(void)
{
    switch (pick(9)) {
    case 0:
        flip_byte(0, EHDR_SIZE, "ehdr");
        break;
    case 1: {
        const struct field *f = &ehdr_fields[pick(NELEM(ehdr_fields))];
        set_field("", 0, f, interesting(get(f->off, f->width)));
        break;
    }
    case 2: {
        int i = (int)pick(phnum), f = (int)pick(NELEM(phdr_fields));
        set_ph(i, f, interesting(get(phdr_at(i) + phdr_fields[f].off, phdr_fields[f].width)));
        break;
    }
    case 3:
    case 4:
        phdr_special();
        break;
    case 5:
        flip_byte(phoff, (size_t)phnum * PHDR_SIZE, "phdrs");
        break;
    case 6: /* too many or none */
        set_field("", 0, &ehdr_fields[E_PHNUM],
                  (uint64_t[]){0, 0xffff, 16, 17, phnum + 1}[pick(5)]);
        break;
    case 7: /* the table outside the file, or across its end */
        set_field("", 0, &ehdr_fields[E_PHOFF],
                  (uint64_t[]){size, size - 1, size - PHDR_SIZE, ~0ul - 7, 1, phoff + 1}[pick(6)]);
        break;
    default:
        size = size ? pick(size) : 0; /* to a random shorter length */
        note(" truncate%s=%lu", "", size);
        break;
    }
}

/* Iteration i's image: the original with one to four mutations. */
static void mutate(long i)
{
    rng = (seed + 1) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)i + 1) * 0xbf58476d1ce4e5b9ull;
    rng = rng ? rng : 1;
    memcpy(image, original, original_size);
    size = original_size;
    description[0] = 0;
    for (int n = 1 + (int)pick(4); n > 0; n--)
        mutate_once();
}

static void write_file(void)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, image, size), (long)size);
    CHECK_EQ(close(fd), 0);
}

/* Wait for pid, killing it if it outlives the timeout; its status, and
 * whether it had to be killed. */
static int wait_bounded(pid_t pid, bool *killed)
{
    long deadline = now_ns() + TIMEOUT_NS;
    int status;
    *killed = false;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (!*killed && now_ns() > deadline) {
            CHECK_EQ(kill(pid, SIGKILL), 0);
            *killed = true;
        }
        sched_yield();
    }
    return status;
}

/* Write the image, exec it in a child; the child's wait status. */
static int run_image(bool *killed)
{
    write_file();
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        for (int fd = 0; fd < 3; fd++) /* what a mangled program prints is noise */
            close(fd);
        char *argv[] = {path, NULL};
        execve(path, argv, NULL);
        _exit(EXEC_FAILED + (errno < 55 ? errno : 55));
    }
    return wait_bounded(pid, killed);
}

/* Count the outcome; its name. */
static const char *classify(int status, bool killed)
{
    int code = WEXITSTATUS(status);
    if (killed) {
        timed_out++;
        return "killed after the timeout";
    } else if (WIFSIGNALED(status)) {
        signaled++;
        return "killed by a signal";
    } else if (code == EXEC_FAILED + ENOEXEC) {
        rejected_noexec++;
        return "refused: ENOEXEC";
    } else if (code >= EXEC_FAILED) {
        rejected_other++;
        return "refused: another error";
    } else if (code) {
        ran_nonzero++;
        return "ran, exit status not 0";
    }
    ran_ok++;
    return "ran, exit 0";
}

static void load_program(void)
{
    int fd = open(program, O_RDONLY);
    CHECK(fd >= 0);
    ssize_t n = read(fd, original, sizeof(original));
    CHECK(n > EHDR_SIZE && n < (ssize_t)sizeof(original)); /* all of it */
    close(fd);
    original_size = (size_t)n;
    memcpy(image, original, original_size);
    size = original_size;
    phoff = get(ehdr_fields[E_PHOFF].off, 8);
    phnum = (int)get(ehdr_fields[E_PHNUM].off, 2);
    CHECK(phnum > 0 && phoff + (uint64_t)phnum * PHDR_SIZE <= original_size);
    /* Keep only what the loader reads (the section headers after it are
     * for tools), so that each iteration writes a few pages, not many. */
    uint64_t end = phoff + (uint64_t)phnum * PHDR_SIZE;
    for (int i = 0; i < phnum; i++)
        if (ph_get(i, P_TYPE) == PT_LOAD && ph_get(i, P_OFFSET) + ph_get(i, P_FILESZ) > end)
            end = ph_get(i, P_OFFSET) + ph_get(i, P_FILESZ);
    CHECK(end <= original_size);
    memset(image + 40, 0, 8); /* e_shoff */
    memset(image + 60, 0, 4); /* e_shnum, e_shstrndx */
    original_size = size = end;
    memcpy(original, image, size);
}

static uint64_t free_pages(void)
{
    uint64_t n = 0;
#ifdef __cowl__
    CHECK_EQ(cowl_memstat(&n, NULL), 0);
#endif
    return n;
}

/* One line per iteration with -v; the control always prints one, so that
 * the stack this needs is in place before memory is first counted. */
static void say(const char *what, int status, const char *outcome)
{
    printf("elffuzz: %s -> status 0x%x: %s\n", what, status, outcome);
}

int main(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "s:n:i:f:v")) != -1) {
        if (c == 's')
            seed = strtoul(optarg, NULL, 0);
        else if (c == 'n')
            iterations = strtol(optarg, NULL, 0);
        else if (c == 'i')
            only = strtol(optarg, NULL, 0);
        else if (c == 'f')
            program = optarg;
        else if (c == 'v')
            verbose = 1;
        else {
            printf("usage: elffuzz [-s SEED] [-n ITERATIONS] [-i ITERATION] [-f PROGRAM] [-v]\n");
            return 2;
        }
    }
    printf("elffuzz: seed=%lu iterations=%ld program=%s\n", (unsigned long)seed, iterations,
           program);
    load_program();
    bool made_dir = mkdir(DIR, 0755) == 0;
    CHECK(made_dir || errno == EEXIST);
    snprintf(path, sizeof(path), DIR "/elffuzz-%d.bin", getpid());

    /* The control, which also warms up every path the loop takes. */
    bool killed;
    int status = run_image(&killed);
    bool control_ok = !killed && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    say("control", status, control_ok ? "ran, exit 0" : "FAILED");
    CHECK(control_ok);
    CHECK_EQ(unlink(path), 0);
    uint64_t before = free_pages();

    for (long i = only >= 0 ? only : 0; i < (only >= 0 ? only + 1 : iterations); i++) {
        mutate(i);
        if (verbose)
            printf("elffuzz: iteration %ld:%s\n", i, description);
        status = run_image(&killed);
        const char *outcome = classify(status, killed);
        if (verbose) {
            char label[32];
            snprintf(label, sizeof(label), "iteration %ld", i);
            say(label, status, outcome);
        }
    }
    CHECK_EQ(unlink(path), 0);
    uint64_t after = free_pages();
    if (made_dir)
        CHECK_EQ(rmdir(DIR), 0);
    printf("elffuzz: rejected %ld (ENOEXEC %ld, other errors %ld), ran %ld (exit 0 %ld, "
           "other status %ld), signaled %ld, timed out %ld\n",
           rejected_noexec + rejected_other, rejected_noexec, rejected_other, ran_ok + ran_nonzero,
           ran_ok, ran_nonzero, signaled, timed_out);
    if (HAVE_MEMSTAT) {
        printf("elffuzz: free pages %lu before, %lu after\n", (unsigned long)before,
               (unsigned long)after);
        CHECK_EQ(after, before); /* every page of every image and child came back */
    }
    if (only < 0)
        CHECK(rejected_noexec + rejected_other > 0); /* the mutations did reach the checks */
    printf("elffuzz: ok\n");
    return 0;
}
