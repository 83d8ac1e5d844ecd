/* svm.c - turning AMD SVM on for each CPU, and the C side of the world
 * switch (svm_run.asm does the instructions).
 *
 * Each CPU that runs a guest needs EFER.SVME set and two pages of its own:
 * the host save area (MSR VM_HSAVE_PA), where VMRUN stores the part of the
 * host state it switches itself, and a second page for the part it does
 * not (FS, GS, TR, LDTR with their hidden bases, KernelGSBase and the
 * syscall MSRs), which svm_run.asm saves with VMSAVE and restores with
 * VMLOAD.  The pages are allocated at boot (svm_init), so that running a
 * first guest later takes no memory that a leak check would miss; each
 * CPU turns SVM on the first time a vCPU runs there. */
#include "svm.h"
#include "arch.h"
#include "kernel/cpu.h"
#include "mm/pmm.h"
#include "x86.h"

#define MSR_VM_HSAVE_PA 0xc0010117

static struct {
    bool on;
    uint64_t hsave_pa;     /* VM_HSAVE_PA: VMRUN's own host save area */
    uint64_t host_save_pa; /* what VMSAVE/VMLOAD keep for the host */
} svm_cpus[MAX_CPUS];

void svm_world_switch(uint64_t vmcb_pa, struct svm_gprs *gprs, uint64_t host_save_pa);

bool svm_supported(uint32_t *nasids)
{
    uint32_t r[4];
    cpuid(0x80000000, 0, r);
    if (r[0] < 0x8000000a)
        return false;
    cpuid(0x80000001, 0, r);
    if (!(r[2] & (1u << 2))) /* ECX.SVM */
        return false;
    cpuid(0x8000000a, 0, r);
    *nasids = r[1];
    return r[3] & 1u; /* EDX.NP: nested paging */
}

static uint64_t zeroed_page(void)
{
    struct page *p = pmm_alloc(0, PAGE_KERNEL, PMM_ZERO);
    return p ? page_to_phys(p) : 0;
}

bool svm_init(int ncpus)
{
    for (int id = 0; id < ncpus && id < MAX_CPUS; id++) {
        svm_cpus[id].hsave_pa = zeroed_page();
        svm_cpus[id].host_save_pa = zeroed_page();
        if (!svm_cpus[id].hsave_pa || !svm_cpus[id].host_save_pa)
            return false;
    }
    return true;
}

bool svm_cpu_enable(void)
{
    int id = this_cpu()->id;
    if (svm_cpus[id].on)
        return true;
    if (!svm_cpus[id].hsave_pa || !svm_cpus[id].host_save_pa)
        return false;                                /* a CPU that came up after svm_init */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | (1ull << 12)); /* EFER.SVME */
    wrmsr(MSR_VM_HSAVE_PA, svm_cpus[id].hsave_pa);
    svm_cpus[id].on = true;
    return true;
}

void svm_run(uint64_t vmcb_pa, struct svm_gprs *gprs)
{
    svm_world_switch(vmcb_pa, gprs, svm_cpus[this_cpu()->id].host_save_pa);
}

void svm_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) { cpuid(leaf, sub, r); }
