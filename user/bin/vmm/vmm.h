/* vmm.h - what the parts of the monitor share (main.c says what vmm is).
 *
 *   main.c        options and the one-guest run
 *   setup.c       the VM, its RAM and vCPU; flat images
 *   pvh.c         booting an ELF kernel through its PVH entry
 *   exits.c       the run loop: serial port, power off, hypercalls
 *   forkserver.c  -f: one snapshot, N clones with random inputs
 *   testserver.c  -t: a guest cowl booted once and forked per test */
#ifndef VMM_H
#define VMM_H

#include <cowl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOAD_ADDR      0x8000 /* where the image goes and the vCPU starts */
#define RAM_SIZE_ADDR  0x7000 /* the RAM size, a uint64_t, for the guest */
#define DEFAULT_MIB    16
#define KERNEL_MIB     128 /* the default for an ELF kernel */
#define PVH_CMDLINE_MAX 4096 /* cowl's BOOT_CMDLINE_MAX */

enum {
    ST_SETUP = 1,
    ST_MMIO = 2,
    ST_SHUTDOWN = 3,
    ST_UNHANDLED = 4,
    ST_CHANGED = 5,
    ST_TIMEOUT = 6,
};
/* Not exit statuses: what run() returns while the guest is not done. */
enum { ST_RUNNING = -1, ST_SNAPSHOT = -2, ST_HANG = -3 };

struct vmm {
    const char *image;
    uint64_t ram;
    int ram_given;             /* -m: do not change the RAM size for a kernel */
    const char *cmdline;       /* -a: a PVH kernel's command line (the -a's joined) */
    const char *initrd;        /* -i: its boot module; NULL: none (or the default) */
    int kernel;                /* IMAGE is a PVH kernel: its UART tells the truth */
    int vm, cpu;
    int fork_server;           /* -f: stop at COWL_HC_SNAPSHOT (ST_SNAPSHOT) */
    int test_server;           /* -t: stop at COWL_HC_TEST_READY (ST_SNAPSHOT) */
    unsigned timeout_ms;       /* -w: a run ends with ST_TIMEOUT after this long; 0: never */
    long deadline_ms;          /* when this run ends (now_ms), from arm_timeout; 0: never */
    void (*output)(struct vmm *v, uint8_t c); /* the guest's console; NULL: stdout */
    int mute;                  /* a clone: its output and reports go nowhere */
    int no_input;              /* -t: our standard input is not the guest's */
    unsigned long max_exits;   /* a clone: after this many it is a hang; 0: no limit */
    unsigned long exits;       /* exits that came back to vmm */
    unsigned long other_ports; /* IN/OUT on ports vmm does not emulate */
    char why[160];             /* how the guest ended, for the summary */
};

/* setup.c */
int fail(const struct vmm *v, const char *what);
char *read_image(const char *path, size_t max, size_t *len);
struct cowl_seg segment(uint16_t attrib);
int setup(struct vmm *v);
void default_initrd(struct vmm *v);

/* pvh.c */
int is_elf(const char *image, size_t len);
int load_kernel(struct vmm *v, const char *image, size_t len, struct cowl_vcpu_regs *regs);

/* exits.c */
int run_from(struct vmm *v, struct cowl_vm_exit *e);
int run(struct vmm *v);
void arm_timeout(struct vmm *v);
long now_ms(void);

/* forkserver.c, testserver.c */
int fork_server(struct vmm *v, unsigned long n, uint64_t seed);
int test_server(struct vmm *v, bool boot_each);

#endif
