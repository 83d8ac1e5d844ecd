"""cowl.py - gdb commands that show cowl's processes, address spaces, page
tables, physical pages, virtual machines and kernel log.  tools/gdbinit
sources this file, so `make debug` has them; `help cowl` lists them,
`help cowl-walk` (etc.) explains one.

They read kernel memory through QEMU's gdb stub, which translates addresses
with the page tables of the CPU gdb has selected.  The kernel half (the
direct map of physical memory and the kernel image) is the same in every
address space, so they work wherever the CPU stopped, in the kernel or in a
user program.  Nothing here writes to the machine.

Where the numbers come from:
  processes  all_processes (kernel/process.c), struct process (kernel/process.h),
             each with its list of struct thread (kernel/thread.h)
  CPUs       cpu_table[0..ncpus) (arch/x86_64/smp.c), struct cpu (kernel/cpu.h)
  memory     struct mm and struct vma (mm/vm.h)
  VMs        all_vms (virt/vm.c), struct vm (virt/vm.h): a VM's guest-physical
             space is a struct mm whose page tables are the nested tables;
             its vCPUs on vm->vcpus (struct vcpu: the VMCB and gprs)
  tables     the entries themselves, read through the direct map; each table
             page's struct page (mm/page.h) for its refcount
  log        log_buf / log_head (kernel/printk.c)
"""
import os

import gdb

