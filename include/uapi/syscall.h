/* uapi/syscall.h - system call numbers: Linux x86-64's, so that a reader
 * who knows one knows the other, and cowl's own from 500 on.  Kernel and
 * libc include this one file.
 *
 * ABI: number in rax; arguments in rdi, rsi, rdx, r10, r8, r9; result in
 * rax, negative errno on failure.  syscall clobbers rcx and r11. */
#ifndef COWL_UAPI_SYSCALL_H
#define COWL_UAPI_SYSCALL_H

#define SYS_read          0
#define SYS_write         1
#define SYS_open          2
#define SYS_close         3
#define SYS_stat          4
#define SYS_fstat         5
#define SYS_lseek         8
#define SYS_mmap          9
#define SYS_mprotect      10
#define SYS_munmap        11
#define SYS_brk           12
#define SYS_rt_sigaction  13
#define SYS_rt_sigprocmask 14
#define SYS_rt_sigreturn  15
#define SYS_ioctl         16
#define SYS_access        21
#define SYS_pipe          22
#define SYS_sched_yield   24
#define SYS_dup           32
#define SYS_dup2          33
#define SYS_pause         34
#define SYS_nanosleep     35
#define SYS_getitimer     36
#define SYS_alarm         37
#define SYS_setitimer     38
#define SYS_getpid        39
#define SYS_clone         56
#define SYS_fork          57
#define SYS_execve        59
#define SYS_exit          60
#define SYS_wait4         61
#define SYS_kill          62
#define SYS_getcwd        79
#define SYS_chdir         80
#define SYS_mkdir         83
#define SYS_rmdir         84
#define SYS_link          86
#define SYS_unlink        87
#define SYS_setpgid       109
#define SYS_getppid       110
#define SYS_rt_sigpending 127
#define SYS_rt_sigsuspend 130
#define SYS_getpgrp       111
#define SYS_setsid        112
#define SYS_getpgid       121
#define SYS_getsid        124
#define SYS_reboot        169
#define SYS_prctl         157
#define SYS_arch_prctl    158
#define SYS_gettid        186
#define SYS_tkill         200
#define SYS_futex         202
#define SYS_getdents64    217
#define SYS_clock_gettime 228
#define SYS_exit_group    231
#define SYS_tgkill        234
#define SYS_pipe2         293
#define SYS_getcpu        309
#define SYS_cowl_procs     500 /* process list for ps */
#define SYS_cowl_memstat   501 /* free pages etc., for tests */
#define SYS_cowl_vmstat    503 /* VM counters and census (uapi/vmstat.h) */
#define SYS_cowl_fork_mode 502 /* how this process's forks copy memory */
#define SYS_cowl_cpustat   504 /* per-CPU counters: IPIs, flushes (uapi/cpustat.h) */
#define SYS_cowl_ptdump    505 /* a process's page-table tree (uapi/ptdump.h) */
#define SYS_cowl_failalloc 506 /* fault injection for allocations (uapi/cowl.h) */
/* virtual machines (uapi/vm.h) */
#define SYS_cowl_vm_create   510 /* (ram_bytes) -> VM descriptor */
#define SYS_cowl_vm_memory   511 /* (vm, gpa, buf, len, COWL_VM_READ/WRITE) */
#define SYS_cowl_vcpu_create 512 /* (vm) -> vCPU descriptor */
#define SYS_cowl_vcpu_regs   513 /* (vcpu, struct cowl_vcpu_regs *, COWL_VCPU_GET/SET) */
#define SYS_cowl_vcpu_run    514 /* (vcpu, struct cowl_vm_exit *) */
#define SYS_cowl_virtstat    515 /* (struct cowl_virt_stats *) */
#define SYS_cowl_vm_fork     516 /* (vm, fork mode or -1) -> a new VM descriptor */
#define SYS_cowl_vcpu_fork   517 /* (vcpu, new vm) -> a vCPU of the new VM, same state */
#define SYS_cowl_vm_ptdump   518 /* (vm, struct pt_node *, max): its nested tables (uapi/ptdump.h) */

#endif
