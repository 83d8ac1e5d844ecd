# cowl - build, run, test and debug.  `make help` lists the targets.

CC      := gcc
LD      := ld
NASM    := nasm
PYTHON  := python3
QEMU    := qemu-system-x86_64
SANITIZE ?=
# A sanitized kernel builds into its own directory, so its objects never mix
# with the normal build's (make clean removes both; make clean SANITIZE=1
# only build/ubsan).
BUILD   := $(if $(filter 1,$(SANITIZE)),build/ubsan,build)
KERNEL  := $(BUILD)/cowl.elf
INITRD  := $(BUILD)/initrd.cpio
ISO     := $(BUILD)/cowl.iso

# Knobs: make run MEM=1G SMP=1 ARGS="loglevel=3"; make test T=pattern
MEM     ?= 512M
SMP     ?= 1
ARGS    ?=
ACCEL   ?= tcg
OPT     ?= -O2
T       ?=

CFLAGS := -std=gnu11 $(OPT) -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
          -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-80387 -mgeneral-regs-only \
          -fno-stack-protector -fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-asynchronous-unwind-tables \
          -fno-tree-loop-distribute-patterns -fno-strict-aliasing \
          -Wall -Wextra -Werror -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
          -I. -Iinclude -Iarch/x86_64 -MMD -MP

# make SANITIZE=1: the kernel with the undefined-behaviour sanitizer.  gcc
# puts a check before each operation that could be undefined and calls a
# __ubsan_handle_* function when it is; kernel/ubsan.c reports it through
# the kernel log ("UBSAN: ...") and carries on, and tests/run.py fails the
# boot that printed it.  -fsanitize=undefined in gcc 12 turns on shift,
# integer-divide-by-zero, unreachable, vla-bound, null, return,
# signed-integer-overflow, bounds, alignment, object-size, nonnull-attribute,
# returns-nonnull-attribute, bool, enum, pointer-overflow and builtin; all
# of them stay on, alignment too: x86 tolerates a misaligned load, but the
# compiler may assume it never happens (and vectorize or combine accesses).
# Left out or not applicable:
#  - vptr: C++ only; return: C++ only in gcc (in C only the use of a missing
#    return value is undefined, which -Wreturn-type already rejects).
#  - float-divide-by-zero, float-cast-overflow: not in -fsanitize=undefined,
#    and the kernel has no floating point (-mgeneral-regs-only).
#  - bounds-strict: would also check trailing arrays used as flexible ones.
#  - function, implicit-conversion, unsigned-integer-overflow: clang only.
# -fsanitize-recover (gcc's default, spelled out): report and continue, so
# one boot shows every report; unreachable cannot continue and panics.
# Not -fsanitize-undefined-trap-on-error: a bare ud2 would say nothing about
# what went wrong; the handlers name the check, the place and the values.
UBSAN_FLAGS := -fsanitize=undefined -fsanitize-recover=undefined
ifeq ($(SANITIZE),1)
CFLAGS += $(UBSAN_FLAGS) -DCOWL_UBSAN
endif
NASMFLAGS := -f elf64
LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

