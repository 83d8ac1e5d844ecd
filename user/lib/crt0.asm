; crt0.asm - where every cowl program starts.  The kernel leaves on the
; stack: argc, argv[0..argc-1], NULL, envp[...], NULL (kernel/exec.c).
section .text
bits 64
global _start
extern main
extern exit
extern environ
extern tls_init_main
_start:
    xor ebp, ebp                ; the outermost frame
    mov r12, rsp                ; the kernel's layout (r12 survives calls)
    and rsp, -16
    call tls_init_main          ; the thread pointer first: errno lives behind it
    mov rdi, [r12]              ; argc
    lea rsi, [r12 + 8]          ; argv
    lea rdx, [rsi + rdi * 8 + 8] ; envp
    mov [rel environ], rdx
    call main
    mov edi, eax
    call exit
    ud2

; long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6)
; The kernel's ABI (include/uapi/syscall.h): number in rax, arguments in rdi, rsi,
; rdx, r10, r8, r9; syscall clobbers rcx and r11.
global __syscall
__syscall:
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    mov r10, r8
    mov r8, r9
    mov r9, [rsp + 8]
    syscall
    ret

; int __clone_thread(long flags, void *stack_top, int *ptid, int *ctid,
;                    int (*fn)(void *), void *arg, void *tls)
; The new thread starts on stack_top with nothing of the caller's frame, so
; fn and arg travel on its new stack: it pops them, calls fn(arg), and ends
; itself with exit (this thread only) and fn's result.  tls (the 7th
; argument, on the caller's stack) is its thread pointer with CLONE_SETTLS.
global __clone_thread
__clone_thread:
    sub rsi, 16
    mov [rsi], r8               ; fn
    mov [rsi + 8], r9           ; arg
    mov r10, rcx                ; ctid: the 4th syscall argument goes in r10
    mov r8, [rsp + 8]           ; tls
    mov eax, 56                 ; SYS_clone
    syscall
    test rax, rax
    jnz .parent                 ; the tid, or -errno
    xor ebp, ebp                ; child: the outermost frame of this thread
    pop rax
    pop rdi
    call rax
    mov edi, eax
    mov eax, 60                 ; SYS_exit: this thread only
    syscall
    ud2
.parent:
    ret
