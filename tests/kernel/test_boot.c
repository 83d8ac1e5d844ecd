/* test_boot.c - the normalized boot record, whichever loader filled it.
 * The test runner passes expect_loader=pvh|multiboot2 on the command line. */
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/pmm.h"

KTEST(boot, loader_matches)
{
    const char *want = cmdline_get("expect_loader");
    ASSERT(want != NULL);
    EXPECT(!strcmp(boot_info.loader, want));
}

KTEST(boot, memory_map)
{
    uint64_t usable = 0;
    for (int i = 0; i < boot_info.nmmap; i++)
        if (boot_info.mmap[i].type == MEM_USABLE)
            usable += boot_info.mmap[i].len;
    EXPECT(usable >= 64 * MiB);
    /* Everything usable went to the allocator except holes we can name. */
    EXPECT(pmm_total_pages() * PAGE_SIZE <= usable);
    EXPECT(pmm_total_pages() * PAGE_SIZE >= usable / 2);
}

KTEST(boot, acpi_rsdp)
{
    if (arch_paravirt()) /* vmm builds no ACPI tables (docs/virt.md section 18) */
        SKIP("a guest of cowl's hypervisor has no ACPI");
    ASSERT(boot_info.rsdp_phys != 0);
    const uint8_t *r = phys_to_virt(boot_info.rsdp_phys);
    EXPECT(!memcmp(r, "RSD PTR ", 8));
    uint8_t sum = 0;
    for (int i = 0; i < 20; i++)
        sum += r[i];
    EXPECT_EQ(sum, 0);
}

KTEST(boot, cmdline_reaches_kernel)
{
    EXPECT(cmdline_get("test") != NULL);
    EXPECT(strstr(boot_info.cmdline, "test=") != NULL);
}

/* The runner hands every boot the initrd as a module (QEMU -initrd, or GRUB
 * module2): a cpio archive, which must arrive intact on pages that never
 * reach the page allocator. */
#define CPIO_MAGIC "070701"

KTEST(boot, module_reserved)
{
    if (!cmdline_get("expect_module"))
        SKIP("booted without expect_module=1");
    ASSERT(boot_info.nmodules >= 1);
    const struct boot_module *m = &boot_info.modules[0];
    ASSERT(m->end > m->start);
    EXPECT(!memcmp(phys_to_virt(m->start), CPIO_MAGIC, strlen(CPIO_MAGIC)));
    uint64_t not_reserved = 0;
    for (uint64_t pa = ALIGN_DOWN(m->start, PAGE_SIZE); pa < m->end; pa += PAGE_SIZE)
        not_reserved += phys_to_page(pa)->kind != PAGE_RESERVED;
    EXPECT_EQ(not_reserved, 0);
}
