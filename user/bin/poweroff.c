/* poweroff.c - turn the machine off (ends QEMU). */
#include <cowl.h>
#include <stdio.h>

int main(void)
{
    poweroff();
    perror("poweroff");
    return 1;
}
