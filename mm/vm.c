/* vm.c - address spaces, regions and the page-fault path. */
#include "mm/vm.h"
#include "kernel/contract.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/share.h"
#include "mm/tlb.h"
#include "mm/vmstat.h"

struct spinlock all_mms_lock = SPINLOCK_INIT("all_mms");
struct list_head all_mms = LIST_HEAD_INIT(all_mms);

struct mm *mm_create(void)
{
    struct mm *mm = kzalloc(sizeof(*mm));
    if (!mm)
        return NULL;
    mm->pml4 = pgtable_create();
    if (!mm->pml4) {
        kfree(mm);
        return NULL;
    }
    tlb_deferred_init(mm->pml4, &mm->deferred);
    list_init(&mm->vmas);
    mm->lock = (struct rwsem)RWSEM_INIT(mm->lock, "mm");
    mm->mmap_next = USER_MMAP_BASE;
    mm->users = 1;
    spin_lock(&all_mms_lock);
    list_add_tail(&mm->all_link, &all_mms);
    spin_unlock(&all_mms_lock);
    return mm;
}

static void mm_destroy(struct mm *mm)
{
    spin_lock(&all_mms_lock);
    list_del(&mm->all_link);
    spin_unlock(&all_mms_lock);
    while (!list_empty(&mm->vmas)) {
        struct vma *v = container_of(mm->vmas.next, struct vma, link);
        list_del(&v->link);
        kfree(v);
    }
    tlb_deferred_release(mm->pml4); /* live on no CPU any more */
    pgtable_destroy(mm->pml4);
    kfree(mm);
}

void mm_get(struct mm *mm) { __atomic_add_fetch(&mm->users, 1, __ATOMIC_RELAXED); }

void mm_put(struct mm *mm)
{
    if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) == 0)
        mm_destroy(mm);
}

static struct vma *vma_of(struct list_head *l) { return container_of(l, struct vma, link); }

struct vma *mm_find_vma(struct mm *mm, uint64_t addr)
{
    for (struct list_head *l = mm->vmas.next; l != &mm->vmas; l = l->next) {
        struct vma *v = vma_of(l);
        if (addr < v->start)
            return NULL;
        if (addr < v->end)
            return v;
    }
    return NULL;
}

int mm_add_vma(struct mm *mm, uint64_t start, uint64_t end, uint32_t prot)
{
    if (start < USER_MIN || end > USER_STACK_TOP)
        return -EINVAL;
    return mm_insert_vma(mm, start, end, prot);
}

