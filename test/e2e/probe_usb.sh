#!/bin/bash
# The probe driver suite (test/probe_suite.c) over the real USB transports:
# libusb for ST-LINK and CMSIS-DAP v2, hidapi for CMSIS-DAP v1, against the
# lab's emulated probes presented as USB devices by swdd-lab (umockdev).
# Also probe selection (several probes, --serial) and the no-target and
# unpowered errors as they reach a USB user. Prints harness lines.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${SWDD_BUILD:-$PWD/build}
LAB=$BUILD/swdd-lab
SUITE=$BUILD/asan/test_probe
LOGS=${SWDD_TEST_LOGS:-$BUILD/test-logs}/probe_usb
mkdir -p "$LOGS"
# ASan must come first among the libraries; umockdev's preload is first.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

skip_all() {
	echo "SKIP probe_usb/all: $1"
	exit 0
}
ldconfig -p 2>/dev/null | grep -q libumockdev-preload.so.0 || skip_all "umockdev is not installed"
[ -x "$LAB" ] || skip_all "$LAB was not built (make)"
[ -x "$SUITE" ] || skip_all "$SUITE was not built (make unit)"

# lab NAME SERIAL LAB-ARGS...: runs the suite under the lab, log in $LOGS/NAME.
lab() {
	local name=$1 serial=$2
	shift 2
	SWDD_TEST_PROBE_USB=$serial timeout 300 "$LAB" --timeout 240 "$@" -- "$SUITE" >"$LOGS/$name.log" 2>&1
}

for kind in stlink-v2 stlink-v21 stlink-v3 cmsis-dap-v1 cmsis-dap-v2; do
	lab "$kind" auto --probe "$kind"
	grep -E '^(PASS|FAIL|SKIP) ' "$LOGS/$kind.log" | sed "s#^\(PASS\|FAIL\|SKIP\) test_probe/#\1 probe_usb/$kind/#"
	grep -qE '^(PASS|FAIL) ' "$LOGS/$kind.log" || echo "FAIL probe_usb/$kind: no result (see $LOGS/$kind.log)"
done

# expect NAME PATTERN WHAT: PASS when the log has the pattern.
expect() {
	if grep -Eq -- "$2" "$LOGS/$1.log"; then
		echo "PASS probe_usb/$1"
	else
		echo "FAIL probe_usb/$1: $3 not found in $LOGS/$1.log"
	fi
}

two=(--probe stlink-v2:AAAA11112222333344445555 --probe cmsis-dap-v2:CD0000000000000000000001)
lab several auto "${two[@]}"
expect several '2 probes found, choose one with --serial: .*CD0000000000000000000001.*AAAA11112222333344445555' \
	"the EBUSY sentence listing both serials"
lab select CD0000000000000000000001 "${two[@]}"
expect select '^PASS test_probe/CMSIS-DAP-v2/libusb/mem_large' "the suite on the probe chosen by serial"
lab no_target auto --fault no-target --probe stlink-v2
expect no_target 'attach: no target answered.*supply reads 3\.[0-9]+ V' "no-target error with the voltage"
lab unpowered auto --fault unpowered --probe stlink-v3
expect unpowered 'attach: target not powered.*0\.00 V' "unpowered error with the voltage"
exit 0
