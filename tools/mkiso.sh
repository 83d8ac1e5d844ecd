#!/bin/sh
# mkiso.sh KERNEL OUT.iso "COMMAND LINE" [MODULE] - a GRUB rescue ISO that
# boots KERNEL with multiboot2 straight away (no menu delay), optionally with
# one boot module (the initrd, from the next milestone on).
set -eu
kernel=$1 out=$2 cmdline=${3:-} module=${4:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/cowl.elf"
module_line=""
if [ -n "$module" ]; then
    cp "$module" "$dir/boot/module.bin"
    module_line="module2 /boot/module.bin $(basename "$module")"
fi
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "cowl" {
    multiboot2 /boot/cowl.elf $cmdline
    $module_line
    boot
}
CFG
grub-mkrescue -o "$out" "$dir" >/dev/null 2>&1 || {
    echo "mkiso: grub-mkrescue failed (need grub-pc-bin, grub-common, xorriso, mtools)" >&2
    grub-mkrescue -o "$out" "$dir"
    exit 1
}
