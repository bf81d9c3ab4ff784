#!/bin/sh
# The Debian packages swdd needs, in two sets:
#   build  what `make` and `make install` need (compiler, arm-none-eabi-gcc
#          for the flash algorithms, the USB and ELF libraries, unicorn)
#   test   build, plus what `make test` needs (gdb-multiarch, OpenOCD and
#          stlink-tools as judges, umockdev, clang for the fuzzer, cppcheck)
#
#   scripts/deps.sh [build|test]            (default build)
#   scripts/deps.sh [build|test] --print    print the package names, one per
#                                           line, and install nothing (for
#                                           other distributions: install
#                                           their equivalents yourself)
#
# Idempotent: only missing packages are installed. As root it runs apt-get;
# as another user it prints the sudo command and fails. The Makefile runs
# it with the set the goal needs; `make SWDD_DEPS=print ...` prints the
# list instead and goes on (for systems without dpkg/apt).
set -eu

BUILD="build-essential pkg-config libunicorn-dev gcc-arm-none-eabi
libusb-1.0-0-dev libhidapi-dev libelf-dev libumockdev-dev"
TEST="libnewlib-arm-none-eabi gdb-multiarch openocd stlink-tools umockdev
clang libclang-rt-14-dev python3 cppcheck"

set_name=build
print=no
for a in "$@"; do
    case $a in
    build | test) set_name=$a ;;
    --print) print=yes ;;
    *) echo "usage: scripts/deps.sh [build|test] [--print]" >&2; exit 2 ;;
    esac
done
PKGS=$BUILD
[ "$set_name" = test ] && PKGS="$BUILD $TEST"

if [ "$print" = yes ]; then
    echo "swdd: Debian package names ($set_name set); on another distribution install the equivalents:" >&2
    for p in $PKGS; do echo "$p"; done
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "swdd: this is not a Debian-based system (no dpkg-query). Install the equivalents of:" >&2
    echo "  $(echo $PKGS)" >&2
    echo "swdd: then build with:  make SWDD_DEPS=skip ..." >&2
    exit 1
fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "swdd: missing Debian packages ($set_name set):$missing" >&2
    if command -v sudo >/dev/null 2>&1; then
        echo "swdd: run:  sudo apt-get install -y$missing" >&2
    else
        echo "swdd: run as root (su -c '...'):  apt-get install -y$missing" >&2
    fi
    exit 1
fi

echo "swdd: installing ($set_name set):$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y --no-install-recommends $missing
fi
