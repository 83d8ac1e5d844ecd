; hello.asm - the smallest guest: real mode only, one line on the serial
; port, then COWL_HC_EXIT 0.
%include "guest.inc"

main:   mov si, message
        call serial_puts
        xor bx, bx
        jmp hc_exit

message: db "hello from real mode", 10, 0
