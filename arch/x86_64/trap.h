/* trap.h - the register frame every interrupt and exception builds. */
#ifndef TRAP_H
#define TRAP_H

#include <stdint.h>

#include "asmdefs.h"

struct trapframe {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Exceptions */
#define T_DIVIDE         0
#define T_NMI            2
#define T_BREAKPOINT     3
#define T_INVALID_OPCODE 6
#define T_DOUBLE_FAULT   8
#define T_GPF            13
#define T_PAGE_FAULT     14
#define T_MACHINE_CHECK  18

/* Page-fault error code bits */
#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_USER    (1u << 2)
#define PF_RSVD    (1u << 3)
#define PF_FETCH   (1u << 4)

/* What a user frame carries in cs and ss, and the vector field of a
 * system call's frame (asmdefs.h). */
#define USER_CS         SEL_UCODE
#define USER_SS         SEL_UDATA
#define USER_RFLAGS     (RFLAGS_IF | RFLAGS_RESERVED) /* a new program's */

void idt_init(void);
void idt_load_shared(void);
void trap_dispatch(struct trapframe *tf);

#endif
