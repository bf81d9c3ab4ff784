#!/bin/sh
# Installs the Debian packages swdd needs to build and test.
# Idempotent: only missing packages are installed. As root it runs apt-get;
# otherwise it prints the exact command to run.
set -eu

PKGS="build-essential pkg-config libunicorn-dev gcc-arm-none-eabi libnewlib-arm-none-eabi
libusb-1.0-0-dev libhidapi-dev libelf-dev gdb-multiarch openocd stlink-tools
umockdev libumockdev-dev clang libclang-rt-14-dev python3 cppcheck"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "swdd: missing Debian packages:$missing" >&2
    echo "swdd: run as root:  apt-get install -y$missing" >&2
    exit 1
fi

echo "swdd: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y --no-install-recommends $missing
fi
