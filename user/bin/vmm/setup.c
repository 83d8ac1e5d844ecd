/* setup.c - the VM, its RAM and its vCPU, and flat guest images: read the
 * file, put it at LOAD_ADDR, start in real mode (user/guests/README.md). */
#include "vmm.h"
#include <sys/stat.h>

/* A setup step failed: say which, with errno's text. */
int fail(const struct vmm *v, const char *what)
{
    fprintf(stderr, "vmm: %s: %s: %s\n", v->image, what, strerror(errno));
    return ST_SETUP;
}

/* Read the whole file at path into a new buffer; NULL with errno if it
 * cannot be read or is longer than max bytes (it would not fit in RAM). */
char *read_image(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) < 0)
        goto out;
    if ((size_t)st.st_size > max) {
        errno = EFBIG;
        goto out;
    }
    buf = malloc(st.st_size + 1); /* + 1: an empty image is not a failure */
    size_t got = 0;
    ssize_t n = 1;
    while (buf && got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
        got += n;
    if (n < 0) {
        free(buf);
        buf = NULL;
    }
    *len = got;
out:
    close(fd);
    return buf;
}

/* Put the image at LOAD_ADDR and the RAM size at RAM_SIZE_ADDR. */
static int load(struct vmm *v, const char *image, size_t len)
{
    if (cowl_vm_memory(v->vm, LOAD_ADDR, (void *)image, len, COWL_VM_WRITE) < 0 ||
        cowl_vm_memory(v->vm, RAM_SIZE_ADDR, &v->ram, sizeof(v->ram), COWL_VM_WRITE) < 0)
        return fail(v, "cowl_vm_memory");
    return 0;
}

struct cowl_seg segment(uint16_t attrib)
{
    return (struct cowl_seg){.selector = 0, .attrib = attrib, .limit = 0xffff, .base = 0};
}

/* The state of a PC's CPU after reset, except that CS:IP is 0:LOAD_ADDR:
 * real mode, segments at 0 with 64 KiB limits, paging and interrupts off. */
static void real_mode_regs(struct cowl_vcpu_regs *r)
{
    memset(r, 0, sizeof(*r));
    r->cs = segment(COWL_SEG_P | COWL_SEG_S | COWL_SEG_TYPE_CODE);
    r->ds = r->es = r->fs = r->gs = r->ss = segment(COWL_SEG_P | COWL_SEG_S | COWL_SEG_TYPE_DATA);
    r->tr = segment(COWL_SEG_P | COWL_SEG_TYPE_TSS); /* a system segment: S clear */
    r->ldtr = segment(COWL_SEG_P | COWL_SEG_TYPE_LDT);
    r->gdtr.limit = r->idtr.limit = 0xffff; /* the real-mode IVT: 256 vectors at 0 */
    r->cr0 = 0x10;                          /* ET: what reset leaves, less CD and NW */
    r->rflags = 2;                          /* bit 1 is always set; IF clear */
    r->rip = LOAD_ADDR;
}

#define DEFAULT_KERNEL "/boot/cowl.elf"
#define DEFAULT_INITRD "/boot/initrd.cpio"

/* /boot/cowl.elf boots with /boot/initrd.cpio unless -i says otherwise. */
void default_initrd(struct vmm *v)
{
    if (!v->initrd && strcmp(v->image, DEFAULT_KERNEL) == 0 && access(DEFAULT_INITRD, R_OK) == 0)
        v->initrd = DEFAULT_INITRD;
}

/* The file first (a missing image is the user's error, whatever the
 * kernel can do), then the VM, its memory and its vCPU.  An ELF file is a
 * PVH kernel (128 MiB of RAM unless -m); anything else a flat guest. */
int setup(struct vmm *v)
{
    size_t len;
    char *image = read_image(v->image, v->ram_given ? v->ram : (uint64_t)KERNEL_MIB << 20, &len);
    if (!image)
        return fail(v, "cannot load the image");
    int kernel = v->kernel = is_elf(image, len);
    if (kernel && !v->ram_given)
        v->ram = (uint64_t)KERNEL_MIB << 20;
    if (!kernel && len > v->ram - LOAD_ADDR) {
        free(image);
        errno = EFBIG;
        return fail(v, "cannot load the image");
    }
    struct cowl_vcpu_regs regs;
    v->vm = cowl_vm_create(v->ram);
    int status = v->vm < 0 ? fail(v, "cowl_vm_create")
                 : kernel  ? load_kernel(v, image, len, &regs)
                           : load(v, image, len);
    free(image);
    if (status)
        return status;
    v->cpu = cowl_vcpu_create(v->vm);
    if (v->cpu < 0)
        return fail(v, "cowl_vcpu_create");
    if (!kernel)
        real_mode_regs(&regs);
    if (cowl_vcpu_regs(v->cpu, &regs, COWL_VCPU_SET) < 0)
        return fail(v, "cowl_vcpu_regs");
    return 0;
}
