/* asmdefs.h - constants that C and assembly must agree on, defined here
 * once.  The build turns the ASM_ ... lines into build/asmdefs.inc (NASM
 * %defines) for the .asm files, so an assembly stub and the C code that
 * reads its frame cannot drift apart.  Plain #defines of numbers only. */
#ifndef ASMDEFS_H
#define ASMDEFS_H

/* Segment selectors (the GDT's layout is in gdt.c).  The user ones carry
 * RPL 3; syscall/sysret need user data right below user code. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x23
#define SEL_UCODE 0x2b
#define SEL_TSS   0x30

/* What syscall_entry leaves in struct trapframe's vector field: not a
 * hardware vector (those stop at 255), so trap_return can tell a system
 * call's frame (return with sysret) from an interrupt's (iretq). */
#define TF_SYSCALL_MARK 0x100

/* RFLAGS bits */
#define RFLAGS_TF       (1 << 8)  /* single-step */
#define RFLAGS_IF       (1 << 9)  /* interrupts enabled */
#define RFLAGS_DF       (1 << 10) /* string direction */
#define RFLAGS_AC       (1 << 18) /* SMAP: user accesses allowed */
#define RFLAGS_RESERVED (1 << 1)  /* always reads as 1 */

#endif
