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

/* The ACPI table with this signature ("APIC" is the MADT), via the RSDT or
 * XSDT; or NULL. */
const struct acpi_header *acpi_find(const char *sig);

#endif
