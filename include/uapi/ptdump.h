/* uapi/ptdump.h - one process's page-table tree as records, shared by the
 * kernel and libc (the ABI of SYS_cowl_ptdump; the `ptdump` program prints
 * them, tools/ptgraph.py draws them).
 *
 * One record per table page reachable from the user half of the address
 * space, parents before children.  A table shared by fork appears in the
 * dump of every process that shares it, with the same physical address:
 * that is how a picture of several processes draws it once. */
#ifndef COWL_UAPI_PTDUMP_H
#define COWL_UAPI_PTDUMP_H

#include <stdint.h>

/* flags: the parent's entry that points to this table */
#define PTN_WRITABLE  1u /* PTE_W set in the entry */
#define PTN_COW_TABLE 2u /* PTE_COW_TABLE: the entry points to a shared table */

struct pt_node {
    uint64_t table;          /* physical address of the table page */
    uint64_t parent;         /* physical address of the table above; 0 for the PML4 */
    uint64_t va;             /* first virtual address the table covers */
    uint16_t index;          /* which entry of the parent points here */
    uint8_t level;           /* 4 PML4, 3 PDPT, 2 PD, 1 PT */
    uint8_t flags;           /* PTN_* */
    uint32_t refcount;       /* the table page's refcount: entries pointing to it */
    uint32_t entries;        /* present entries in the table */
    uint32_t pages_shared;   /* PT only: mapped pages with more than one reference */
    uint32_t pages_writable; /* PT only: mapped pages writable through this entry */
    uint32_t unused;
};

#endif
