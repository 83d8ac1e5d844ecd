; catch.asm - run a function that may take a page fault on purpose, and come
; back here instead of panicking.  Only tests use it, through
; arch_catch_page_fault() in trap.c, which arms this CPU for one call.
section .text
bits 64

; bool arch_catch_run(void (*fn)(void *), void *arg, uint64_t *resume_rsp)
; Saves the callee-saved registers, stores in *resume_rsp the stack pointer
; to come back to, and calls fn(arg).  Returns 0 when fn returns.  When fn
; faults, trap.c abandons fn's frames: it resumes at arch_catch_resume with
; rsp = *resume_rsp, which returns 1 with the caller's registers restored.
global arch_catch_run
global arch_catch_resume
arch_catch_run:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8                  ; the call below needs rsp 16-byte aligned
    mov [rdx], rsp
    mov rax, rdi
    mov rdi, rsi
    call rax
    xor eax, eax
    jmp catch_return
arch_catch_resume:
    mov eax, 1
catch_return:
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
