# Shared helpers of the third-party judges (test/e2e/judge_*.sh), sourced by
# each. The judges run unmodified OpenOCD / stlink-tools against the lab's
# emulated USB probes through build/swdd-lab and print one PASS/FAIL/SKIP
# line per step (test/harness.h format). A failing step prints where its log
# is; set SWDD_JUDGE_DEBUG=3 to run OpenOCD with -d3.
#
# Not a test itself: the name does not end in .sh, so `make test` does not
# run it.

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${SWDD_BUILD:-$PWD/build}
LAB=$BUILD/swdd-lab
FW_ELF=${SWDD_JUDGE_FW:-$BUILD/fw/big.elf}
JUDGE_LOGS=${SWDD_TEST_LOGS:-$BUILD/test-logs}/judges
JUDGE_TIMEOUT=${SWDD_JUDGE_TIMEOUT:-180}
OCD_DEBUG=${SWDD_JUDGE_DEBUG:-2}
# The chip runs through the tools' pauses between transfers, as on a bench:
# OpenOCD's flash loop sleeps 2 ms whenever the loader is behind, st-flash
# polls its loader every 10 ms and gives it a wall-clock time-out. Each
# pause counts in full up to 250 ms: on a loaded host a 10 ms sleep lasts
# far longer, and with a 10 ms cap st-flash's loader got less chip time
# than wall time and was reported failed ("Flash loader run error", DHCSR
# 0x01000009: still running) at a load average of 14.
# SWDD_JUDGE_HOST_IDLE=0 turns this off (the chip's clock then moves with
# bus traffic only).
HOST_IDLE=${SWDD_JUDGE_HOST_IDLE:-250}
mkdir -p "$JUDGE_LOGS"

