/* vm.c - every guest in /guests run by the monitor /bin/vmm: each must
 * print exactly its lines, end the expected way (the summary line's reason)
 * and give vmm the expected exit status (user/guests/README.md).  Also
 * vmm's own contract: -h, a wrong option, a missing image, -q, -m, and the
 * serial input path (echo).  The monitor's options are checked first, as
 * they need no hypervisor; then the test skips if there is none. */
#include "vmutil.h"
#include <sys/wait.h>

struct vmm_run {
    char out[8192]; /* stdout and stderr together, NUL-terminated */
    int status;     /* the exit status */
};

/* Run /bin/vmm with argv, `input` on its standard input. */
static void run_vmm(char *const argv[], const char *input, struct vmm_run *r)
{
    int in[2], out[2];
    CHECK(pipe(in) == 0 && pipe(out) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execv("/bin/vmm", argv);
        _exit(127);
    }
    close(in[0]), close(out[1]);
    size_t len = strlen(input); /* small: fits in the pipe, no deadlock */
    CHECK_EQ(write(in[1], input, len), (long)len);
    close(in[1]);
    r->status = vmm_collect(pid, out[0], r->out, sizeof(r->out));
}

static void show_failure(int line, const char *image, const struct vmm_run *r, const char *what)
{
    printf("FAIL %s:%d: vmm %s: %s; it printed (status %d):\n%s\n", __FILE__, line, image, what,
           r->status, r->out);
    exit(1);
}

/* Does s end in ", exits: N\n"? */
static int ends_with_exit_count(const char *s)
{
    const char *tail = strstr(s, ", exits: ");
    if (!tail)
        return 0;
    tail += strlen(", exits: ");
    if (*tail < '0' || *tail > '9')
        return 0;
    while (*tail >= '0' && *tail <= '9')
        tail++;
    return strcmp(tail, "\n") == 0;
}

/* Run `vmm [opt] image` and check: the guest printed exactly `output`, then
 * the one summary line "vmm: IMAGE: WHY..., exits: N" came, with WHY
 * starting with `why`; vmm's status is `status`. */
#define EXPECT_GUEST(opt, image, input, output, why, status)                                       \
    expect_guest(__LINE__, opt, image, input, output, why, status)

static void expect_guest(int line, char *opt, char *image, const char *input, const char *output,
                         const char *why, int status)
{
    struct vmm_run r;
    char *argv[] = {"vmm", opt ? opt : image, opt ? image : NULL, NULL};
    char prefix[128];
    run_vmm(argv, input, &r);
    size_t n = strlen(output);
    if (strncmp(r.out, output, n) != 0)
        show_failure(line, image, &r, "wrong guest output");
    const char *summary = r.out + n;
    snprintf(prefix, sizeof(prefix), "vmm: %s: %s", image, why);
    if (strncmp(summary, prefix, strlen(prefix)) != 0 || !ends_with_exit_count(summary) ||
        strchr(summary, '\n') != summary + strlen(summary) - 1)
        show_failure(line, image, &r, "not one summary line with the right reason");
    if (r.status != status)
        show_failure(line, image, &r, "wrong exit status");
}

/* The monitor's options and errors: no hypervisor needed. */
static void test_vmm_usage(void)
{
    struct vmm_run r;
    char *help[] = {"vmm", "-h", NULL}, *bad[] = {"vmm", "-z", "/guests/hello.bin", NULL};
    char *none[] = {"vmm", NULL}, *missing[] = {"vmm", "/guests/nothing.bin", NULL};
    char *bad_mib[] = {"vmm", "-m", "12x", "/guests/hello.bin", NULL};
    run_vmm(help, "", &r);
    CHECK(r.status == 0 && strncmp(r.out, "usage: vmm", 10) == 0);
    run_vmm(bad, "", &r);
    CHECK(r.status == 2 && strstr(r.out, "usage: vmm"));
    run_vmm(none, "", &r);
    CHECK(r.status == 2 && strstr(r.out, "usage: vmm"));
    run_vmm(bad_mib, "", &r);
    CHECK(r.status == 2 && strstr(r.out, "usage: vmm"));
    run_vmm(missing, "", &r);
    CHECK(r.status == 1 && strstr(r.out, "vmm: /guests/nothing.bin: cannot load the image"));
}

/* Each guest, the way user/guests/README.md says it ends. */
static void test_guests(void)
{
    EXPECT_GUEST(NULL, "/guests/hello.bin", "", "hello from real mode\n",
                 "guest exited with status 0", 0);
    EXPECT_GUEST(NULL, "/guests/longmode.bin", "",
                 "hello from long mode (serial)\nhello from long mode (hypercall)\n",
                 "guest exited with status 0", 0);
    EXPECT_GUEST(NULL, "/guests/memtest.bin", "", "memtest: 15 MiB from 1 MiB\nvmm: report: 0\n",
                 "guest exited with status 0", 0);
    EXPECT_GUEST("-m32", "/guests/memtest.bin", "", "memtest: 31 MiB from 1 MiB\nvmm: report: 0\n",
                 "guest exited with status 0", 0);
    EXPECT_GUEST(NULL, "/guests/mmio.bin", "", "writing to 0xfee00000\n",
                 "MMIO write at gpa 0xfee00000, rip 0x", 2);
    EXPECT_GUEST(NULL, "/guests/halt.bin", "", "halting\n", "guest halted (rip 0x", 0);
    EXPECT_GUEST(NULL, "/guests/triple.bin", "", "triple fault next\n",
                 "guest triple-faulted (shutdown)", 3);
}

/* vmm's standard input reaches the guest through the serial port. */
static void test_serial_input(void)
{
    EXPECT_GUEST(NULL, "/guests/echo.bin", "hello, guest\nq and not this", "hello, guest\n",
                 "guest exited with status 0", 0);
    /* no 'q': at the end of the input the guest reads 0 and exits with 1 */
    EXPECT_GUEST(NULL, "/guests/echo.bin", "ab", "ab", "guest exited with status 1", 1);
}

/* -q: only what the guest printed; -m: the RAM the guest sees (with 1 MiB,
 * memtest has nothing to test and says so with status 2); a RAM size the
 * kernel refuses is a setup error. */
static void test_vmm_options(void)
{
    struct vmm_run r;
    char *quiet[] = {"vmm", "-q", "/guests/hello.bin", NULL};
    char *too_big[] = {"vmm", "-m", "8192", "/guests/hello.bin", NULL};
    run_vmm(quiet, "", &r);
    CHECK(r.status == 0 && strcmp(r.out, "hello from real mode\n") == 0);
    EXPECT_GUEST("-m1", "/guests/memtest.bin", "", "", "guest exited with status 2", 2);
    run_vmm(too_big, "", &r);
    CHECK(r.status == 1 && strstr(r.out, "cowl_vm_create"));
}

int main(void)
{
    test_vmm_usage();
    vm_skip_without_hypervisor();
    test_guests();
    test_serial_input();
    test_vmm_options();
    return 0;
}
