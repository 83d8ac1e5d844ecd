/* acpi.c - finding the ACPI RSDP when the loader did not pass it: the BIOS
 * puts it on a 16-byte boundary in the EBDA's first KiB or in 0xE0000-0xFFFFF. */
#include "acpi.h"
#include "arch.h"
#include "kernel/boot_info.h"
#include "lib/string.h"

static uint64_t scan(uint64_t start, uint64_t end)
{
    for (uint64_t pa = start; pa + 20 <= end; pa += 16) {
        const uint8_t *p = phys_to_virt(pa);
        if (memcmp(p, "RSD PTR ", 8))
            continue;
        uint8_t sum = 0;
        for (int i = 0; i < 20; i++)
            sum += p[i];
        if (sum == 0)
            return pa;
    }
    return 0;
}

void arch_acpi_find_rsdp(struct boot_info *bi)
{
    uint64_t ebda = (uint64_t) * (const uint16_t *)phys_to_virt(0x40e) << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        bi->rsdp_phys = scan(ebda, ebda + 1024);
    if (!bi->rsdp_phys)
        bi->rsdp_phys = scan(0xe0000, 0x100000);
}

const struct acpi_header *acpi_find(const char *sig)
{
    if (!boot_info.rsdp_phys)
        return NULL;
    const uint8_t *rsdp = phys_to_virt(boot_info.rsdp_phys);
    bool xsdt = rsdp[15] >= 2 && acpi_read64(rsdp + 24);
    uint64_t root_pa = xsdt ? acpi_read64(rsdp + 24) : acpi_read32(rsdp + 16);
    const struct acpi_header *root = phys_to_virt(root_pa);
    int width = xsdt ? 8 : 4, n = (root->length - sizeof(*root)) / width;
    const uint8_t *entries = (const uint8_t *)(root + 1);
    for (int i = 0; i < n; i++) {
        uint64_t pa = xsdt ? acpi_read64(entries + i * 8) : acpi_read32(entries + i * 4);
        const struct acpi_header *h = phys_to_virt(pa);
        if (!memcmp(h->signature, sig, 4))
            return h;
    }
    return NULL;
}
