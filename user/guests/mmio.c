/* mmio.c - a store above RAM: the guest's page tables map it, but the
 * host's nested page tables have nothing there, so the store leaves the
 * guest as COWL_EXIT_MMIO (gpa 0xfee00000, write 1).  This is how a monitor
 * would emulate a memory-mapped device.  With 4 GiB of RAM (vmm -m 4096)
 * the address is RAM and the guest exits with status 1 instead. */
#include "guest.h"

#define MMIO_ADDR 0xfee00000ul /* where a PC has its local APIC */

int guest_main(void)
{
    serial_puts("writing to 0xfee00000\n");
    *(volatile uint32_t *)MMIO_ADDR = 0x1234;
    serial_puts("the write did not exit\n");
    return 1;
}
