/* test_isolation.c - the CPU keeps the kernel out of user pages.  SMAP
 * refuses kernel reads and writes of a user page made outside the user-copy
 * functions (which allow them with STAC...CLAC); SMEP refuses to execute a
 * user page in kernel mode.  Each test builds a real user address space,
 * switches to it, makes the forbidden access under arch_catch_page_fault()
 * and checks that the fault came, and why. */
#include "kernel/ktest.h"
#include "lib/string.h"
#include "kernel/usercopy.h"
#include "mm/pgtable.h"
#include "mm/tlb.h"
#include "mm/vm.h"
#include "trap.h"

#define VA 0x0000000000400000ul /* the one user page; VA + PAGE_SIZE is unmapped */

static const uint8_t ret_insn = 0xc3;

/* An address space with one user page at VA, holding `byte` at VA + 8. */
static struct mm *one_user_page(struct ktest_ctx *t, uint32_t prot, uint8_t byte)
{
    struct mm *mm = mm_create();
    if (!EXPECT(mm != NULL))
        return NULL;
    EXPECT_EQ(mm_add_vma(mm, VA, VA + PAGE_SIZE, prot), 0);
    EXPECT_EQ(mm_copy_in(mm, VA + 8, &byte, 1), 0);
    pte_t leaf;
    EXPECT(pgtable_translate(mm->pml4, VA, NULL, &leaf) && (leaf & PTE_U));
    return mm;
}

static uint8_t byte_at(struct mm *mm, uint64_t va)
{
    uint64_t pa;
    return pgtable_translate(mm->pml4, va, &pa, NULL) ? *(uint8_t *)phys_to_virt(pa) : 0;
}

/* Forbidden accesses, as plain C: no STAC, so AC stays clear. */
static volatile uint8_t sink;
static void plain_read(void *p) { sink = *(volatile uint8_t *)p; }
static void plain_write(void *p) { *(volatile uint8_t *)p = 0x77; }
static void plain_call(void *p) { ((void (*)(void))p)(); }

/* What the tests below do with the user's page table loaded.  Interrupts
 * stay off throughout: the scheduler would load this thread's own (kernel)
 * page table again at the next switch. */
struct visit {
    void (*fn)(void *);
    void *arg;
    struct caught_fault fault;
    bool caught;
    uint8_t copied;  /* by copy_from_user from VA + 8 */
    int copy_err[2]; /* copy_from_user, copy_to_user */
};

static void visit(struct mm *mm, struct visit *v, bool copy)
{
    uint64_t irq = irq_save();
    pte_t *old = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
    tlb_switch_to(mm->pml4);
    v->caught = arch_catch_page_fault(v->fn, v->arg, &v->fault);
    if (copy) {
        uint8_t byte = 0x5a;
        v->copy_err[0] = copy_from_user(&v->copied, (void *)(VA + 8), 1);
        v->copy_err[1] = copy_to_user((void *)(VA + 16), &byte, 1);
    }
    tlb_switch_to(old);
    irq_restore(irq);
}

KTEST(isolation, smap_refuses_kernel_read_of_user_page)
{
    if (!cpu_has_smap)
        SKIP("this CPU has no SMAP (CPUID.(EAX=7):EBX bit 20)");
    struct mm *mm = one_user_page(t, VM_READ | VM_WRITE, 's');
    ASSERT(mm != NULL);
    struct visit v = {.fn = plain_read, .arg = (void *)(VA + 8)};
    visit(mm, &v, true);
    EXPECT(v.caught);
    EXPECT_EQ(v.fault.addr, VA + 8);
    EXPECT_EQ(v.fault.error, PF_PRESENT); /* a read, in kernel mode, of a present page */
    EXPECT(!(v.fault.rflags & (1ul << 18)));
    EXPECT(v.fault.violation && !strcmp(v.fault.violation, "SMAP"));
    /* The same page through the user-copy functions: allowed. */
    EXPECT_EQ(v.copy_err[0], 0);
    EXPECT_EQ(v.copied, 's');
    EXPECT_EQ(v.copy_err[1], 0);
    EXPECT_EQ(byte_at(mm, VA + 16), 0x5a);
    mm_put(mm);
}

KTEST(isolation, smap_refuses_kernel_write_of_user_page)
{
    if (!cpu_has_smap)
        SKIP("this CPU has no SMAP (CPUID.(EAX=7):EBX bit 20)");
    struct mm *mm = one_user_page(t, VM_READ | VM_WRITE, 's');
    ASSERT(mm != NULL);
    struct visit v = {.fn = plain_write, .arg = (void *)(VA + 8)};
    visit(mm, &v, true);
    EXPECT(v.caught);
    EXPECT_EQ(v.fault.addr, VA + 8);
    EXPECT_EQ(v.fault.error, PF_PRESENT | PF_WRITE);
    EXPECT(v.fault.violation && !strcmp(v.fault.violation, "SMAP"));
    EXPECT_EQ(byte_at(mm, VA + 8), 's'); /* the write did not happen */
    EXPECT_EQ(v.copy_err[0], 0);
    EXPECT_EQ(v.copied, 's');
    EXPECT_EQ(v.copy_err[1], 0);
    EXPECT_EQ(byte_at(mm, VA + 16), 0x5a);
    mm_put(mm);
}

KTEST(isolation, smep_refuses_kernel_exec_of_user_page)
{
    if (!cpu_has_smep)
        SKIP("this CPU has no SMEP (CPUID.(EAX=7):EBX bit 7)");
    struct mm *mm = one_user_page(t, VM_READ | VM_EXEC, 0);
    ASSERT(mm != NULL);
    ASSERT_EQ(mm_copy_in(mm, VA, &ret_insn, 1), 0); /* the page holds "ret" */
    pte_t leaf;
    ASSERT(pgtable_translate(mm->pml4, VA, NULL, &leaf));
    EXPECT(!(leaf & PTE_NX)); /* so only SMEP can stop the call */
    struct visit v = {.fn = plain_call, .arg = (void *)VA};
    visit(mm, &v, false);
    EXPECT(v.caught);
    EXPECT_EQ(v.fault.addr, VA);
    EXPECT_EQ(v.fault.rip, VA);
    EXPECT_EQ(v.fault.error, PF_PRESENT | PF_FETCH);
    EXPECT(v.fault.violation && !strcmp(v.fault.violation, "SMEP"));
    mm_put(mm);
}

/* The controls: a fault that is neither SMAP nor SMEP is not called one,
 * and an access that does not fault is not reported as caught. */
KTEST(isolation, catch_names_only_smap_and_smep)
{
    struct mm *mm = one_user_page(t, VM_READ | VM_WRITE, 's');
    ASSERT(mm != NULL);
    struct visit v = {.fn = plain_read, .arg = (void *)(VA + PAGE_SIZE)};
    visit(mm, &v, false);
    EXPECT(v.caught);
    EXPECT_EQ(v.fault.addr, VA + PAGE_SIZE);
    EXPECT_EQ(v.fault.error, 0); /* not present */
    EXPECT(v.fault.violation == NULL);
    static uint8_t kernel_byte = 'k';
    struct visit k = {.fn = plain_read, .arg = &kernel_byte};
    visit(mm, &k, false);
    EXPECT(!k.caught);
    EXPECT_EQ(sink, 'k');
    mm_put(mm);
}

/* mmap (without MAP_FIXED) fills the address space up to the stack but
 * never takes the guard page just below it: an overflowing stack must find
 * nothing mapped there. */
KTEST(isolation, mmap_leaves_the_stack_guard_page)
{
    const uint64_t stack_bottom = USER_STACK_TOP - USER_STACK_SIZE;
    struct mm *mm = mm_create();
    ASSERT(mm != NULL);
    ASSERT_EQ(mm_add_vma(mm, stack_bottom, USER_STACK_TOP, VM_READ | VM_WRITE), 0);
    down_write(&mm->lock);
    mm->mmap_next = stack_bottom - USER_STACK_GUARD - PAGE_SIZE;
    int64_t last = mm_map_anywhere(mm, PAGE_SIZE, VM_READ | VM_WRITE);
    int64_t none = mm_map_anywhere(mm, PAGE_SIZE, VM_READ | VM_WRITE);
    struct vma *guard = mm_find_vma(mm, stack_bottom - 1);
    up_write(&mm->lock);
    EXPECT_EQ(last, stack_bottom - USER_STACK_GUARD - PAGE_SIZE); /* the room before the gap */
    EXPECT_EQ(none, -ENOMEM);
    EXPECT(guard == NULL);
    mm_put(mm);
}
