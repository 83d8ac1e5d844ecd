; switch.asm - switching kernel stacks between threads.
section .text
bits 64

; void arch_switch(uint64_t *save_rsp, uint64_t new_rsp)
; Saves the callee-saved registers on the current stack, stores rsp in
; *save_rsp, loads new_rsp and pops the registers saved there.  To the
; caller it looks like an ordinary call that returns later, on another
; thread's behalf.
global arch_switch
arch_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; First "return" of a new thread (see arch_thread_stack in proc.c): r12 is
; the function, r13 its argument.
extern sched_thread_start
extern kthread_exit
global arch_thread_entry
arch_thread_entry:
    call sched_thread_start     ; release the scheduler lock we were switched in with
    mov rdi, r13
    call r12
    mov edi, eax
    call kthread_exit           ; never returns
    ud2

; First "return" of a forked child: its kernel stack holds a copy of the
; parent's trap frame (with rax = 0); r12 points at it.
global arch_fork_entry
extern trap_return
arch_fork_entry:
    call sched_thread_start
    mov rsp, r12
    jmp trap_return
