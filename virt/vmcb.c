/* vmcb.c - the VMCB of a vCPU: what cowl intercepts, the guest's
 * registers as a monitor sees them, and the checks that turn a state VMRUN
 * would refuse into an error with a reason. */
#include "arch.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "virt/vm.h"

/* The I/O and MSR permission maps, shared by every VMCB (built at boot by
 * vmcb_maps_init: a first VM then takes no memory a leak check would
 * miss).  Every port exits; every MSR exits except those the CPU keeps
 * per guest anyway (VMRUN and VMLOAD/VMSAVE switch them), which the guest
 * may read and write freely. */
static uint64_t iopm_pa, msrpm_pa;

static const uint32_t guest_owned_msrs[] = {
    0xc0000080,                         /* EFER (VMRUN switches it; SVME is forced on) */
    0xc0000081, 0xc0000082, 0xc0000083, /* STAR, LSTAR, CSTAR */
    0xc0000084,                         /* SFMASK */
    0xc0000100, 0xc0000101, 0xc0000102, /* FS base, GS base, KernelGSBase */
    0x174,      0x175,      0x176,      /* SYSENTER_CS, _ESP, _EIP */
};

/* Clear the read and write intercept bits of one MSR: two bits per MSR,
 * in three 2 KiB ranges (APM vol. 2, 15.11). */
static void msr_pass_through(uint8_t *msrpm, uint32_t msr)
{
    uint32_t bit;
    if (msr < 0x2000)
        bit = msr * 2;
    else if (msr - 0xc0000000u < 0x2000)
        bit = 0x800 * 8 + (msr - 0xc0000000u) * 2;
    else
        bit = 0x1000 * 8 + (msr - 0xc0010000u) * 2;
    msrpm[bit / 8] &= ~(3u << (bit % 8));
}

static uint64_t map_of_ones(unsigned pages)
{
    unsigned order = pages > 2 ? 2 : pages > 1 ? 1 : 0;
    struct page *p = pmm_alloc(order, PAGE_KERNEL, 0);
    if (!p)
        return 0;
    memset(page_to_virt(p), 0xff, PAGE_SIZE << order);
    return page_to_phys(p);
}

bool vmcb_maps_init(void)
{
    iopm_pa = map_of_ones(SVM_IOPM_PAGES);
    msrpm_pa = map_of_ones(SVM_MSRPM_PAGES);
    if (!iopm_pa || !msrpm_pa)
        return false;
    for (unsigned i = 0; i < ARRAY_SIZE(guest_owned_msrs); i++)
        msr_pass_through(phys_to_virt(msrpm_pa), guest_owned_msrs[i]);
    return true;
}

/* What exits to cowl: everything the guest must not do to the host
 * (the SVM instructions, MONITOR/MWAIT, XSETBV, port I/O, other MSRs),
 * what a monitor wants to see (VMMCALL, HLT, a triple fault), what cowl
 * emulates (CPUID), and host interrupts and NMIs (so a guest that spins
 * cannot keep its CPU: the INTR exit returns it to the scheduler). */
#define VMCB_INTERCEPTS                                                                            \
    (SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |             \
     SVM_INTERCEPT_CPUID | SVM_INTERCEPT_INVD | SVM_INTERCEPT_HLT | SVM_INTERCEPT_INVLPGA |        \
     SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR | SVM_INTERCEPT_TASKSW | SVM_INTERCEPT_SHUTDOWN |      \
     SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |   \
     SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_MONITOR |      \
     SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_XSETBV)

#define DEFAULT_PAT 0x0007040600070406ull /* the power-on PAT: WB, WT, UC-, UC twice */

void vmcb_init(struct vcpu *v)
{
    struct vmcb_control *c = &v->vmcb->control;
    c->intercept = VMCB_INTERCEPTS;
    c->iopm_base_pa = iopm_pa;
    c->msrpm_base_pa = msrpm_pa;
    c->asid = v->vm->asid;
    c->int_ctl = SVM_V_INTR_MASKING; /* the guest's IF does not hold back host interrupts */
    c->nested_ctl = SVM_NESTED_PAGING;
    c->nested_cr3 = virt_to_phys(v->vm->mm->pml4);
    v->vmcb->save.g_pat = DEFAULT_PAT;
    /* x86's reset state, in real mode at 0xfff0, until the monitor says */
    struct cowl_vcpu_regs r = {.rip = 0xfff0, .rflags = 2, .cr0 = 0x60000010};
    r.cs = (struct cowl_seg){0xf000, 0x9b, 0xffff, 0xffff0000};
    r.ds = r.es = r.fs = r.gs = r.ss = (struct cowl_seg){0, 0x93, 0xffff, 0};
    r.tr = (struct cowl_seg){0, 0x8b, 0xffff, 0};
    r.ldtr = (struct cowl_seg){0, 0x82, 0xffff, 0};
    r.gdtr.limit = r.idtr.limit = 0xffff;
    vmcb_set_regs(v, &r);
}

static void seg_out(struct cowl_seg *o, const struct vmcb_seg *s)
{
    *o = (struct cowl_seg){s->selector, s->attrib, s->limit, s->base};
}

static void seg_in(struct vmcb_seg *s, const struct cowl_seg *o)
{
    *s = (struct vmcb_seg){o->selector, o->attrib & 0xfff, o->limit, o->base};
}

