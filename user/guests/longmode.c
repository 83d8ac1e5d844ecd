/* longmode.c - the long-mode stub at work: start.asm took us from real mode
 * to 64-bit code; say so through both ways out (serial port and
 * COWL_HC_PRINT), and check the hypercall results a monitor promises. */
#include "guest.h"

int guest_main(void)
{
    serial_puts("hello from long mode (serial)\n");
    if (hc_print("hello from long mode (hypercall)\n") != 0)
        return 10; /* vmm answers a PRINT with 0 */
    if (hypercall(COWL_HC_NOP, 1, 2, 3) != 0)
        return 11; /* the kernel answers a NOP with 0 itself */
    if (hypercall(0x7fff, 0, 0, 0) != (uint64_t)-1)
        return 12; /* an unknown hypercall gets -1 */
    return 0;
}