int mm_insert_vma(struct mm *mm, uint64_t start, uint64_t end, uint32_t prot)
{
    if (start % PAGE_SIZE || end % PAGE_SIZE || start >= end || end > USER_TOP)
        return -EINVAL;
    struct list_head *before = &mm->vmas; /* insert before the first later region */
    for (struct list_head *l = mm->vmas.next; l != &mm->vmas; l = l->next) {
        struct vma *v = vma_of(l);
        if (start < v->end && end > v->start)
            return -EINVAL;
        if (v->start >= end) {
            before = l;
            break;
        }
    }
    struct vma *v = kmalloc(sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->start = start;
    v->end = end;
    v->prot = prot;
    list_add_tail(&v->link, before);
    return 0;
}

static pte_t leaf_flags(uint32_t prot)
{
    pte_t f = PTE_P;
    if (prot & (VM_READ | VM_WRITE | VM_EXEC))
        f |= PTE_U; /* PROT_NONE: present for the kernel only, never touched by it */
    if (prot & VM_WRITE)
        f |= PTE_W;
    if (!(prot & VM_EXEC))
        f |= PTE_NX;
    return f;
}

static bool allowed(const struct vma *v, unsigned access)
{
    if (access & FAULT_WRITE)
        return v->prot & VM_WRITE;
    if (access & FAULT_EXEC)
        return v->prot & VM_EXEC;
    return v->prot & (VM_READ | VM_WRITE | VM_EXEC);
}

/* A fresh zeroed page for the empty entry e. */
static int fill_zero_page(pte_t *e, const struct vma *v)
{
    struct page *p = pmm_alloc(0, PAGE_USER, PMM_ZERO);
    if (!p)
        return -ENOMEM;
    if (!pte_install(e, page_to_phys(p) | leaf_flags(v->prot))) {
        page_put(p); /* another thread of ours filled it meanwhile */
        return -EAGAIN;
    }
    vm_event_add(&vm_events.zero_fills, 1);
    return 0; /* the mapping owns the reference */
}

/* Resolve a fault once; -EAGAIN asks for another try. [m] */
static int fault_once(struct mm *mm, struct vma *v, uint64_t va, unsigned access)
{
    assert_read_held(mm->lock);
    /* Any change below a shared entry needs a private path first, even
     * filling an empty entry on a read: the page must not appear in the
     * other address spaces that share the table. */
    pte_t *e;
    int err = pgtable_walk(mm->pml4, va, 1, PGW_ALLOC | PGW_UNSHARE, &e);
    if (err) /* -EEXIST would be a large page: user space has none */
        return err == -ENOMEM ? -ENOMEM : -EFAULT;
    pte_t seen = pte_read(e); /* other threads of ours fault too */
    if (!pte_present(seen))
        return fill_zero_page(e, v);
    if ((access & FAULT_WRITE) && !(seen & PTE_W))
        return share_break_cow(mm->pml4, va, e, seen, leaf_flags(v->prot));
    return 0; /* already fine: a stale translation, or another thread won */
}

int vm_fault(struct mm *mm, uint64_t addr, unsigned access)
{
    uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
    down_read(&mm->lock);
    struct vma *v = mm_find_vma(mm, addr);
    int err = v && allowed(v, access) ? -EAGAIN : -EFAULT;
    while (err == -EAGAIN)
        err = fault_once(mm, v, va, access);
    up_read(&mm->lock);
    if (!err) {
        tlb_flush_local(va);
        vm_event_add(&vm_events.faults, 1);
    }
    return err;
}

int vm_fault_around(struct mm *mm, uint64_t addr, unsigned npages)
{
    uint64_t span = (uint64_t)npages * PAGE_SIZE, start = ALIGN_DOWN(addr, span);
    int filled = 0;
    down_read(&mm->lock);
    struct vma *v = mm_find_vma(mm, addr);
    for (uint64_t va = start; v && (v->prot & VM_WRITE) && va < start + span; va += PAGE_SIZE) {
        pte_t *e;
        if (va < v->start || va >= v->end)
            continue;
        if (pgtable_walk(mm->pml4, va, 1, PGW_ALLOC | PGW_UNSHARE, &e))
            break; /* out of memory: it was only a guess anyway */
        if (!pte_present(pte_read(e)) && fill_zero_page(e, v) == 0)
            filled++;
    }
    up_read(&mm->lock);
    return filled;
}

/* A stack grows down one push, call or frame at a time, and the x86-64 ABI
 * lets a function use 128 bytes below rsp (the red zone): an access the
 * stack made lies at or above rsp - 128.  A stray pointer far from the
 * stack pointer is not called a stack overflow even if it hits the page. */
#define RED_ZONE 128

bool vm_is_stack_guard(struct mm *mm, uint64_t addr, uint64_t sp)
{
    uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE);
    if (sp > addr + RED_ZONE || page + PAGE_SIZE >= USER_TOP)
        return false;
    down_read(&mm->lock);
    struct vma *guard = mm_find_vma(mm, page), *above = mm_find_vma(mm, page + PAGE_SIZE);
    bool hit = (!guard || guard->prot == 0) && above && above->start == page + PAGE_SIZE &&
               (above->prot & VM_WRITE);
    up_read(&mm->lock);
    return hit;
}

bool vm_access_ok(struct mm *mm, uint64_t addr, uint64_t n, bool write)
{
    bool ok = true;
    down_read(&mm->lock);
    for (uint64_t a = addr; ok && a < addr + n;) {
        struct vma *v = mm_find_vma(mm, a);
        ok = v && (v->prot & (write ? VM_WRITE : VM_READ | VM_WRITE));
        if (ok)
            a = v->end;
    }
    up_read(&mm->lock);
    return ok;
}

int mm_copy_in(struct mm *mm, uint64_t va, const void *src, size_t len)
{
    const char *s = src;
    while (len) {
        uint64_t page_va = ALIGN_DOWN(va, PAGE_SIZE);
        size_t chunk = MIN(len, page_va + PAGE_SIZE - va);
        struct vma *v;
        down_read(&mm->lock);
        v = mm_find_vma(mm, va);
        int err = v ? -EAGAIN : -EFAULT;
        while (err == -EAGAIN) /* as a write, but allowed in read-only text too */
            err = fault_once(mm, v, page_va, v->prot & VM_WRITE ? FAULT_WRITE : 0);
        uint64_t pa = 0;
        if (!err && !pgtable_translate(mm->pml4, va, &pa, NULL))
            err = -EFAULT;
        up_read(&mm->lock);
        if (err)
            return err;
        memcpy(phys_to_virt(pa), s, chunk);
        va += chunk, s += chunk, len -= chunk;
    }
    return 0;
}

