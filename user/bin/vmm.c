/* vmm - the virtual machine monitor: runs a guest image in a VM with one
 * vCPU, and emulates the little hardware a guest has (user/guests/README.md):
 * a serial port (COM1, two of its registers) and four hypercalls.
 *
 *   vmm [-m MiB] [-q] [-h] IMAGE
 *
 * The kernel runs the guest (uapi/vm.h) and comes back here for each exit it
 * does not handle itself; the loop in run() answers them.  At the end vmm
 * prints one line, `vmm: IMAGE: WHY, exits: N`, and exits with:
 *   the guest's status   it made COWL_HC_EXIT (the low 8 bits)
 *   0                    it halted (HLT)
 *   1                    vmm could not set it up, or cowl_vcpu_run failed
 *   2                    it touched memory outside RAM (MMIO)
 *   3                    it triple-faulted (SHUTDOWN)
 *   4                    an exit neither the kernel nor vmm knows (UNHANDLED) */
#include <cowl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOAD_ADDR      0x8000 /* where the image goes and the vCPU starts */
#define RAM_SIZE_ADDR  0x7000 /* the RAM size, a uint64_t, for the guest */
#define DEFAULT_MIB    16
#define SERIAL_DATA    COWL_VM_SERIAL_PORT
#define SERIAL_LSR     (COWL_VM_SERIAL_PORT + 5) /* line status register */
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY   0x20
#define PRINT_MAX      65536 /* longest string COWL_HC_PRINT takes */

enum { ST_SETUP = 1, ST_MMIO = 2, ST_SHUTDOWN = 3, ST_UNHANDLED = 4, ST_RUNNING = -1 };

static const char usage[] = "usage: vmm [-m MiB] [-q] [-h] IMAGE\n"
                            "  run a guest image (e.g. /guests/hello.bin) in a virtual machine\n"
                            "  -m MiB  guest RAM (default 16)\n"
                            "  -q      no summary line at the end\n";

struct vmm {
    const char *image;
    uint64_t ram;
    int vm, cpu;
    unsigned long exits;       /* exits that came back to vmm */
    unsigned long other_ports; /* IN/OUT on ports vmm does not emulate */
    char why[160];             /* how the guest ended, for the summary */
};

/* A setup step failed: say which, with errno's text. */
static int fail(const struct vmm *v, const char *what)
{
    fprintf(stderr, "vmm: %s: %s: %s\n", v->image, what, strerror(errno));
    return ST_SETUP;
}

/* Read the whole file at path into a new buffer; NULL with errno if it
 * cannot be read or is longer than max bytes (it would not fit in RAM). */
static char *read_image(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) < 0)
        goto out;
    if ((size_t)st.st_size > max) {
        errno = EFBIG;
        goto out;
    }
    buf = malloc(st.st_size + 1); /* + 1: an empty image is not a failure */
    size_t got = 0;
    ssize_t n = 1;
    while (buf && got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
        got += n;
    if (n < 0) {
        free(buf);
        buf = NULL;
    }
    *len = got;
out:
    close(fd);
    return buf;
}

/* Put the image at LOAD_ADDR and the RAM size at RAM_SIZE_ADDR. */
static int load(struct vmm *v, const char *image, size_t len)
{
    if (cowl_vm_memory(v->vm, LOAD_ADDR, (void *)image, len, COWL_VM_WRITE) < 0 ||
        cowl_vm_memory(v->vm, RAM_SIZE_ADDR, &v->ram, sizeof(v->ram), COWL_VM_WRITE) < 0)
        return fail(v, "cowl_vm_memory");
    return 0;
}

static struct cowl_seg segment(uint16_t attrib)
{
    return (struct cowl_seg){.selector = 0, .attrib = attrib, .limit = 0xffff, .base = 0};
}

/* The state of a PC's CPU after reset, except that CS:IP is 0:LOAD_ADDR:
 * real mode, segments at 0 with 64 KiB limits, paging and interrupts off. */
