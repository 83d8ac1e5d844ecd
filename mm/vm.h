/* vm.h - user address spaces: a page table plus the list of regions (VMAs)
 * that say which addresses are valid and with which permissions.  Pages are
 * allocated on first touch (demand-zero) by vm_fault().
 *
 * Lock legend: [m] mm->lock held for writing (or reading, to read the field);
 * it is a reader/writer sleeping lock: faults allocate and may wait.  The
 * functions tagged [m] that change the address space check it at entry
 * (kernel/contract.h), and the fault path checks it is held for reading. */
#ifndef VM_H
#define VM_H

#include "lib/list.h"
#include "kernel/rwsem.h"
#include "mm/tlb.h"
#include "lib/types.h"
#include "pte.h"
#include "uapi/cowl.h"

#define VM_READ  1u
#define VM_WRITE 2u
#define VM_EXEC  4u

/* Where things go in a user address space. */
#define USER_MIN        0x10000ul /* the first 64 KiB stay unmapped */
#define USER_STACK_TOP  0x00007ffffffff000ul
#define USER_STACK_SIZE (8ul << 20)
/* Below the stack: mmap never hands these out, so a stack overflow faults
 * in an unmapped page instead of writing into a neighbouring mapping. */
#define USER_STACK_GUARD (1ul << 12)
#define USER_MMAP_BASE   0x0000100000000000ul /* mmap hands out addresses from here */

struct vma {
    uint64_t start, end;   /* [m] page aligned, end exclusive */
    uint32_t prot;         /* [m] VM_READ | VM_WRITE | VM_EXEC */
    struct list_head link; /* [m] in mm->vmas, sorted by start */
};

struct mm {
    struct list_head all_link; /* [all_mms_lock] every live mm, for the auditor */
    pte_t *pml4;               /* [m] */
    struct list_head vmas;     /* [m] */
    uint64_t brk_start, brk;   /* [m] heap: [brk_start, brk) */
    uint64_t mmap_next;        /* [m] next address mmap tries */
    struct rwsem lock;         /* faults read; mmap, munmap, mprotect, brk, fork write */
    int users; /* [a] its process (or VM), and short holds (ptdump); the last mm_put frees it */
    /* [-] table pages the fork that made this mm allocated, its PML4
     * included (cowl_fork_tables, bench ptpages=); 0 if fork did not make it */
    uint64_t fork_tables;
    struct tlb_deferred deferred; /* tables unshare let go of, until a full flush (mm/tlb.h) */
};

/* mm/ptdump.c: fill nodes with up to max records of mm's page-table tree
 * (uapi/ptdump.h); returns how many tables the tree has (more than max if
 * they did not all fit).  Takes mm->lock for writing. */
struct pt_node;
size_t ptdump_mm(struct mm *mm, struct pt_node *nodes, size_t max);

/* Access kinds for vm_fault */
#define FAULT_WRITE 1u
#define FAULT_EXEC  2u
#define FAULT_USER  4u
#define FAULT_PRESENT 8u /* the CPU found a mapping: a protection fault (for reports) */

/* Check every reference count the page tables imply (mm/audit.c): 0, or -1
 * with a description.  Run when nothing is changing page tables. */
int vm_audit(char *why, size_t size);

struct mm *mm_create(void); /* one user: the caller */
void mm_get(struct mm *mm);
/* Drop a user; the last one frees the address space, which by then is live
 * on no CPU (every thread switched away before it let go). */
void mm_put(struct mm *mm);
/* Add a region; -EINVAL if misaligned, outside user space or overlapping. */
int mm_add_vma(struct mm *mm, uint64_t start, uint64_t end, uint32_t prot);
/* The same without the limits of a process's layout (address 0 allowed):
 * for a VM's guest-physical space (virt/vm.c). [m] */
int mm_insert_vma(struct mm *mm, uint64_t start, uint64_t end, uint32_t prot);
/* The region containing addr, or NULL. [m] */
struct vma *mm_find_vma(struct mm *mm, uint64_t addr);
/* Resolve a fault at addr: 0, -EFAULT (no region or no permission) or
 * -ENOMEM.  Takes mm->lock. */
