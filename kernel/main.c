/* main.c - kmain(), where both boot paths meet: bring up memory, then run
 * the tests selected on the command line (or, for now, just idle). */
#include "virt/virt.h"
#include "fs/console.h"
#include "arch.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "fs/file.h"
#include "kernel/futex.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "fs/ramfs.h"
#include "lib/string.h"
#include "kernel/sys.h"
#include "mm/failalloc.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/tlb.h"
#include "mm/vm.h"

static const char *mem_type_name(uint32_t type)
{
    static const char *const names[] = {"?", "usable", "reserved", "ACPI", "ACPI NVS", "bad"};
    return type < ARRAY_SIZE(names) ? names[type] : "?";
}

static void print_boot_info(const struct boot_info *bi)
{
    pr_info("boot: loader %s, command line '%s'\n", bi->loader, bi->cmdline);
    for (int i = 0; i < bi->nmmap; i++)
        pr_debug("  mem %016lx-%016lx %s\n", bi->mmap[i].base,
                 bi->mmap[i].base + bi->mmap[i].len - 1, mem_type_name(bi->mmap[i].type));
    for (int i = 0; i < bi->nmodules; i++)
        pr_info("  module %lx-%lx '%s'\n", bi->modules[i].start, bi->modules[i].end,
                bi->modules[i].name);
    pr_info("  %d memory ranges, ACPI RSDP at %lx, SMEP %s, SMAP %s\n", bi->nmmap, bi->rsdp_phys,
            cpu_has_smep ? "on" : "absent", cpu_has_smap ? "on" : "absent");
}

static void parse_options(void)
{
    const char *v = cmdline_get("loglevel");
    if (v && v[0] >= '0' && v[0] <= '3' && !v[1])
        log_threshold = v[0] - '0';
    else if (v)
        pr_warn("loglevel=%s: expected 0..3\n", v);
    v = cmdline_get("fork");
    for (int m = 0; v && m < 3; m++) {
        if (!strcmp(v, fork_mode_names[m])) {
            fork_default_mode = m;
            v = NULL;
        }
    }
    if (v)
        pr_warn("fork=%s: expected share, copy or eager; using %s\n", v,
                fork_mode_names[fork_default_mode]);
}

static void unpack_initrd(const struct boot_info *bi)
{
    if (bi->nmodules == 0) {
        pr_warn("initrd: no boot module; the file system is empty\n");
        return;
    }
    const struct boot_module *m = &bi->modules[0];
    int files = initrd_unpack(phys_to_virt(m->start), m->end - m->start);
    if (files < 0)
        pr_err("initrd: module '%s' is not a cpio newc archive\n", m->name);
    else
        pr_info("initrd: %d files from %lu KiB\n", files, (m->end - m->start) / KiB);
}

/* init=PATH[,ARG...]: the program to run first, and its arguments
 * (commas stand for spaces: the command line splits on spaces). */
#define INIT_MAX_ARGS SPAWN_MAX_ARGS
static int init_argv(char *buf, size_t size, char **argv)
{
    const char *v = cmdline_get("init");
    strlcpy(buf, v ? v : "/bin/init", size);
    int n = 0;
    for (char *p = buf; p; n++) {
        if (n == INIT_MAX_ARGS) { /* cut short, it would mean something else */
            pr_err("cowl: init= has more than %d arguments; halting.\n", INIT_MAX_ARGS);
            arch_halt_forever();
        }
        argv[n] = p;
        p = strchr(p, ',');
        if (p)
            *p++ = '\0';
    }
    argv[n] = NULL;
    return n;
}

/* Start /bin/init (or the init= program) and collect every process handed
 * to us (orphans) until init itself ends.  Then say whether memory came
 * back to where it was and the reference counts are right (what `make
 * soak` reads), and turn the machine off. */
static __attribute__((noreturn)) void run_init(void)
{
    static char buf[BOOT_CMDLINE_MAX]; /* init= may carry a guest's test list */
    char *argv[INIT_MAX_ARGS + 1];
    init_argv(buf, sizeof(buf), argv);
    uint64_t free_before = pmm_free_pages();
    unsigned flags = failalloc_parse_options() ? SPAWN_FAILALLOC : 0;
    int init = process_spawn(argv[0], argv, flags);
    if (init < 0) {
        pr_err("cowl: cannot start %s (error %d); halting.\n", argv[0], init);
        arch_halt_forever();
    }
    int status = 0, st;
    while (process_wait(-1, &status, false) != init)
        ;
    while (process_wait(-1, &st, true) > 0) /* orphans that ended meanwhile */
        ;
    if (flags & SPAWN_FAILALLOC) {
        int64_t counted, injected;
        failalloc_stats(&counted, &injected);
        kprintf("failalloc: init and its children made %ld allocations, %ld failed\n", counted,
                injected);
    }
    char why[160] = "ok";
    int64_t lost = (int64_t)free_before - (int64_t)pmm_free_pages();
    bool audit_ok = vm_audit(why, sizeof(why)) == 0;
    kprintf("cowl: init exited with status %d; pages not returned %ld; audit %s\n", status, lost,
            audit_ok ? "ok" : why);
    if (cmdline_get("initexit")) /* a host running a guest cowl's tests: pass on its verdict */
        arch_qemu_exit(WIFEXITED(status) ? (uint8_t)(WEXITSTATUS(status) >> 1) : KTEST_EXIT_PANIC);
    arch_power_off();
}

void kmain(struct boot_info *bi)
{
    arch_cpu_init();
    cmdline_parse(bi->cmdline);
    parse_options();
    kprintf("cowl: booting (%s)\n", bi->loader);
    print_boot_info(bi);

    pmm_init(bi);
    kmap_init(bi);
    tlb_init(); /* spinning CPUs answer TLB shootdowns: before the other CPUs start */
    pmm_init_high(bi);
    futex_init();
    sched_init();
    arch_smp_init();
    virt_init(arch_cpus_found());
    console_irq_init();

    unpack_initrd(bi);

    const char *tests = cmdline_get("test");
    if (tests)
        ktest_run(tests);

    run_init();
}
