#!/bin/sh
# install-deps.sh - the Debian 12 packages cowl needs to build, boot, test
# and debug.  Run as root (or through sudo).  Installs only what is missing.
set -eu
packages="make gcc binutils nasm python3 qemu-system-x86 grub-pc-bin grub-common xorriso mtools gdb"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps: everything is installed"
    exit 0
fi
echo "install-deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
    exec sudo "$0" "$@"
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