/* The page behind va, resolved as an access of this kind would be, for a
 * kernel copy made under mm->lock held for reading: present and, for a
 * write, private and writable.  It stays so while the lock is held (taking
 * it away again needs the lock for writing).  Its physical address, or
 * -EFAULT (no region allows the access), -ENOMEM. [r] */
static int resolve_locked(struct mm *mm, uint64_t va, unsigned access, uint64_t *pa)
{
    struct vma *v = mm_find_vma(mm, va);
    int err = v && allowed(v, access) ? -EAGAIN : -EFAULT;
    while (err == -EAGAIN)
        err = fault_once(mm, v, ALIGN_DOWN(va, PAGE_SIZE), access);
    if (!err && !pgtable_translate(mm->pml4, va, pa, NULL))
        err = -EFAULT;
    return err;
}

void *mm_page_hold(struct mm *mm, uint64_t va, bool write, int *err)
{
    uint64_t pa;
    down_read(&mm->lock);
    *err = resolve_locked(mm, va, write ? FAULT_WRITE : 0, &pa);
    if (*err) {
        up_read(&mm->lock);
        return NULL;
    }
    return phys_to_virt(pa);
}

void mm_page_release(struct mm *mm) { up_read(&mm->lock); }

/* Split the region containing addr so that a region boundary falls on it. */
static int split_at(struct mm *mm, uint64_t addr)
{
    struct vma *v = mm_find_vma(mm, addr);
    if (!v || v->start == addr)
        return 0;
    struct vma *upper = kmalloc(sizeof(*upper));
    if (!upper)
        return -ENOMEM;
    *upper = *v;
    upper->start = addr;
    v->end = addr;
    list_add(&upper->link, &v->link);
    return 0;
}

int mm_unmap_range(struct mm *mm, uint64_t start, uint64_t end)
{
    assert_write_held(mm->lock);
    int err = split_at(mm, start);
    if (!err)
        err = split_at(mm, end);
    if (!err)
        err = pgtable_unmap_range(mm->pml4, start, end);
    if (err)
        return err; /* splits alone change nothing visible */
    for (struct list_head *l = mm->vmas.next; l != &mm->vmas;) {
        struct vma *v = vma_of(l);
        l = l->next;
        if (v->start >= start && v->end <= end) {
            list_del(&v->link);
            kfree(v);
        }
    }
    return 0; /* pgtable_unmap_range flushed every CPU before freeing */
}

int mm_extend_vma(struct mm *mm, uint64_t start, uint64_t old_end, uint64_t new_end, uint32_t prot)
{
    assert_write_held(mm->lock);
    struct vma *v = old_end > start ? mm_find_vma(mm, old_end - 1) : NULL;
    if (v && v->end == old_end) {
        if (new_end > USER_MMAP_BASE)
            return -ENOMEM;
        for (struct list_head *l = v->link.next; l != &mm->vmas; l = l->next)
            if (vma_of(l)->start < new_end)
                return -ENOMEM;
        v->end = new_end;
        return 0;
    }
    return mm_add_vma(mm, start, new_end, prot);
}

int64_t mm_map_fixed(struct mm *mm, uint64_t addr, uint64_t len, uint32_t prot)
{
    assert_write_held(mm->lock);
    struct vma *v = kmalloc(sizeof(*v)); /* first: afterwards nothing may fail */
    if (!v)
        return -ENOMEM;
    int err = mm_unmap_range(mm, addr, addr + len);
    if (err) {
        kfree(v);
        return err;
    }
    v->start = addr;
    v->end = addr + len;
    v->prot = prot;
    struct list_head *before = &mm->vmas;
    for (struct list_head *l = mm->vmas.next; l != &mm->vmas; l = l->next)
        if (vma_of(l)->start >= v->end) {
            before = l;
            break;
        }
    list_add_tail(&v->link, before);
    return addr;
}

