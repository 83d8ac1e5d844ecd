; boot/entry.asm - the first instructions cowl runs, on either boot path.
;
; Two loaders hand us the CPU in 32-bit protected mode with paging off:
;   multiboot2 (GRUB):   EAX = 0x36d76289, EBX = physical address of the MBI
;   PVH (qemu -kernel):  EBX = physical address of struct hvm_start_info
; We build just enough page tables to reach the higher half (identity map
; of the low 4 GiB + the same 1 GiB at 0xffffffff80000000), enter long mode
; and call arch_boot(magic, info_phys) in C, which normalizes the boot
; record.  Everything here runs at its physical address (section .boot.*).

%define KERNEL_VMA      0xffffffff80000000
%define MB2_MAGIC       0xe85250d6
%define MB2_ARCH_I386   0
%define BOOT_STACK_SIZE 16384

; ---------------------------------------------------------------- multiboot2
section .multiboot
align 8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    ; end tag: type 0, flags 0, size 8
    dw 0, 0
    dd 8
mb2_header_end:

; ---------------------------------------------------------------- PVH note
; QEMU finds the 32-bit PVH entry point in an ELF note named "Xen" of type
; XEN_ELFNOTE_PHYS32_ENTRY (18).  The descriptor is the physical address.
section .note.Xen note alloc
align 4
    dd 4                    ; namesz
    dd 8                    ; descsz
    dd 18                   ; type: XEN_ELFNOTE_PHYS32_ENTRY
    db "Xen", 0
    dq _start32

; ---------------------------------------------------------------- 32-bit code
section .boot.text progbits alloc exec nowrite
bits 32
global _start32
_start32:
    cli
    cld
    mov esp, boot_stack_top
    mov ebp, eax                ; loader magic (multiboot2) or junk (PVH)
    mov esi, ebx                ; boot information, physical address
                                ; (both survive until long_mode_high)

    call check_long_mode
    call build_boot_tables

    mov eax, boot_pml4          ; CR3 = boot PML4
    mov cr3, eax
    mov eax, cr4
    or eax, (1 << 5)            ; CR4.PAE
    mov cr4, eax
    mov ecx, 0xc0000080         ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11) ; EFER.LME, EFER.NXE
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16) | 1 ; CR0.PG, CR0.WP, CR0.PE
    mov cr0, eax

    lgdt [boot_gdt_ptr]
    jmp 0x08:long_mode_low

; Halt with a message on the serial port if the CPU cannot do long mode.
check_long_mode:
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no
    mov eax, 0x80000001
    cpuid
    test edx, (1 << 29)         ; LM
    jz .no
    ret
.no:
    mov esi, no_lm_msg
.putc:
    lodsb
    test al, al
    jz .halt
    mov dx, 0x3f8
    out dx, al
    jmp .putc
.halt:
    hlt
    jmp .halt

; Map [0, 4 GiB) at 0 (identity) and at DIRECT_MAP_BASE, and [0, 1 GiB) at
; KERNEL_VMA, all with 2 MiB pages.  C code replaces these tables with the kernel's own soon.
build_boot_tables:
    ; PD entries: 2048 x 2 MiB = 4 GiB, flags present|writable|large
    mov edi, boot_pd
    xor ecx, ecx
.pd:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [edi + ecx * 8], eax
    mov edx, ecx
    shr edx, 11                 ; high dword: bits 32+ of the address
    mov dword [edi + ecx * 8 + 4], edx
    inc ecx
    cmp ecx, 2048
    jne .pd
    ; low PDPT: four PDs
    mov edi, boot_pdpt_low
    mov eax, boot_pd + 0x03
    mov ecx, 4
.pdpt:
    mov [edi], eax
    add eax, 4096
    add edi, 8
    loop .pdpt
    ; high PDPT slot 510 (0xffffffff80000000) -> first PD
    mov dword [boot_pdpt_high + 510 * 8], boot_pd + 0x03
    mov dword [boot_pml4], boot_pdpt_low + 0x03
    mov dword [boot_pml4 + 256 * 8], boot_pdpt_low + 0x03 ; direct map, low 4 GiB
    mov dword [boot_pml4 + 511 * 8], boot_pdpt_high + 0x03
    ret

bits 64
long_mode_low:
    ; We are in 64-bit mode but still executing at a low address.
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rax, long_mode_high
    jmp rax

section .boot.data progbits alloc noexec write
align 8
boot_gdt:
    dq 0
    dq 0x00af9a000000ffff       ; 0x08: 64-bit kernel code
    dq 0x00cf92000000ffff       ; 0x10: kernel data
boot_gdt_end:
boot_gdt_ptr:
    dw boot_gdt_end - boot_gdt - 1
    dq boot_gdt
no_lm_msg:
    db "cowl: this CPU has no long mode", 13, 10, 0

section .boot.bss nobits alloc noexec write
alignb 4096
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4096 * 4
boot_stack:     resb BOOT_STACK_SIZE
boot_stack_top:

; ---------------------------------------------------------------- 64-bit
section .text
bits 64
extern arch_boot
global long_mode_high
; The first instruction at a higher-half address: a hardware breakpoint
; here (tools/gdbinit: `hbreak long_mode_high`) works from the first try.
long_mode_high:
    mov rsp, boot_stack_hi_top  ; kernel stack in .bss, higher half
    mov edi, ebp                ; arch_boot(magic, info): zero-extended
    mov esi, esi
    xor ebp, ebp                ; terminates frame-pointer backtraces
    call arch_boot
.hang:
    cli
    hlt
    jmp .hang

; The boot CPU's kernel stack, in the higher half.  The page below it stays
; unmapped (mm/kmap.c): an overflow faults there, the CPU cannot push the
; page-fault frame, and the double-fault handler reports it on its IST stack.
section .bss
alignb 4096
global boot_stack_guard
boot_stack_guard:   resb 4096
global boot_stack_hi
boot_stack_hi:      resb 16384
boot_stack_hi_top:
