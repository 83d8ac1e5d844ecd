/* uapi/reboot.h - reboot()'s magic numbers, Linux's: the only command cowl
 * knows is power off. */
#ifndef COWL_UAPI_REBOOT_H
#define COWL_UAPI_REBOOT_H

#define REBOOT_MAGIC1        0xfee1dead
#define REBOOT_MAGIC2        672274793
#define REBOOT_CMD_POWER_OFF 0x4321fedc

#endif
