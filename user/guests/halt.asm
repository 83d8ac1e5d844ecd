; halt.asm - prints one line and executes HLT with interrupts off: the
; monitor sees COWL_EXIT_HLT (nothing could ever wake this CPU again).
%include "guest.inc"

main:   mov si, message
        call serial_puts
.halt:  cli
        hlt
        jmp .halt               ; HLT with IF=0 ends only by NMI or SMI

message: db "halting", 10, 0