int vm_fault(struct mm *mm, uint64_t addr, unsigned access);
/* Fault-around: fill every empty entry of the writable region in the
 * npages-aligned block around addr (npages a power of two, the block
 * inside one page table) with a zeroed page, as a write fault there would;
 * entries already present, shared or not, are left alone.  The number
 * filled; it stops quietly when memory runs out.  For a guest's RAM
 * (virt/exit.c), where every nested fault is a costly exit. */
int vm_fault_around(struct mm *mm, uint64_t addr, unsigned npages);
/* Is a refused access at addr, by a thread whose stack pointer was sp, a
 * stack overflow: addr in the guard page below a writable region (unmapped,
 * or PROT_NONE as pthread leaves it), and not below sp's red zone?  Takes
 * mm->lock. */
bool vm_is_stack_guard(struct mm *mm, uint64_t addr, uint64_t sp);
/* Do regions cover [addr, addr + n) entirely, readable (or writable)? */
bool vm_access_ok(struct mm *mm, uint64_t addr, uint64_t n, bool write);
/* Copy len bytes from kernel memory into the address space at va, faulting
 * pages in as needed (used by exec, before the program runs). */
int mm_copy_in(struct mm *mm, uint64_t va, const void *src, size_t len);
/* The kernel's address of the byte at va in mm (a VM's guest memory, for
 * its monitor), resolved as an access of that kind from inside mm would
 * be: a write breaks copy-on-write exactly as the guest's own write does.
 * Returns with mm->lock held for reading, so the page cannot be taken away
 * or become shared until mm_page_release; valid up to the end of va's
 * page.  NULL with *err -EFAULT (no region allows it) or -ENOMEM. */
void *mm_page_hold(struct mm *mm, uint64_t va, bool write, int *err);
void mm_page_release(struct mm *mm);
/* Remove [start, end) from regions and page tables. [m] */
int mm_unmap_range(struct mm *mm, uint64_t start, uint64_t end);
/* Grow the region [start, old_end) to new_end (brk). [m] */
int mm_extend_vma(struct mm *mm, uint64_t start, uint64_t old_end, uint64_t new_end, uint32_t prot);
/* A new region at exactly [addr, addr + len), replacing whatever was there;
 * addr, or an error with nothing changed. [m] */
int64_t mm_map_fixed(struct mm *mm, uint64_t addr, uint64_t len, uint32_t prot);
/* A new region of len bytes wherever there is room; its address or -ENOMEM. [m] */
int64_t mm_map_anywhere(struct mm *mm, uint64_t len, uint32_t prot);
/* Change the permissions of [start, end), which regions must cover entirely
 * (-ENOMEM otherwise, as on Linux). [m] */
int mm_protect_range(struct mm *mm, uint64_t start, uint64_t end, uint32_t prot);
/* How fork copies an address space (docs/fork.md, section 10: the fork modes). */
enum fork_mode {
    FORK_SHARE = COWL_FORK_SHARE, /* share the page tables copy-on-write (mm/share.c) */
    FORK_COPY = COWL_FORK_COPY,   /* copy the tables, share the pages copy-on-write (mm/forkcopy.c) */
    FORK_EAGER = COWL_FORK_EAGER, /* copy tables and pages (mm/forkcopy.c) */
};
extern enum fork_mode fork_default_mode; /* the boot option fork= */
extern const char *const fork_mode_names[COWL_FORK_MODES];

/* fork: a new mm with the same regions and a copy-on-write view of the
 * parent's memory, made the way `mode` says; NULL on ENOMEM.  sp: the
 * forking thread's user stack pointer; in share mode the parent's stack
 * pages around it are copied within the fork (docs/fork.md section 7).
 * 0: none (a VM's fork, tests). [m] */
struct mm *mm_fork(struct mm *parent, enum fork_mode mode, uint64_t sp);
/* mm/forkcopy.c: copy the user half of the parent's tables into the child's
 * (and, eager, the pages too), adding the tables it allocates to
 * child->fork_tables.  0 or -ENOMEM. [m] of the parent */
int fork_copy_tables(struct mm *parent, struct mm *child, bool eager);

#endif
