/* test_harness.c - tests that must NOT pass.  They are hidden (run only when
 * a test= pattern names the harness suite) and tests/run.py boots each one
 * to prove that a failure, a panic, a kernel fault, a hang and a leak are
 * all reported as failures. */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/tlb.h"
#include "mm/vm.h"

KTEST_FLAGS(harness, fail, KTEST_HIDDEN) { EXPECT_EQ(1 + 1, 3); }

KTEST_FLAGS(harness, panic, KTEST_HIDDEN) { panic("harness_panic: deliberate panic"); }

KTEST_FLAGS(harness, hang, KTEST_HIDDEN)
{
    irq_disable();
    for (;;)
        cpu_relax();
}

static __attribute__((noinline)) void harness_bad_write(volatile uint64_t *p)
{
    *p = 1; /* a kernel page fault with a known address */
}

KTEST_FLAGS(harness, pagefault, KTEST_HIDDEN) { harness_bad_write((volatile uint64_t *)0xdead000); }

/* A kernel read of a user page outside the user-copy functions, with no
 * catch armed: SMAP must stop it, and the report must name the violation. */
static __attribute__((noinline)) void harness_smap_read(volatile uint8_t *p) { (void)*p; }

KTEST_FLAGS(harness, smap_violation, KTEST_HIDDEN)
{
    if (!cpu_has_smap)
        SKIP("this CPU has no SMAP");
    struct mm *mm = mm_create();
    ASSERT(mm != NULL);
    ASSERT_EQ(mm_add_vma(mm, 0x400000, 0x401000, VM_READ | VM_WRITE), 0);
    ASSERT_EQ(vm_fault(mm, 0x400000, FAULT_WRITE), 0);
    irq_disable(); /* keep this page table loaded until the fault */
    tlb_switch_to(mm->pml4);
    harness_smap_read((volatile uint8_t *)0x400010);
    EXPECT(!"the kernel read a user page without STAC and went on");
}

KTEST_FLAGS(harness, leak, KTEST_HIDDEN)
{
    EXPECT(pmm_alloc(0, PAGE_KERNEL, 0) != NULL); /* never freed */
}

KTEST_FLAGS(harness, pass, KTEST_HIDDEN) { EXPECT(true); }

/* Not tail-recursive (the buffer is used after the call), so every level
 * takes real stack until the guard page below the boot stack is hit. */
static volatile int recursion_limit = 1 << 30; /* volatile: the compiler cannot see the end */

static __attribute__((noinline)) int recurse_forever(int depth)
{
    volatile char buf[256];
    buf[0] = (char)depth;
    int r = depth < recursion_limit ? recurse_forever(depth + 1) : 0;
    return r + buf[0];
}

KTEST_FLAGS(harness, stack_overflow, KTEST_HIDDEN) { EXPECT(recurse_forever(0) == 0); }

/* Corrupt the allocator's books on purpose: a free page with a reference.
 * The auditor that runs after every test must catch it. */
KTEST_FLAGS(harness, audit, KTEST_HIDDEN)
{
    struct page *p = pmm_alloc(0, PAGE_KERNEL, 0);
    ASSERT(p != NULL);
    page_put(p);
    p->refcount = 7;
}

/* The table auditor must catch a table whose refcount is off by one ... */
KTEST_FLAGS(harness, audit_table_refcount, KTEST_HIDDEN)
{
    struct mm *mm = mm_create();
    ASSERT(mm != NULL);
    ASSERT_EQ(mm_add_vma(mm, 0x400000, 0x401000, VM_READ | VM_WRITE), 0);
    ASSERT_EQ(vm_fault(mm, 0x400000, FAULT_WRITE), 0);
    pte_t *pt_entry;
    ASSERT_EQ(pgtable_walk(mm->pml4, 0x400000, 2, 0, &pt_entry), 0);
    virt_to_page(pte_table(*pt_entry))->refcount--; /* one reference too few */
}

/* ... and a writable entry to a shared table (invariant W). */
KTEST_FLAGS(harness, audit_invariant_w, KTEST_HIDDEN)
{
    struct mm *a = mm_create();
    ASSERT(a != NULL);
    ASSERT_EQ(mm_add_vma(a, 0x400000, 0x401000, VM_READ | VM_WRITE), 0);
    ASSERT_EQ(vm_fault(a, 0x400000, FAULT_WRITE), 0);
    down_write(&a->lock);
    struct mm *b = mm_fork(a, FORK_SHARE, 0);
    up_write(&a->lock);
    ASSERT(b != NULL);
    pte_set(&b->pml4[0], b->pml4[0] | PTE_W);
}
