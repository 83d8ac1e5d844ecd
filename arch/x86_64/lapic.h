/* lapic.h - the local APIC registers the arch code uses (timer.c owns them). */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdint.h>

#define LAPIC_ICR_LOW  0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_PENDING    (1u << 12)

uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_enable(void);

#endif
