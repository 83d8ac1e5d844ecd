/* exec.h - loading ELF64 executables into a fresh address space. */
#ifndef EXEC_H
#define EXEC_H

#include "lib/types.h"

struct mm;
struct trapframe;

#define EXEC_MAX_ARGS     64
#define EXEC_MAX_ARGBYTES 8192

/* Check an ELF image and load it into a new mm with a stack holding argv
 * and envp (kernel strings).  On success *mm_out is ready and *entry, *sp
 * say where to start; the caller switches to it.  On failure nothing is
 * left behind: -ENOEXEC for a malformed file, -ENOMEM, -E2BIG. */
int exec_load(const uint8_t *image, size_t size, char *const argv[], char *const envp[],
              struct mm **mm_out, uint64_t *entry, uint64_t *sp);

#endif
