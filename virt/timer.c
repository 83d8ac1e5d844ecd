/* timer.c - a vCPU's paravirtual timer (COWL_HC_TIMER).  A guest kernel
 * needs a clock interrupt, and cowl's hypervisor emulates no interrupt
 * controller: instead the guest asks for a periodic tick by hypercall,
 * and before each VMRUN the run loop raises the tick as a virtual
 * interrupt (V_IRQ in the VMCB) once it is due.  The CPU delivers it when
 * the guest has interrupts on, through the guest's own IDT, and clears
 * V_IRQ itself; the guest has nothing to acknowledge.  A guest that halts
 * with the timer running sleeps in the host until its next tick: an idle
 * guest costs no CPU.
 *
 *   guest: COWL_HC_TIMER(10 ms, vector 32) ... sti; hlt
 *   host:  HLT exit -> sleep until due -> V_IRQ = 32 -> VMRUN
 *   guest: interrupt 32 -> its handler -> iret -> after the hlt */
#include "kernel/sched.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "virt/vm.h"

#define V_INTR_PRIO_HIGHEST (0xfu << 16)

uint64_t vtimer_set(struct vcpu *v, uint64_t period_ns, uint64_t vector)
{
    if (period_ns && (period_ns < COWL_HC_TIMER_MIN_NS || vector < 32 || vector > 255))
        return (uint64_t)-1;
    v->timer_period_ns = period_ns;
    v->timer_vector = (uint8_t)vector;
    v->timer_next_ns = time_now_ns() + period_ns;
    return 0;
}

void vtimer_inject(struct vcpu *v)
{
    if (!v->timer_period_ns)
        return;
    uint64_t now = time_now_ns();
    if (now < v->timer_next_ns)
        return;
    struct vmcb_control *c = &v->vmcb->control;
    c->int_vector = v->timer_vector;
    c->int_ctl |= SVM_V_IRQ | SVM_V_IGN_TPR | V_INTR_PRIO_HIGHEST;
    /* Ticks missed while the guest did not run are not made up: one is
     * enough to tell it time passed (its clock is the TSC). */
    v->timer_next_ns += v->timer_period_ns;
    if (v->timer_next_ns <= now)
        v->timer_next_ns = now + v->timer_period_ns;
    virt_count(timer_ticks, 1);
}

bool vtimer_halt(struct vcpu *v)
{
    if (!v->timer_period_ns || !(v->vmcb->save.rflags & RFLAGS_IF))
        return false; /* nothing could wake it: the monitor decides */
    uint64_t now = time_now_ns();
    if (v->timer_next_ns > now)
        sched_sleep_us((v->timer_next_ns - now + 999) / 1000); /* killable */
    return true;
}
