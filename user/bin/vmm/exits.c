/* exits.c - the run loop: run the vCPU, answer each exit the kernel did not
 * handle itself (port I/O: the serial port and power off; hypercalls;
 * HLT, MMIO, triple faults), until the guest is done. */
#include "vmm.h"
#include <pthread.h>
#include <time.h>

#define SERIAL_DATA    COWL_VM_SERIAL_PORT
#define SERIAL_LSR     (COWL_VM_SERIAL_PORT + 5) /* line status register */
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY   0x20
#define PRINT_MAX      65536 /* longest string COWL_HC_PRINT takes */
#define ACPI_PM1A_CNT  0x604  /* where QEMU's PC puts it; cowl's arch_power_off */
#define PM1_SLP_EN     0x2000 /* "sleep now": with SLP_TYP 0 (S5), power off */
#define DEBUG_EXIT     0xf4   /* QEMU's isa-debug-exit */

/* A byte from our standard input for the guest; 0 at its end. */
static uint8_t serial_in(void)
{
    uint8_t c;
    return read(STDIN_FILENO, &c, 1) == 1 ? c : 0;
}

/* A kernel is not a flat guest: it polls the line status at every timer
 * tick and drains the data port while "data ready" is set, taking each
 * byte as typed input.  "Data ready" must then mean it: a byte is there
 * now.  vmm has no poll(), so a second thread does the waiting: it reads
 * our standard input a byte at a time into a small queue, and the line
 * status says "data ready" while the queue holds a byte.  The vCPU never
 * waits for the keyboard; at the end of our input the thread ends and the
 * queue stays empty. */
#define INPUT_QUEUE 256
static struct {
    pthread_mutex_t lock;
    uint8_t bytes[INPUT_QUEUE];
    unsigned head, count; /* [lock] */
} input = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *input_thread(void *arg)
{
    (void)arg;
    uint8_t c;
    while (read(STDIN_FILENO, &c, 1) == 1) {
        for (;;) { /* a full queue: the guest is not reading; wait for it */
            pthread_mutex_lock(&input.lock);
            bool room = input.count < INPUT_QUEUE;
            if (room)
                input.bytes[(input.head + input.count++) % INPUT_QUEUE] = c;
            pthread_mutex_unlock(&input.lock);
            if (room)
                break;
            usleep(10000);
        }
    }
    return NULL;
}

static uint8_t kernel_uart_in(struct vmm *v, uint16_t port)
{
    static bool reading; /* one input thread, whichever guest (or clone) asks first */
    if (!reading && !v->mute && !v->no_input) {
        pthread_t t;
        reading = pthread_create(&t, NULL, input_thread, NULL) == 0;
    }
    pthread_mutex_lock(&input.lock);
    bool ready = input.count > 0;
    uint8_t c = 0;
    if (ready && port == SERIAL_DATA) {
        c = input.bytes[input.head];
        input.head = (input.head + 1) % INPUT_QUEUE;
        input.count--;
    }
    pthread_mutex_unlock(&input.lock);
    return port == SERIAL_LSR ? LSR_TX_EMPTY | (ready ? LSR_DATA_READY : 0) : c;
}

/* The two ways a PC under QEMU is switched off (cowl's arch_power_off
 * tries both): ST_RUNNING if this OUT is neither, else the exit status. */
static int power_off(struct vmm *v, const struct cowl_vm_exit *e)
{
    if (e->io.port == ACPI_PM1A_CNT && e->io.size == 2 && (e->io.data & PM1_SLP_EN)) {
        snprintf(v->why, sizeof(v->why), "guest powered off");
        return 0;
    }
    if (e->io.port == DEBUG_EXIT) {
        int status = (int)((e->io.data << 1) | 1); /* what QEMU exits with */
        snprintf(v->why, sizeof(v->why), "guest powered off (isa-debug-exit, status %d)", status);
        return status & 0xff;
    }
    return ST_RUNNING;
}

/* IN and OUT.  The line status register always says "can send" and "input
 * ready": then a guest never blocks on output, and waits for input inside
 * IN from the data port, which blocks in read() - vmm needs no poll().
 * ST_RUNNING, or the exit status if the guest powered off. */
static int handle_io(struct vmm *v, struct cowl_vm_exit *e)
{
    uint16_t port = e->io.port;
    if (e->io.write) {
        int status = power_off(v, e);
        if (status != ST_RUNNING)
            return status;
        if (port == SERIAL_DATA && !v->mute) {
            uint8_t c = e->io.data & 0xff;
            if (v->output)
                v->output(v, c);
            else
                (void)!write(STDOUT_FILENO, &c, 1);
        } else if (port != SERIAL_LSR) {
            v->other_ports++; /* OUT to a device we do not have: ignored */
        }
        return ST_RUNNING;
    }
    if (v->kernel && (port == SERIAL_DATA || port == SERIAL_LSR)) {
        e->io.data = kernel_uart_in(v, port);
    } else if (port == SERIAL_DATA) {
        e->io.data = v->mute ? 0 : serial_in(); /* a clone's input is its buffer */
    } else if (port == SERIAL_LSR) {
        e->io.data = LSR_TX_EMPTY | LSR_DATA_READY;
    } else {
        e->io.data = 0xffffffff; /* no device answers: the bus floats high */
        v->other_ports++;
    }
    return ST_RUNNING;
}

