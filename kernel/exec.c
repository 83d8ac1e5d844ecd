/* exec.c - the ELF64 loader.  Everything in the file is checked before any
 * of it is believed: a truncated, foreign, overlapping or kernel-reaching
 * executable is refused with -ENOEXEC and the caller keeps running.
 *
 * The stack it builds, from USER_STACK_TOP down (System V x86-64 ABI):
 *
 *     strings of argv and envp
 *     (padding to 16 bytes)
 *     NULL                      <- end of envp
 *     envp[n-1] ... envp[0]
 *     NULL                      <- end of argv
 *     argv[argc-1] ... argv[0]
 *     argc                      <- rsp at entry
 */
#include "kernel/exec.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "uapi/elf.h"

#define MAX_PHDRS 16

/* The program headers are read in place, so they must be aligned for their
 * struct (the gABI requires it of every ELF structure in the file anyway). */
static bool header_ok(const struct elf64_ehdr *h, size_t size)
{
    return size >= sizeof(*h) &&
           !memcmp(h->ident,
                   "\x7f"
                   "ELF",
                   4) &&
           h->ident[4] == 2 /* 64-bit */ && h->ident[5] == 1 /* little endian */ &&
           h->type == ET_EXEC && h->machine == EM_X86_64 &&
           h->phentsize == sizeof(struct elf64_phdr) && h->phnum > 0 && h->phnum <= MAX_PHDRS &&
           h->phoff % _Alignof(struct elf64_phdr) == 0 && h->phoff <= size &&
           size - h->phoff >= (uint64_t)h->phnum * sizeof(struct elf64_phdr);
}

/* One PT_LOAD segment: inside the file, inside user space, sane sizes. */
static bool segment_ok(const struct elf64_phdr *ph, size_t size)
{
    uint64_t end = ph->vaddr + ph->memsz;
    return ph->filesz <= ph->memsz && ph->offset <= size && size - ph->offset >= ph->filesz &&
           end >= ph->vaddr && ph->vaddr >= USER_MIN && end <= USER_MMAP_BASE &&
           ph->vaddr % PAGE_SIZE == ph->offset % PAGE_SIZE;
}

static uint32_t segment_prot(const struct elf64_phdr *ph)
{
    return (ph->flags & PF_R ? VM_READ : 0) | (ph->flags & PF_W ? VM_WRITE : 0) |
           (ph->flags & PF_X ? VM_EXEC : 0);
}

/* Map every PT_LOAD segment and copy its file bytes; the rest is zero. */
static int load_segments(struct mm *mm, const uint8_t *image, size_t size, uint64_t entry)
{
    const struct elf64_ehdr *h = (const void *)image;
    const struct elf64_phdr *ph = (const void *)(image + h->phoff);
    bool entry_ok = false;
    uint64_t top = 0;
    for (int i = 0; i < h->phnum; i++) {
        if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
            continue;
        if (!segment_ok(&ph[i], size))
            return -ENOEXEC;
        uint64_t start = ALIGN_DOWN(ph[i].vaddr, PAGE_SIZE);
        uint64_t end = ALIGN_UP(ph[i].vaddr + ph[i].memsz, PAGE_SIZE);
        int err = mm_add_vma(mm, start, end, segment_prot(&ph[i]));
        if (err) /* -EINVAL: it overlaps another segment */
            return err == -ENOMEM ? err : -ENOEXEC;
        err = mm_copy_in(mm, ph[i].vaddr, image + ph[i].offset, ph[i].filesz);
        if (err)
            return err;
        entry_ok |=
            (ph[i].flags & PF_X) && entry >= ph[i].vaddr && entry < ph[i].vaddr + ph[i].memsz;
        top = MAX(top, end);
    }
    if (!entry_ok)
        return -ENOEXEC;
    mm->brk_start = mm->brk = top;
    return 0;
}

static int count_strings(char *const v[], size_t *bytes)
{
    int n = 0;
    for (; v && v[n]; n++) {
        if (n == EXEC_MAX_ARGS)
            return -E2BIG;
        *bytes += strlen(v[n]) + 1;
    }
    return *bytes > EXEC_MAX_ARGBYTES ? -E2BIG : n;
}

/* Push the argument block described above; *sp_out is the initial rsp. */
static int build_stack(struct mm *mm, char *const argv[], char *const envp[], uint64_t *sp_out)
{
    size_t bytes = 0;
    int argc = count_strings(argv, &bytes), envc = count_strings(envp, &bytes);
    if (argc < 0 || envc < 0)
        return -E2BIG;
    int err = mm_add_vma(mm, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_TOP, VM_READ | VM_WRITE);
    if (err)
        return err;
    uint64_t strings = USER_STACK_TOP - bytes;
    uint64_t sp = ALIGN_DOWN(strings, 16) - 8 * (argc + envc + 3);
    sp = ALIGN_DOWN(sp, 16);
    uint64_t ptrs[EXEC_MAX_ARGS * 2 + 3];
    int k = 0;
    ptrs[k++] = argc;
    for (int pass = 0; pass < 2; pass++) {
        char *const *v = pass ? envp : argv;
        for (int i = 0; i < (pass ? envc : argc); i++) {
            size_t len = strlen(v[i]) + 1;
            if ((err = mm_copy_in(mm, strings, v[i], len)))
                return err;
            ptrs[k++] = strings;
            strings += len;
        }
        ptrs[k++] = 0;
    }
    if ((err = mm_copy_in(mm, sp, ptrs, k * sizeof(uint64_t))))
        return err;
    *sp_out = sp;
    return 0;
}

int exec_load(const uint8_t *image, size_t size, char *const argv[], char *const envp[],
              struct mm **mm_out, uint64_t *entry, uint64_t *sp)
{
    const struct elf64_ehdr *h = (const void *)image;
    if (!header_ok(h, size))
        return -ENOEXEC;
    struct mm *mm = mm_create();
    if (!mm)
        return -ENOMEM;
    int err = load_segments(mm, image, size, h->entry);
    if (!err)
        err = build_stack(mm, argv, envp, sp);
    if (err) {
        mm_put(mm);
        return err;
    }
    *entry = h->entry;
    *mm_out = mm;
    return 0;
}