KSRCS := $(sort $(wildcard lib/*.c arch/x86_64/*.c kernel/*.c mm/*.c fs/*.c virt/*.c exercises/*.c tests/kernel/*.c))
ASRCS := boot/entry.asm $(sort $(wildcard arch/x86_64/*.asm))
OBJS  := $(KSRCS:%.c=$(BUILD)/%.o) $(ASRCS:%.asm=$(BUILD)/%.o)

# Quiet by default; make V=1 shows every command.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# No isa-debug-exit here: poweroff should end `make run` with status 0 (the
# test runner adds the device itself).  The machine the tests boot is
# base_flags() in tests/qemu.py: keep the two in step (the test
# host/qemu/make_run_flags compares them).
QEMU_BASE := $(QEMU) -accel $(ACCEL) -cpu max -m $(MEM) -smp $(SMP) -display none -no-reboot

.PHONY: all iso run run-iso debug test test-harness test-linux bench clean help format pt-graph soak
all: $(KERNEL) $(INITRD)

help:
	@echo "make            build $(KERNEL)"
	@echo "make run        boot it in QEMU on this terminal (quit: Ctrl-A X)"
	@echo "make iso        build the GRUB rescue image $(ISO); make run-iso boots it"
	@echo "make test       build and run every test headless (T=pattern for a subset)"
	@echo "make test-harness  only check that the test harness catches failures"
	@echo "make test-linux the POSIX user tests built with gcc/glibc and run on this Linux"
	@echo "make test SANITIZE=1  the suite on a -fsanitize=undefined kernel (build/ubsan);"
	@echo "                a UBSAN report fails the boot. SANITIZE=1 works with every target"
	@echo "make debug      QEMU paused + gdb attached, stopped at kmain"
	@echo "make bench      fork and VM benchmarks on cowl (every mode) and fork on this Linux"
	@echo "make pt-graph   draw page-table sharing after fork (build/pt-graph/*.svg)"
	@echo "make soak       the system-call fuzzer for DURATION=60 seconds (SEED=n replays)"
	@echo "knobs: MEM=$(MEM) SMP=$(SMP) ACCEL=$(ACCEL) ARGS='kernel command line' SANITIZE=1"

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm $(BUILD)/asmdefs.inc
	@mkdir -p $(@D)
	@echo "  NASM  $<"
	$(Q)$(NASM) $(NASMFLAGS) -I$(BUILD)/ -MD $(@:.o=.d) -MP -o $@ $<

# Constants the assembly shares with C are defined once, in
# arch/x86_64/asmdefs.h; this turns its #defines into NASM %defines.
$(BUILD)/asmdefs.inc: arch/x86_64/asmdefs.h
	@mkdir -p $(@D)
	$(Q)$(CC) -E -dM -P $< | grep -E '^#define (SEL|TF|RFLAGS)_' | sed 's/^#define/%define/' | sort > $@

# The kernel is linked twice: the first link gives the addresses of every
# function, which become a table inside the second (for backtraces). The
# table sits after .text, so text addresses cannot move; gensyms --check
# proves it on every build.
$(BUILD)/ksyms0.c:
	@mkdir -p $(@D)
	$(Q)printf '#include "kernel/ksyms.h"\nconst struct ksym ksyms[1];\nconst unsigned ksyms_count = 0;\n' > $@

$(BUILD)/ksyms0.o $(BUILD)/ksyms.o: $(BUILD)/%.o: $(BUILD)/%.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/cowl.pass1.elf: $(OBJS) $(BUILD)/ksyms0.o linker.ld
	@echo "  LD    $@"
	$(Q)$(LD) $(LDFLAGS) -T linker.ld -o $@ $(OBJS) $(BUILD)/ksyms0.o

$(BUILD)/ksyms.c: $(BUILD)/cowl.pass1.elf tools/gensyms.py
	@echo "  SYMS  $@"
	$(Q)nm -n --defined-only $< > $(BUILD)/cowl.pass1.nm
	$(Q)$(PYTHON) tools/gensyms.py $(BUILD)/cowl.pass1.nm $@

$(KERNEL): $(BUILD)/cowl.pass1.elf $(BUILD)/ksyms.o
	@echo "  LD    $@"
	$(Q)$(LD) $(LDFLAGS) -T linker.ld -o $@ $(OBJS) $(BUILD)/ksyms.o
	$(Q)nm -n --defined-only $@ > $(BUILD)/cowl.nm
	$(Q)$(PYTHON) tools/gensyms.py --check $(BUILD)/cowl.pass1.nm $(BUILD)/cowl.nm

# ---- User space: a small libc (user/lib, plus the kernel's own string and
# formatting code, built again for user mode) and static programs.
UCFLAGS := -D__cowl__ -std=gnu11 $(OPT) -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
           -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
           -Wall -Wextra -Werror -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
           -Iuser/include -Iinclude -I. -MMD -MP
ULIB_SRCS := $(sort $(wildcard user/lib/*.c)) lib/string.c lib/vsnprintf.c
ULIB_OBJS := $(ULIB_SRCS:%.c=$(BUILD)/user/%.o) $(BUILD)/user/lib/crt0.o
UBIN  := $(patsubst user/bin/%.c,$(BUILD)/user/bin/%,$(sort $(wildcard user/bin/*.c)))
UTEST := $(patsubst user/tests/%.c,$(BUILD)/user/tests/%,$(sort $(wildcard user/tests/*.c)))

$(BUILD)/user/%.o: %.c Makefile
	@mkdir -p $(@D)
	@echo "  UCC   $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(BUILD)/user/lib/crt0.o: user/lib/crt0.asm
	@mkdir -p $(@D)
	$(Q)$(NASM) $(NASMFLAGS) -o $@ $<

$(BUILD)/user/libc.a: $(ULIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/user/bin/%: $(BUILD)/user/user/bin/%.o $(BUILD)/user/libc.a user/user.ld
	@mkdir -p $(@D)
	@echo "  ULD   $@"
	$(Q)$(LD) -static -nostdlib -z max-page-size=0x1000 -z noexecstack -T user/user.ld \
	    -o $@ $(BUILD)/user/lib/crt0.o $< $(BUILD)/user/libc.a

$(BUILD)/user/tests/%: $(BUILD)/user/user/tests/%.o $(BUILD)/user/libc.a user/user.ld
	@mkdir -p $(@D)
	@echo "  ULD   $@"
	$(Q)$(LD) -static -nostdlib -z max-page-size=0x1000 -z noexecstack -T user/user.ld \
	    -o $@ $(BUILD)/user/lib/crt0.o $< $(BUILD)/user/libc.a

# A program too big for one file has a folder of its own (user/bin/vmm/):
# every .c in it, linked into one program named after the folder.
UBIN_DIRS := $(patsubst user/bin/%/,%,$(sort $(dir $(wildcard user/bin/*/*.c))))
UBIN_DIR_OBJS = $(patsubst %.c,$(BUILD)/user/%.o,$(sort $(wildcard user/bin/$(1)/*.c)))
UBIN += $(UBIN_DIRS:%=$(BUILD)/user/bin/%)

define UBIN_DIR_RULE
$(BUILD)/user/bin/$(1): $(call UBIN_DIR_OBJS,$(1)) $(BUILD)/user/libc.a user/user.ld
	@mkdir -p $$(@D)
	@echo "  ULD   $$@"
	$(Q)$(LD) -static -nostdlib -z max-page-size=0x1000 -z noexecstack -T user/user.ld \
	    -o $$@ $(BUILD)/user/lib/crt0.o $(call UBIN_DIR_OBJS,$(1)) $(BUILD)/user/libc.a
endef
$(foreach d,$(UBIN_DIRS),$(eval $(call UBIN_DIR_RULE,$(d))))

-include $(ULIB_OBJS:.o=.d) $(UBIN:$(BUILD)/user/bin/%=$(BUILD)/user/user/bin/%.d) \
         $(UTEST:$(BUILD)/user/tests/%=$(BUILD)/user/user/tests/%.d) \
         $(foreach d,$(UBIN_DIRS),$(patsubst %.o,%.d,$(call UBIN_DIR_OBJS,$(d))))

# ---- Guests for the hypervisor (user/guests/README.md): flat binaries that
# vmm loads at guest-physical 0x8000 and starts in real mode; in the initrd
# as /guests/NAME.bin.  An assembly guest (NAME.asm) is one nasm -f bin file
# that includes guest.inc; a C guest (NAME.c) is linked after the long-mode
# stub start.asm by guest.ld, then cut to the bare bytes by objcopy.  (A
# guest is one flat blob of code and data, read-write-execute by design: its
# own page tables decide, so ld's RWX warning says nothing here.)
# -mgeneral-regs-only: the stub does not enable SSE (CR4.OSFXSR), so one SSE
# instruction would be a #UD, and a triple fault.
GUEST_CFLAGS := -std=gnu11 -O2 -ffreestanding -nostdlib -mno-red-zone -fno-pic -fno-pie -static \
                -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
                -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror \
                -nostdinc -isystem $(shell $(CC) -print-file-name=include) -Iinclude -MMD -MP
GUEST_ASM  := $(filter-out user/guests/start.asm,$(sort $(wildcard user/guests/*.asm)))
GUEST_C    := $(sort $(wildcard user/guests/*.c))
GUEST_ABIN := $(GUEST_ASM:user/guests/%.asm=$(BUILD)/guests/%.bin)
GUEST_CBIN := $(GUEST_C:user/guests/%.c=$(BUILD)/guests/%.bin)
GUESTS     := $(GUEST_ABIN) $(GUEST_CBIN)

# The hypercall numbers and the serial port, from include/uapi/vm.h, as
# NASM %defines (like asmdefs.inc for the kernel).
$(BUILD)/guests/vmdefs.inc: include/uapi/vm.h
	@mkdir -p $(@D)
	$(Q)$(CC) -E -dM -P $< | grep -E '^#define COWL_(HC|VM_SERIAL)_' | sed 's/^#define/%define/' | sort > $@

$(GUEST_ABIN): $(BUILD)/guests/%.bin: user/guests/%.asm user/guests/guest.inc $(BUILD)/guests/vmdefs.inc
	@echo "  GUEST $@"
	$(Q)$(NASM) -f bin -Iuser/guests/ -I$(BUILD)/guests/ -o $@ $<

$(BUILD)/guests/start.o: user/guests/start.asm $(BUILD)/guests/vmdefs.inc
	$(Q)$(NASM) -f elf64 -I$(BUILD)/guests/ -o $@ $<

$(GUEST_C:user/guests/%.c=$(BUILD)/guests/%.o): $(BUILD)/guests/%.o: user/guests/%.c Makefile
	@mkdir -p $(@D)
	@echo "  GCC   $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_CBIN): $(BUILD)/guests/%.bin: $(BUILD)/guests/%.o $(BUILD)/guests/start.o user/guests/guest.ld
	@echo "  GUEST $@"
	$(Q)$(LD) -nostdlib -static -z noexecstack --no-warn-rwx-segments -T user/guests/guest.ld \
	    -o $(@:.bin=.elf) $(BUILD)/guests/start.o $<
	$(Q)objcopy -O binary $(@:.bin=.elf) $@ && chmod a-x $@

-include $(GUEST_C:user/guests/%.c=$(BUILD)/guests/%.d)

# The initrd: a cpio archive of user/etc, the programs (bin/), the user
# tests (tests/) and the guest images (guests/), unpacked into the
# in-memory file system at boot.
INITRD_FILES := $(sort $(wildcard user/etc/*) $(BUILD)/etc/bench.sh)
$(BUILD)/etc/bench.sh: tools/bench.py
	@mkdir -p $(@D)
	$(Q)$(PYTHON) tools/bench.py --write-script $@
INITRD_PAIRS = $(foreach f,$(INITRD_FILES),$(patsubst $(BUILD)/%,%,$(patsubst user/%,%,$(f)))=$(f)) \
               $(foreach f,$(UBIN) $(UTEST),$(patsubst $(BUILD)/user/%,%,$(f))=$(f)) \
               $(foreach f,$(GUESTS),guests/$(notdir $(f))=$(f))
# A cowl booted inside cowl (vmm /boot/cowl.elf) gets the same files minus
# /boot, so that the initrd does not contain itself; without debug
# information, so that the archive fits in one cowl file (4 MiB at most).
$(BUILD)/guest-initrd.cpio: $(INITRD_FILES) $(UBIN) $(UTEST) $(GUESTS) tools/mkinitrd.py
	@echo "  CPIO  $@"
	$(Q)$(PYTHON) tools/mkinitrd.py --strip-debug $@ $(INITRD_PAIRS)
$(INITRD): $(BUILD)/guest-initrd.cpio $(KERNEL)
	@echo "  CPIO  $@"
	$(Q)$(PYTHON) tools/mkinitrd.py $@ $(INITRD_PAIRS) boot/cowl.elf=$(KERNEL) \
	    boot/initrd.cpio=$(BUILD)/guest-initrd.cpio

iso: $(ISO)
$(ISO): $(KERNEL) $(INITRD) tools/mkiso.sh
	@echo "  ISO   $@"
	$(Q)tools/mkiso.sh $(KERNEL) $@ "$(ARGS)" $(INITRD)

run: $(KERNEL) $(INITRD)
	$(QEMU_BASE) -serial mon:stdio -kernel $(KERNEL) -initrd $(INITRD) -append "$(ARGS)"

run-iso: $(ISO)
	$(QEMU_BASE) -serial mon:stdio -cdrom $(ISO)

# A long run of the system-call fuzzer (tests/soak.py): DURATION seconds on
# SMP CPUs, SEED to replay one, FAILPPM=p to also fail the fuzzer's
# allocations with probability p/1e6; fails on a panic, a hang, a lost page
# or a bad reference count.
DURATION ?= 60
soak: $(KERNEL) $(INITRD)
	$(PYTHON) tests/soak.py --duration $(DURATION) --smp $(or $(filter-out 1,$(SMP)),4) --qemu $(QEMU) \
	    --kernel $(KERNEL) --initrd $(INITRD) --log $(BUILD)/soak.log $(if $(SEED),--seed $(SEED)) \
	    $(if $(FAILPPM),--fail-ppm $(FAILPPM))

# Pictures of page-table sharing (docs/pictures.md): boots cowl, runs the
# ptdump demos, writes build/pt-graph/*.dot (and *.svg if Graphviz is installed).
pt-graph: $(KERNEL) $(INITRD)
	tools/ptgraph.py --boot --out $(BUILD)/pt-graph --qemu $(QEMU) --kernel $(KERNEL) --initrd $(INITRD)

debug: $(KERNEL) $(INITRD)
	tools/debug.sh $(KERNEL) "$(QEMU_BASE)" "$(ARGS)"

test: $(KERNEL) $(INITRD)
	$(PYTHON) tests/run.py --kernel $(KERNEL) --initrd $(INITRD) --build $(BUILD) --accel $(ACCEL) $(if $(T),--filter '$(T)')

test-harness: $(KERNEL) $(INITRD)
	$(PYTHON) tests/run.py --kernel $(KERNEL) --initrd $(INITRD) --build $(BUILD) --accel $(ACCEL) --filter 'host/harness/*'

# The user tests that use only POSIX calls, built for and run on the host
# (tests/test_linux.py says which and why): cowl's POSIX against Linux's.
test-linux:
	$(PYTHON) tests/test_linux.py --build $(BUILD) $(if $(T),--filter '$(T)')

bench: $(KERNEL) $(INITRD)
	$(PYTHON) tools/bench.py --kernel $(KERNEL) --initrd $(INITRD) --build $(BUILD) --accel $(ACCEL)

format:
	clang-format -i $(KSRCS) $(wildcard kernel/*.h mm/*.h arch/x86_64/*.h exercises/*.h) \
	    $(wildcard user/*/*.c user/*/*.h user/bin/*/*.[ch] user/include/sys/*.h)

clean:
	rm -rf $(BUILD)

# The sanitizer's own runtime is never instrumented: a check inside the
# handler would call the handler again.
$(BUILD)/kernel/ubsan.o: CFLAGS += -fno-sanitize=all

# A change of flags in this file rebuilds everything.
$(OBJS): Makefile

-include $(OBJS:.o=.d)
.SECONDARY:
