/* pvh.c - booting an ELF kernel as QEMU's -kernel does.
 *
 * The kernel names its 32-bit entry point in an ELF note ("Xen", type
 * XEN_ELFNOTE_PHYS32_ENTRY); the loader puts each PT_LOAD segment at its
 * physical address, describes the machine in a struct hvm_start_info (Xen's
 * public/arch-x86/hvm/start_info.h), and enters in flat 32-bit protected
 * mode with paging off and EBX = the start_info's address.  Guest-physical
 * layout (all of it in the first MiB, which cowl's page allocator never
 * hands out - pmm_init - so nothing vmm writes there is overwritten while
 * the kernel still reads it; the initrd is a boot module, which it keeps):
 *
 *   0x1000   struct hvm_start_info, then the module list and the memory map
 *   0x2000   the command line (-a), NUL-terminated, at most 4 KiB
 *   0x100000 the kernel's segments (cowl links itself at 1 MiB)
 *   the next page after the kernel: the initrd (-i)
 */
#include "vmm.h"
#include "uapi/elf.h" /* the ELF records a loader reads */
#include "uapi/pvh.h" /* the PVH boot protocol, as the kernel reads it */

#define PVH_INFO_ADDR      0x1000
#define PVH_MODLIST_ADDR   0x1040
#define PVH_MEMMAP_ADDR    0x1080
#define PVH_CMDLINE_ADDR   0x2000
#define PVH_LOW_END        0x8000 /* a segment below this would cover the above */
#define PAGE               4096ul
#define ALIGN_PAGE(x)      (((x) + PAGE - 1) & ~(PAGE - 1))

int is_elf(const char *image, size_t len)
{
    return len >= 4 && memcmp(image, "\177ELF", 4) == 0;
}

/* The image is not a kernel vmm can boot: say why. */
static int bad_kernel(const struct vmm *v, const char *why)
{
    fprintf(stderr, "vmm: %s: %s\n", v->image, why);
    return ST_SETUP;
}

/* Program header i, or NULL if the file is too short to hold it. */
static const struct elf64_phdr *phdr(const char *image, size_t len, int i)
{
    const struct elf64_ehdr *eh = (const struct elf64_ehdr *)image;
    uint64_t off = eh->phoff + (uint64_t)i * sizeof(struct elf64_phdr);
    if (eh->phoff >= len || off + sizeof(struct elf64_phdr) > len)
        return NULL;
    return (const struct elf64_phdr *)(image + off);
}

/* The PVH entry point from the notes in one PT_NOTE segment; 0 if none.
 * A note: namesz, descsz, type, then the name and the descriptor, each
 * padded to 4 bytes. */
static uint32_t pvh_entry_in(const char *notes, uint64_t size)
{
    for (uint64_t at = 0; at + 12 <= size;) {
        const uint32_t *n = (const uint32_t *)(notes + at);
        uint64_t name = at + 12, desc = name + ((n[0] + 3ul) & ~3ul);
        uint64_t next = desc + ((n[1] + 3ul) & ~3ul);
        if (next > size)
            return 0;
        if (n[2] == XEN_ELFNOTE_PHYS32_ENTRY && n[0] == 4 && memcmp(notes + name, "Xen", 4) == 0 &&
            n[1] >= 4)
            return *(const uint32_t *)(notes + desc); /* 4 or 8 bytes; the entry is 32-bit */
        at = next;
    }
    return 0;
}

/* Copy each PT_LOAD segment to its physical address and find the entry.
 * Beyond filesz a segment is zeros (.bss): a new VM's RAM reads as zeros
 * already, so there is nothing to write.  Sets *end to the end of the
 * highest segment.  0, or the status to end with. */
static int load_elf(struct vmm *v, const char *image, size_t len, uint32_t *entry, uint64_t *end)
{
    const struct elf64_ehdr *eh = (const struct elf64_ehdr *)image;
    if (len < sizeof(*eh) || eh->ident[4] != 2 || eh->ident[5] != 1)
        return bad_kernel(v, "not a little-endian ELF64 file");
    *entry = 0;
    *end = 0;
    for (int i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = phdr(image, len, i);
        if (!ph || ph->offset > len || ph->filesz > len - ph->offset)
            return bad_kernel(v, "a program header or segment is outside the file");
        if (ph->type == PT_NOTE && !*entry)
            *entry = pvh_entry_in(image + ph->offset, ph->filesz);
        if (ph->type != PT_LOAD)
            continue;
        if (ph->paddr < PVH_LOW_END || ph->memsz > v->ram || ph->paddr > v->ram - ph->memsz ||
            ph->filesz > ph->memsz)
            return bad_kernel(v, "a segment is not inside RAM above 0x8000 (too little -m?)");
        if (cowl_vm_memory(v->vm, ph->paddr, (void *)(image + ph->offset), ph->filesz,
                           COWL_VM_WRITE) < 0)
            return fail(v, "cowl_vm_memory");
        if (ph->paddr + ph->memsz > *end)
            *end = ph->paddr + ph->memsz;
    }
    if (!*entry)
        return bad_kernel(v, "no PVH entry (ELF note \"Xen\", XEN_ELFNOTE_PHYS32_ENTRY)");
    return 0;
}

