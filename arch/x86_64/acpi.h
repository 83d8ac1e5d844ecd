/* acpi.h - the ACPI tables the arch code reads (MADT for CPUs and IOAPICs). */
#ifndef ACPI_H
#define ACPI_H

#include <stdint.h>

struct acpi_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_revision, creator, creator_revision;
} __attribute__((packed));

/* ACPI tables are byte-packed and may start at any address (QEMU lays
 * them end to end), so a 4-byte field can sit at an odd address.  Reading it
 * through a uint32_t pointer is undefined behaviour even though x86 does
 * not mind (the compiler may assume the alignment); these read it as bytes,
 * and gcc still makes one load of it. */
static inline uint16_t acpi_read16(const void *p)
{
    uint16_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t acpi_read32(const void *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t acpi_read64(const void *p)
{
    uint64_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}

/* The ACPI table with this signature ("APIC" is the MADT), via the RSDT or
 * XSDT; or NULL. */
const struct acpi_header *acpi_find(const char *sig);

#endif