/* COWL_HC_PRINT: the guest's string, copied out of its RAM; -1 if it is not
 * all inside RAM or longer than PRINT_MAX. */
static uint64_t print_guest_string(struct vmm *v, uint64_t gpa, uint64_t len)
{
    char buf[4096];
    if (len > PRINT_MAX)
        return -1;
    if (v->mute)
        return 0;
    for (uint64_t done = 0; done < len;) {
        size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        if (cowl_vm_memory(v->vm, gpa + done, buf, n, COWL_VM_READ) < 0)
            return -1;
        (void)!write(STDOUT_FILENO, buf, n);
        done += n;
    }
    return 0;
}

/* A hypercall: sets its result (the guest's RAX), or returns the exit
 * status if the guest is done. */
static int handle_hypercall(struct vmm *v, struct cowl_vm_exit *e)
{
    uint64_t *arg = e->hypercall.args;
    switch (e->hypercall.nr) {
    case COWL_HC_NOP: /* the kernel answers these; harmless if it did not */
        e->hypercall.ret = 0;
        return ST_RUNNING;
    case COWL_HC_PRINT:
        e->hypercall.ret = print_guest_string(v, arg[0], arg[1]);
        return ST_RUNNING;
    case COWL_HC_REPORT:
        if (!v->mute)
            printf("vmm: report: %lu\n", (unsigned long)arg[0]);
        e->hypercall.ret = 0;
        return ST_RUNNING;
    case COWL_HC_EXIT:
        snprintf(v->why, sizeof(v->why), "guest exited with status %lu", (unsigned long)arg[0]);
        return arg[0] & 0xff;
    case COWL_HC_SNAPSHOT: /* only a fork server takes snapshots */
        if (v->fork_server)
            return ST_SNAPSHOT;
        e->hypercall.ret = -1;
        return ST_RUNNING;
    case COWL_HC_TEST_READY: /* only a test server forks a guest per test */
        if (v->test_server)
            return ST_SNAPSHOT;
        e->hypercall.ret = -1;
        return ST_RUNNING;
    default:
        e->hypercall.ret = -1;
        return ST_RUNNING;
    }
}

static int time_is_up(struct vmm *v, unsigned long rip)
{
    snprintf(v->why, sizeof(v->why), "still running after %u s, rip 0x%lx", v->timeout_ms / 1000,
             rip);
    return ST_TIMEOUT;
}

/* One exit: ST_RUNNING to run the guest on, or the status to end with. */
static int handle_exit(struct vmm *v, struct cowl_vm_exit *e)
{
    unsigned long rip = e->rip;
    switch (e->kind) {
    case COWL_EXIT_IO:
        return handle_io(v, e);
    case COWL_EXIT_HYPERCALL:
        return handle_hypercall(v, e);
    case COWL_EXIT_HLT:
        snprintf(v->why, sizeof(v->why), "guest halted (rip 0x%lx)", rip);
        return 0;
    case COWL_EXIT_MMIO:
        snprintf(v->why, sizeof(v->why), "MMIO %s at gpa 0x%lx, rip 0x%lx",
                 e->mmio.write ? "write" : "read", (unsigned long)e->mmio.gpa, rip);
        return ST_MMIO;
    case COWL_EXIT_SHUTDOWN:
        snprintf(v->why, sizeof(v->why), "guest triple-faulted (shutdown), rip 0x%lx", rip);
        return ST_SHUTDOWN;
    case COWL_EXIT_TIMEOUT:
        return time_is_up(v, rip);
    case COWL_EXIT_UNHANDLED:
        snprintf(v->why, sizeof(v->why),
                 "unhandled exit 0x%lx (info1 0x%lx, info2 0x%lx), rip 0x%lx",
                 (unsigned long)e->unhandled.code, (unsigned long)e->unhandled.info1,
                 (unsigned long)e->unhandled.info2, rip);
        return ST_UNHANDLED;
    default:
        snprintf(v->why, sizeof(v->why), "unknown exit kind %u, rip 0x%lx", e->kind, rip);
        return ST_UNHANDLED;
    }
}

/* Run the vCPU until the guest is done (or snapshots, or hangs).  The same
 * exit record goes back into every run: that is how the answer to an IN or
 * a hypercall gets in; *e starts as the answer to the vCPU's pending exit. */
int run_from(struct vmm *v, struct cowl_vm_exit *e)
{
    for (;;) {
        if (v->max_exits && v->exits >= v->max_exits)
            return ST_HANG;
        long left = v->deadline_ms ? v->deadline_ms - now_ms() : 0;
        if (v->deadline_ms && left <= 0)
            return time_is_up(v, e->rip);
        e->timeout_ms = (uint32_t)left; /* the kernel stops a guest that makes no exits */
        if (cowl_vcpu_run(v->cpu, e) < 0)
            return fail(v, "cowl_vcpu_run");
        v->exits++;
        int status = handle_exit(v, e);
        if (status != ST_RUNNING)
            return status;
    }
}

/* Start the clock of -w for a run from now (none without -w). */
void arm_timeout(struct vmm *v)
{
    v->deadline_ms = v->timeout_ms ? now_ms() + v->timeout_ms : 0;
}

int run(struct vmm *v)
{
    arm_timeout(v);
    struct cowl_vm_exit e;
    memset(&e, 0, sizeof(e));
    return run_from(v, &e);
}

long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
