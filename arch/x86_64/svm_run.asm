; svm_run.asm - the world switch: from the host into a guest and back.
;
; void svm_world_switch(uint64_t vmcb_pa, struct svm_gprs *gprs,
;                       uint64_t host_save_pa)   (called from svm.c)
;
; VMRUN saves part of the host state itself (in the VM_HSAVE_PA page: CR0,
; CR3, CR4, EFER, RFLAGS, RIP, RSP, RAX, GDTR, IDTR, CS/SS/DS/ES) and loads
; the guest's from the VMCB; #VMEXIT does the reverse.  The rest is ours:
;  - VMSAVE/VMLOAD move FS, GS, TR, LDTR (with their hidden bases),
;    KernelGSBase, STAR/LSTAR/CSTAR/SFMASK and SYSENTER_*.  The host's go to
;    host_save_pa before the run and come back right after it: until then
;    GS base is the guest's, so nothing here may touch per-CPU data.
;  - the general registers other than RAX/RSP come from and go to *gprs.
; GIF (the global interrupt flag) is cleared around all of it: no interrupt
; or NMI can arrive while the CPU holds half-guest state.  RFLAGS.IF is set
; before VMRUN so that the host's saved RFLAGS has it: with the INTR
; intercept, a host interrupt during the guest makes it exit, and the
; interrupt stays pending until the C code turns interrupts back on.
section .text
bits 64
global svm_world_switch
svm_world_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rsi                        ; [rsp + 16]: gprs
    push rdx                        ; [rsp + 8]: host_save_pa
    push rdi                        ; [rsp]: vmcb_pa
    clgi
    sti                             ; IF=1 for the saved host RFLAGS; GIF=0 holds interrupts
    mov rax, rdx
    vmsave                          ; the host's FS/GS/TR/LDTR and syscall MSRs
    mov rax, rsi                    ; the guest's registers (rsi itself last)
    mov rbx, [rax + 0]
    mov rcx, [rax + 8]
    mov rdx, [rax + 16]
    mov rsi, [rax + 24]
    mov rdi, [rax + 32]
    mov rbp, [rax + 40]
    mov r8,  [rax + 48]
    mov r9,  [rax + 56]
    mov r10, [rax + 64]
    mov r11, [rax + 72]
    mov r12, [rax + 80]
    mov r13, [rax + 88]
    mov r14, [rax + 96]
    mov r15, [rax + 104]
    mov rax, [rsp]
    vmload                          ; the guest's FS/GS/TR/LDTR and syscall MSRs
    vmrun                           ; ... the guest runs until #VMEXIT ...
    vmsave                          ; RAX is vmcb_pa again (VMRUN restored it)
    mov rax, [rsp + 16]
    mov [rax + 0], rbx
    mov [rax + 8], rcx
    mov [rax + 16], rdx
    mov [rax + 24], rsi
    mov [rax + 32], rdi
    mov [rax + 40], rbp
    mov [rax + 48], r8
    mov [rax + 56], r9
    mov [rax + 64], r10
    mov [rax + 72], r11
    mov [rax + 80], r12
    mov [rax + 88], r13
    mov [rax + 96], r14
    mov [rax + 104], r15
    mov rax, [rsp + 8]
    vmload                          ; the host's GS base (this CPU's data) is back
    cli
    stgi                            ; pending interrupts wait for the C code's sti
    add rsp, 24
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
