/* uapi/pvh.h - the PVH boot protocol (Xen's public/arch-x86/hvm/start_info.h
 * and its ELF note), which QEMU's -kernel and cowl's own monitor (vmm) use
 * to start cowl.elf: the loader finds the 32-bit entry in the note, builds
 * these records in guest memory and enters with EBX = the start_info.
 * The kernel reads them (arch/x86_64/boot.c); vmm writes them. */
#ifndef COWL_UAPI_PVH_H
#define COWL_UAPI_PVH_H

#include <stdint.h>

#define PVH_START_MAGIC          0x336ec578u
#define XEN_ELFNOTE_PHYS32_ENTRY 18 /* note "Xen": the 32-bit physical entry point */

/* Packed: a loader promises no alignment (QEMU's microvm puts the module
 * list at a 4-byte boundary).  Every field is naturally placed, so packing
 * changes no offset. */
struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
    uint64_t memmap_paddr; /* version >= 1 */
    uint32_t memmap_entries, reserved;
} __attribute__((packed));

struct hvm_modlist_entry {
    uint64_t paddr, size, cmdline_paddr, reserved;
} __attribute__((packed));

struct hvm_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved; /* type: E820_* */
} __attribute__((packed));

#define E820_RAM      1
#define E820_RESERVED 2

_Static_assert(sizeof(struct hvm_start_info) == 56 && sizeof(struct hvm_modlist_entry) == 32 &&
                   sizeof(struct hvm_memmap_entry) == 24,
               "PVH structures have the layout of start_info.h");

#endif
