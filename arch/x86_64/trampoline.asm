; trampoline.asm - where an application processor (AP) starts.
;
; An AP wakes up from the startup IPI in 16-bit real mode at physical
; address SIPI_PAGE * 4096 (0x8000).  smp.c copies this code there and
; fills in the parameter block at its end.  The code goes real mode ->
; protected mode -> long mode (on page tables that also identity-map the
; first 2 MiB, so that the instruction after "paging on" can be fetched),
; then jumps to ap_main(cpu) in the kernel's higher half.
;
; Addresses here are TRAMP + (label - trampoline_start): the code does not
; run where the linker put it.

%define TRAMP 0x8000
%define OFF(x) (TRAMP + (x) - trampoline_start)

section .rodata
bits 16
global trampoline_start, trampoline_end, trampoline_params
trampoline_start:
    cli
    cld
    xor ax, ax
    mov ds, ax
    lgdt [OFF(tr_gdtr)]
    mov eax, cr0
    or eax, 1                       ; protection on
    mov cr0, eax
    jmp dword 0x08:OFF(tr_protected)

bits 32
tr_protected:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, (1 << 5)                ; PAE
    mov cr4, eax
    mov eax, [OFF(tp_cr3)]
    mov cr3, eax
    mov ecx, 0xc0000080             ; EFER: long mode, no-execute
    rdmsr
    or eax, (1 << 8) | (1 << 11)
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)   ; paging, write protect
    mov cr0, eax
    jmp 0x18:OFF(tr_long)

bits 64
tr_long:
    mov rsp, [OFF(tp_stack)]
    mov rdi, [OFF(tp_cpu)]
    mov rax, [OFF(tp_entry)]
    xor ebp, ebp
    jmp rax

align 8
tr_gdt:
    dq 0
    dq 0x00cf9a000000ffff           ; 0x08: 32-bit code
    dq 0x00cf92000000ffff           ; 0x10: data
    dq 0x00af9a000000ffff           ; 0x18: 64-bit code
tr_gdtr:
    dw tr_gdtr - tr_gdt - 1
    dd OFF(tr_gdt)

align 8
trampoline_params:                  ; struct trampoline_params in smp.c
tp_cr3:   dq 0                      ; page tables (below 4 GiB)
tp_stack: dq 0                      ; the AP's kernel stack
tp_cpu:   dq 0                      ; its struct cpu
tp_entry: dq 0                      ; ap_main
trampoline_end:
