/* virt.h - what the rest of the kernel knows of virtual machines: whether
 * this machine can run them, and their setup at boot (virt/vm.c). */
#ifndef VIRT_VIRT_H
#define VIRT_VIRT_H

#include <stdbool.h>

/* SVM with nested paging is here and set up. */
bool virt_available(void);
/* At boot, after the other CPUs are up: the per-CPU host save areas and
 * the permission maps.  Without SVM it only says so. */
void virt_init(int ncpus);

#endif