static void real_mode_regs(struct cowl_vcpu_regs *r)
{
    memset(r, 0, sizeof(*r));
    r->cs = segment(COWL_SEG_P | COWL_SEG_S | COWL_SEG_TYPE_CODE);
    r->ds = r->es = r->fs = r->gs = r->ss = segment(COWL_SEG_P | COWL_SEG_S | COWL_SEG_TYPE_DATA);
    r->tr = segment(COWL_SEG_P | COWL_SEG_TYPE_TSS); /* a system segment: S clear */
    r->ldtr = segment(COWL_SEG_P | COWL_SEG_TYPE_LDT);
    r->gdtr.limit = r->idtr.limit = 0xffff; /* the real-mode IVT: 256 vectors at 0 */
    r->cr0 = 0x10;                          /* ET: what reset leaves, less CD and NW */
    r->rflags = 2;                          /* bit 1 is always set; IF clear */
    r->rip = LOAD_ADDR;
}

/* The file first (a missing image is the user's error, whatever the
 * kernel can do), then the VM, its memory and its vCPU. */
static int setup(struct vmm *v)
{
    size_t len;
    char *image = read_image(v->image, v->ram - LOAD_ADDR, &len);
    if (!image)
        return fail(v, "cannot load the image");
    v->vm = cowl_vm_create(v->ram);
    int status = v->vm < 0 ? fail(v, "cowl_vm_create") : load(v, image, len);
    free(image);
    if (status)
        return status;
    v->cpu = cowl_vcpu_create(v->vm);
    if (v->cpu < 0)
        return fail(v, "cowl_vcpu_create");
    struct cowl_vcpu_regs regs;
    real_mode_regs(&regs);
    if (cowl_vcpu_regs(v->cpu, &regs, COWL_VCPU_SET) < 0)
        return fail(v, "cowl_vcpu_regs");
    return 0;
}

/* A byte from our standard input for the guest; 0 at its end. */
static uint8_t serial_in(void)
{
    uint8_t c;
    return read(STDIN_FILENO, &c, 1) == 1 ? c : 0;
}

/* IN and OUT.  The line status register always says "can send" and "input
 * ready": then a guest never blocks on output, and waits for input inside
 * IN from the data port, which blocks in read() - vmm needs no poll(). */
static void handle_io(struct vmm *v, struct cowl_vm_exit *e)
{
    uint16_t port = e->io.port;
    if (e->io.write) {
        if (port == SERIAL_DATA) {
            uint8_t c = e->io.data & 0xff;
            (void)!write(STDOUT_FILENO, &c, 1);
        } else if (port != SERIAL_LSR) {
            v->other_ports++; /* OUT to a device we do not have: ignored */
        }
        return;
    }
    if (port == SERIAL_DATA) {
        e->io.data = serial_in();
    } else if (port == SERIAL_LSR) {
        e->io.data = LSR_TX_EMPTY | LSR_DATA_READY;
    } else {
        e->io.data = 0xffffffff; /* no device answers: the bus floats high */
        v->other_ports++;
    }
}

/* COWL_HC_PRINT: the guest's string, copied out of its RAM; -1 if it is not
 * all inside RAM or longer than PRINT_MAX. */
static uint64_t print_guest_string(struct vmm *v, uint64_t gpa, uint64_t len)
{
    char buf[4096];
    if (len > PRINT_MAX)
        return -1;
    for (uint64_t done = 0; done < len;) {
        size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        if (cowl_vm_memory(v->vm, gpa + done, buf, n, COWL_VM_READ) < 0)
            return -1;
        (void)!write(STDOUT_FILENO, buf, n);
        done += n;
    }
    return 0;
}

/* A hypercall: sets its result (the guest's RAX), or returns the exit
 * status if the guest is done. */
static int handle_hypercall(struct vmm *v, struct cowl_vm_exit *e)
{
    uint64_t *arg = e->hypercall.args;
    switch (e->hypercall.nr) {
    case COWL_HC_NOP: /* the kernel answers these; harmless if it did not */
        e->hypercall.ret = 0;
        return ST_RUNNING;
    case COWL_HC_PRINT:
        e->hypercall.ret = print_guest_string(v, arg[0], arg[1]);
        return ST_RUNNING;
    case COWL_HC_REPORT:
        printf("vmm: report: %lu\n", (unsigned long)arg[0]);
        e->hypercall.ret = 0;
        return ST_RUNNING;
    case COWL_HC_EXIT:
        snprintf(v->why, sizeof(v->why), "guest exited with status %lu", (unsigned long)arg[0]);
        return arg[0] & 0xff;
    default:
        e->hypercall.ret = -1;
        return ST_RUNNING;
    }
}