/* The initrd, at the first page at or after `at`, as the one boot module
 * (its list entry goes to PVH_MODLIST_ADDR).  0, or the status to end with. */
static int load_initrd(struct vmm *v, uint64_t at, struct hvm_start_info *si)
{
    size_t len;
    at = ALIGN_PAGE(at);
    char *data = read_image(v->initrd, at < v->ram ? v->ram - at : 0, &len);
    if (!data) {
        fprintf(stderr, "vmm: %s: cannot load it after the kernel at 0x%lx: %s\n", v->initrd,
                (unsigned long)at, strerror(errno));
        return ST_SETUP;
    }
    struct hvm_modlist_entry mod = {.paddr = at, .size = len};
    int bad = cowl_vm_memory(v->vm, at, data, len, COWL_VM_WRITE) < 0 ||
              cowl_vm_memory(v->vm, PVH_MODLIST_ADDR, &mod, sizeof(mod), COWL_VM_WRITE) < 0;
    free(data);
    if (bad)
        return fail(v, "cowl_vm_memory");
    si->nr_modules = 1;
    si->modlist_paddr = PVH_MODLIST_ADDR;
    return 0;
}

/* The start_info, the memory map and the command line.  The map is a PC's:
 * RAM below the legacy hole at 0x9f000, the hole (EBDA, VGA, BIOS)
 * reserved, RAM from 1 MiB.  No ACPI tables: rsdp_paddr is 0. */
static int write_start_info(struct vmm *v, struct hvm_start_info *si)
{
    const char *cmdline = v->cmdline ? v->cmdline : "";
    struct hvm_memmap_entry map[] = {
        {0, 0x9f000, E820_RAM, 0},
        {0x9f000, 0x100000 - 0x9f000, E820_RESERVED, 0},
        {0x100000, v->ram - 0x100000, E820_RAM, 0},
    };
    si->magic = PVH_START_MAGIC;
    si->version = 1; /* has the memory map */
    si->cmdline_paddr = PVH_CMDLINE_ADDR;
    si->memmap_paddr = PVH_MEMMAP_ADDR;
    si->memmap_entries = sizeof(map) / sizeof(map[0]);
    if (cowl_vm_memory(v->vm, PVH_MEMMAP_ADDR, map, sizeof(map), COWL_VM_WRITE) < 0 ||
        cowl_vm_memory(v->vm, PVH_CMDLINE_ADDR, (void *)cmdline, strlen(cmdline) + 1,
                       COWL_VM_WRITE) < 0 ||
        cowl_vm_memory(v->vm, PVH_INFO_ADDR, si, sizeof(*si), COWL_VM_WRITE) < 0)
        return fail(v, "cowl_vm_memory");
    return 0;
}

/* Flat 32-bit protected mode, as the PVH boot protocol starts a kernel:
 * 4 GiB code and data segments at 0, paging off, EBX = the start_info. */
static void pvh_regs(struct cowl_vcpu_regs *r, uint32_t entry)
{
    const uint16_t flat = COWL_SEG_G | COWL_SEG_DB | COWL_SEG_P | COWL_SEG_S;
    const struct cowl_seg data = {0x10, flat | COWL_SEG_TYPE_DATA, 0xffffffff, 0};
    memset(r, 0, sizeof(*r));
    r->cs = (struct cowl_seg){0x08, flat | COWL_SEG_TYPE_CODE, 0xffffffff, 0};
    r->ds = r->es = r->fs = r->gs = r->ss = data;
    r->tr = segment(COWL_SEG_P | COWL_SEG_TYPE_TSS);
    r->ldtr = segment(COWL_SEG_P | COWL_SEG_TYPE_LDT);
    r->gdtr.limit = r->idtr.limit = 0; /* the kernel loads its own */
    r->cr0 = 0x11;                     /* PE, ET */
    r->rflags = 2;
    r->rbx = PVH_INFO_ADDR;
    r->rip = entry;
}

/* Load a PVH kernel, its initrd and its start_info; set *regs. */
int load_kernel(struct vmm *v, const char *image, size_t len, struct cowl_vcpu_regs *regs)
{
    uint32_t entry = 0;
    uint64_t end = 0;
    struct hvm_start_info si = {0};
    if (v->cmdline && strlen(v->cmdline) >= PVH_CMDLINE_MAX)
        return bad_kernel(v, "the command line (-a) is longer than 4 KiB");
    if (v->ram <= 0x100000)
        return bad_kernel(v, "a kernel needs more than 1 MiB of RAM");
    int status = load_elf(v, image, len, &entry, &end);
    if (!status && v->initrd)
        status = load_initrd(v, end, &si);
    if (!status)
        status = write_start_info(v, &si);
    pvh_regs(regs, entry);
    return status;
}
