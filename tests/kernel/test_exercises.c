/* test_exercises.c - checks for the course exercises (exercises/,
 * docs/exercises.md).  Each test SKIPs while its exercise still returns
 * -ENOSYS, and checks the answer once it returns anything else.  Every
 * check here is one a plausible wrong answer breaks: counting a shared
 * table twice or not at all, a child page that is the parent's page, a
 * child table still marked COW_TABLE, a policy that ignores the size. */
#include "exercises/exercises.h"
#include "uapi/errno.h"
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/vm.h"

/* Three regions under three different PML4 entries: one PDPT, PD and PT
 * each, so the expected counts are known exactly. */
static const uint64_t region[3] = {0x0000000000400000ul, 0x0000100000000000ul,
                                   0x00007ffffff00000ul};
#define REGION_PAGES 4

static struct mm *three_regions(struct ktest_ctx *t)
{
    struct mm *mm = mm_create();
    if (!EXPECT(mm != NULL))
        return NULL;
    for (int r = 0; r < 3; r++) {
        EXPECT_EQ(
            mm_add_vma(mm, region[r], region[r] + REGION_PAGES * PAGE_SIZE, VM_READ | VM_WRITE), 0);
        for (int i = 0; i < REGION_PAGES; i++) {
            uint64_t va = region[r] + i * PAGE_SIZE;
            EXPECT_EQ(vm_fault(mm, va, FAULT_WRITE), 0);
            uint64_t pa;
            if (pgtable_translate(mm->pml4, va, &pa, NULL))
                memset(phys_to_virt(pa), 'a' + r * REGION_PAGES + i, PAGE_SIZE);
        }
    }
    return mm;
}

static struct mm *fork_share(struct mm *a)
{
    down_write(&a->lock);
    struct mm *b = mm_fork(a, FORK_SHARE, 0);
    up_write(&a->lock);
    return b;
}

static void expect_counts(struct ktest_ctx *t, pte_t *pml4, const uint64_t tables[5],
                          const uint64_t shared[5])
{
    struct ex_table_count c;
    memset(&c, 0xff, sizeof(c)); /* an answer must fill in every level */
    EXPECT_EQ(ex_count_tables(pml4, &c), 0);
    for (int l = 1; l <= 4; l++) {
        EXPECT_EQ(c.tables[l], tables[l]);
        EXPECT_EQ(c.shared[l], shared[l]);
    }
}

KTEST_FLAGS(exercise, count_tables, KTEST_HIDDEN)
{
    struct ex_table_count probe;
    if (ex_count_tables(kernel_pml4, &probe) == -ENOSYS)
        SKIP("not solved yet: exercises/count_tables.c (docs/exercises.md, 1)");
    struct mm *a = three_regions(t);
    if (!a)
        return;
    static const uint64_t all[5] = {0, 3, 3, 3, 1}, none[5] = {0};
    expect_counts(t, a->pml4, all, none);
    struct mm *b = fork_share(a);
    if (EXPECT(b != NULL)) {
        static const uint64_t pdpts[5] = {0, 0, 0, 3, 0};
        expect_counts(t, a->pml4, all, pdpts); /* fork shares the three PDPTs */
        expect_counts(t, b->pml4, all, pdpts);
        /* The child writes in region 0: its path there becomes its own. */
        EXPECT_EQ(vm_fault(b, region[0], FAULT_WRITE), 0);
        static const uint64_t two[5] = {0, 0, 0, 2, 0};
        expect_counts(t, a->pml4, all, two);
        expect_counts(t, b->pml4, all, two);
        mm_put(b);
    }
    mm_put(a);
}

/* Every table reachable from the user half of pml4 has refcount 1 and no
 * entry carries COW_TABLE. */
