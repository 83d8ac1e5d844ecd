/* svm.h - AMD SVM, the machine half of the hypervisor: the VMCB (the
 * control block the CPU reads on VMRUN and writes on #VMEXIT; AMD APM
 * vol. 2, appendix B), the exit codes, and the world switch.  virt/ builds
 * virtual machines on these; nothing else includes this file.
 *
 *   host (cowl)                              guest
 *   -----------                              -----
 *   svm_run(vmcb) --- VMRUN ---------------> runs until an intercepted
 *                                             event (IN/OUT, VMMCALL, HLT,
 *   exit_code, exit_info_1/2 <-- #VMEXIT ---- nested page fault, host IRQ)
 */
#ifndef SVM_H
#define SVM_H

#include <stdbool.h>
#include <stdint.h>

/* A segment register in the VMCB's format (attrib: type/S/DPL/P in bits
 * 0-7, AVL/L/D/G in 8-11). */
struct vmcb_seg {
    uint16_t selector;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};

/* The control area: what the CPU intercepts, and what an exit reports.
 * Packed: `intercept` sits at offset 0x00c, not 8-byte aligned. */
struct vmcb_control {
    uint16_t intercept_cr_read;    /* 0x000 */
    uint16_t intercept_cr_write;   /* 0x002 */
    uint16_t intercept_dr_read;    /* 0x004 */
    uint16_t intercept_dr_write;   /* 0x006 */
    uint32_t intercept_exceptions; /* 0x008: bit n = exception vector n */
    uint64_t intercept;            /* 0x00c: SVM_INTERCEPT_* */
    uint8_t reserved1[44];
    uint64_t iopm_base_pa;  /* 0x040: which ports exit (1 bit each) */
    uint64_t msrpm_base_pa; /* 0x048: which MSR reads/writes exit */
    uint64_t tsc_offset;    /* 0x050 */
    uint32_t asid;          /* 0x058: the guest's TLB tag; 0 is the host's */
    uint8_t tlb_control;    /* 0x05c: SVM_TLB_* for this VMRUN */
    uint8_t reserved2[3];
    uint32_t int_ctl;    /* 0x060: virtual interrupts (V_INTR_MASKING) */
    uint32_t int_vector; /* 0x064 */
    uint32_t int_state;  /* 0x068: interrupt shadow */
    uint8_t reserved3[4];
    uint64_t exit_code;     /* 0x070: SVM_EXIT_* */
    uint64_t exit_info_1;   /* 0x078 */
    uint64_t exit_info_2;   /* 0x080 */
    uint32_t exit_int_info; /* 0x088: an event the exit interrupted */
    uint32_t exit_int_info_err;
    uint64_t nested_ctl; /* 0x090: bit 0 = nested paging on */
    uint8_t reserved4[16];
    uint32_t event_inj; /* 0x0a8: an event to inject at VMRUN */
    uint32_t event_inj_err;
    uint64_t nested_cr3; /* 0x0b0: the nested page tables (host-physical) */
    uint64_t lbr_ctl;    /* 0x0b8 */
    uint32_t clean;      /* 0x0c0: VMCB clean bits (0: reload everything) */
    uint32_t reserved5;
    uint64_t next_rip; /* 0x0c8: with NRIPS only (not under QEMU's TCG) */
    uint8_t reserved6[816];
} __attribute__((packed));

/* The save area: the guest's registers while it is not running. */
struct vmcb_save {
    struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
    uint8_t reserved1[43];
    uint8_t cpl; /* 0x4cb */
    uint8_t reserved2[4];
    uint64_t efer; /* 0x4d0 */
    uint8_t reserved3[112];
    uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip; /* 0x548 */
    uint8_t reserved4[88];
    uint64_t rsp; /* 0x5d8 */
    uint8_t reserved5[24];
    uint64_t rax; /* 0x5f8 */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t cr2; /* 0x640 */
    uint8_t reserved6[32];
    uint64_t g_pat; /* 0x668: the guest's PAT under nested paging */
    uint64_t dbgctl;
    uint64_t br_from, br_to, last_excp_from, last_excp_to;
}; /* every field falls on its natural alignment: no packing needed */

struct vmcb {
    struct vmcb_control control;
    struct vmcb_save save;
    uint8_t unused[4096 - sizeof(struct vmcb_control) - sizeof(struct vmcb_save)];
};

_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area is 1 KiB");
_Static_assert(__builtin_offsetof(struct vmcb_save, efer) == 0xd0, "VMCB save area layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, rax) == 0x1f8, "VMCB save area layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, g_pat) == 0x268, "VMCB save area layout");
_Static_assert(sizeof(struct vmcb) == 4096, "a VMCB is one page");