DIRECT_MAP_BASE = 0xFFFF800000000000  # arch/x86_64/arch.h: all RAM at phys + this
KERNEL_VMA = 0xFFFFFFFF80000000  # the kernel image at phys + this
PAGE_SHIFT = 12
ADDR_MASK = 0x000FFFFFFFFFF000
LEVEL_NAME = {4: "PML4", 3: "PDPT", 2: "PD", 1: "PT"}
# arch/x86_64/pte.h, in the order they are printed
PTE_FLAGS = [(0, "P"), (1, "W"), (2, "U"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"),
             (7, "PS"), (8, "G"), (9, "COW_TABLE"), (63, "NX")]
STATE = {0: "new", 1: "runnable", 2: "running", 3: "sleeping", 4: "zombie"}
PAGE_KIND = {0: "reserved", 1: "free", 2: "free (tail)", 3: "kernel", 4: "heap",
             5: "table", 6: "user"}
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---- reading the kernel's data

def ev(expr):
    return gdb.parse_and_eval(expr)


def u64(value):
    return int(value) & 0xFFFFFFFFFFFFFFFF


def address_arg(text):
    """An address argument: a number, an expression, or a function's name."""
    value = ev(text)
    if value.type.code == gdb.TYPE_CODE_FUNC:
        value = value.address
    return u64(value)


class Memory:
    """How the commands read kernel memory.  Normally through gdb, by
    virtual address.  While the selected CPU runs a guest, QEMU's stub
    translates addresses with the guest's CR3 (without the nested tables),
    so the host's memory cannot be read that way; then (phys) the VM
    commands read it by physical address, QEMU's PhyMemMode (HostMemory)."""
    phys = False


def phys_mem_mode(on):
    """QEMU's gdb stub: memory accesses by physical address (1) or virtual (0)."""
    gdb.execute("maintenance packet Qqemu.PhyMemMode:%d" % on, to_string=True)


def read_bytes(addr, n):
    """n bytes of kernel memory at kernel virtual address addr."""
    if Memory.phys:
        addr = virt_to_phys(addr)
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def read_u64(addr):
    return int.from_bytes(read_bytes(addr, 8), "little")


def kobj(struct, addr):
    """The struct (a type name) at kernel virtual address addr, read now,
    as a gdb.Value of its bytes: follow its pointers with kobj again, not
    with gdb's dereference (which would read by virtual address)."""
    t = ev("(%s *)0" % struct).type.target()
    return gdb.Value(read_bytes(addr, t.sizeof), t)


def symbol_addr(name):
    return u64(ev("&%s" % name))


def kobj_list(head_addr, struct, field):
    """[(address, struct value)] linked into the list at head_addr through
    field, read as kobj reads."""
    off = offset_of(struct, field)
    out, node = [], read_u64(head_addr)
    while node != head_addr:
        out.append((node - off, kobj(struct, node - off)))
        node = read_u64(node)  # next is the first field of struct list_head
    return out


def phys_to_virt(pa):
    return DIRECT_MAP_BASE + pa


def virt_to_phys(va):
    return va - KERNEL_VMA if va >= KERNEL_VMA else va - DIRECT_MAP_BASE


def offset_of(struct, field):
    return u64(ev("(unsigned long)&((%s *)0)->%s" % (struct, field)))


def list_entries(head_expr, struct, field):
    """The structs linked into the list at head_expr through `field`."""
    head = ev("&(%s)" % head_expr)
    off = offset_of(struct, field)
    ptr_type = ev("(%s *)0" % struct).type
    node = head["next"]
    while u64(node) != u64(head):
        yield gdb.Value(u64(node) - off).cast(ptr_type).dereference()
        node = node["next"]


def cpus():
    """[struct cpu] for every CPU the kernel knows (just the boot CPU early on)."""
    try:
        n = int(ev("ncpus"))
        table = ev("cpu_table")
        out = [table[i].dereference() for i in range(n) if u64(table[i])]
    except gdb.error:
        out = []
    return out or [ev("boot_cpu")]


def selected_cpu():
    """The struct cpu of the CPU gdb has selected (gdb thread N is CPU N-1:
    QEMU lists vCPUs in the order the kernel numbers them, MADT order)."""
    n = gdb.selected_thread().num - 1
    all_cpus = cpus()
    return all_cpus[n] if 0 <= n < len(all_cpus) else all_cpus[0]


def processes():
    return list(list_entries("all_processes", "struct process", "all_link"))


def threads():
    """Every thread in the process table (struct thread), process by process."""
    out = []
    for p in processes():
        out += list_entries("((struct process *)%#x)->threads" % u64(p.address),
                            "struct thread", "proc_link")
    return out


def current_thread():
    cur = selected_cpu()["current"]
    return cur.dereference() if u64(cur) else None


def find_thread(tid):
    """The thread with this id (a process's pid is its first thread's id)."""
    for t in threads():
        if int(t["tid"]) == tid:
            return t
    for t in threads():  # the first thread may have exited: any thread of pid
        if int(t["proc"]["pid"]) == tid:
            return t
    raise gdb.GdbError("no thread or process with id %d" % tid)


def thread_for(arg):
    """The thread named by an id argument, or the selected CPU's current one."""
    if arg:
        return find_thread(int(ev(arg)))
    t = current_thread()
    if t is None:
        raise gdb.GdbError("this CPU runs nothing yet; give a pid")
    return t


def pid_of(t):
    return int(t["proc"]["pid"])


def mm_of(t):
    mm = t["proc"]["mm"]
    if not u64(mm):
        raise gdb.GdbError("pid %d (%s) has no address space (a kernel thread, or exiting)"
                           % (pid_of(t), proc_name(t)))
    return mm.dereference()


def struct_page_addr(pa):
    """Where pa's struct page is (kernel virtual), or None beyond page_array."""
    if pa >> PAGE_SHIFT >= read_u64(symbol_addr("page_array_len")):
        return None
    return read_u64(symbol_addr("page_array")) + (pa >> PAGE_SHIFT) * int(ev("sizeof(struct page)"))


def struct_page(pa):
    length = read_u64(symbol_addr("page_array_len"))
    pfn = pa >> PAGE_SHIFT
    if pfn >= length:
        return None
    size = int(ev("sizeof(struct page)"))
    return kobj("struct page", read_u64(symbol_addr("page_array")) + pfn * size)


def flags_text(e):
    names = [name for bit, name in PTE_FLAGS if e & (1 << bit)]
    return " ".join(names) if names else "-"


def proc_name(t):
    """The name of a thread's process (the program it runs)."""
    return t["proc"]["name"].string()


class WalkEnd:
    """Where walk() stopped: present (a page reached) or not, at which
    level; for a page, its size, the physical address reached (target), the
    page's physical address, kind and refcount, and whether every entry on
    the path had W and U."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def walk(va, table, entry_note=None):
    """Walk va from the PML4 at kernel virtual address `table`, printing
    each level: the table's physical address and refcount (shared or
    private), the entry va selects and its flags; entry_note(entry, level)
    may add words to an entry's line.  Sets $cowl_pml4, and $cowl_page when
    a 4 KiB page is reached.  Returns a WalkEnd; prints nothing after the
    last level, which the caller explains in its own words."""
    writable = user = True
    cow_above = False
    gdb.set_convenience_variable("cowl_pml4", virt_to_phys(table))
    for level in (4, 3, 2, 1):
        index = (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511
        pa = virt_to_phys(table)
        page = struct_page(pa)
        refs = int(page["refcount"]) if page is not None else 0
        if refs > 1:
            share = "shared by %d" % refs
        elif cow_above:  # marked shared, but the other sharers have gone
            share = "private; the entry above still says COW_TABLE: a write takes it back"
        else:
            share = "private"
        e = read_u64(table + 8 * index)
        note = entry_note(e, level) if entry_note else ""
        print("  %-4s at %#011x refcount %d (%s)" % (LEVEL_NAME[level], pa, refs, share))
        print("       [%3d] = %#018x  %s%s" % (index, e, flags_text(e), note))
        if not e & 1:
            return WalkEnd(present=False, level=level)
        writable = writable and bool(e & 2)
        user = user and bool(e & 4)
        cow_above = bool(e & (1 << 9))
        if level > 1 and e & (1 << 7):
            size = 1 << (PAGE_SHIFT + 9 * (level - 1))
            return WalkEnd(present=True, level=level, size=size, writable=writable, user=user,
                           target=(e & ADDR_MASK) + (va & (size - 1)))
        table = phys_to_virt(e & ADDR_MASK)
    gdb.set_convenience_variable("cowl_page", e & ADDR_MASK)
    page = struct_page(e & ADDR_MASK)
    return WalkEnd(present=True, level=1, size=1 << PAGE_SHIFT, writable=writable, user=user,
                   target=(e & ADDR_MASK) | (va & 0xFFF), page_pa=e & ADDR_MASK,
                   refs=int(page["refcount"]) if page is not None else 0,
                   kind=PAGE_KIND.get(int(page["kind"]), "?") if page is not None else "not RAM")


def vms():
    """Every virtual machine (struct vm, virt/vm.h), oldest first, as
    (address, value) pairs."""
    return kobj_list(symbol_addr("all_vms"), "struct vm", "link")


def find_vm(arg):
    """The VM with this id, or with no argument the only (or first) one;
    (address, value)."""
    all_vms = vms()
    if not all_vms:
        raise gdb.GdbError("no virtual machines (all_vms is empty)")
    if not arg:
        return all_vms[0]
    vm_id = int(ev(arg))
    for vm in all_vms:
        if int(vm[1]["id"]) == vm_id:
            return vm
    raise gdb.GdbError("no VM with id %d (cowl-vms lists them)" % vm_id)


def vm_pml4(vm):
    """The kernel virtual address of a VM's nested PML4 (its mm's)."""
    return u64(kobj("struct mm", u64(vm["mm"]))["pml4"])


def vcpus_of(vm_addr):
    """A VM's vCPUs (struct vcpu, virt/vm.h), oldest first, as (address, value)."""
    return kobj_list(vm_addr + offset_of("struct vm", "vcpus"), "struct vcpu", "vm_link")


def selected_cpu_id():
    """The kernel's number of the CPU gdb has selected (see selected_cpu)."""
    return gdb.selected_thread().num - 1


def vcpu_in_guest_here():
    """(vm, vcpu) values of the vCPU in the guest on the selected CPU, or
    None; reads by physical address (call with Memory.phys set)."""
    cpu = selected_cpu_id()
    for vm_addr, vm in vms():
        for _, v in vcpus_of(vm_addr):
            if bool(v["in_guest"]) and int(v["last_cpu"]) == cpu:
                return vm, v
    return None


