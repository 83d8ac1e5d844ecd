; spin.asm - prints one line, then loops forever without an exit of its
; own: only the host's timer can take the CPU back (preemption test).
%include "guest.inc"

main:   mov si, message
        call serial_puts
        jmp $

message: db "spinning", 10, 0
