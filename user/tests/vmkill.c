/* vmkill.c - the life and death of a VM.
 *   1. A guest that spins forever (spin.bin, under /bin/vmm) does not own
 *      the CPU: while it runs, this process still gets to run (on a
 *      one-CPU boot that needs the timer to take the CPU back from the
 *      guest), then SIGKILL ends it and every page comes back.
 *   2. Two spinning guests at once, killed together.
 *   3. Closing a VM frees everything, even after the guest touched all of
 *      its RAM (memtest).
 *   5. A run with a time limit (cowl_vm_exit.timeout_ms) returns
 *      COWL_EXIT_TIMEOUT from a guest that spins without a single exit for
 *      the monitor, not before the limit, and the guest runs on after it;
 *      vmm -w turns that into its exit status 6.
 *   4. A vCPU keeps its VM alive: after close(vm) the vCPU still runs its
 *      guest, whose memory is still there; the last close frees it all.
 *      This is what uapi/vm.h says ("the last close frees the VM") and what
 *      a file descriptor does anywhere else: a second reference keeps the
 *      object.  Failing instead would leave a vCPU pointing at freed RAM.
 * Free pages and heap objects are counted before and after each part, and
 * the hypervisor's counters (cowl_virtstat) show the VMs alive, the timer
 * interrupts that ended guest runs, and the nested page faults.  Each
 * part runs twice and only the second run is counted: the first touches
 * this process's own memory (stack, static buffers, their page tables),
 * which stays, so that only the kernel's VM memory is left to count. */
#include "vmutil.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static struct cowl_virt_stats virt_now(void)
{
    struct cowl_virt_stats st;
    CHECK_EQ(cowl_virtstat(&st), 0);
    return st;
}

/* Run part once to warm up, then again: every page and heap object it
 * took must be back after it. */
static void expect_memory_back(const char *name, void (*part)(void))
{
    printf("vmkill: %s\n", name); /* a part that hangs is named in the log */
    fflush(stdout);
    part();
    struct memory before = memory_now();
    struct cowl_virt_stats alive = virt_now();
    part();
    struct memory after = memory_now();
    CHECK_EQ(virt_now().vms, alive.vms); /* every VM and vCPU is gone again */
    CHECK_EQ(virt_now().vcpus, alive.vcpus);
    if (after.free_pages != before.free_pages || after.heap_objects != before.heap_objects) {
        printf("FAIL %s: %s: memory not back: free pages %lu -> %lu, heap objects %lu -> %lu\n",
               __FILE__, name, (unsigned long)before.free_pages, (unsigned long)after.free_pages,
               (unsigned long)before.heap_objects, (unsigned long)after.heap_objects);
        exit(1);
    }
}

/* Start `vmm /guests/spin.bin` and wait until the guest says "spinning":
 * from then on it loops in guest mode.  Returns the pid; *out is the read
 * end of its output. */
static pid_t start_spinner(int *out)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]), close(fds[1]);
        char *argv[] = {"vmm", "/guests/spin.bin", NULL};
        execv("/bin/vmm", argv);
        _exit(127);
    }
    close(fds[1]);
    char buf[64] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < 9 && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
        got += n;
    if (strcmp(buf, "spinning\n") != 0) {
        printf("FAIL %s:%d: spin guest printed \"%s\"\n", __FILE__, __LINE__, buf);
        exit(1);
    }
    *out = fds[0];
    return pid;
}

static void kill_spinner(pid_t pid, int out)
{
    int status;
    CHECK_EQ(kill(pid, SIGKILL), 0);
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(out);
}

/* Work that needs the CPU: 100 ms asleep, then a loop; if the spinning
 * guest kept the CPU we would never get back here. */
static void keep_busy(void)
{
    volatile unsigned long sum = 0;
    CHECK_EQ(usleep(100000), 0);
    for (unsigned long i = 0; i < 1000000; i++)
        sum += i;
    CHECK_EQ(sum, 499999500000ul);
}

static void test_spin_killed(void)
{
    int out;
    pid_t pid = start_spinner(&out);
    uint64_t intr = virt_now().exits_intr;
    keep_busy();
    int status;
    CHECK_EQ(waitpid(pid, &status, WNOHANG), 0); /* it still spins */
    CHECK(virt_now().exits_intr > intr);         /* the timer took the CPU from it */
    kill_spinner(pid, out);
}

