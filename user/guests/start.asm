; start.asm - the stub every C guest starts with: from real mode through
; protected mode to long mode, then guest_main(); its return value becomes
; the status of COWL_HC_EXIT.  Linked first, at 0x8000 (guest.ld).
;
; Memory it uses (the guest owns all its RAM; nothing else is there):
;   0x1000  PML4            one entry, for the first 512 GiB
;   0x2000  PDPT            four entries, for the first 4 GiB
;   0x3000-0x6fff  PD0-PD3  2048 entries of 2 MiB: identity map 0-4 GiB
;   0x7000  the RAM size (uint64_t), written there by the monitor
;   0x8000  this image; its .bss right after it
;   0x80000 the top of the stack (it grows down towards the image)
; Mapping all 4 GiB, not only RAM, lets a guest touch addresses above RAM
; (mmio.c): the access then leaves the guest as a nested page fault.

%include "vmdefs.inc"

PML4      equ 0x1000
PDPT      equ 0x2000
PD0       equ 0x3000
TABLES_END equ 0x7000
STACK_TOP equ 0x80000

PTE_P     equ 0x01              ; present
PTE_W     equ 0x02              ; writable
PTE_PS    equ 0x80              ; in a PD: a 2 MiB page, not a page table
CR0_PE    equ 1 << 0
CR0_PG    equ 1 << 31
CR4_PAE   equ 1 << 5
MSR_EFER  equ 0xc0000080
EFER_LME  equ 1 << 8

CODE32    equ 0x08              ; selectors into gdt below
DATA      equ 0x10
CODE64    equ 0x18

extern guest_main
extern __bss_start, __bss_end
global _start

section .text.start progbits alloc exec
bits 16
_start: cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        o32 lgdt [gdt_ptr]      ; o32: all 32 bits of the base, not 24
        mov eax, cr0
        or eax, CR0_PE
        mov cr0, eax
        jmp dword CODE32:protected  ; a far jump loads CS from the GDT

bits 32
protected:
        mov ax, DATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, STACK_TOP      ; not 0x7000: the stack would be in PD3
        call build_page_tables
        mov eax, cr4
        or eax, CR4_PAE         ; long mode needs PAE's 8-byte entries
        mov cr4, eax
        mov eax, PML4
        mov cr3, eax
        mov ecx, MSR_EFER       ; read-modify-write: keep whatever EFER bits
        rdmsr                   ; the hypervisor shows us
        or eax, EFER_LME
        wrmsr
        mov eax, cr0
        or eax, CR0_PG          ; paging on with LME set: long mode (EFER.LMA)
        mov cr0, eax
        jmp CODE64:long_mode    ; now CS.L makes it 64-bit code

; build_page_tables: identity map 0-4 GiB with 2 MiB pages.
build_page_tables:
        mov edi, PML4           ; start from zeroed tables
        xor eax, eax
        mov ecx, (TABLES_END - PML4) / 4
        rep stosd
        mov dword [PML4], PDPT | PTE_P | PTE_W
        mov edi, PDPT
        mov eax, PD0 | PTE_P | PTE_W
        mov ecx, 4
.pdpt:  mov [edi], eax          ; PDPT[i] -> PDi, each covering 1 GiB
        add eax, 0x1000
        add edi, 8
        loop .pdpt
        mov edi, PD0
        mov eax, PTE_P | PTE_W | PTE_PS
        mov ecx, 4 * 512
.pd:    mov [edi], eax          ; the high dword stays 0: all below 4 GiB
        add eax, 0x200000
        add edi, 8
        loop .pd
        ret

bits 64
long_mode:
        mov ax, DATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, STACK_TOP      ; a fresh stack for C
        mov rdi, __bss_start    ; the image file ends where .bss starts;
        mov rcx, __bss_end      ; RAM starts zeroed, but a C program should
        sub rcx, rdi            ; not depend on who loaded it
        xor eax, eax
        rep stosb
        call guest_main
        mov ebx, eax            ; guest_main's return value: the exit status
        mov eax, COWL_HC_EXIT
        vmmcall
.stop:  cli
        hlt
        jmp .stop

align 8
gdt:    dq 0                    ; the null descriptor
        dq 0x00cf9a000000ffff   ; CODE32: base 0, 4 GiB, 32-bit, execute/read
        dq 0x00cf92000000ffff   ; DATA: base 0, 4 GiB, read/write
        dq 0x00af9a000000ffff   ; CODE64: L set, D clear
gdt_end:
gdt_ptr: dw gdt_end - gdt - 1
         dd gdt