static void expect_private(struct ktest_ctx *t, pte_t *table, int level)
{
    unsigned limit = level == 4 ? PT_USER_ENTRIES : PT_ENTRIES;
    EXPECT_EQ(virt_to_page(table)->refcount, 1);
    for (unsigned i = 0; i < limit; i++) {
        pte_t e = table[i];
        if (!pte_present(e) || level == 1)
            continue;
        EXPECT(!(e & PTE_COW_TABLE));
        EXPECT(e & PTE_W);
        expect_private(t, pte_table(e), level - 1);
    }
}

KTEST_FLAGS(exercise, eager_fork, KTEST_HIDDEN)
{
    struct mm *a = three_regions(t);
    if (!a)
        return;
    struct mm *b = mm_create();
    if (!EXPECT(b != NULL)) {
        mm_put(a);
        return;
    }
    uint64_t tables_before = pgtable_tables_allocated;
    int err = ex_fork_eager(a->pml4, b->pml4);
    if (err == -ENOSYS) {
        mm_put(b);
        mm_put(a);
        SKIP("not solved yet: exercises/eager_fork.c (docs/exercises.md, 2)");
    }
    EXPECT_EQ(err, 0);
    EXPECT_EQ(pgtable_tables_allocated - tables_before, 9); /* 3 PDPTs, 3 PDs, 3 PTs */
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < REGION_PAGES; i++) {
            uint64_t va = region[r] + i * PAGE_SIZE, pa, pb;
            pte_t la, lb;
            if (!EXPECT(pgtable_translate(a->pml4, va, &pa, &la)) ||
                !EXPECT(pgtable_translate(b->pml4, va, &pb, &lb)))
                continue;
            EXPECT(pa != pb); /* a copy, not the same page */
            EXPECT(!memcmp(phys_to_virt(pa), phys_to_virt(pb), PAGE_SIZE));
            EXPECT_EQ(la & ~PTE_ADDR_MASK & ~(PTE_A | PTE_D),
                      lb & ~PTE_ADDR_MASK & ~(PTE_A | PTE_D)); /* same rights */
            EXPECT_EQ(phys_to_page(pa)->refcount, 1);          /* the parent's is untouched */
            EXPECT_EQ(phys_to_page(pb)->refcount, 1);
        }
    expect_private(t, b->pml4, 4);
    expect_private(t, a->pml4, 4); /* no sharing was introduced in the parent either */
    char why[160];
    EXPECT_EQ(vm_audit(why, sizeof(why)), 0);
    mm_put(b);
    mm_put(a); /* the runner's leak check proves the child freed everything */
}

static struct mm *with_pages(struct ktest_ctx *t, uint64_t pages)
{
    const uint64_t base = 0x0000200000000000ul;
    struct mm *mm = mm_create();
    if (!EXPECT(mm != NULL))
        return NULL;
    EXPECT_EQ(mm_add_vma(mm, base, base + pages * PAGE_SIZE, VM_READ | VM_WRITE), 0);
    for (uint64_t i = 0; i < pages; i++)
        EXPECT_EQ(vm_fault(mm, base + i * PAGE_SIZE, FAULT_WRITE), 0);
    return mm;
}

static int policy(struct mm *mm)
{
    down_write(&mm->lock);
    int mode = ex_fork_policy(mm);
    up_write(&mm->lock);
    return mode;
}

KTEST_FLAGS(exercise, fork_policy, KTEST_HIDDEN)
{
    struct mm *small = with_pages(t, 8);
    if (!small)
        return;
    if (policy(small) == -ENOSYS) {
        mm_put(small);
        SKIP("not solved yet: exercises/fork_policy.c (docs/exercises.md, 3)");
    }
    EXPECT_EQ(policy(small), FORK_COPY);
    mm_put(small);
    struct mm *below = with_pages(t, EX_SHARE_THRESHOLD_PAGES - 1);
    if (below) {
        EXPECT_EQ(policy(below), FORK_COPY);
        mm_put(below);
    }
    struct mm *at = with_pages(t, EX_SHARE_THRESHOLD_PAGES);
    if (at) {
        EXPECT_EQ(policy(at), FORK_SHARE);
        mm_put(at);
    }
}
