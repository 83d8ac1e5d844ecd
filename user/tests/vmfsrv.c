/* vmfsrv.c - vmm's fork server (vmm -f N, docs/virt.md section 16):
 *   1. On fuzzme (user/guests/fuzzme.c), 1000 executions with seed 1 find
 *      its planted bug: each crash reported is a triple fault whose input
 *      has an empty TEXT record (a tag 0xa0-0xbf, then length 0) where the
 *      parser reads a record; the rate is positive; the snapshot VM is
 *      unchanged after all the clones.
 *   2. fuzzfixed, the same parser with the bug fixed, given the very same
 *      inputs (same seed), reports 0 crashes.
 *   3. The edges: fuzzme without -f, a guest that never snapshots, bad
 *      options.
 * Every clone is a cowl_vm_fork: the hypervisor's vm_forks counter must
 * have grown by one per execution (and the two forks vmm reads the
 * snapshot's RAM through), and no VM may be left behind. */
#include "vmutil.h"
#include <stdlib.h>
#include <sys/wait.h>

struct vmm_run {
    char out[8192]; /* stdout and stderr together, NUL-terminated */
    int status;
};

/* Run /bin/vmm with argv, its standard input empty. */
static void run_vmm(char *const argv[], struct vmm_run *r)
{
    int out[2];
    CHECK_EQ(pipe(out), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(out[0]), close(out[1]);
        execv("/bin/vmm", argv);
        _exit(127);
    }
    close(out[1]);
    r->status = vmm_collect(pid, out[0], r->out, sizeof(r->out));
}

static void show_failure(int line, const struct vmm_run *r, const char *what)
{
    printf("FAIL %s:%d: %s; vmm printed (status %d):\n%s\n", __FILE__, line, what, r->status,
           r->out);
    exit(1);
}

#define EXPECT(cond, r, what)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            show_failure(__LINE__, r, what);                                                       \
    } while (0)

static uint64_t vm_forks_now(void)
{
    struct cowl_virt_stats st;
    CHECK_EQ(cowl_virtstat(&st), 0);
    return st.vm_forks;
}

/* The summary line "vmm: fork server: N executions in T s (R exec/s), K
 * crashes": R and K, or -1 if there is no such line for n executions. */
static int summary(const struct vmm_run *r, unsigned long n, long *rate, long *crashes)
{
    char head[64];
    snprintf(head, sizeof(head), "vmm: fork server: %lu executions in ", n);
    const char *s = strstr(r->out, head);
    const char *paren = s ? strchr(s, '(') : NULL;
    const char *comma = paren ? strstr(paren, "exec/s), ") : NULL;
    if (!comma)
        return -1;
    *rate = strtol(paren + 1, NULL, 10);
    *crashes = strtol(comma + strlen("exec/s), "), NULL, 10);
    return 0;
}

/* Parse "xx xx xx (" into bytes; the count. */
static size_t hex_bytes(const char *s, uint8_t *b, size_t max)
{
    size_t n = 0;
    char *end;
    while (n < max && *s == ' ') {
        unsigned long v = strtoul(s + 1, &end, 16);
        if (end != s + 3)
            break;
        b[n++] = (uint8_t)v;
        s = end;
    }
    return n;
}

/* Does the input, read the way fuzzme reads it (tag, length, payload),
 * reach an empty TEXT record?  Stops where fuzzme would: END, an unknown
 * type, a record past the end, a TEXT record with a wrong checksum. */
static int has_empty_text_record(const uint8_t *in, size_t size)
{
    for (size_t pos = 0; pos + 2 <= size;) {
        unsigned type = in[pos] >> 5, len = in[pos + 1];
        const uint8_t *p = in + pos + 2;
        if (len > size - pos - 2 || type == 0 || (type != 1 && type != 2 && type != 5))
            return 0;
        if (type == 5) {
            if (len == 0)
                return 1; /* the bug: fuzzme reads p[len - 1] */
            uint8_t sum = 0;
            for (unsigned i = 0; i + 1 < len; i++)
                sum += p[i];
            if (sum != p[len - 1])
                return 0; /* a wrong checksum: fuzzme rejects the input */
        }
        pos += 2 + len;
    }
    return 0;
}

/* Every "vmm: crash: input ..." line is fuzzme's bug; how many lines. */
static int check_crash_lines(const struct vmm_run *r)
{
    static const char tag[] = "vmm: crash: input";
    int lines = 0;
    for (const char *s = strstr(r->out, tag); s; s = strstr(s + 1, tag)) {
        uint8_t in[64];
        size_t n = hex_bytes(s + strlen(tag), in, sizeof(in));
        const char *why = s + strlen(tag) + 3 * n;
        EXPECT(n >= 2 && strncmp(why, " (triple fault at rip 0x", 24) == 0, r,
               "a crash line that is not a triple fault after an input");
        EXPECT(has_empty_text_record(in, n), r, "a crash input without an empty TEXT record");
        lines++;
    }
    return lines;
}

static void test_fuzzme_crashes(void)
{
    struct vmm_run r;
    long rate, crashes;
    char *argv[] = {"vmm", "-f", "1000", "-s", "1", "/guests/fuzzme.bin", NULL};
    uint64_t forks = vm_forks_now();
    run_vmm(argv, &r);
    EXPECT(r.status == 0, &r, "exit status not 0");
    EXPECT(summary(&r, 1000, &rate, &crashes) == 0, &r, "no summary line");
    EXPECT(rate > 0, &r, "no executions per second");
    EXPECT(crashes >= 1, &r, "seed 1 found no crash in 1000 executions");
    int lines = check_crash_lines(&r);
    EXPECT(lines == 1, &r, "not one distinct crash (all are the same bug, at the same rip)");
    EXPECT(strstr(r.out, "\nvmm: snapshot unchanged\n"), &r, "the snapshot changed");
    EXPECT(!strstr(r.out, "vmm: hang"), &r, "a hang");
    /* one cowl_vm_fork per execution, and one for each checksum of the snapshot */
    CHECK_EQ(vm_forks_now() - forks, 1000 + 2);
}

static void test_fixed_never_crashes(void)
{
    struct vmm_run r;
    long rate, crashes;
    char *argv[] = {"vmm", "-f", "1000", "-s", "1", "/guests/fuzzfixed.bin", NULL};
    run_vmm(argv, &r);
    EXPECT(r.status == 0, &r, "exit status not 0");
    EXPECT(summary(&r, 1000, &rate, &crashes) == 0, &r, "no summary line");
    EXPECT(rate > 0 && crashes == 0, &r, "the fixed parser crashed");
    EXPECT(!strstr(r.out, "vmm: crash") && !strstr(r.out, "vmm: hang"), &r, "a crash line");
    EXPECT(strstr(r.out, "\nvmm: snapshot unchanged\n"), &r, "the snapshot changed");
}

static void test_edges(void)
{
    struct vmm_run r;
    char *plain[] = {"vmm", "/guests/fuzzme.bin", NULL};
    char *no_snapshot[] = {"vmm", "-f", "5", "/guests/hello.bin", NULL};
    char *zero[] = {"vmm", "-f", "0", "/guests/fuzzme.bin", NULL};
    char *junk[] = {"vmm", "-f", "12x", "/guests/fuzzme.bin", NULL};
    char *seed_alone[] = {"vmm", "-s", "3", "/guests/fuzzme.bin", NULL};
    run_vmm(plain, &r); /* without -f the snapshot hypercall answers -1 */
    EXPECT(r.status == 0 && strstr(r.out, "fuzzme: no fork server here"), &r, "fuzzme alone");
    run_vmm(no_snapshot, &r);
    EXPECT(r.status == 1 && strstr(r.out, "no COWL_HC_SNAPSHOT: guest exited with status 0"), &r,
           "a guest that never snapshots");
    run_vmm(zero, &r);
    EXPECT(r.status == 2 && strstr(r.out, "usage: vmm"), &r, "-f 0");
    run_vmm(junk, &r);
    EXPECT(r.status == 2 && strstr(r.out, "usage: vmm"), &r, "-f 12x");
    run_vmm(seed_alone, &r);
    EXPECT(r.status == 2 && strstr(r.out, "usage: vmm"), &r, "-s without -f");
}

int main(void)
{
    vm_skip_without_hypervisor();
    struct cowl_virt_stats before;
    CHECK_EQ(cowl_virtstat(&before), 0);
    test_fuzzme_crashes();
    test_fixed_never_crashes();
    test_edges();
    struct cowl_virt_stats after;
    CHECK_EQ(cowl_virtstat(&after), 0);
    CHECK_EQ(after.vms, before.vms); /* every clone and snapshot closed */
    CHECK_EQ(after.vcpus, before.vcpus);
    return 0;
}