class HostMemory:
    """with HostMemory() as h: the block reads the host kernel's memory
    right whether the selected CPU runs the host or a guest; h.guest is
    (vm, vcpu) when it runs a guest (the host's memory is then read by
    physical address), else None.  Outside QEMU's stub (no PhyMemMode),
    always by virtual address."""

    def __enter__(self):
        self.guest = None
        try:
            phys_mem_mode(1)
        except gdb.error:
            return self
        Memory.phys = True
        try:
            self.guest = vcpu_in_guest_here()
        except gdb.error:
            self.guest = None
        if self.guest is None:
            self.__exit__()
        return self

    def __exit__(self, *exc):
        if Memory.phys:
            Memory.phys = False
            phys_mem_mode(0)


def size_text(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return "%d %s" % (n >> shift, unit)
    return "%d bytes" % n


# ---- the commands

class CowlPrefix(gdb.Command):
    """cowl's gdb commands (tools/gdb/cowl.py; docs/debugging.md).

cowl-ps              processes and threads: pid, process, name, state, CPU
cowl-bt PID          the kernel backtrace of a thread that is not running
cowl-vm [PID]        an address space: page table root and regions (VMAs)
cowl-walk VA [PID]   walk one virtual address PML4 -> PDPT -> PD -> PT
cowl-vms             virtual machines: id, RAM, ASID, nested PML4, references
cowl-nwalk GPA [VMID] walk a guest-physical address through a VM's nested tables
cowl-vcpus [VMID]    a VM's vCPUs: registers, mode, where they run
cowl-gwalk GVA [VMID [VCPU]] walk a guest-virtual address: the guest's tables,
                     each reached through the nested ones, then the nested walk
cowl-gbt [VMID [VCPU]] the guest kernel's backtrace (gdb's bt cannot read a guest)
cowl-page ADDR       the struct page of a physical page (or direct-map address)
cowl-dmesg [LINES]   the kernel log buffer (the last LINES lines)
cowl-user PROGRAM    load a user program's symbols (BUILD/user/bin or tests)
$cowl_pid()          the pid of the process running on the selected CPU (for
                     conditions: hbreak fork if $cowl_pid() == 3)
$cowl_tid()          the id of the thread running there
$cowl_in_guest()     1 while the selected CPU runs a guest (VMRUN to #VMEXIT):
                     hbreak sys_fork if $cowl_in_guest()"""

    def __init__(self):
        super().__init__("cowl", gdb.COMMAND_USER, prefix=True)

    def invoke(self, arg, from_tty):
        gdb.execute("help cowl")


class CowlPs(gdb.Command):
    """List processes and threads.

Usage: cowl-ps

One line per thread: its id (TID; a process's first thread has the
process's pid), the pid of its process, state, the CPU it runs on (or last
ran on, or is queued on), and the process's name.  '*' marks the thread
running on the CPU gdb has selected.  A thread that is not its process's
first shows (thread); a process without an address space (a kernel
thread) shows [kernel].  Then one line per CPU: what it runs now.  Data:
all_processes in kernel/process.c, struct process in kernel/process.h,
struct thread in kernel/thread.h, cpu_table in arch/x86_64/smp.c."""

    def __init__(self):
        super().__init__("cowl-ps", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        cur = current_thread()
        cur_addr = u64(cur.address) if cur is not None else 0
        print("  %5s %5s  %-9s %3s  %s" % ("TID", "PID", "STATE", "CPU", "NAME"))
        for t in threads():
            cpu = t["cpu"]
            cpu_text = str(int(cpu["id"])) if u64(cpu) else "-"
            state = STATE.get(int(t["state"]), str(int(t["state"])))
            kind = "" if u64(t["proc"]["mm"]) or state == "zombie" else " [kernel]"
            thread = "" if pid_of(t) == int(t["tid"]) else " (thread)"
            mark = "*" if u64(t.address) == cur_addr else " "
            print("%s %5d %5d  %-9s %3s  %s%s%s" % (mark, int(t["tid"]), pid_of(t), state,
                                                   cpu_text, proc_name(t), thread, kind))
        for c in cpus():
            run = c["current"]
            what = "idle" if not u64(run) or bool(run["is_idle"]) else \
                "pid %d (%s)" % (pid_of(run), proc_name(run))
            print("cpu %d: %s, %d queued, %d ticks" % (int(c["id"]), what, int(c["nr_queued"]),
                                                       int(c["ticks"])))


class CowlVm(gdb.Command):
    """Show an address space: its page table and regions.

Usage: cowl-vm [PID]     (default: the process on the selected CPU)

Prints the PML4's physical address, how many threads use the address
space, the heap (brk) and where mmap looks next, then every region
(struct vma, mm/vm.h) with its permissions and size.  A page inside a
region but not yet touched is not mapped: the first access faults it in
(demand-zero).  Walk one address with cowl-walk."""

    def __init__(self):
        super().__init__("cowl-vm", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        t = thread_for(arg.strip())
        mm = mm_of(t)
        pml4 = u64(mm["pml4"])
        print("pid %d (%s): mm %#x, PML4 at phys %#x, %d users" % (
            pid_of(t), proc_name(t), u64(mm.address), virt_to_phys(pml4), int(mm["users"])))
        print("  heap %#x-%#x, next mmap at %#x" % (u64(mm["brk_start"]), u64(mm["brk"]),
                                                  u64(mm["mmap_next"])))
        print("  %-18s %-18s %-4s %10s" % ("START", "END", "PROT", "SIZE"))
        for v in list_entries("((struct mm *)%#x)->vmas" % u64(mm.address), "struct vma", "link"):
            prot = int(v["prot"])
            text = ("r" if prot & 1 else "-") + ("w" if prot & 2 else "-") + \
                ("x" if prot & 4 else "-")
            size = u64(v["end"]) - u64(v["start"])
            print("  %#018x %#018x %-4s %9dK" % (u64(v["start"]), u64(v["end"]), text,
                                                 size // 1024))


class CowlWalk(gdb.Command):
    """Walk one virtual address through the page tables.

Usage: cowl-walk VA [PID]     (default: the process on the selected CPU)

For each level, PML4 -> PDPT -> PD -> PT: the table's physical address,
the index VA selects, the entry's value and flags (P W U A D PS G NX, and
COW_TABLE: this entry points to a table shared by fork), and the table
page's refcount: how many entries, across all address spaces, point to it.
refcount > 1 means shared (fork shares tables; the first write under a
COW_TABLE entry unshares them, mm/share.c); 1 means private.  Ends with the
physical page and its refcount, or where the walk stopped.  Write access
needs W at every level: one COW_TABLE entry on the path makes it
read-only, which is what sends the first write to the fault handler.
Sets $cowl_pml4 and $cowl_page to the physical addresses of the PML4 and of
the page reached, for cowl-page."""

    def __init__(self):
        super().__init__("cowl-walk", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not args:
            raise gdb.GdbError("usage: cowl-walk VA [PID]")
        va = u64(ev(args[0]))
        t = thread_for(args[1] if len(args) > 1 else "")
        if va >= 0x0000800000000000:
            table = u64(ev("kernel_pml4"))
            print("%#x is a kernel address: walking kernel_pml4" % va)
        else:
            table = u64(mm_of(t)["pml4"])
            print("%#x in pid %d (%s)" % (va, pid_of(t), proc_name(t)))
        end = walk(va, table)
        if not end.present:
            print("  not mapped: the walk stops at the %s (a first touch inside a region "
                  "faults a page in)" % LEVEL_NAME[end.level])
        elif end.level > 1:
            print("  a %d KiB page: %#x -> phys %#x" % (end.size // 1024, va, end.target))
        else:
            print("  page at %#x (%s, refcount %d): %#x -> phys %#x, %s" % (
                end.page_pa, end.kind, end.refs, va, end.target,
                "writable" if end.writable else "read-only (a write faults: COW)"))


class CowlVms(gdb.Command):
    """List the virtual machines.

Usage: cowl-vms

One line per VM (all_vms in virt/vm.c, struct vm in virt/vm.h): its id,
the size of its guest RAM (guest-physical 0 up to that size), its ASID
(the tag that keeps its TLB entries apart from the host's), the physical
address of its nested PML4 and the references that hold it (the
monitor's descriptor, each vCPU).  The nested PML4 is the root of the
VM's struct mm, whose page tables ARE the nested page tables the CPU
walks for guest-physical addresses (the VMCB's nested_cr3).  Walk one
guest-physical address with cowl-nwalk."""

    def __init__(self):
        super().__init__("cowl-vms", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        with HostMemory():
            all_vms = vms()
            if not all_vms:
                print("no virtual machines")
                return
            print("  %3s %10s %5s  %-11s  %4s  %s" % ("ID", "RAM", "ASID", "NESTED PML4",
                                                     "REFS", "MM"))
            for _, vm in all_vms:
                print("  %3d %10s %5d  %#011x  %4d  %#x" % (
                    int(vm["id"]), size_text(u64(vm["ram_bytes"])), int(vm["asid"]),
                    virt_to_phys(vm_pml4(vm)), int(vm["refs"]), u64(vm["mm"])))


def nested_entry_note(e, level):
    """cowl-nwalk's word on an entry: a nested walk is a user access, so a
    present entry without U stops the guest's access (a nested page fault)."""
    if e & 1 and not e & 4:
        return "  <- no U: the CPU's nested walk faults here"
    return ""


class CowlNwalk(gdb.Command):
    """Walk one guest-physical address through a VM's nested page tables.

Usage: cowl-nwalk GPA [VMID]     (default: the only VM, or the first)

A guest's own page tables (in guest RAM) turn its virtual addresses into
guest-physical ones; the VM's nested tables turn those into host-physical
addresses.  The nested tables are the page tables of the VM's struct mm
(virt/vm.c), so this walk is cowl-walk's, from that mm's PML4: for each
level the table's physical address and refcount, the entry and its flags.
The CPU makes every nested access as a user access: U must be set at every
level, or the guest's access faults.  Ends with the host-physical page
reached, or why there is none: not touched yet (the guest's first access
is a nested page fault, exit 0x400, which vm_fault fills with a zeroed
page) or beyond the VM's RAM (an MMIO exit for the monitor).  Sets
$cowl_pml4 and $cowl_page like cowl-walk, for cowl-page."""

    def __init__(self):
        super().__init__("cowl-nwalk", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not args:
            raise gdb.GdbError("usage: cowl-nwalk GPA [VMID]")
        gpa = u64(ev(args[0]))
        with HostMemory():
            _, vm = find_vm(args[1] if len(args) > 1 else "")
            self.nwalk(vm, gpa)

    @staticmethod
    def nwalk(vm, gpa):
        ram = u64(vm["ram_bytes"])
        print("guest-physical %#x in VM %d (%s of RAM, ASID %d)" % (
            gpa, int(vm["id"]), size_text(ram), int(vm["asid"])))
        end = walk(gpa, vm_pml4(vm), nested_entry_note)
        if not end.present and gpa >= ram:
            print("  not mapped: beyond the VM's RAM, an access is an MMIO exit to the monitor")
        elif not end.present:
            print("  not mapped: the walk stops at the %s (the guest's first access is a "
                  "nested page fault, which vm_fault fills with a zeroed page)"
                  % LEVEL_NAME[end.level])
        else:
            what = "page at %#x (%s, refcount %d)" % (end.page_pa, end.kind, end.refs) \
                if end.level == 1 else "a %d KiB page" % (end.size // 1024)
            print("  %s: guest-physical %#x -> host-physical %#x, %s, %s" % (
                what, gpa, end.target, "U at every level" if end.user else
                "U missing: the guest's access faults", "writable" if end.writable else
                "read-only (a guest write is a nested page fault)"))


# ---- a VM's vCPUs, and the guest's own page tables

CR0_PE, CR0_PG = 1 << 0, 1 << 31
CR4_PAE, CR4_LA57 = 1 << 5, 1 << 12
EFER_LMA = 1 << 10
CS_L = 1 << 9  # the VMCB's attrib: bits 8-11 are AVL/L/D/G
EXIT_NAME = {0x060: "host interrupt", 0x072: "CPUID", 0x078: "HLT", 0x07B: "I/O port",
             0x07C: "MSR", 0x07F: "shutdown", 0x081: "VMMCALL (hypercall)",
             0x400: "nested page fault"}


def find_vcpu(vm_addr, vm, arg):
    """The VM's vCPU with this index (cowl-vcpus numbers them from 0): (n, value)."""
    all_vcpus = vcpus_of(vm_addr)
    if not all_vcpus:
        raise gdb.GdbError("VM %d has no vCPUs" % int(vm["id"]))
    n = int(ev(arg)) if arg else 0
    if not 0 <= n < len(all_vcpus):
        raise gdb.GdbError("VM %d has no vCPU %d (it has %d)" % (int(vm["id"]), n,
                                                                len(all_vcpus)))
    return n, all_vcpus[n][1]


def vmcb_regs(save):
    """The registers cowl-gwalk needs, from a VMCB save area."""
    return {"cr0": u64(save["cr0"]), "cr3": u64(save["cr3"]), "cr4": u64(save["cr4"]),
            "efer": u64(save["efer"]), "cs_attrib": int(save["cs"]["attrib"])}


def guest_mode(r):
    """The guest's CPU mode and paging, in words, from its registers
    (vmcb_regs, or live_regs: without CS's attributes)."""
    cr0, efer = r["cr0"], r["efer"]
    if not cr0 & CR0_PE:
        return "real mode, paging off"
    if efer & EFER_LMA:
        code = "" if "cs_attrib" not in r else \
            " (64-bit code)" if r["cs_attrib"] & CS_L else " (compatibility mode)"
        levels = 5 if r["cr4"] & CR4_LA57 else 4
        return "long mode%s, %d-level paging" % (code, levels)
    paging = "paging off" if not cr0 & CR0_PG else \
        "PAE paging" if r["cr4"] & CR4_PAE else "32-bit paging"
    return "protected mode (32-bit), %s" % paging


def symbol_text(addr):
    """<function+offset> for an address in cowl.elf, or ''.  A guest cowl
    runs the same image at the same addresses: the host's symbols fit."""
    try:
        text = gdb.execute("info symbol %#x" % addr, to_string=True)
    except gdb.error:
        return ""
    if text.startswith("No symbol"):
        return ""
    name = text.split(" in section")[0].replace(" + ", "+")
    return " <%s>" % name


def vcpu_where(v):
    """Where a vCPU's registers are now, in words."""
    cpu = int(v["last_cpu"])
    if bool(v["in_guest"]):
        return ("running in the guest on CPU %d now: its registers are in that CPU; the "
                "VMCB and gprs below are stale (from before this VMRUN)" % cpu)
    if cpu < 0:
        return "never ran"
    return "not in the guest (last ran on CPU %d): the VMCB holds its registers" % cpu


class CowlVcpus(gdb.Command):
    """Show a VM's virtual CPUs and their registers.

Usage: cowl-vcpus [VMID]     (default: the only VM, or the first)

For each vCPU (vm->vcpus, struct vcpu in virt/vm.h), numbered from 0 as
cowl-gwalk takes them: where its registers are, which CPU it last ran on,
the guest's mode (real, protected, long; paging), RIP (with the host's
symbol: a guest cowl runs the same cowl.elf), RSP, RFLAGS, the control
registers CR0 CR2 CR3 CR4 and EFER, CS, and the last exit.  RAX, RSP, RIP,
the control registers and the segments come from the VMCB's save area,
which the CPU writes at #VMEXIT; the other general registers from
struct vcpu's gprs, which svm_run saves.  While a vCPU runs in the guest
(between VMRUN and #VMEXIT) its real registers are in the CPU, and both
are stale: gdb then shows the guest's own registers on that CPU
(docs/debugging.md, "Debugging a guest cowl")."""

    def __init__(self):
        super().__init__("cowl-vcpus", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        with HostMemory() as h:
            vm_addr, vm = find_vm(arg.strip())
            all_vcpus = vcpus_of(vm_addr)
            print("VM %d: %d vCPU%s" % (int(vm["id"]), len(all_vcpus),
                                        "" if len(all_vcpus) == 1 else "s"))
            for n, (addr, v) in enumerate(all_vcpus):
                self.show(n, addr, v, h.guest)

    @staticmethod
    def show(n, addr, v, here):
        vmcb = kobj("struct vmcb", u64(v["vmcb"]))
        save, ctl = vmcb["save"], vmcb["control"]
        g = v["gprs"]
        print("vCPU %d (serial %d, struct vcpu %#x, VMCB at phys %#x)%s" % (
            n, u64(v["serial"]), addr, u64(v["vmcb_pa"]),
            ", dead (shut down)" if bool(v["dead"]) else ""))
        print("  %s" % vcpu_where(v))
        if here is not None and u64(here[1]["serial"]) == u64(v["serial"]):
            live = live_regs()
            print("  the selected CPU runs it: gdb's registers are its live ones: rip %#x%s, "
                  "rsp %#x, cr3 %#x" % (live["rip"], symbol_text(live["rip"]), live["rsp"],
                                        live["cr3"]))
        print("  mode   %s" % guest_mode(vmcb_regs(save)))
        rip = u64(save["rip"])
        print("  rip    %#018x%s" % (rip, symbol_text(rip)))
        print("  rsp    %#018x  rflags %#x" % (u64(save["rsp"]), u64(save["rflags"])))
        regs = [("rax", u64(save["rax"]))] + [(r, u64(g[r])) for r in (
            "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13",
            "r14", "r15")]
        for i in range(0, len(regs), 3):
            print("  " + "  ".join("%-3s %#018x" % r for r in regs[i:i + 3]))
        print("  cr0    %#x  cr2 %#x  cr3 %#x  cr4 %#x  efer %#x" % tuple(
            u64(save[r]) for r in ("cr0", "cr2", "cr3", "cr4", "efer")))
        cs = save["cs"]
        print("  cs     selector %#x attrib %#x  cpl %d" % (int(cs["selector"]),
                                                           int(cs["attrib"]), int(save["cpl"])))
        code = u64(ctl["exit_code"])
        print("  exit   %#x (%s), info1 %#x, info2 %#x" % (
            code, EXIT_NAME.get(code, "exception %d" % (code - 0x40) if 0x40 <= code < 0x60
                                else "?"), u64(ctl["exit_info_1"]), u64(ctl["exit_info_2"])))


def live_regs():
    """The selected CPU's registers (gdb's), by name."""
    return {r: u64(ev("(unsigned long)$" + r)) for r in ("rip", "rsp", "cr0", "cr3", "cr4",
                                                          "efer")}


def translate(root, addr):
    """addr through the 4-level tables at kernel virtual address root,
    quietly: (the physical address, the level of the last entry, the page
    size) or (None, the level where an entry was not present, 0)."""
    table = root
    for level in (4, 3, 2, 1):
        e = read_u64(table + 8 * ((addr >> (PAGE_SHIFT + 9 * (level - 1))) & 511))
        if not e & 1:
            return None, level, 0
        if level == 1 or (level < 4 and e & (1 << 7)):
            size = 1 << (PAGE_SHIFT + 9 * (level - 1))
            return (e & ADDR_MASK & ~(size - 1)) + (addr & (size - 1)), level, size
        table = phys_to_virt(e & ADDR_MASK)


def nested_step(vm, gpa, what):
    """The nested translation of one guest-physical address, with a line
    saying so; the host-physical address or None."""
    hpa, level, size = translate(vm_pml4(vm), gpa)
    if hpa is None:
        print("    nested: %s at guest-physical %#x is not mapped (the walk stops at the "
              "nested %s): the CPU's walk would exit with a nested page fault" % (
                  what, gpa, LEVEL_NAME[level]))
        return None
    print("    nested: guest-physical %#x -> host-physical %#x (a %s page)" % (
        gpa, hpa, size_text(size)))
    return hpa


def guest_walk(vm, cr3, gva):
    """Walk gva through the guest's 4-level tables from cr3 (guest-physical),
    each table reached through the nested tables; the guest-physical
    address or None, printing every step."""
    table_gpa = cr3 & ADDR_MASK
    for level in (4, 3, 2, 1):
        index = (gva >> (PAGE_SHIFT + 9 * (level - 1))) & 511
        print("  guest %-4s at guest-physical %#x" % (LEVEL_NAME[level], table_gpa))
        table_hpa = nested_step(vm, table_gpa, "the guest's " + LEVEL_NAME[level])
        if table_hpa is None:
            return None
        e = read_u64(phys_to_virt(table_hpa + 8 * index))
        print("       [%3d] = %#018x  %s" % (index, e, flags_text(e)))
        if not e & 1:
            print("  not present in the guest's own tables (at its %s): the guest's access "
                  "is a page fault inside the guest, no exit" % LEVEL_NAME[level])
            return None
        if level == 1 or (level < 4 and e & (1 << 7)):
            size = 1 << (PAGE_SHIFT + 9 * (level - 1))
            gpa = (e & ADDR_MASK & ~(size - 1)) + (gva & (size - 1))
            print("  the guest maps a %s page: guest-virtual %#x -> guest-physical %#x" % (
                size_text(size), gva, gpa))
            return gpa
        table_gpa = e & ADDR_MASK


class CowlGwalk(gdb.Command):
    """Walk a guest-virtual address through both dimensions of translation.

Usage: cowl-gwalk GVA [VMID [VCPU]]     (default: the first VM, its vCPU 0)

A guest's address goes through two sets of tables: the guest's own (in
guest RAM, from the vCPU's CR3, a guest-physical address) to a
guest-physical address, and the VM's nested tables from there to a
host-physical one.  Every guest table is itself at a guest-physical
address, so the CPU (and this command) translates each through the nested
tables before it can read the guest's entry.  Printed: each guest level,
the nested translation of its table, the guest's entry and flags; the
guest-physical address reached; then the nested walk of that (as
cowl-nwalk); the host-physical address and the 16 bytes there.  Guest
large pages (cowl's direct map uses 2 MiB) end the guest walk early.  A
guest without paging (real mode, or protected mode before CR0.PG) uses its
addresses as guest-physical ones; 32-bit and 5-level paging are not
walked.  The registers come from the VMCB: while the vCPU runs in the
guest they are stale (cowl-vcpus says so).  Sets $cowl_gpa and $cowl_hpa
(and $cowl_page, as cowl-nwalk)."""

    def __init__(self):
        super().__init__("cowl-gwalk", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not args:
            raise gdb.GdbError("usage: cowl-gwalk GVA [VMID [VCPU]]")
        gva = address_arg(args[0])
        with HostMemory() as h:
            self.gwalk(gva, args[1:], h.guest)

    @staticmethod
    def gwalk(gva, args, here):
        vm_addr, vm = find_vm(args[0] if args else "")
        n, v = find_vcpu(vm_addr, vm, args[1] if len(args) > 1 else "")
        live = here is not None and u64(here[1]["serial"]) == u64(v["serial"])
        r = live_regs() if live else vmcb_regs(kobj("struct vmcb", u64(v["vmcb"]))["save"])
        print("guest-virtual %#x in VM %d, vCPU %d: %s, guest CR3 %#x%s" % (
            gva, int(vm["id"]), n, guest_mode(r), r["cr3"],
            " (live: the selected CPU runs it)" if live else ""))
        if bool(v["in_guest"]) and not live:
            print("  (the vCPU runs in the guest on CPU %d now: the VMCB's CR3 may be stale)"
                  % int(v["last_cpu"]))
        if not r["cr0"] & CR0_PE or not r["cr0"] & CR0_PG:
            print("  the guest's paging is off: guest-virtual = guest-physical")
            gpa = gva
        elif not r["efer"] & EFER_LMA or r["cr4"] & CR4_LA57:
            raise gdb.GdbError("the guest uses %s, which cowl-gwalk does not walk "
                               "(only 4-level long-mode paging)" % guest_mode(r))
        else:
            gpa = guest_walk(vm, r["cr3"], gva)
            if gpa is None:
                return
        gdb.set_convenience_variable("cowl_gpa", gpa)
        print("then guest-physical %#x through the nested tables:" % gpa)
        end = walk(gpa, vm_pml4(vm), nested_entry_note)
        if not end.present:
            print("  not mapped in the nested tables (%s): the guest's access is a nested "
                  "page fault" % ("beyond RAM: MMIO" if gpa >= u64(vm["ram_bytes"]) else
                                  "not touched yet"))
            return
        gdb.set_convenience_variable("cowl_hpa", end.target)
        data = read_bytes(phys_to_virt(end.target), 16)
        print("  guest-virtual %#x -> guest-physical %#x -> host-physical %#x" % (
            gva, gpa, end.target))
        print("  bytes there: %s" % " ".join("%02x" % b for b in data))


def guest_translate(vm, cr3, gva):
    """gva through the guest's 4-level tables (cr3) and the nested ones,
    quietly: the host-physical address, or None where an entry is missing."""
    nested = vm_pml4(vm)
    table_gpa = cr3 & ADDR_MASK
    for level in (4, 3, 2, 1):
        table_hpa = translate(nested, table_gpa)[0]
        if table_hpa is None:
            return None
        index = (gva >> (PAGE_SHIFT + 9 * (level - 1))) & 511
        e = read_u64(phys_to_virt(table_hpa + 8 * index))
        if not e & 1:
            return None
        if level == 1 or (level < 4 and e & (1 << 7)):
            size = 1 << (PAGE_SHIFT + 9 * (level - 1))
            return translate(nested, (e & ADDR_MASK & ~(size - 1)) + (gva & (size - 1)))[0]
        table_gpa = e & ADDR_MASK


def guest_u64(vm, cr3, gva):
    """The 8 bytes at a guest-virtual address (within one page), or None."""
    hpa = guest_translate(vm, cr3, gva)
    return None if hpa is None else read_u64(phys_to_virt(hpa))


def function_start(addr):
    """Is addr the first instruction of a function of cowl.elf (before its
    push rbp)?"""
    block = gdb.block_for_pc(addr)
    while block is not None and block.function is None:
        block = block.superblock
    return block is not None and block.start == addr


class CowlGbt(gdb.Command):
    """Backtrace of a guest cowl's kernel, through both translations.

Usage: cowl-gbt [VMID [VCPU]]     (default: the first VM, its vCPU 0)

Inside a guest gdb's own bt stops at frame #0: it reads the stack through
QEMU's stub, which translates with the guest's CR3 but not through the
nested tables.  This follows the frame pointers itself (cowl is built
with them: [rbp] is the caller's rbp, [rbp+8] the return address),
reading the guest's stack as cowl-gwalk reads an address, and names
each address with the host's symbols: a guest cowl runs the same
cowl.elf.  The registers are the CPU's when the selected CPU runs this
vCPU, else the VMCB's and gprs (the vCPU's state at its last exit).  It
stops at a frame it cannot read, or after 32.  Stopped inside a
function's prologue (after push rbp, before mov rbp, rsp) its caller is
missing, as with any frame-pointer walk."""

    def __init__(self):
        super().__init__("cowl-gbt", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        with HostMemory() as h:
            vm_addr, vm = find_vm(args[0] if args else "")
            n, v = find_vcpu(vm_addr, vm, args[1] if len(args) > 1 else "")
            if h.guest is not None and u64(h.guest[1]["serial"]) == u64(v["serial"]):
                r = live_regs()
                rbp = u64(ev("(unsigned long)$rbp"))
            else:
                r = vmcb_regs(kobj("struct vmcb", u64(v["vmcb"]))["save"])
                save = kobj("struct vmcb", u64(v["vmcb"]))["save"]
                r.update(rip=u64(save["rip"]), rsp=u64(save["rsp"]))
                rbp = u64(v["gprs"]["rbp"])
            if not r["efer"] & EFER_LMA or not r["cr0"] & CR0_PG:
                raise gdb.GdbError("the guest is not in long mode with paging: %s"
                                   % guest_mode(r))
            self.frames(vm, r, rbp)

    @staticmethod
    def frames(vm, r, rbp):
        cr3, pc = r["cr3"], r["rip"]
        print("#0  %#018x%s" % (pc, symbol_text(pc)))
        if function_start(pc):  # called, not yet pushed rbp: the return address is at rsp
            pc = guest_u64(vm, cr3, r["rsp"])
            if pc is None:
                print("    (cannot read the guest's stack at %#x)" % r["rsp"])
                return
            print("#1  %#018x%s" % (pc, symbol_text(pc)))
        depth = 2 if function_start(r["rip"]) else 1
        while rbp and depth < 32:
            ret, up = guest_u64(vm, cr3, rbp + 8), guest_u64(vm, cr3, rbp)
            if ret is None or up is None:
                print("    (cannot read the guest's stack at %#x)" % rbp)
                return
            if not ret:
                return
            where = symbol_text(ret) if ret >= DIRECT_MAP_BASE else " (user space)"
            print("#%-2d %#018x%s" % (depth, ret, where))
            rbp, depth = up, depth + 1


class CowlInGuest(gdb.Function):
    """$cowl_in_guest() - 1 if the selected CPU runs a guest now (between
VMRUN and #VMEXIT: gdb's registers are the guest's), else 0.  For
conditions: a guest cowl runs the same cowl.elf, so `hbreak sys_fork`
stops in the host's kernel and in the guest's; `hbreak sys_fork if
$cowl_in_guest()` stops only in the guest's."""

    def __init__(self):
        super().__init__("cowl_in_guest")

    def invoke(self):
        with HostMemory() as h:
            return 1 if h.guest is not None else 0


class CowlPage(gdb.Command):
    """Show the struct page of a physical page.

Usage: cowl-page ADDR

ADDR is a physical address, or a kernel virtual address (direct map or
kernel image), which is turned into one.  Prints what mm/page.h keeps for
the page: kind (free, kernel, heap, table, user), refcount, buddy order;
for a page table its level, populated bitmap (which groups of 8 entries are
in use: sparse walks skip the rest) and, for a PML4, the CPUs that have it
loaded in CR3 (TLB shootdown targets, mm/tlb.c)."""

    def __init__(self):
        super().__init__("cowl-page", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: cowl-page ADDR")
        addr = u64(ev(arg))
        pa = virt_to_phys(addr) if addr >= DIRECT_MAP_BASE else addr
        page = struct_page(pa)
        if page is None:
            raise gdb.GdbError("%#x is beyond the memory the kernel manages" % pa)
        kind = int(page["kind"])
        print("page %#x (pfn %d): struct page at %#x" % (pa & ~0xFFF, pa >> PAGE_SHIFT,
                                                       struct_page_addr(pa)))
        print("  kind %s, refcount %d, order %d" % (PAGE_KIND.get(kind, str(kind)),
                                                   int(page["refcount"]), int(page["order"])))
        if PAGE_KIND.get(kind) == "table":
            level = int(page["level"])
            line = "  %s (level %d), populated %#018x" % (LEVEL_NAME.get(level, "?"), level,
                                                        u64(page["populated"]))
            if level == 4:
                line += ", live on CPUs %#x" % int(page["cpus_live"])
            print(line)
            refs = int(page["refcount"])
            if level < 4:
                print("  %s" % ("shared by %d upper-level entries" % refs if refs > 1
                                else "private (one entry points to it)"))


class CowlDmesg(gdb.Command):
    """Print the kernel log buffer.

Usage: cowl-dmesg [LINES]     (default: all of it)

The kernel keeps the last 64 KiB of what it printed (log_buf, a ring, in
kernel/printk.c): handy when the serial output is gone or was never
captured, e.g. after a hang."""

    def __init__(self):
        super().__init__("cowl-dmesg", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        size = int(ev("sizeof(log_buf)"))
        head = u64(ev("log_head"))
        start = max(0, head - size)
        base = u64(ev("&log_buf[0]"))
        first, n = start % size, head - start
        mem = gdb.selected_inferior()
        data = bytes(mem.read_memory(base + first, min(n, size - first)))
        if first + n > size:
            data += bytes(mem.read_memory(base, first + n - size))
        lines = data.decode(errors="replace").splitlines()
        if start > 0 and lines:
            lines = lines[1:]  # the oldest line was cut by the ring
        if arg.strip():
            lines = lines[-int(arg):]
        for line in lines:
            print(line)


def user_program_dirs():
    """Where the user programs of the kernel being debugged are: user/bin and
    user/tests next to its ELF file (build/, or build/ubsan/ for make
    SANITIZE=1), then build/'s.  Looking next to the kernel first keeps a
    sanitized session from needing (or picking up a stale) plain build."""
    builds = []
    kernel = gdb.current_progspace().filename
    if kernel:
        builds.append(os.path.dirname(os.path.abspath(kernel)))
    default = os.path.join(REPO, "build")
    if default not in builds:
        builds.append(default)
    return [os.path.join(b, "user", sub) for b in builds for sub in ("bin", "tests")]


class CowlUser(gdb.Command):
    """Load a user program's symbols, to break and step in it.

Usage: cowl-user PROGRAM     (a name in user/bin or user/tests of the
                              kernel's build directory, e.g. build/ or
                              build/ubsan/, or a path to the ELF file)

cowl's user programs are static executables linked at fixed addresses
(user/user.ld), so their symbols go exactly where the ELF file says; the
kernel's stay loaded too, so one backtrace can cross the system call.
Every program uses the same addresses: a breakpoint on `fork` stops in
any process that calls fork.  Narrow it with the pid:
    hbreak fork if $cowl_pid() == 3
Loading another program first unloads the previous one."""

    loaded = None

    def __init__(self):
        super().__init__("cowl-user", gdb.COMMAND_USER, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if not name:
            raise gdb.GdbError("usage: cowl-user PROGRAM")
        dirs = user_program_dirs()
        candidates = [name] + [os.path.join(d, name) for d in dirs]
        path = next((c for c in candidates if os.path.isfile(c)), None)
        if path is None:
            raise gdb.GdbError("no user program %s (looked in %s)" % (name, ", ".join(dirs)))
        if CowlUser.loaded:
            gdb.execute("remove-symbol-file %s" % CowlUser.loaded, to_string=True)
        gdb.execute("add-symbol-file %s" % path, to_string=True)
        CowlUser.loaded = path
        main = gdb.lookup_global_symbol("main")
        where = " (main at %#x)" % u64(main.value().address) if main else ""
        print("cowl-user: symbols of %s loaded at its link addresses%s" % (path, where))


class CowlBt(gdb.Command):
    """Backtrace of a thread that is not running (sleeping, runnable).

Usage: cowl-bt TID     (a thread id; a process's pid names its first thread)

A thread that is switched out has its kernel registers saved on its own
kernel stack by arch_switch (arch/x86_64/switch.asm: rbp, rbx, r12-r15,
then the return address); struct thread's ctx_rsp points to them.  This
command points the selected CPU's rsp, rbp and rip there for a moment,
prints gdb's backtrace, and puts the registers back.  The answer to "why
does this process hang": the wait it sleeps in, and who called it."""

    def __init__(self):
        super().__init__("cowl-bt", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: cowl-bt TID")
        t = find_thread(int(ev(arg)))
        if int(t["state"]) == 2:
            raise gdb.GdbError("thread %d is running: select its CPU (thread N) and use bt"
                               % int(t["tid"]))
        sp = u64(t["ctx_rsp"])
        saved = {r: u64(ev("$" + r)) for r in ("rsp", "rbp", "rip")}
        try:
            gdb.execute("set $rbp = %#x" % read_u64(sp + 40))
            gdb.execute("set $rip = %#x" % read_u64(sp + 48))
            gdb.execute("set $rsp = %#x" % (sp + 56))
            gdb.execute("bt")
        finally:
            for r, v in saved.items():
                gdb.execute("set $%s = %#x" % (r, v))
            gdb.execute("maintenance flush register-cache", to_string=True)


class CowlPid(gdb.Function):
    """$cowl_pid() - the pid of the process running on the selected CPU (-1 if none)."""

    def __init__(self):
        super().__init__("cowl_pid")

    def invoke(self):
        t = current_thread()
        return -1 if t is None else pid_of(t)


class CowlTid(gdb.Function):
    """$cowl_tid() - the id of the thread running on the selected CPU (-1 if none)."""

    def __init__(self):
        super().__init__("cowl_tid")

    def invoke(self):
        t = current_thread()
        return -1 if t is None else int(t["tid"])


CowlPrefix()
CowlPs()
CowlVm()
CowlWalk()
CowlVms()
CowlNwalk()
CowlVcpus()
CowlGwalk()
CowlGbt()
CowlPage()
CowlDmesg()
CowlUser()
CowlBt()
CowlPid()
CowlTid()
CowlInGuest()
