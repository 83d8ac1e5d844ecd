/* idt.c - the interrupt descriptor table: one gate per vector, all pointing
 * at the stubs in trapentry.asm.  Double fault, NMI and machine check run on
 * their own IST stacks. */
#include "arch.h"
#include "gdt.h"
#include "trap.h"

struct gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __attribute__((packed));

static struct gate idt[256];
extern const uint64_t trap_stubs[256];

static void set_gate(int v, uint64_t handler, int ist, int dpl)
{
    idt[v] = (struct gate){
        .off0 = handler & 0xffff,
        .sel = SEL_KCODE,
        .ist = ist,
        .type = 0x8e | (dpl << 5), /* present, 64-bit interrupt gate */
        .off1 = (handler >> 16) & 0xffff,
        .off2 = handler >> 32,
    };
}

void idt_init(void)
{
    for (int v = 0; v < 256; v++)
        set_gate(v, trap_stubs[v], 0, 0);
    set_gate(T_DOUBLE_FAULT, trap_stubs[T_DOUBLE_FAULT], IST_DOUBLE_FAULT, 0);
    set_gate(T_NMI, trap_stubs[T_NMI], IST_NMI, 0);
    set_gate(T_MACHINE_CHECK, trap_stubs[T_MACHINE_CHECK], IST_MCE, 0);
    set_gate(T_BREAKPOINT, trap_stubs[T_BREAKPOINT], 0, 3); /* int3 from user */
}

/* Every CPU loads the same table. */
void idt_load_shared(void) { idt_load(idt, sizeof(idt)); }