void vmcb_get_regs(const struct vcpu *v, struct cowl_vcpu_regs *r)
{
    const struct vmcb_save *s = &v->vmcb->save;
    const struct svm_gprs *g = &v->gprs;
    *r = (struct cowl_vcpu_regs){
        .rax = s->rax,
        .rbx = g->rbx,
        .rcx = g->rcx,
        .rdx = g->rdx,
        .rsi = g->rsi,
        .rdi = g->rdi,
        .rbp = g->rbp,
        .rsp = s->rsp,
        .r8 = g->r8,
        .r9 = g->r9,
        .r10 = g->r10,
        .r11 = g->r11,
        .r12 = g->r12,
        .r13 = g->r13,
        .r14 = g->r14,
        .r15 = g->r15,
        .rip = s->rip,
        .rflags = s->rflags,
        .cr0 = s->cr0,
        .cr2 = s->cr2,
        .cr3 = s->cr3,
        .cr4 = s->cr4,
        .efer = s->efer & ~EFER_SVME, /* cowl's, not the guest's */
    };
    seg_out(&r->cs, &s->cs);
    seg_out(&r->ds, &s->ds);
    seg_out(&r->es, &s->es);
    seg_out(&r->fs, &s->fs);
    seg_out(&r->gs, &s->gs);
    seg_out(&r->ss, &s->ss);
    seg_out(&r->tr, &s->tr);
    seg_out(&r->ldtr, &s->ldtr);
    seg_out(&r->gdtr, &s->gdtr);
    seg_out(&r->idtr, &s->idtr);
}

void vmcb_set_regs(struct vcpu *v, const struct cowl_vcpu_regs *r)
{
    struct vmcb_save *s = &v->vmcb->save;
    v->gprs = (struct svm_gprs){r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->r8,
                                r->r9,  r->r10, r->r11, r->r12, r->r13, r->r14, r->r15};
    s->rax = r->rax;
    s->rsp = r->rsp;
    s->rip = r->rip;
    s->rflags = r->rflags | 2; /* bit 1 always reads as 1 */
    s->cr0 = r->cr0;
    s->cr2 = r->cr2;
    s->cr3 = r->cr3;
    s->cr4 = r->cr4;
    /* LMA follows from LME and paging, as the CPU itself would set it */
    bool lma = (r->efer & EFER_LME) && (r->cr0 & (1u << 31));
    s->efer = (r->efer & ~EFER_LMA) | (lma ? EFER_LMA : 0) | EFER_SVME;
    s->cpl = (r->ss.attrib >> 5) & 3;
    seg_in(&s->cs, &r->cs);
    seg_in(&s->ds, &r->ds);
    seg_in(&s->es, &r->es);
    seg_in(&s->fs, &r->fs);
    seg_in(&s->gs, &r->gs);
    seg_in(&s->ss, &r->ss);
    seg_in(&s->tr, &r->tr);
    seg_in(&s->ldtr, &r->ldtr);
    seg_in(&s->gdtr, &r->gdtr);
    seg_in(&s->idtr, &r->idtr);
}

#define CR0_PE  (1ull << 0)
#define CR0_NW  (1ull << 29)
#define CR0_CD  (1ull << 30)
#define CR0_PG  (1ull << 31)
#define CR4_PAE (1ull << 5)
/* CR4 bits a guest may set: VME..OSXMMEXCPT (0-10), UMIP (11), FSGSBASE
 * (16), PCIDE (17), OSXSAVE (18), SMEP (20), SMAP (21), PKE (22). */
#define CR4_ALLOWED 0x7707ffull
/* EFER bits: SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE */
#define EFER_ALLOWED 0xfd01ull

static bool canonical(uint64_t va) { return (uint64_t)((int64_t)(va << 16) >> 16) == va; }

/* The state checks VMRUN makes (APM vol. 2, 15.5.1 "Canonicalization and
 * consistency checks"), plus a non-canonical RIP in 64-bit code, which
 * would only triple-fault the guest.  Why the state would be refused, or
 * NULL. */
static const char *check(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer,
                         uint16_t cs_attrib, uint64_t rip, uint64_t dr6, uint64_t dr7)
{
    bool paging_64 = (efer & EFER_LME) && (cr0 & CR0_PG);
    bool code_64 = paging_64 && (cs_attrib & COWL_SEG_L);
    if (cr0 >> 32)
        return "CR0 bits 63:32 must be zero";
    if ((cr0 & CR0_NW) && !(cr0 & CR0_CD))
        return "CR0.NW set without CR0.CD";
    if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
        return "CR0.PG set without CR0.PE";
    if (cr4 & ~CR4_ALLOWED)
        return "CR4 has reserved or unsupported bits";
    if (efer & ~EFER_ALLOWED)
        return "EFER has reserved bits";
    if (paging_64 && !(cr4 & CR4_PAE))
        return "long mode paging (EFER.LME, CR0.PG) needs CR4.PAE";
    if (code_64 && (cs_attrib & COWL_SEG_DB))
        return "CS has both L and D set";
    if (paging_64 && (cr3 >> 52))
        return "CR3 beyond the physical address width";
    if ((dr6 >> 32) || (dr7 >> 32))
        return "DR6/DR7 bits 63:32 must be zero";
    if (code_64 && !canonical(rip))
        return "RIP is not canonical in 64-bit code";
    return NULL;
}

const char *vmcb_check_state(const struct vmcb *vmcb)
{
    const struct vmcb_save *s = &vmcb->save;
    return check(s->cr0, s->cr3, s->cr4, s->efer, s->cs.attrib, s->rip, s->dr6, s->dr7);
}

const char *vmcb_check_regs(const struct cowl_vcpu_regs *r)
{
    /* as vmcb_set_regs would store them: DR6/DR7 are cowl's (0) */
    return check(r->cr0, r->cr3, r->cr4, r->efer | EFER_SVME, r->cs.attrib & 0xfff, r->rip, 0, 0);
}
