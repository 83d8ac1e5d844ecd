; descriptors.asm - loading descriptor tables (instructions C cannot express).
section .text
bits 64
%include "asmdefs.inc"          ; SEL_* (asmdefs.h)

; void gdt_load(void *gdt, uint16_t size, uint16_t tss_sel)
global gdt_load
gdt_load:
    sub rsp, 16
    dec esi
    mov [rsp], si               ; limit = size - 1
    mov [rsp + 2], rdi          ; base
    lgdt [rsp]
    add rsp, 16
    mov ax, SEL_KDATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    ; FS and GS are left alone: loading a selector into GS would clear the
    ; GS base, which holds this CPU's struct cpu (percpu.c).
    ltr dx
    ; reload CS with a far return
    pop rax                     ; return address
    push SEL_KCODE
    push rax
    retfq

; void idt_load(void *idt, uint16_t size)
global idt_load
idt_load:
    sub rsp, 16
    dec esi
    mov [rsp], si
    mov [rsp + 2], rdi
    lidt [rsp]
    add rsp, 16
    ret
