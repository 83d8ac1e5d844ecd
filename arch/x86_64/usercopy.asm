; usercopy.asm - the only code that touches user memory.
; With SMAP on, the kernel may access user pages only between STAC and CLAC.
; A fault on the copy instruction resumes at .fixup (see .extable), where rcx
; still holds the number of bytes not copied.
section .text
bits 64
extern cpu_has_smap

; uint64_t arch_copy_user(void *dst, const void *src, uint64_t n):
; returns the number of bytes NOT copied (0 on success).
global arch_copy_user
arch_copy_user:
    mov rcx, rdx
    cmp byte [rel cpu_has_smap], 0
    je .copy
    stac
.copy:
.insn:
    rep movsb
.fixup:
    cmp byte [rel cpu_has_smap], 0
    je .done
    clac
.done:
    mov rax, rcx
    ret

section .extable progbits alloc noexec nowrite align=8
    dq arch_copy_user.insn, arch_copy_user.fixup
