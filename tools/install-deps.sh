#!/bin/sh
# install-deps.sh - the Debian 12 packages cowl needs to build, boot, test
# and debug.  Installs only what is missing.  Run it as yourself or as root:
# apt-get needs root, so a normal user's run goes through sudo; a root shell
# (a container, CI) needs no sudo at all.
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
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        echo "install-deps: missing$missing; installing them through sudo"
        exec sudo "$0" "$@"
    fi
    # No sudo (a minimal container, say): say what root has to run.
    echo "install-deps: missing$missing" >&2
    echo "install-deps: installing needs root, and there is no sudo here; as root, run" >&2
    echo "    apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    echo "or run this script as root: su -c '$0'" >&2
    exit 1
fi
echo "install-deps: installing$missing"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