static void test_two_spinners(void)
{
    int out1, out2;
    pid_t one = start_spinner(&out1), two = start_spinner(&out2);
    keep_busy();
    kill_spinner(one, out1);
    kill_spinner(two, out2);
}

/* memtest touches every page of its 16 MiB; close gives them all back. */
static void test_close_frees(void)
{
    int vm, cpu;
    struct guest_run g;
    struct memory before = memory_now();
    vm_new_guest(16ul << 20, "/guests/memtest.bin", &vm, &cpu);
    struct cowl_virt_stats st = virt_now();
    uint64_t faults = st.nested_faults + st.nested_fault_around;
    CHECK_EQ(vm_run_guest(vm, cpu, &g), 0);
    struct cowl_virt_stats after = virt_now(); /* a fault, or mapped around one (virt/exit.c) */
    CHECK(after.nested_faults + after.nested_fault_around >= faults + 15 * 256);
    CHECK_EQ(g.kind, COWL_EXIT_HYPERCALL);
    CHECK_EQ(g.reports, 1);
    CHECK_EQ(g.report, 0); /* no bad words */
    CHECK_EQ(g.status, 0);
    CHECK(memory_now().free_pages + 15 * 256 <= before.free_pages); /* its RAM was really there */
    CHECK_EQ(close(cpu), 0);
    CHECK_EQ(close(vm), 0);
}

static void test_vcpu_outlives_vm(void)
{
    int vm, cpu;
    char byte;
    vm_new_guest(1ul << 20, "/guests/hello.bin", &vm, &cpu);
    uint64_t vms = virt_now().vms;
    CHECK_EQ(close(vm), 0);
    CHECK_EQ(virt_now().vms, vms); /* still alive: the vCPU holds it */
    errno = 0;
    CHECK(cowl_vm_memory(vm, 0, &byte, 1, COWL_VM_READ) == -1 && errno == EBADF);
    vm_expect_hello(-1, cpu); /* -1: we have no VM descriptor; hello makes no PRINT */
    CHECK_EQ(close(cpu), 0);
}

static long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_time_limit(void)
{
    int vm, cpu;
    vm_new_guest(1ul << 20, "/guests/spin.bin", &vm, &cpu);
    uint64_t timeouts = virt_now().exits[COWL_EXIT_TIMEOUT];
    struct cowl_vm_exit e;
    memset(&e, 0, sizeof(e));
    do { /* its line first: one OUT per byte, after an IN of the line status */
        e.io.data = 0x20; /* the answer to an IN: "ready to send" */
        CHECK_EQ(cowl_vcpu_run(cpu, &e), 0);
    } while (e.kind == COWL_EXIT_IO && !(e.io.write && e.io.data == '\n'));
    for (int round = 0; round < 2; round++) { /* and again: it still spins */
        e.timeout_ms = 100;
        long start = ms_now();
        CHECK_EQ(cowl_vcpu_run(cpu, &e), 0);
        CHECK_EQ(e.kind, COWL_EXIT_TIMEOUT);
        CHECK(ms_now() - start >= 100);
    }
    CHECK_EQ(virt_now().exits[COWL_EXIT_TIMEOUT], timeouts + 2);
    CHECK_EQ(close(cpu), 0);
    CHECK_EQ(close(vm), 0);
}

/* vmm -w 1 on the spinner: status 6 and the reason. */
static void test_vmm_wait_option(void)
{
    int out[2];
    char buf[512];
    CHECK(pipe(out) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]), close(out[1]);
        char *argv[] = {"vmm", "-w", "1", "/guests/spin.bin", NULL};
        execv("/bin/vmm", argv);
        _exit(127);
    }
    close(out[1]);
    int status = vmm_collect(pid, out[0], buf, sizeof(buf));
    CHECK_EQ(status, 6);
    CHECK(strstr(buf, "still running after 1 s") != NULL);
}

int main(void)
{
    vm_skip_without_hypervisor();
    expect_memory_back("spin killed", test_spin_killed);
    expect_memory_back("two spinners", test_two_spinners);
    expect_memory_back("close frees", test_close_frees);
    expect_memory_back("vcpu outlives vm", test_vcpu_outlives_vm);
    expect_memory_back("time limit", test_time_limit);
    printf("vmkill: vmm -w\n");
    fflush(stdout);
    test_vmm_wait_option();
    return 0;
}
