; triple.asm - a triple fault: with an empty interrupt table (limit 0),
; the #UD from UD2 cannot be delivered (#GP), nor can that #GP (#DF), nor
; the double fault: the CPU shuts down and the monitor sees
; COWL_EXIT_SHUTDOWN.  Real mode's interrupt table has a limit too.
%include "guest.inc"

main:   mov si, message
        call serial_puts
        lidt [empty_idt]
        ud2
        mov si, survived        ; never reached
        call serial_puts
        mov bx, 1
        jmp hc_exit

empty_idt: dw 0                 ; limit 0: not even vector 0 fits
           dd 0
message:  db "triple fault next", 10, 0
survived: db "the CPU survived", 10, 0
