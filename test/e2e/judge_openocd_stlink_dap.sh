#!/bin/bash
# Judge of the lab's RW_MISC (docs/STLINK-PROTOCOL.md §8): OpenOCD 0.12 in
# its ST-LINK "dapdirect" mode (interface/stlink-dap.cfg), which sends its
# queues of 32-bit MEM-AP accesses as RW_MISC_OUT/IN on firmware V2J32+ and
# V3J2+, through emulated ST-LINK/V2 and /V3: SRAM written and read, the
# CPUID, the flash bank probed, `program big.elf verify reset exit` (its
# loader set-up and register queues go through RW_MISC), the -d3 log's
# proof that RW_MISC queues were sent ("Queue: N commands in M items") and
# that OpenOCD found no item status it did not expect.
source "$(dirname "$0")/judge_common.bash"

ocd_dap() {
	local kind=$1 log=$2 stats=$3
	shift 3
	local args=(openocd -d3 -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled"
		-f interface/stlink-dap.cfg -f target/stm32f4x.cfg)
	local c
	for c in "$@"; do
		args+=(-c "$c")
	done
	lab_run "$log" "$stats" --probe "$kind" -- "${args[@]}"
}

for kind in stlink-v2 stlink-v3; do
	name=judge_openocd_stlink_dap_${kind#stlink-}
	judge_need "$name" openocd "$FW_ELF" || continue
	log=$JUDGE_LOGS/stlink-dap-${kind#stlink-}-access.log
	stats=$JUDGE_LOGS/stlink-dap-${kind#stlink-}-access.json
	ocd_dap "$kind" "$log" "$stats" init halt "mdw 0xE000ED00" "mww 0x20000000 0xCAFEF00D" \
		"mww 0x20000004 0x12345678" "mdw 0x20000000 2" "flash probe 0" shutdown
	rc=$?
	check "$name/cpuid" "$log" '0xe000ed00: 410fc241' "CPUID 0x410FC241"
	check "$name/sram" "$log" '0x20000000: cafef00d 12345678' "the SRAM words written"
	check "$name/flash_probe" "$log" "flash 'stm32f2x' found at 0x08000000" "flash bank found"
	[ $rc -eq 0 ] || echo "FAIL $name/session: openocd exited with $rc (see $log)"

	log=$JUDGE_LOGS/stlink-dap-${kind#stlink-}-program.log
	stats=$JUDGE_LOGS/stlink-dap-${kind#stlink-}-program.json
	ocd_dap "$kind" "$log" "$stats" "program $FW_ELF verify reset exit"
	rc=$?
	if [ $rc -eq 0 ] && grep -q 'Verified OK' "$log"; then
		echo "PASS $name/program ($(stats_timing "$stats"))"
	else
		echo "FAIL $name/program: openocd exited with $rc, no 'Verified OK' (see $log)"
		grep -E 'Error|error' "$log" | head -n 5 | sed 's/^/    /'
	fi
	check "$name/rw_misc_used" "$log" 'misc_rw_segment\(\): Queue: [0-9]+ commands' "an RW_MISC queue"
	if grep -q 'unknown/unexpected STLINK status' "$log"; then
		echo "FAIL $name/rw_misc_status: OpenOCD saw a bad RW_MISC status (see $log)"
	else
		echo "PASS $name/rw_misc_status"
	fi
done