int64_t mm_map_anywhere(struct mm *mm, uint64_t len, uint32_t prot)
{
    assert_write_held(mm->lock);
    uint64_t at = mm->mmap_next;
    for (struct list_head *l = mm->vmas.next; l != &mm->vmas; l = l->next) {
        struct vma *v = vma_of(l);
        if (v->end <= at)
            continue;
        if (v->start >= at + len)
            break;
        at = v->end;
    }
    if (at + len > USER_STACK_TOP - USER_STACK_SIZE - USER_STACK_GUARD || at + len < at)
        return -ENOMEM;
    int err = mm_add_vma(mm, at, at + len, prot);
    if (err)
        return err;
    mm->mmap_next = at + len;
    return at;
}

int mm_protect_range(struct mm *mm, uint64_t start, uint64_t end, uint32_t prot)
{
    assert_write_held(mm->lock);
    for (uint64_t a = start; a < end;) { /* the regions must cover it all */
        struct vma *v = mm_find_vma(mm, a);
        if (!v)
            return -ENOMEM;
        a = v->end;
    }
    int err = split_at(mm, start);
    if (!err)
        err = split_at(mm, end);
    if (!err)
        err = pgtable_protect_range(mm->pml4, start, end, leaf_flags(prot));
    if (err)
        return err;
    for (struct list_head *l = mm->vmas.next; l != &mm->vmas; l = l->next) {
        struct vma *v = vma_of(l);
        if (v->start >= start && v->end <= end)
            v->prot = prot;
    }
    tlb_flush(mm->pml4, start, end);
    return 0;
}

enum fork_mode fork_default_mode = FORK_SHARE;
const char *const fork_mode_names[COWL_FORK_MODES] = {"share", "copy", "eager"};

/* The parent's regions, brk and mmap hint, for a child; 0 or -ENOMEM. */
static int fork_regions(struct mm *parent, struct mm *child)
{
    for (struct list_head *l = parent->vmas.next; l != &parent->vmas; l = l->next) {
        struct vma *v = vma_of(l);
        if (mm_insert_vma(child, v->start, v->end, v->prot)) /* the parent's are valid */
            return -ENOMEM;
    }
    child->brk_start = parent->brk_start;
    child->brk = parent->brk;
    child->mmap_next = parent->mmap_next;
    return 0;
}

/* The parent's stack pages around sp, for share_fork to copy ahead: the
 * page sp is in and the ones within HOT_REACH of it, where the return from
 * fork and the next calls write.  Only pages a writable region maps. */
#define HOT_REACH 256
static int hot_stack_pages(struct mm *mm, uint64_t sp, struct share_hot hot[SHARE_HOT_MAX])
{
    if (!sp)
        return 0;
    uint64_t here = ALIGN_DOWN(sp, PAGE_SIZE), below = ALIGN_DOWN(sp - HOT_REACH, PAGE_SIZE),
             above = ALIGN_DOWN(sp + HOT_REACH, PAGE_SIZE);
    /* within HOT_REACH of sp: at most one page besides its own */
    uint64_t pages[SHARE_HOT_MAX] = {here, below != here ? below : above != here ? above : 0};
    int n = 0;
    for (int i = 0; i < SHARE_HOT_MAX; i++) {
        struct vma *v = pages[i] ? mm_find_vma(mm, pages[i]) : NULL;
        if (v && (v->prot & VM_WRITE)) {
            hot[n].va = pages[i];
            hot[n].flags = leaf_flags(v->prot);
            n++;
        }
    }
    return n;
}

struct mm *mm_fork(struct mm *parent, enum fork_mode mode, uint64_t sp)
{
    assert_write_held(parent->lock);
    uint64_t clock = fork_clock();
    struct mm *child = mm_create();
    if (!child)
        return NULL;
    fork_step(FORK_STEP_MM, &clock);
    /* Its PML4: fork counts its own tables, since the global counter moves
     * with every other CPU's allocations too. */
    child->fork_tables = 1;
    int err = fork_regions(parent, child);
    fork_step(FORK_STEP_REGIONS, &clock);
    if (!err) {
        vm_event_add(&vm_events.forks[mode], 1);
        struct share_hot hot[SHARE_HOT_MAX];
        if (mode == FORK_SHARE) /* cannot fail: what it cannot copy stays shared */
            share_fork(parent, child, hot, hot_stack_pages(parent, sp, hot));
        else
            err = fork_copy_tables(parent, child, mode == FORK_EAGER);
    }
    if (err) {
        mm_destroy(child);
        return NULL;
    }
    return child;
}
