; echo.asm - copies serial input to serial output until it reads 'q'
; (exit status 0; the 'q' is not echoed).  A NUL byte, which is what vmm
; passes in at the end of its input, ends it with status 1.
%include "guest.inc"

main:   call serial_getc
        cmp al, 'q'
        je .quit
        test al, al
        jz .eof
        call serial_putc
        jmp main
.quit:  xor bx, bx
        jmp hc_exit
.eof:   mov bx, 1
        jmp hc_exit
