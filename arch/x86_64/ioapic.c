/* ioapic.c - the I/O APIC: where device interrupts (here: the serial
 * port's) become interrupt messages to a CPU.
 *
 *   COM1 UART --IRQ 4--> I/O APIC pin (GSI) --vector 0x24--> the BSP's LAPIC
 *
 * The MADT lists each I/O APIC (type 1: address, first GSI) and the ISA
 * IRQs that are wired to another pin (type 2, "interrupt source override").
 * Each pin has a 64-bit redirection entry: vector, delivery mode,
 * polarity, trigger mode, mask, destination APIC ID.  ISA interrupts are
 * edge-triggered and active-high unless an override says otherwise. */
#include "acpi.h"
#include "arch.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"

#define IOREGSEL     0x00
#define IOWIN        0x10
#define IOAPIC_VER   0x01
#define REDTBL(pin)  (0x10 + 2 * (pin))
#define RED_MASKED   (1u << 16)
#define RED_LEVEL    (1u << 15)
#define RED_ACTIVELO (1u << 13)

static volatile uint32_t *ioapic; /* MMIO, in the direct map */
static uint32_t gsi_base, pins;

static uint32_t ioapic_read(uint32_t reg)
{
    ioapic[IOREGSEL / 4] = reg;
    return ioapic[IOWIN / 4];
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
    ioapic[IOREGSEL / 4] = reg;
    ioapic[IOWIN / 4] = v;
}

/* Walk the MADT: the first I/O APIC, and where ISA `irq` is wired.  The
 * GSI, with *flags set from an override (0: ISA defaults); -1 without an
 * I/O APIC. */
static int64_t find_route(uint8_t irq, uint16_t *flags)
{
    const struct acpi_header *madt = acpi_find("APIC");
    if (!madt)
        return -1;
    const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8,
                  *end = (const uint8_t *)madt + madt->length;
    int64_t gsi = irq;
    *flags = 0;
    for (; p + 2 <= end && p[1] >= 2; p += p[1]) {
        if (p[0] == 1 && !ioapic) {
            ioapic = phys_to_virt(acpi_read32(p + 4));
            gsi_base = acpi_read32(p + 8);
        } else if (p[0] == 2 && p[3] == irq) {
            gsi = acpi_read32(p + 4);
            *flags = acpi_read16(p + 8);
        }
    }
    return ioapic ? gsi : -1;
}

bool arch_ioapic_route(uint8_t irq, uint8_t vector)
{
    uint16_t flags;
    int64_t gsi = find_route(irq, &flags);
    if (gsi < 0)
        return false;
    pins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
    if (gsi < gsi_base || gsi >= gsi_base + pins)
        return false;
    uint32_t pin = gsi - gsi_base, low = vector;
    if ((flags & 3) == 3) /* MPS INTI flags: polarity active low */
        low |= RED_ACTIVELO;
    if (((flags >> 2) & 3) == 3) /* trigger mode level */
        low |= RED_LEVEL;
    ioapic_write(REDTBL(pin) + 1, boot_cpu.apic_id << 24); /* physical destination */
    ioapic_write(REDTBL(pin), low);                        /* fixed delivery, unmasked */
    pr_info("ioapic: IRQ %u -> GSI %lu (pin %u) -> vector 0x%x on CPU 0\n", irq, gsi, pin, vector);
    return true;
}
