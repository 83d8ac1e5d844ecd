; trapentry.asm - the 256 interrupt/exception entry stubs.
; Each stub makes the stack look the same (a dummy error code where the CPU
; pushes none, then the vector number) and jumps to trap_common, which saves
; every general register as a struct trapframe (arch/x86_64/trap.h) and calls
; trap_dispatch(tf).
section .text
bits 64
extern trap_dispatch
extern cpu_has_smap
%include "asmdefs.inc"          ; SEL_*, TF_SYSCALL_MARK (asmdefs.h)

; The general registers, in the order of struct trapframe (arch/x86_64/trap.h):
; r15 ends up lowest, at the frame's start.
%macro PUSH_REGS 0
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
%endmacro
%macro POP_REGS 0
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
%endmacro

; ---------------------------------------------------------------------------
; syscall: the CPU saved rip in rcx and rflags in r11, cleared IF (FMASK),
; and loaded the kernel code segment; rsp is still the user's.  Build a
; struct trapframe on this thread's kernel stack, like an interrupt would.
global syscall_entry
extern syscall_dispatch
syscall_entry:
    swapgs
    mov [gs:16], rsp                ; struct cpu.user_rsp
    mov rsp, [gs:8]                 ; struct cpu.kernel_rsp
    push SEL_UDATA                   ; ss
    push qword [gs:16]              ; rsp
    push r11                        ; rflags
    push SEL_UCODE                   ; cs
    push rcx                        ; rip
    push 0                          ; error code
    push TF_SYSCALL_MARK
    PUSH_REGS
    mov rdi, rsp
    cld
    call syscall_dispatch
    jmp trap_return

; void arch_enter_user(struct trapframe *tf): leave the kernel through tf.
global arch_enter_user
arch_enter_user:
    mov rsp, rdi
    jmp trap_return

; Interrupts and exceptions from user mode arrive with the user's GS base
; loaded: swapgs puts the kernel's (this CPU's struct cpu) back.  The CPU
; pushed cs at rsp+24 (above vector, error code and rip).
trap_common:
    test byte [rsp + 24], 3
    jz .from_kernel
    swapgs
.from_kernel:
    ; An interrupt may arrive in the middle of a user copy (AC set by stac).
    ; Handle it, and whatever thread we switch to, with SMAP on again; iretq
    ; gives the interrupted copy its AC back from the saved rflags.
    cmp byte [rel cpu_has_smap], 0
    je .ac_clear
    clac
.ac_clear:
    PUSH_REGS
    mov rdi, rsp
    cld
    call trap_dispatch
; Return to whatever the trap frame on the stack describes.  A frame built by
; syscall_entry (vector TF_SYSCALL_MARK) returns with sysret when its rip is a
; canonical user address; everything else returns with iretq.
global trap_return
trap_return:
    cli
    cmp qword [rsp + 15 * 8], TF_SYSCALL_MARK
    jne .iret
    mov rax, [rsp + 17 * 8]         ; rip
    mov rcx, 0x00007ffffffff000
    cmp rax, rcx
    jae .iret                       ; never sysret to a non-canonical rip
    POP_REGS
    mov rcx, [rsp + 16]             ; user rip
    mov r11, [rsp + 32]             ; user rflags
    mov rsp, [rsp + 40]             ; user rsp (interrupts are off; NMIs use IST)
    swapgs
    o64 sysret
.iret:
    POP_REGS
    add rsp, 16                 ; vector and error code
    test byte [rsp + 8], 3      ; back to user mode?
    jz .to_kernel
    swapgs
.to_kernel:
    iretq

%assign i 0
%rep 256
align 16
trap_stub_%[i]:
%if i == 8 || (i >= 10 && i <= 14) || i == 17 || i == 21 || i == 29 || i == 30
%else
    push 0                      ; no error code from the CPU
%endif
    push i
    jmp trap_common
%assign i i+1
%endrep

section .rodata
global trap_stubs
align 8
trap_stubs:
%assign i 0
%rep 256
    dq trap_stub_%[i]
%assign i i+1
%endrep

; ---------------------------------------------------------------------------
; Probes: touch memory that may fault.  A fault at a *_insn address resumes
; at the matching fixup with rax = -EFAULT (see trap.c, .extable).
section .text
global arch_probe_read
global arch_probe_write
; int arch_probe_read(const void *p): 0, or -EFAULT if reading p faults
arch_probe_read:
    xor eax, eax
.insn:
    mov cl, [rdi]
.fixup:
    ret
; int arch_probe_write(void *p): writes back the byte it reads
arch_probe_write:
    xor eax, eax
.read:
    mov cl, [rdi]
.insn:
    mov [rdi], cl
.fixup:
    ret

; int arch_probe_read64(const void *p, uint64_t *out): 0 and *out = *p, or -EFAULT
global arch_probe_read64
arch_probe_read64:
    xor eax, eax
.insn:
    mov rcx, [rdi]
    mov [rsi], rcx
.fixup:
    ret

section .extable progbits alloc noexec nowrite align=8
    dq arch_probe_read64.insn, arch_probe_read64.fixup
    dq arch_probe_read.insn, arch_probe_read.fixup
    dq arch_probe_write.read, arch_probe_write.fixup
    dq arch_probe_write.insn, arch_probe_write.fixup
