/* vmm - the virtual machine monitor: runs a guest image in a VM with one
 * vCPU, and emulates the little hardware a guest has (user/guests/README.md):
 * a serial port (COM1, two of its registers) and four hypercalls (five
 * with -f: COWL_HC_SNAPSHOT).
 *
 *   vmm [-m MiB] [-q] [-h] [-a ARGS] [-i INITRD] IMAGE
 *   vmm [-m MiB] -f N [-s SEED] IMAGE     the fork server (forkserver.c)
 *   vmm -t [-b] -a test=... -a testfork KERNEL   the test server (testserver.c)
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
 *   6                    it ran longer than -w SEC
 * With -f (the fork server) it prints its own report instead, and exits 0
 * if it ran (crashes or not), 5 if the snapshot changed, 1 on setup errors.
 * With -t (the test server) it exits 33 if every test passed, 35 if not (as
 * QEMU does for cowl's test verdicts), 1 on setup errors. */
#include "vmm.h"

static const char usage[] =
    "usage: vmm [-m MiB] [-q] [-h] [-a ARGS] [-i INITRD] IMAGE\n"
    "       vmm [-m MiB] -f N [-s SEED] IMAGE\n"
    "       vmm [-m MiB] [-w SEC] -t [-b] -a test=PATTERNS -a testfork KERNEL\n"
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
    "  -s SEED  the random inputs' seed (default 1)\n"
    "  -t       test server: boot the guest cowl (-a test=PATTERNS -a testfork)\n"
    "           once, then fork it for each test it chose and run that one test in\n"
    "           the clone (docs/virt.md, \"Boot once, fork per test\"); the guest\n"
    "           reads no input\n"
    "  -b       with -t: boot a fresh guest for each test instead (to compare)\n"
    "  -w SEC   a run (with -t: each test) ends after SEC seconds (default: never;\n"
    "           with -t: 120)\n";

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

struct options {
    int quiet, test_server, boot_each;
    unsigned long forks, seed, seeded, wait_s;
};

/* The options into o and v; 0, or -1 for a usage error. */
static int parse_options(int argc, char **argv, struct options *o, struct vmm *v)
{
    int c, bad = 0;
    while ((c = getopt(argc, argv, "m:qhf:s:a:i:tbw:")) != -1) {
        if (c == 'h') {
            printf("%s", usage);
            exit(0);
        } else if (c == 'q' || c == 't' || c == 'b') {
            *(c == 'q' ? &o->quiet : c == 't' ? &o->test_server : &o->boot_each) = 1;
        } else if (c == 'f') {
            bad |= parse_count(optarg, 1, &o->forks);
        } else if (c == 's') {
            bad |= parse_count(optarg, 0, &o->seed);
            o->seeded = 1;
        } else if (c == 'w') {
            bad |= parse_count(optarg, 1, &o->wait_s) | (o->wait_s > 4000000);
        } else if (c == 'a') {
            bad |= add_arg(v, optarg);
        } else if (c == 'i') {
            v->initrd = optarg;
        } else if (c == 'm') {
            v->ram_given = 1;
            bad |= parse_mib(optarg, &v->ram);
        } else {
            bad = 1;
        }
    }
    bad |= (o->seeded && !o->forks) | (o->boot_each && !o->test_server) | /* alone, meaningless */
           (o->forks && o->test_server);
    return bad || optind != argc - 1 ? -1 : 0;
}

/* One guest, run to its end, and the summary line. */
static int run_one(struct vmm *v, int quiet)
{
    int status = run(v);
    if (!v->why[0] || quiet) /* empty: cowl_vcpu_run failed, fail() said why */
        return status;
    if (v->other_ports)
        printf("vmm: %s: %s, other port accesses: %lu, exits: %lu\n", v->image, v->why,
               v->other_ports, v->exits);
    else
        printf("vmm: %s: %s, exits: %lu\n", v->image, v->why, v->exits);
    return status;
}

int main(int argc, char **argv)
{
    struct vmm v = {.ram = (uint64_t)DEFAULT_MIB << 20, .vm = -1, .cpu = -1};
    struct options o = {.seed = 1};
    if (parse_options(argc, argv, &o, &v) < 0) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    v.image = argv[optind];
    v.timeout_ms = (unsigned)(o.wait_s ? o.wait_s : o.test_server ? 120 : 0) * 1000;
    default_initrd(&v);
    int status = setup(&v);
    if (status == 0)
        status = o.forks         ? fork_server(&v, o.forks, o.seed)
                 : o.test_server ? test_server(&v, o.boot_each)
                                 : run_one(&v, o.quiet);
    if (v.cpu >= 0)
        close(v.cpu);
    if (v.vm >= 0)
        close(v.vm);
    return status;
}
