/* gdt.h - segment selectors and IST slots (arch-internal). */
#ifndef GDT_H
#define GDT_H

#include <stdint.h>

#include "asmdefs.h" /* the selectors */

/* IST slots (1-based in the IDT, as the CPU numbers them) */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MCE          3
#define IST_COUNT        3

void gdt_init(int cpu);
void tss_set_kernel_stack(uint64_t rsp0);
/* descriptors.asm: lgdt, reload segment registers, ltr */
void gdt_load(void *gdt, uint16_t size, uint16_t tss_sel);
void idt_load(void *idt, uint16_t size);

#endif
