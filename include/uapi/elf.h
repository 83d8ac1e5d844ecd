/* uapi/elf.h - the parts of an ELF64 executable that exec reads: the file
 * header and the program headers (System V gABI names, lower case). */
#ifndef COWL_UAPI_ELF_H
#define COWL_UAPI_ELF_H

#include <stdint.h>

struct elf64_ehdr {
    uint8_t ident[16]; /* "\177ELF", class, data, version, ... */
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define ET_EXEC   2  /* ehdr.type: a fixed-address executable */
#define EM_X86_64 62 /* ehdr.machine */
#define PT_LOAD   1  /* phdr.type: a segment to map */
#define PT_NOTE   4  /* phdr.type: notes (the PVH entry is one) */
#define PF_X      1  /* phdr.flags */
#define PF_W      2
#define PF_R      4

#endif
