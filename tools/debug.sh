#!/bin/sh
# debug.sh KERNEL "QEMU COMMAND" "KERNEL ARGS" - QEMU paused with its gdb stub,
# gdb attached with the kernel's symbols and stopped at kmain().
# Extra gdb options come from $GDBARGS (e.g. GDBARGS="-batch -ex bt" to drive
# it from a script).  The serial console goes to build/debug-serial.log.
set -eu
kernel=$1 qemu=$2 args=${3:-}
port=${GDBPORT:-1234}
log=$(dirname "$kernel")/debug-serial.log
# shellcheck disable=SC2086
$qemu -serial file:"$log" -kernel "$kernel" -initrd "$(dirname "$kernel")/initrd.cpio" -append "$args" -S -gdb tcp:127.0.0.1:"$port" &
qemu_pid=$!
trap 'kill $qemu_pid 2>/dev/null || true' EXIT INT TERM
sleep 0.3
echo "debug: QEMU pid $qemu_pid paused, gdb stub on port $port, serial log in $log"
# shellcheck disable=SC2086
gdb -q -x tools/gdbinit -ex "cowl-connect $port" ${GDBARGS:-} "$kernel"
