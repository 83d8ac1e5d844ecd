/* test_contract.c - locking contracts are checked: a function called
 * without the lock it needs panics, naming itself.  The kernel cannot
 * survive a panic, so each test arms the catcher of kernel/contract.h,
 * which records the broken contract instead; the call then goes on, which
 * is safe here because nobody else can reach these address spaces. */
#include "kernel/contract.h"
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/share.h"
#include "mm/vm.h"

#define VA 0x0000000000400000ul

/* An address space with one written page at VA. */
static struct mm *one_page(struct ktest_ctx *t)
{
    struct mm *mm = mm_create();
    if (!EXPECT(mm != NULL))
        return NULL;
    EXPECT_EQ(mm_add_vma(mm, VA, VA + PAGE_SIZE, VM_READ | VM_WRITE), 0);
    EXPECT_EQ(vm_fault(mm, VA, FAULT_WRITE), 0);
    return mm;
}

static bool names(const char *s, const char *want) { return s && strcmp(s, want) == 0; }

KTEST(contract, munmap_without_mm_lock_names_the_function)
{
    struct mm *mm = one_page(t);
    ASSERT(mm != NULL);
    struct contract_catch c;
    contract_catch_arm(&c);
    EXPECT_EQ(mm_unmap_range(mm, VA, VA + PAGE_SIZE), 0);
    contract_catch_disarm();
    EXPECT_EQ(c.count, 1);
    EXPECT(names(c.func, "mm_unmap_range"));
    EXPECT(names(c.what, "lock mm->lock not held for writing"));
    mm_put(mm);
}

KTEST(contract, holding_for_reading_is_not_enough_to_change_the_map)
{
    struct mm *mm = one_page(t);
    ASSERT(mm != NULL);
    struct contract_catch c;
    contract_catch_arm(&c);
    down_read(&mm->lock);
    EXPECT_EQ(mm_protect_range(mm, VA, VA + PAGE_SIZE, VM_READ), 0);
    up_read(&mm->lock);
    contract_catch_disarm();
    EXPECT(names(c.func, "mm_protect_range"));
    mm_put(mm);
}

KTEST(contract, holding_for_writing_keeps_the_contract)
{
    struct mm *mm = one_page(t);
    ASSERT(mm != NULL);
    struct contract_catch c;
    contract_catch_arm(&c);
    down_write(&mm->lock);
    EXPECT_EQ(mm_map_fixed(mm, VA, PAGE_SIZE, VM_READ), (int64_t)VA);
    EXPECT_EQ(mm_protect_range(mm, VA, VA + PAGE_SIZE, VM_READ | VM_WRITE), 0);
    struct mm *child = mm_fork(mm, FORK_SHARE, 0);
    up_write(&mm->lock);
    contract_catch_disarm();
    EXPECT_EQ(c.count, 0);
    EXPECT(child != NULL);
    if (child)
        mm_put(child);
    mm_put(mm);
}

/* map_fixed unmaps what was there through mm_unmap_range: the first broken
 * contract is the outer function's, and the inner one is seen too. */
KTEST(contract, map_fixed_without_mm_lock_names_itself_first)
{
    struct mm *mm = one_page(t);
    ASSERT(mm != NULL);
    struct contract_catch c;
    contract_catch_arm(&c);
    EXPECT_EQ(mm_map_fixed(mm, VA, PAGE_SIZE, VM_READ), (int64_t)VA);
    contract_catch_disarm();
    EXPECT(names(c.func, "mm_map_fixed"));
    EXPECT_EQ(c.count, 2);
    mm_put(mm);
}

KTEST(contract, fork_without_mm_lock_names_the_function)
{
    struct mm *mm = one_page(t);
    ASSERT(mm != NULL);
    for (int mode = FORK_SHARE; mode <= FORK_EAGER; mode++) {
        struct contract_catch c;
        contract_catch_arm(&c);
        struct mm *child = mm_fork(mm, mode, 0);
        contract_catch_disarm();
        EXPECT(names(c.func, "mm_fork"));
        EXPECT_EQ(c.count, 2); /* and share_fork or fork_copy_tables below it */
        if (child)
            mm_put(child);
    }
    struct contract_catch c;
    struct mm *child = mm_create();
    ASSERT(child != NULL);
    contract_catch_arm(&c);
    share_fork(mm, child, NULL, 0);
    contract_catch_disarm();
    EXPECT(names(c.func, "share_fork"));
    mm_put(child);
    mm_put(mm);
}

/* What the checks rest on: exact for a writer and for the owner of a
 * spinlock or mutex; "someone holds it" for readers. */
KTEST(contract, held_helpers)
{
    struct rwsem r = RWSEM_INIT(r, "test");
    EXPECT(!rwsem_held(&r) && !rwsem_write_held(&r));
    down_read(&r);
    EXPECT(rwsem_held(&r) && !rwsem_write_held(&r));
    up_read(&r);
    down_write(&r);
    EXPECT(rwsem_held(&r) && rwsem_write_held(&r));
    up_write(&r);
    struct mutex m = MUTEX_INIT(m, "test");
    EXPECT(!mutex_held(&m));
    mutex_lock(&m);
    EXPECT(mutex_held(&m));
    mutex_unlock(&m);
    struct spinlock s = SPINLOCK_INIT("test");
    EXPECT(!spin_held(&s));
    spin_lock(&s);
    bool held = spin_held(&s);
    spin_unlock(&s);
    EXPECT(held);
}
