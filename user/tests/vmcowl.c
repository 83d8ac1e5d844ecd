/* vmcowl.c - cowl inside cowl: /bin/vmm boots the very kernel this test
 * runs on, /boot/cowl.elf, through its PVH entry (as QEMU's -kernel does),
 * with /boot/initrd.cpio as its initrd and a command line of our choosing
 * (docs/virt.md, "Booting cowl inside cowl (PVH)").  The guest kernel must
 * print its banner and the boot lines that show it read the start_info:
 * the PVH loader, our command line, the initrd module, the memory map;
 * then it must run its init= program, whose output we see, and power off,
 * which ends vmm with status 0.
 * Also vmm's errors for ELF files it cannot boot. */
#include "vmutil.h"
#include <stdlib.h>
#include <sys/wait.h>

#define KERNEL  "/boot/cowl.elf"
#define CMDLINE "init=/bin/echo,hello-from-guest-cowl"

struct vmm_run {
    char out[32768]; /* stdout and stderr together, NUL-terminated */
    int status;      /* the exit status */
};

/* Run /bin/vmm with argv and an empty standard input. */
static void run_vmm(char *const argv[], struct vmm_run *r)
{
    int out[2];
    CHECK(pipe(out) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(0); /* the guest's serial input: at its end at once */
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(out[0]), close(out[1]);
        execv("/bin/vmm", argv);
        _exit(127);
    }
    close(out[1]);
    r->status = vmm_collect(pid, out[0], r->out, sizeof(r->out));
}

/* Fail, showing everything vmm printed, unless out contains want. */
static void expect(const struct vmm_run *r, const char *want)
{
    if (strstr(r->out, want))
        return;
    printf("FAIL %s: no \"%s\" in vmm's output (status %d):\n%s\n", __FILE__, want, r->status,
           r->out);
    exit(1);
}

/* The guest kernel's boot lines: it was entered through PVH and found our
 * command line, the initrd and the memory map in its start_info. */
static void test_guest_boots(void)
{
    struct vmm_run r;
    char *argv[] = {"vmm", "-a", CMDLINE, KERNEL, NULL};
    run_vmm(argv, &r);
    expect(&r, "cowl: booting (pvh)"); /* the guest ends lines with \r\n */
    expect(&r, "boot: loader pvh, command line '" CMDLINE "'");
    expect(&r, "  module ");
    expect(&r, "  3 memory ranges, ACPI RSDP at 0");
    expect(&r, "pmm: ");
    /* vmm's default for a kernel, 128 MiB, less the first MiB, the kernel
     * and the initrd; the memory map said [0, 0x9f000) and [1 MiB, 128 MiB) */
    long usable = strtol(strstr(r.out, "pmm: ") + 5, NULL, 10);
    CHECK(usable > 100 && usable < 127);
    /* it runs on the hypervisor's timer (arch/x86_64/paravirt.c), unpacks
     * the initrd, runs init=, and powers off when init ends */
    expect(&r, "timer: under cowl's hypervisor");
    expect(&r, "initrd: ");
    expect(&r, "hello-from-guest-cowl");
    expect(&r, "cowl: init exited with status 0; pages not returned 0; audit ok");
    const char *summary = strstr(r.out, "vmm: " KERNEL ": ");
    const char *off = "vmm: " KERNEL ": guest powered off, "; /* the last line */
    if (!summary || strncmp(summary, off, strlen(off)) != 0 ||
        strchr(summary, '\n') != summary + strlen(summary) - 1 || r.status != 0) {
        printf("FAIL %s: the guest did not power off (status %d):\n%s\n", __FILE__, r.status,
               r.out);
        exit(1);
    }
    printf("%s", r.out); /* the guest kernel's whole boot, for the log */
}

/* ELF files vmm cannot boot: a program (no PVH note), a missing initrd. */
static void test_bad_kernels(void)
{
    struct vmm_run r;
    char *program[] = {"vmm", "/bin/echo", NULL};
    char *no_initrd[] = {"vmm", "-i", "/boot/nothing.cpio", KERNEL, NULL};
    run_vmm(program, &r);
    expect(&r, "vmm: /bin/echo: no PVH entry");
    CHECK_EQ(r.status, 1);
    run_vmm(no_initrd, &r);
    expect(&r, "vmm: /boot/nothing.cpio: cannot load it after the kernel");
    CHECK_EQ(r.status, 1);
}

int main(void)
{
    vm_skip_without_hypervisor();
    test_bad_kernels();
    /* On every host: a guest cowl once triple-faulted while entering at
     * VMRUN on a 4-CPU host (docs/virt.md section 18); this is where it
     * would show again. */
    test_guest_boots();
    printf("vmcowl: ok\n");
    return 0;
}
