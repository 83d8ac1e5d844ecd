/* vmm - the virtual machine monitor: runs a guest image in a VM with one
 * vCPU, and emulates the little hardware a guest has (user/guests/README.md):
 * a serial port (COM1, two of its registers) and four hypercalls (five
 * with -f: COWL_HC_SNAPSHOT).
 *
 *   vmm [-m MiB] [-q] [-h] [-a ARGS] [-i INITRD] IMAGE
 *   vmm [-m MiB] -f N [-s SEED] IMAGE     the fork server (see fork_server)
 *
 * IMAGE is a flat guest (user/guests/README.md), or an ELF kernel with a
 * PVH entry note, booted as QEMU's -kernel boots it (see "PVH" below):
 * build/cowl.elf itself, with ARGS as its command line and INITRD as its
 * one boot module.
 *
 * The kernel runs the guest (uapi/vm.h) and comes back here for each exit it
 * does not handle itself; the loop in run() answers them.  At the end vmm
 * prints one line, `vmm: IMAGE: WHY, exits: N`, and exits with:
 *   the guest's status   it made COWL_HC_EXIT (the low 8 bits)
 *   0                    it halted (HLT)
 *   1                    vmm could not set it up, or cowl_vcpu_run failed
 *   2                    it touched memory outside RAM (MMIO)
 *   3                    it triple-faulted (SHUTDOWN)
 *   4                    an exit neither the kernel nor vmm knows (UNHANDLED)
 *   0                    it powered off (OUT 0x2000 to port 0x604, ACPI PM1a)
 *   (V << 1) | 1         it wrote V to port 0xf4 (QEMU's isa-debug-exit)
 * With -f (the fork server) it prints its own report instead, and exits 0
 * if it ran (crashes or not), 5 if the snapshot changed, 1 on setup errors. */
#include <cowl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "uapi/elf.h" /* the ELF records a loader reads */
#include "uapi/pvh.h" /* the PVH boot protocol, as the kernel reads it */

#define LOAD_ADDR      0x8000 /* where the image goes and the vCPU starts */
#define RAM_SIZE_ADDR  0x7000 /* the RAM size, a uint64_t, for the guest */
#define DEFAULT_MIB    16
#define KERNEL_MIB     128 /* the default for an ELF kernel */
#define SERIAL_DATA    COWL_VM_SERIAL_PORT
#define SERIAL_LSR     (COWL_VM_SERIAL_PORT + 5) /* line status register */
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY   0x20
#define PRINT_MAX      65536 /* longest string COWL_HC_PRINT takes */
#define ACPI_PM1A_CNT  0x604  /* where QEMU's PC puts it; cowl's arch_power_off */
#define PM1_SLP_EN     0x2000 /* "sleep now": with SLP_TYP 0 (S5), power off */
#define DEBUG_EXIT     0xf4   /* QEMU's isa-debug-exit */

enum { ST_SETUP = 1, ST_MMIO = 2, ST_SHUTDOWN = 3, ST_UNHANDLED = 4, ST_CHANGED = 5 };
/* Not exit statuses: what run() returns while the guest is not done. */
enum { ST_RUNNING = -1, ST_SNAPSHOT = -2, ST_HANG = -3 };

static const char usage[] =
    "usage: vmm [-m MiB] [-q] [-h] [-a ARGS] [-i INITRD] IMAGE\n"
    "       vmm [-m MiB] -f N [-s SEED] IMAGE\n"
    "  run a guest image (e.g. /guests/hello.bin) in a virtual machine, or boot\n"
    "  an ELF kernel through its PVH entry (e.g. /boot/cowl.elf)\n"
    "  -m MiB   guest RAM (default 16; 128 for an ELF kernel)\n"
    "  -a ARGS  the kernel's command line (default empty); several -a are\n"
    "           joined with spaces (init=/bin/vmm,-a,one,-a,two in a host's\n"
    "           command line, where spaces cannot go)\n"
    "  -i FILE  the kernel's initrd (default /boot/initrd.cpio for /boot/cowl.elf)\n"
    "  -q       no summary line at the end\n"
    "  -f N     fork server: run the guest to its COWL_HC_SNAPSHOT, then run N\n"
    "           clones of it, each with a random input in its buffer; report the\n"
    "           crashes (triple fault, MMIO, exit status not 0) and hangs\n"
    "           (e.g. vmm -f 1000 /guests/fuzzme.bin)\n"
    "  -s SEED  the random inputs' seed (default 1)\n";

struct vmm {
    const char *image;
    uint64_t ram;
    int ram_given;             /* -m: do not change the RAM size for a kernel */
    const char *cmdline;       /* -a: a PVH kernel's command line (the -a's joined) */
    const char *initrd;        /* -i: its boot module; NULL: none (or the default) */
    int kernel;                /* IMAGE is a PVH kernel: its UART tells the truth */
    bool reading;              /* a kernel guest: the input thread is started */
    int vm, cpu;
    int fork_server;           /* -f: stop at COWL_HC_SNAPSHOT (ST_SNAPSHOT) */
    int mute;                  /* a clone: its output and reports go nowhere */
    unsigned long max_exits;   /* a clone: after this many it is a hang; 0: no limit */
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

/* ---- PVH: booting an ELF kernel as QEMU's -kernel does ------------------
 *
 * The kernel names its 32-bit entry point in an ELF note ("Xen", type
 * XEN_ELFNOTE_PHYS32_ENTRY); the loader puts each PT_LOAD segment at its
 * physical address, describes the machine in a struct hvm_start_info (Xen's
 * public/arch-x86/hvm/start_info.h), and enters in flat 32-bit protected
 * mode with paging off and EBX = the start_info's address.  Guest-physical
 * layout (all of it in the first MiB, which cowl's page allocator never
 * hands out - pmm_init - so nothing vmm writes there is overwritten while
 * the kernel still reads it; the initrd is a boot module, which it keeps):
 *
 *   0x1000   struct hvm_start_info, then the module list and the memory map
 *   0x2000   the command line (-a), NUL-terminated, at most 4 KiB
 *   0x100000 the kernel's segments (cowl links itself at 1 MiB)
 *   the next page after the kernel: the initrd (-i)
 */
#define PVH_INFO_ADDR      0x1000
#define PVH_MODLIST_ADDR   0x1040
#define PVH_MEMMAP_ADDR    0x1080
#define PVH_CMDLINE_ADDR   0x2000
#define PVH_CMDLINE_MAX    4096 /* cowl's BOOT_CMDLINE_MAX */
#define PVH_LOW_END        0x8000 /* a segment below this would cover the above */
#define PAGE               4096ul
#define ALIGN_PAGE(x)      (((x) + PAGE - 1) & ~(PAGE - 1))
#define DEFAULT_KERNEL     "/boot/cowl.elf"
#define DEFAULT_INITRD     "/boot/initrd.cpio"

static int is_elf(const char *image, size_t len)
{
    return len >= 4 && memcmp(image, "\177ELF", 4) == 0;
}

/* The image is not a kernel vmm can boot: say why. */
static int bad_kernel(const struct vmm *v, const char *why)
{
    fprintf(stderr, "vmm: %s: %s\n", v->image, why);
    return ST_SETUP;
}

/* Program header i, or NULL if the file is too short to hold it. */
static const struct elf64_phdr *phdr(const char *image, size_t len, int i)
{
    const struct elf64_ehdr *eh = (const struct elf64_ehdr *)image;
    uint64_t off = eh->phoff + (uint64_t)i * sizeof(struct elf64_phdr);
    if (eh->phoff >= len || off + sizeof(struct elf64_phdr) > len)
        return NULL;
    return (const struct elf64_phdr *)(image + off);
}

/* The PVH entry point from the notes in one PT_NOTE segment; 0 if none.
 * A note: namesz, descsz, type, then the name and the descriptor, each
 * padded to 4 bytes. */
static uint32_t pvh_entry_in(const char *notes, uint64_t size)
{
    for (uint64_t at = 0; at + 12 <= size;) {
        const uint32_t *n = (const uint32_t *)(notes + at);
        uint64_t name = at + 12, desc = name + ((n[0] + 3ul) & ~3ul);
        uint64_t next = desc + ((n[1] + 3ul) & ~3ul);
        if (next > size)
            return 0;
        if (n[2] == XEN_ELFNOTE_PHYS32_ENTRY && n[0] == 4 && memcmp(notes + name, "Xen", 4) == 0 &&
            n[1] >= 4)
            return *(const uint32_t *)(notes + desc); /* 4 or 8 bytes; the entry is 32-bit */
        at = next;
    }
    return 0;
}

/* Copy each PT_LOAD segment to its physical address and find the entry.
 * Beyond filesz a segment is zeros (.bss): a new VM's RAM reads as zeros
 * already, so there is nothing to write.  Sets *end to the end of the
 * highest segment.  0, or the status to end with. */
static int load_elf(struct vmm *v, const char *image, size_t len, uint32_t *entry, uint64_t *end)
{
    const struct elf64_ehdr *eh = (const struct elf64_ehdr *)image;
    if (len < sizeof(*eh) || eh->ident[4] != 2 || eh->ident[5] != 1)
        return bad_kernel(v, "not a little-endian ELF64 file");
    *entry = 0;
    *end = 0;
    for (int i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = phdr(image, len, i);
        if (!ph || ph->offset > len || ph->filesz > len - ph->offset)
            return bad_kernel(v, "a program header or segment is outside the file");
        if (ph->type == PT_NOTE && !*entry)
            *entry = pvh_entry_in(image + ph->offset, ph->filesz);
        if (ph->type != PT_LOAD)
            continue;
        if (ph->paddr < PVH_LOW_END || ph->memsz > v->ram || ph->paddr > v->ram - ph->memsz ||
            ph->filesz > ph->memsz)
            return bad_kernel(v, "a segment is not inside RAM above 0x8000 (too little -m?)");
        if (cowl_vm_memory(v->vm, ph->paddr, (void *)(image + ph->offset), ph->filesz,
                           COWL_VM_WRITE) < 0)
            return fail(v, "cowl_vm_memory");
        if (ph->paddr + ph->memsz > *end)
            *end = ph->paddr + ph->memsz;
    }
    if (!*entry)
        return bad_kernel(v, "no PVH entry (ELF note \"Xen\", XEN_ELFNOTE_PHYS32_ENTRY)");
    return 0;
}

/* The initrd, at the first page at or after `at`, as the one boot module
 * (its list entry goes to PVH_MODLIST_ADDR).  0, or the status to end with. */
static int load_initrd(struct vmm *v, uint64_t at, struct hvm_start_info *si)
{
    size_t len;
    at = ALIGN_PAGE(at);
    char *data = read_image(v->initrd, at < v->ram ? v->ram - at : 0, &len);
    if (!data) {
        fprintf(stderr, "vmm: %s: cannot load it after the kernel at 0x%lx: %s\n", v->initrd,
                (unsigned long)at, strerror(errno));
        return ST_SETUP;
    }
    struct hvm_modlist_entry mod = {.paddr = at, .size = len};
    int bad = cowl_vm_memory(v->vm, at, data, len, COWL_VM_WRITE) < 0 ||
              cowl_vm_memory(v->vm, PVH_MODLIST_ADDR, &mod, sizeof(mod), COWL_VM_WRITE) < 0;
    free(data);
    if (bad)
        return fail(v, "cowl_vm_memory");
    si->nr_modules = 1;
    si->modlist_paddr = PVH_MODLIST_ADDR;
    return 0;
}

/* The start_info, the memory map and the command line.  The map is a PC's:
 * RAM below the legacy hole at 0x9f000, the hole (EBDA, VGA, BIOS)
 * reserved, RAM from 1 MiB.  No ACPI tables: rsdp_paddr is 0. */
static int write_start_info(struct vmm *v, struct hvm_start_info *si)
{
    const char *cmdline = v->cmdline ? v->cmdline : "";
    struct hvm_memmap_entry map[] = {
        {0, 0x9f000, E820_RAM, 0},
        {0x9f000, 0x100000 - 0x9f000, E820_RESERVED, 0},
        {0x100000, v->ram - 0x100000, E820_RAM, 0},
    };
    si->magic = PVH_START_MAGIC;
    si->version = 1; /* has the memory map */
    si->cmdline_paddr = PVH_CMDLINE_ADDR;
    si->memmap_paddr = PVH_MEMMAP_ADDR;
    si->memmap_entries = sizeof(map) / sizeof(map[0]);
    if (cowl_vm_memory(v->vm, PVH_MEMMAP_ADDR, map, sizeof(map), COWL_VM_WRITE) < 0 ||
        cowl_vm_memory(v->vm, PVH_CMDLINE_ADDR, (void *)cmdline, strlen(cmdline) + 1,
                       COWL_VM_WRITE) < 0 ||
        cowl_vm_memory(v->vm, PVH_INFO_ADDR, si, sizeof(*si), COWL_VM_WRITE) < 0)
        return fail(v, "cowl_vm_memory");
    return 0;
}

/* Flat 32-bit protected mode, as the PVH boot protocol starts a kernel:
 * 4 GiB code and data segments at 0, paging off, EBX = the start_info. */
static void pvh_regs(struct cowl_vcpu_regs *r, uint32_t entry)
{
    const uint16_t flat = COWL_SEG_G | COWL_SEG_DB | COWL_SEG_P | COWL_SEG_S;
    const struct cowl_seg data = {0x10, flat | COWL_SEG_TYPE_DATA, 0xffffffff, 0};
    memset(r, 0, sizeof(*r));
    r->cs = (struct cowl_seg){0x08, flat | COWL_SEG_TYPE_CODE, 0xffffffff, 0};
    r->ds = r->es = r->fs = r->gs = r->ss = data;
    r->tr = segment(COWL_SEG_P | COWL_SEG_TYPE_TSS);
    r->ldtr = segment(COWL_SEG_P | COWL_SEG_TYPE_LDT);
    r->gdtr.limit = r->idtr.limit = 0; /* the kernel loads its own */
    r->cr0 = 0x11;                     /* PE, ET */
    r->rflags = 2;
    r->rbx = PVH_INFO_ADDR;
    r->rip = entry;
}

/* Load a PVH kernel, its initrd and its start_info; set *regs. */
static int load_kernel(struct vmm *v, const char *image, size_t len, struct cowl_vcpu_regs *regs)
{
    uint32_t entry = 0;
    uint64_t end = 0;
    struct hvm_start_info si = {0};
    if (v->cmdline && strlen(v->cmdline) >= PVH_CMDLINE_MAX)
        return bad_kernel(v, "the command line (-a) is longer than 4 KiB");
    if (v->ram <= 0x100000)
        return bad_kernel(v, "a kernel needs more than 1 MiB of RAM");
    int status = load_elf(v, image, len, &entry, &end);
    if (!status && v->initrd)
        status = load_initrd(v, end, &si);
    if (!status)
        status = write_start_info(v, &si);
    pvh_regs(regs, entry);
    return status;
}

/* /boot/cowl.elf boots with /boot/initrd.cpio unless -i says otherwise. */
static void default_initrd(struct vmm *v)
{
    if (!v->initrd && strcmp(v->image, DEFAULT_KERNEL) == 0 && access(DEFAULT_INITRD, R_OK) == 0)
        v->initrd = DEFAULT_INITRD;
}

/* The file first (a missing image is the user's error, whatever the
 * kernel can do), then the VM, its memory and its vCPU.  An ELF file is a
 * PVH kernel (128 MiB of RAM unless -m); anything else a flat guest. */
static int setup(struct vmm *v)
{
    size_t len;
    char *image = read_image(v->image, v->ram_given ? v->ram : (uint64_t)KERNEL_MIB << 20, &len);
    if (!image)
        return fail(v, "cannot load the image");
    int kernel = v->kernel = is_elf(image, len);
    if (kernel && !v->ram_given)
        v->ram = (uint64_t)KERNEL_MIB << 20;
    if (!kernel && len > v->ram - LOAD_ADDR) {
        free(image);
        errno = EFBIG;
        return fail(v, "cannot load the image");
    }
    struct cowl_vcpu_regs regs;
    v->vm = cowl_vm_create(v->ram);
    int status = v->vm < 0 ? fail(v, "cowl_vm_create")
                 : kernel  ? load_kernel(v, image, len, &regs)
                           : load(v, image, len);
    free(image);
    if (status)
        return status;
    v->cpu = cowl_vcpu_create(v->vm);
    if (v->cpu < 0)
        return fail(v, "cowl_vcpu_create");
    if (!kernel)
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

/* A kernel is not a flat guest: it polls the line status at every timer
 * tick and drains the data port while "data ready" is set, taking each
 * byte as typed input.  "Data ready" must then mean it: a byte is there
 * now.  vmm has no poll(), so a second thread does the waiting: it reads
 * our standard input a byte at a time into a small queue, and the line
 * status says "data ready" while the queue holds a byte.  The vCPU never
 * waits for the keyboard; at the end of our input the thread ends and the
 * queue stays empty. */
#define INPUT_QUEUE 256
static struct {
    pthread_mutex_t lock;
    uint8_t bytes[INPUT_QUEUE];
    unsigned head, count; /* [lock] */
} input = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *input_thread(void *arg)
{
    (void)arg;
    uint8_t c;
    while (read(STDIN_FILENO, &c, 1) == 1) {
        for (;;) { /* a full queue: the guest is not reading; wait for it */
            pthread_mutex_lock(&input.lock);
            bool room = input.count < INPUT_QUEUE;
            if (room)
                input.bytes[(input.head + input.count++) % INPUT_QUEUE] = c;
            pthread_mutex_unlock(&input.lock);
            if (room)
                break;
            usleep(10000);
        }
    }
    return NULL;
}

static uint8_t kernel_uart_in(struct vmm *v, uint16_t port)
{
    if (!v->reading && !v->mute) {
        pthread_t t;
        v->reading = pthread_create(&t, NULL, input_thread, NULL) == 0;
    }
    pthread_mutex_lock(&input.lock);
    bool ready = input.count > 0;
    uint8_t c = 0;
    if (ready && port == SERIAL_DATA) {
        c = input.bytes[input.head];
        input.head = (input.head + 1) % INPUT_QUEUE;
        input.count--;
    }
    pthread_mutex_unlock(&input.lock);
    return port == SERIAL_LSR ? LSR_TX_EMPTY | (ready ? LSR_DATA_READY : 0) : c;
}

/* The two ways a PC under QEMU is switched off (cowl's arch_power_off
 * tries both): ST_RUNNING if this OUT is neither, else the exit status. */
static int power_off(struct vmm *v, const struct cowl_vm_exit *e)
{
    if (e->io.port == ACPI_PM1A_CNT && e->io.size == 2 && (e->io.data & PM1_SLP_EN)) {
        snprintf(v->why, sizeof(v->why), "guest powered off");
        return 0;
    }
    if (e->io.port == DEBUG_EXIT) {
        int status = (int)((e->io.data << 1) | 1); /* what QEMU exits with */
        snprintf(v->why, sizeof(v->why), "guest powered off (isa-debug-exit, status %d)", status);
        return status & 0xff;
    }
    return ST_RUNNING;
}

/* IN and OUT.  The line status register always says "can send" and "input
 * ready": then a guest never blocks on output, and waits for input inside
 * IN from the data port, which blocks in read() - vmm needs no poll().
 * ST_RUNNING, or the exit status if the guest powered off. */
static int handle_io(struct vmm *v, struct cowl_vm_exit *e)
{
    uint16_t port = e->io.port;
    if (e->io.write) {
        int status = power_off(v, e);
        if (status != ST_RUNNING)
            return status;
        if (port == SERIAL_DATA && !v->mute) {
            uint8_t c = e->io.data & 0xff;
            (void)!write(STDOUT_FILENO, &c, 1);
        } else if (port != SERIAL_LSR) {
            v->other_ports++; /* OUT to a device we do not have: ignored */
        }
        return ST_RUNNING;
    }
    if (v->kernel && (port == SERIAL_DATA || port == SERIAL_LSR)) {
        e->io.data = kernel_uart_in(v, port);
    } else if (port == SERIAL_DATA) {
        e->io.data = v->mute ? 0 : serial_in(); /* a clone's input is its buffer */
    } else if (port == SERIAL_LSR) {
        e->io.data = LSR_TX_EMPTY | LSR_DATA_READY;
    } else {
        e->io.data = 0xffffffff; /* no device answers: the bus floats high */
        v->other_ports++;
    }
    return ST_RUNNING;
}

/* COWL_HC_PRINT: the guest's string, copied out of its RAM; -1 if it is not
 * all inside RAM or longer than PRINT_MAX. */
static uint64_t print_guest_string(struct vmm *v, uint64_t gpa, uint64_t len)
{
    char buf[4096];
    if (len > PRINT_MAX)
        return -1;
    if (v->mute)
        return 0;
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
        if (!v->mute)
            printf("vmm: report: %lu\n", (unsigned long)arg[0]);
        e->hypercall.ret = 0;
        return ST_RUNNING;
    case COWL_HC_EXIT:
        snprintf(v->why, sizeof(v->why), "guest exited with status %lu", (unsigned long)arg[0]);
        return arg[0] & 0xff;
    case COWL_HC_SNAPSHOT: /* only a fork server takes snapshots */
        if (v->fork_server)
            return ST_SNAPSHOT;
        e->hypercall.ret = -1;
        return ST_RUNNING;
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
        return handle_io(v, e);
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

/* Run the vCPU until the guest is done (or snapshots, or hangs).  The same
 * exit record goes back into every run: that is how the answer to an IN or
 * a hypercall gets in; *e starts as the answer to the vCPU's pending exit. */
static int run_from(struct vmm *v, struct cowl_vm_exit *e)
{
    for (;;) {
        if (v->max_exits && v->exits >= v->max_exits)
            return ST_HANG;
        if (cowl_vcpu_run(v->cpu, e) < 0)
            return fail(v, "cowl_vcpu_run");
        v->exits++;
        int status = handle_exit(v, e);
        if (status != ST_RUNNING)
            return status;
    }
}

static int run(struct vmm *v)
{
    struct cowl_vm_exit e;
    memset(&e, 0, sizeof(e));
    return run_from(v, &e);
}

/* ---- The fork server (-f N) ------------------------------------------
 *
 * The guest runs once, up to its COWL_HC_SNAPSHOT hypercall (RBX = the
 * guest-physical address of its input buffer, RCX = its size).  That VM
 * and vCPU are the snapshot, never run again.  Each execution forks them
 * (cowl_vm_fork shares the snapshot's nested page tables copy-on-write, so
 * it costs the same whatever the guest had set up), writes one random input
 * into the clone's buffer (which breaks copy-on-write in the clone only),
 * answers the clone's pending snapshot hypercall with the input's length,
 * and runs the clone to its end:
 *
 *                 snapshot VM (frozen in COWL_HC_SNAPSHOT)
 *              fork /        |         \ fork
 *        clone 1: input A   clone 2: B  ...  clone N: input Z
 *        runs, ends, closed ...              runs, ends, closed
 *
 * A clone ends well by COWL_HC_EXIT 0 or HLT.  A crash is a triple fault,
 * an access outside RAM, an unhandled exit, or COWL_HC_EXIT with another
 * status (a target reports its own crashes that way).  A clone that makes
 * MAX_CLONE_EXITS exits is a hang; one that loops without any exit cannot
 * be stopped from here (cowl has no signal to interrupt cowl_vcpu_run), so
 * a target's parser must end by itself, as user/guests/fuzzme.c's does.
 * At the end the snapshot must be as it was: no clone's write reached it. */
#define MAX_CLONE_EXITS 10000
#define MAX_INPUT       4096        /* bytes per input at most, whatever the buffer */
#define MAX_FINDINGS    16          /* distinct crashes and hangs kept for the report */
#define RANGE           (2ul << 20) /* guest RAM a page table covers */

struct finding {
    uint32_t kind;        /* the clone's last exit; 0 for a hang */
    uint64_t rip, detail; /* detail: the exit status, or the MMIO address */
    uint8_t *input;
    size_t len;
    char why[96];
};

struct fork_server {
    struct vmm *snap;             /* the snapshot: its vm and cpu */
    struct cowl_vm_exit at;       /* its pending exit: the snapshot hypercall */
    uint64_t buf_gpa, buf_size;   /* the guest's input buffer */
    uint64_t rng;                 /* splitmix64 state, from -s */
    unsigned long crashes, hangs; /* executions that crashed or hung */
    struct finding found[MAX_FINDINGS];
    int nfound;
};

/* splitmix64 (Steele, Lea, Flood 2014): a 64-bit state, any seed will do. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* One input: 1 to min(buffer size, MAX_INPUT) random bytes; its length. */
static size_t make_input(struct fork_server *fs, uint8_t *in)
{
    uint64_t max = fs->buf_size < MAX_INPUT ? fs->buf_size : MAX_INPUT;
    size_t len = 1 + next_random(&fs->rng) % max;
    for (size_t i = 0; i < len; i++)
        in[i] = next_random(&fs->rng) & 0xff;
    return len;
}

/* FNV-1a over len bytes, continuing from h. */
static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* The checksum of RAM in the ranges [va, va + RANGE) that have a nested
 * page table in vm (cowl_vm_ptdump): elsewhere RAM is all zeros.  The
 * ranges' addresses go into the sum too.  0 if vm cannot be read. */
static uint64_t checksum_ranges(int vm, uint64_t ram)
{
    size_t max = ram / RANGE + 16; /* the tables above the PTs are a few */
    struct pt_node *nodes = malloc(max * sizeof(*nodes));
    uint8_t *chunk = malloc(RANGE);
    long n = nodes && chunk ? cowl_vm_ptdump(vm, nodes, max) : -1;
    uint64_t h = n < 0 || (size_t)n > max ? 0 : 0xcbf29ce484222325ull;
    for (long i = 0; h && i < n; i++) {
        uint64_t va = nodes[i].va;
        if (nodes[i].level != 1 || va >= ram)
            continue;
        size_t len = ram - va < RANGE ? ram - va : RANGE;
        if (cowl_vm_memory(vm, va, chunk, len, COWL_VM_READ) < 0)
            h = 0;
        else
            h = fnv1a(fnv1a(h, (uint8_t *)&va, sizeof(va)), chunk, len);
    }
    free(nodes);
    free(chunk);
    return h;
}

/* A checksum of the snapshot's RAM, read through a share-mode fork of it:
 * reading a page no one has touched fills it with a zeroed one, and in the
 * snapshot those pages would then be copied by every eager-mode fork.  In a
 * fork they are the fork's own and go when it is closed; what it reads is
 * the snapshot's memory.  0 with errno if it cannot be read. */
static uint64_t ram_checksum(struct vmm *v)
{
    int probe = cowl_vm_fork(v->vm, COWL_FORK_SHARE);
    if (probe < 0)
        return 0;
    uint64_t h = checksum_ranges(probe, v->ram);
    close(probe);
    return h;
}

/* Run the guest to its COWL_HC_SNAPSHOT and check the buffer it names is
 * in RAM.  0, or the status to end with. */
static int take_snapshot(struct fork_server *fs)
{
    struct vmm *v = fs->snap;
    memset(&fs->at, 0, sizeof(fs->at));
    int status = run_from(v, &fs->at);
    if (status == ST_SETUP && !v->why[0])
        return ST_SETUP; /* cowl_vcpu_run failed; fail() said why */
    if (status != ST_SNAPSHOT) {
        fprintf(stderr, "vmm: %s: no COWL_HC_SNAPSHOT: %s\n", v->image, v->why);
        return ST_SETUP;
    }
    fs->buf_gpa = fs->at.hypercall.args[0];
    fs->buf_size = fs->at.hypercall.args[1];
    if (fs->buf_size == 0 || fs->buf_gpa >= v->ram || fs->buf_size > v->ram - fs->buf_gpa) {
        fprintf(stderr, "vmm: %s: snapshot input buffer 0x%lx, %lu bytes: not in RAM\n", v->image,
                (unsigned long)fs->buf_gpa, (unsigned long)fs->buf_size);
        return ST_SETUP;
    }
    return 0;
}

/* How a clone ended, from its last exit, for the report. */
static void describe(struct finding *f, const struct cowl_vm_exit *e, unsigned long exits)
{
    unsigned long rip = e->rip;
    if (f->kind == 0)
        snprintf(f->why, sizeof(f->why), "%lu exits and no end, the last at rip 0x%lx", exits, rip);
    else if (f->kind == COWL_EXIT_SHUTDOWN)
        snprintf(f->why, sizeof(f->why), "triple fault at rip 0x%lx", rip);
    else if (f->kind == COWL_EXIT_MMIO)
        snprintf(f->why, sizeof(f->why), "MMIO %s at gpa 0x%lx, rip 0x%lx",
                 e->mmio.write ? "write" : "read", (unsigned long)f->detail, rip);
    else if (f->kind == COWL_EXIT_HYPERCALL)
        snprintf(f->why, sizeof(f->why), "exit status %lu at rip 0x%lx", (unsigned long)f->detail,
                 rip);
    else
        snprintf(f->why, sizeof(f->why), "exit kind %u (code 0x%lx) at rip 0x%lx", f->kind,
                 (unsigned long)f->detail, rip);
}

/* Keep the first input of each distinct crash or hang: distinct by how it
 * ended and where. */
static void remember(struct fork_server *fs, struct finding *f, const uint8_t *in, size_t len,
                     const struct cowl_vm_exit *e, unsigned long exits)
{
    for (int i = 0; i < fs->nfound; i++) {
        struct finding *g = &fs->found[i];
        if (g->kind == f->kind && g->rip == f->rip && g->detail == f->detail)
            return;
    }
    if (fs->nfound == MAX_FINDINGS || !(f->input = malloc(len)))
        return;
    memcpy(f->input, in, len);
    f->len = len;
    describe(f, e, exits);
    fs->found[fs->nfound++] = *f;
}

/* Sort one finished clone: ok, crash or hang. */
static void classify(struct fork_server *fs, int status, const struct cowl_vm_exit *e,
                     const uint8_t *in, size_t len, unsigned long exits)
{
    struct finding f = {.kind = e->kind, .rip = e->rip};
    if (status == ST_HANG) {
        f.kind = 0;
        fs->hangs++;
    } else if (e->kind == COWL_EXIT_HLT ||
               (e->kind == COWL_EXIT_HYPERCALL && e->hypercall.args[0] == 0)) {
        return; /* HLT, or COWL_HC_EXIT 0: it went well */
    } else {
        fs->crashes++;
        f.detail = e->kind == COWL_EXIT_HYPERCALL ? e->hypercall.args[0]
                   : e->kind == COWL_EXIT_MMIO    ? e->mmio.gpa
                                                  : e->unhandled.code;
    }
    remember(fs, &f, in, len, e, exits);
}

/* One execution: fork the snapshot, give the clone its input, run it to
 * its end.  0, or ST_SETUP if the kernel refused something. */
static int execute(struct fork_server *fs, uint8_t *in)
{
    size_t len = make_input(fs, in);
    struct vmm c = *fs->snap; /* image name, RAM size; then its own VM and vCPU */
    c.mute = 1;
    c.fork_server = 0; /* a clone's second snapshot is answered -1 */
    c.max_exits = MAX_CLONE_EXITS;
    c.exits = c.other_ports = 0;
    c.why[0] = 0;
    c.cpu = -1;
    int status = ST_SETUP;
    c.vm = cowl_vm_fork(fs->snap->vm, -1); /* -1: our fork mode, share by default */
    if (c.vm < 0) {
        fail(&c, "cowl_vm_fork");
    } else if ((c.cpu = cowl_vcpu_fork(fs->snap->cpu, c.vm)) < 0) {
        fail(&c, "cowl_vcpu_fork");
    } else if (cowl_vm_memory(c.vm, fs->buf_gpa, in, len, COWL_VM_WRITE) < 0) {
        fail(&c, "cowl_vm_memory");
    } else {
        struct cowl_vm_exit e = fs->at; /* the pending snapshot hypercall... */
        e.hypercall.ret = len;          /* ...returns the input's length */
        status = run_from(&c, &e);
        if (status != ST_SETUP || c.why[0]) { /* no why: cowl_vcpu_run failed */
            classify(fs, status, &e, in, len, c.exits);
            status = 0;
        }
    }
    if (c.cpu >= 0)
        close(c.cpu);
    if (c.vm >= 0)
        close(c.vm);
    return status;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(struct fork_server *fs, unsigned long n, long ms)
{
    long shown = ms > 0 ? ms : 1;
    printf("vmm: fork server: %lu executions in %ld.%03ld s (%lu exec/s), %lu crashes\n", n,
           ms / 1000, ms % 1000, (unsigned long)(n * 1000 / shown), fs->crashes);
    if (fs->hangs)
        printf("vmm: fork server: %lu hangs (%d exits each)\n", fs->hangs, MAX_CLONE_EXITS);
    for (int i = 0; i < fs->nfound; i++) {
        struct finding *f = &fs->found[i];
        printf("vmm: %s: input", f->kind ? "crash" : "hang");
        for (size_t j = 0; j < f->len; j++)
            printf(" %02x", f->input[j]);
        printf(" (%s)\n", f->why);
        free(f->input);
    }
}

/* The snapshot's input buffer and RAM as they were at the snapshot?
 * 0, or ST_CHANGED. */
static int check_snapshot(struct fork_server *fs, const uint8_t *pristine, uint64_t sum)
{
    struct vmm *v = fs->snap;
    uint8_t *now = malloc(fs->buf_size);
    int same_buf = now &&
                   cowl_vm_memory(v->vm, fs->buf_gpa, now, fs->buf_size, COWL_VM_READ) == 0 &&
                   memcmp(now, pristine, fs->buf_size) == 0;
    free(now);
    uint64_t sum_now = ram_checksum(v);
    if (same_buf && sum_now == sum) {
        printf("vmm: snapshot unchanged\n");
        return 0;
    }
    printf("vmm: snapshot CHANGED: input buffer %s, RAM checksum %016lx, was %016lx\n",
           same_buf ? "same" : "differs", (unsigned long)sum_now, (unsigned long)sum);
    return ST_CHANGED;
}

/* vmm -f N: the snapshot, N executions, the report and the check. */
static int fork_server(struct vmm *v, unsigned long n, uint64_t seed)
{
    struct fork_server fs = {.snap = v, .rng = seed};
    v->fork_server = 1;
    int status = take_snapshot(&fs);
    if (status)
        return status;
    uint8_t *pristine = malloc(fs.buf_size);
    uint8_t *in = malloc(fs.buf_size < MAX_INPUT ? fs.buf_size : MAX_INPUT);
    uint64_t sum = ram_checksum(v);
    if (!pristine || !in || !sum ||
        cowl_vm_memory(v->vm, fs.buf_gpa, pristine, fs.buf_size, COWL_VM_READ) < 0) {
        status = fail(v, "reading the snapshot");
        goto out;
    }
    printf("vmm: fork server: snapshot at rip 0x%lx, input buffer 0x%lx (%lu bytes), seed %lu\n",
           (unsigned long)fs.at.rip, (unsigned long)fs.buf_gpa, (unsigned long)fs.buf_size,
           (unsigned long)seed);
    long start = now_ms();
    for (unsigned long i = 0; i < n && status == 0; i++)
        status = execute(&fs, in);
    if (status == 0) {
        report(&fs, n, now_ms() - start);
        status = check_snapshot(&fs, pristine, sum);
    }
out:
    free(pristine);
    free(in);
    return status;
}

/* -f's and -s's argument: a whole number, at least min. */
static int parse_count(const char *s, unsigned long min, unsigned long *n)
{
    char *end;
    *n = strtoul(s, &end, 0);
    return *s == 0 || *s == '-' || *end != 0 || *n < min ? -1 : 0;
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

/* -a: one more word of the kernel's command line. */
static int add_arg(struct vmm *v, const char *word)
{
    static char joined[PVH_CMDLINE_MAX];
    size_t used = strlen(joined), n = strlen(word);
    if (used + (used > 0) + n >= sizeof(joined)) {
        fprintf(stderr, "vmm: -a: the command line is longer than %d bytes\n", PVH_CMDLINE_MAX - 1);
        return 1;
    }
    if (used)
        joined[used++] = ' ';
    memcpy(joined + used, word, n + 1);
    v->cmdline = joined;
    return 0;
}

int main(int argc, char **argv)
{
    struct vmm v = {.ram = (uint64_t)DEFAULT_MIB << 20, .vm = -1, .cpu = -1};
    int quiet = 0, c, bad = 0;
    unsigned long forks = 0, seed = 1, seeded = 0;
    while ((c = getopt(argc, argv, "m:qhf:s:a:i:")) != -1) {
        if (c == 'h') {
            printf("%s", usage);
            return 0;
        } else if (c == 'q') {
            quiet = 1;
        } else if (c == 'f') {
            bad |= parse_count(optarg, 1, &forks);
        } else if (c == 's') {
            bad |= parse_count(optarg, 0, &seed);
            seeded = 1;
        } else if (c == 'a') {
            bad |= add_arg(&v, optarg);
        } else if (c == 'i') {
            v.initrd = optarg;
        } else if (c == 'm') {
            v.ram_given = 1;
            bad |= parse_mib(optarg, &v.ram);
        } else {
            bad = 1;
        }
    }
    if (bad || optind != argc - 1 || (seeded && !forks)) { /* -s means nothing alone */
        fprintf(stderr, "%s", usage);
        return 2;
    }
    v.image = argv[optind];
    default_initrd(&v);
    int status = setup(&v);
    if (status == 0 && forks) {
        status = fork_server(&v, forks, seed);
    } else if (status == 0) {
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