/* intercept (64 bits: the APM's vectors 3 and 4) */
#define SVM_INTERCEPT_INTR     (1ull << 0)
#define SVM_INTERCEPT_NMI      (1ull << 1)
#define SVM_INTERCEPT_SMI      (1ull << 2)
#define SVM_INTERCEPT_INIT     (1ull << 3)
#define SVM_INTERCEPT_CPUID    (1ull << 18)
#define SVM_INTERCEPT_INVD     (1ull << 22)
#define SVM_INTERCEPT_HLT      (1ull << 24)
#define SVM_INTERCEPT_INVLPGA  (1ull << 26)
#define SVM_INTERCEPT_IOIO     (1ull << 27)
#define SVM_INTERCEPT_MSR      (1ull << 28)
#define SVM_INTERCEPT_TASKSW   (1ull << 29)
#define SVM_INTERCEPT_SHUTDOWN (1ull << 31)
#define SVM_INTERCEPT_VMRUN    (1ull << 32) /* required: VMRUN fails without it */
#define SVM_INTERCEPT_VMMCALL  (1ull << 33)
#define SVM_INTERCEPT_VMLOAD   (1ull << 34)
#define SVM_INTERCEPT_VMSAVE   (1ull << 35)
#define SVM_INTERCEPT_STGI     (1ull << 36)
#define SVM_INTERCEPT_CLGI     (1ull << 37)
#define SVM_INTERCEPT_SKINIT   (1ull << 38)
#define SVM_INTERCEPT_MONITOR  (1ull << 42)
#define SVM_INTERCEPT_MWAIT    (1ull << 43)
#define SVM_INTERCEPT_XSETBV   (1ull << 45)

/* int_ctl */
#define SVM_V_IRQ          (1u << 8)  /* a virtual interrupt is pending (int_vector) */
#define SVM_V_IGN_TPR      (1u << 20) /* deliver it whatever the guest's TPR */
#define SVM_V_INTR_MASKING (1u << 24) /* the guest's IF masks only virtual interrupts */

/* tlb_control */
#define SVM_TLB_NOTHING   0
#define SVM_TLB_FLUSH_ALL 1 /* every ASID's entries (the only kind TCG has) */

/* nested_ctl */
#define SVM_NESTED_PAGING 1ull

/* exit_code */
#define SVM_EXIT_EXCP_BASE 0x040 /* + vector */
#define SVM_EXIT_INTR      0x060
#define SVM_EXIT_NMI       0x061
#define SVM_EXIT_CPUID     0x072
#define SVM_EXIT_HLT       0x078
#define SVM_EXIT_IOIO      0x07b
#define SVM_EXIT_MSR       0x07c
#define SVM_EXIT_SHUTDOWN  0x07f
#define SVM_EXIT_VMMCALL   0x081
#define SVM_EXIT_NPF       0x400
#define SVM_EXIT_INVALID   0xffffffffull /* VMRUN refused the state (32 bits under QEMU) */

/* IOIO exit_info_1 */
#define SVM_IOIO_IN      (1u << 0)
#define SVM_IOIO_STRING  (1u << 2)
#define SVM_IOIO_REP     (1u << 3)
#define SVM_IOIO_SIZE(i) (((i) >> 4) & 7) /* 1, 2 or 4 (one bit each) */
#define SVM_IOIO_PORT(i) ((uint16_t)((i) >> 16))

/* NPF exit_info_1: a #PF-style error code, plus where the walk was */
#define SVM_NPF_PRESENT (1ull << 0)
#define SVM_NPF_WRITE   (1ull << 1)
#define SVM_NPF_FETCH   (1ull << 4)
#define SVM_NPF_FINAL   (1ull << 32) /* on the final guest-physical address */
#define SVM_NPF_WALK    (1ull << 33) /* while reading the guest's own page tables */

/* EFER bits */
#define EFER_SCE  (1ull << 0)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)
#define EFER_SVME (1ull << 12)

/* The I/O and MSR permission maps: sizes the CPU reads (contiguous). */
#define SVM_IOPM_PAGES  3
#define SVM_MSRPM_PAGES 2

/* The general registers VMRUN does not load or save (RAX, RSP and RIP
 * live in the VMCB); svm_run moves them in and out. */
struct svm_gprs {
    uint64_t rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Does this CPU have SVM with nested paging?  (Also: how many ASIDs.) */
bool svm_supported(uint32_t *nasids);
/* The per-CPU host save pages for CPUs 0..ncpus-1 (at boot); false
 * without memory. */
bool svm_init(int ncpus);
/* Turn SVM on for this CPU (EFER.SVME, the host save area); idempotent.
 * Interrupts off.  false if svm_init gave it no pages. */
bool svm_cpu_enable(void);
/* One trip into the guest and back (svm_run.asm): host state the CPU does
 * not switch is saved in this CPU's host area and restored.  Called with
 * interrupts off; returns with them off, and a host interrupt that made
 * the guest exit is still pending. */
void svm_run(uint64_t vmcb_pa, struct svm_gprs *gprs);
/* Run cpuid for a guest's CPUID exit. */
void svm_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]);

#endif