# judge_need NAME TOOL...: prints "SKIP NAME: reason" and returns 1 when a
# tool or the lab is missing.
judge_need() {
	local name=$1 tool
	shift
	if ! ldconfig -p 2>/dev/null | grep -q 'libumockdev-preload.so.0'; then
		echo "SKIP $name: umockdev's preload library is not installed (apt-get install umockdev)"
		return 1
	fi
	if [ ! -x "$LAB" ]; then
		echo "SKIP $name: $LAB was not built (make)"
		return 1
	fi
	for tool in "$@"; do
		case $tool in
		*/*) if [ ! -e "$tool" ]; then
				echo "SKIP $name: $tool was not built (make)"
				return 1
			fi ;;
		*) if ! command -v "$tool" >/dev/null; then
				echo "SKIP $name: $tool is not installed (scripts/deps.sh lists its package)"
				return 1
			fi ;;
		esac
	done
	return 0
}

# lab_run LOG STATS LAB-OPTIONS... -- CMD...: runs CMD under the lab, output
# to LOG, statistics to STATS; returns CMD's status.
lab_run() {
	local log=$1 stats=$2
	shift 2
	"$LAB" --timeout "$JUDGE_TIMEOUT" --host-idle "$HOST_IDLE" --stats "$stats" "$@" >"$log" 2>&1
}

# stats_timing STATS: "modelled X s, wall Y s" of the first probe's session:
# the bus time the probe model spent plus the host pauses the chip ran
# through (sim chip clock), and the command's wall time.
stats_timing() {
	python3 - "$1" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    p = d["probes"][0]
    print("modelled %.1f s, wall %.1f s; bus %.1f s" % (p["chip"]["now_seconds"], d["wall_seconds"],
          p["modelled_seconds"]))
except Exception as e:
    print("no statistics: %s" % e)
EOF
}

# stats_chip STATS FIELD: a chip counter of the first probe.
stats_chip() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["probes"][0]["chip"][sys.argv[2]])' "$1" "$2" 2>/dev/null
}

# check NAME LOG PATTERN WHAT: PASS if LOG matches the extended regex.
check() {
	local name=$1 log=$2 pattern=$3 what=$4
	if grep -Eqi -- "$pattern" "$log"; then
		echo "PASS $name"
	else
		echo "FAIL $name: $what not found in $log"
		grep -Ei 'error|fail|warn' "$log" | head -n 5 | sed 's/^/    /'
	fi
}

# ocd KIND LOG STATS LAB-OPTIONS -- OPENOCD-COMMANDS...: one OpenOCD session.
ocd() {
	local kind=$1 log=$2 stats=$3
	shift 3
	local labopts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		labopts+=("$1")
		shift
	done
	shift
	# No servers: judges run in parallel and would fight over port 3333.
	local args=(openocd -d"$OCD_DEBUG" -c "gdb_port disabled" -c "tcl_port disabled"
		-c "telnet_port disabled")
	case $kind in
	stlink-*) args+=(-f interface/stlink.cfg) ;;
	cmsis-dap-v2) args+=(-f interface/cmsis-dap.cfg -c "cmsis_dap_backend usb_bulk" -c "transport select swd") ;;
	cmsis-dap-v1) args+=(-f interface/cmsis-dap.cfg -c "cmsis_dap_backend hid" -c "transport select swd") ;;
	esac
	# OCD_TARGET / OCD_PRE (judge_openocd_h7.sh): another target script and
	# commands before it (e.g. "set DUAL_BANK 1").
	local pre
	for pre in "${OCD_PRE[@]}"; do
		args+=(-c "$pre")
	done
	args+=(-f "target/${OCD_TARGET:-stm32f4x.cfg}")
	local c
	for c in "$@"; do
		args+=(-c "$c")
	done
	lab_run "$log" "$stats" --probe "$kind" "${labopts[@]}" -- "${args[@]}"
}

# judge_openocd KIND TAG: the OpenOCD judge for one probe kind (issue 4,
# judges 1 and 2): target access, SRAM, flash probe/info, program + verify.
judge_openocd() {
	local kind=$1 tag=$2 log stats rc
	local name=judge_openocd_$tag

	log=$JUDGE_LOGS/$tag-access.log
	stats=$JUDGE_LOGS/$tag-access.json
	ocd "$kind" "$log" "$stats" -- init halt 'echo "core state: [stm32f4x.cpu curstate]"' "mdw 0xE0042000" "mdw 0xE000ED00" \
		"mww 0x20000000 0xCAFEF00D" "mww 0x20000004 0x12345678" "mdw 0x20000000 2" \
		"flash probe 0" "flash info 0" shutdown
	rc=$?
	check "$name/halt" "$log" '^core state: halted' "'core state: halted' after init + halt"
	check "$name/idcode" "$log" '0xe0042000: 10076413' "DBGMCU_IDCODE 0x10076413"
	check "$name/cpuid" "$log" '0xe000ed00: 410fc241' "CPUID 0x410FC241"
	check "$name/sram" "$log" '0x20000000: cafef00d 12345678' "the SRAM words written"
	check "$name/flash_probe" "$log" "flash 'stm32f2x' found at 0x08000000" "flash bank found"
	check "$name/flash_info" "$log" '#[[:space:]]*11: 0x000e0000 \(0x20000 128kB\)' "sector 11 (128 KiB at 0x080E0000)"
	[ $rc -eq 0 ] || echo "FAIL $name/session: openocd exited with $rc (see $log)"

	log=$JUDGE_LOGS/$tag-program.log
	stats=$JUDGE_LOGS/$tag-program.json
	ocd "$kind" "$log" "$stats" -- "program $FW_ELF verify reset exit"
	rc=$?
	if [ $rc -eq 0 ] && grep -q 'Verified OK' "$log"; then
		echo "PASS $name/program ($(stats_timing "$stats"))"
	else
		echo "FAIL $name/program: openocd exited with $rc, no 'Verified OK' (see $log; $(stats_timing "$stats"))"
		grep -E 'Error|error' "$log" | head -n 5 | sed 's/^/    /'
	fi
	# verify_image runs OpenOCD's CRC32 loader on the core (armv7m.c); on
	# silicon it halts at its BKPT. If it does not, OpenOCD quietly falls
	# back to reading the flash back, so the program step alone would hide a
	# core that ran the wrong code.
	if grep -Eq 'error executing cortex_m crc algorithm|checksum mismatch' "$log"; then
		echo "FAIL $name/verify_crc: OpenOCD's CRC loader did not run to its BKPT on the core (see $log)"
		grep -E 'crc|checksum|failed algorithm|timed out' "$log" | head -n 3 | sed 's/^/    /'
	elif [ $rc -eq 0 ]; then
		echo "PASS $name/verify_crc"
	fi
}