/* One exit: ST_RUNNING to run the guest on, or the status to end with. */
static int handle_exit(struct vmm *v, struct cowl_vm_exit *e)
{
    unsigned long rip = e->rip;
    switch (e->kind) {
    case COWL_EXIT_IO:
        handle_io(v, e);
        return ST_RUNNING;
    case COWL_EXIT_HYPERCALL:
        return handle_hypercall(v, e);
    case COWL_EXIT_HLT:
        snprintf(v->why, sizeof(v->why), "guest halted (rip 0x%lx)", rip);
        return 0;
    case COWL_EXIT_MMIO:
        snprintf(v->why, sizeof(v->why), "MMIO %s at gpa 0x%lx, rip 0x%lx",
                 e->mmio.write ? "write" : "read", (unsigned long)e->mmio.gpa, rip);
        return ST_MMIO;
    case COWL_EXIT_SHUTDOWN:
        snprintf(v->why, sizeof(v->why), "guest triple-faulted (shutdown), rip 0x%lx", rip);
        return ST_SHUTDOWN;
    case COWL_EXIT_UNHANDLED:
        snprintf(v->why, sizeof(v->why),
                 "unhandled exit 0x%lx (info1 0x%lx, info2 0x%lx), rip 0x%lx",
                 (unsigned long)e->unhandled.code, (unsigned long)e->unhandled.info1,
                 (unsigned long)e->unhandled.info2, rip);
        return ST_UNHANDLED;
    default:
        snprintf(v->why, sizeof(v->why), "unknown exit kind %u, rip 0x%lx", e->kind, rip);
        return ST_UNHANDLED;
    }
}

/* Run the vCPU until the guest is done.  The same exit record goes back
 * into every run: that is how the answer to an IN or a hypercall gets in. */
static int run(struct vmm *v)
{
    struct cowl_vm_exit e;
    memset(&e, 0, sizeof(e));
    for (;;) {
        if (cowl_vcpu_run(v->cpu, &e) < 0)
            return fail(v, "cowl_vcpu_run");
        v->exits++;
        int status = handle_exit(v, &e);
        if (status != ST_RUNNING)
            return status;
    }
}

/* -m's argument: a whole number of MiB, at least 1. */
static int parse_mib(const char *s, uint64_t *bytes)
{
    char *end;
    long mib = strtol(s, &end, 10);
    if (*s == 0 || *end != 0 || mib <= 0 || mib > (1l << 20))
        return -1;
    *bytes = (uint64_t)mib << 20;
    return 0;
}

int main(int argc, char **argv)
{
    struct vmm v = {.ram = (uint64_t)DEFAULT_MIB << 20, .vm = -1, .cpu = -1};
    int quiet = 0, c;
    while ((c = getopt(argc, argv, "m:qh")) != -1) {
        if (c == 'h') {
            printf("%s", usage);
            return 0;
        } else if (c == 'q') {
            quiet = 1;
        } else if (c != 'm' || parse_mib(optarg, &v.ram) < 0) {
            fprintf(stderr, "%s", usage);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    v.image = argv[optind];
    int status = setup(&v);
    if (status == 0) {
        status = run(&v);
        if (v.why[0] && !quiet) { /* empty: cowl_vcpu_run failed, fail() said why */
            if (v.other_ports)
                printf("vmm: %s: %s, other port accesses: %lu, exits: %lu\n", v.image, v.why,
                       v.other_ports, v.exits);
            else
                printf("vmm: %s: %s, exits: %lu\n", v.image, v.why, v.exits);
        }
    }
    if (v.cpu >= 0)
        close(v.cpu);
    if (v.vm >= 0)
        close(v.vm);
    return status;
}
