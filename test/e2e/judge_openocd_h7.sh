#!/bin/bash
# Issue 12 judge: OpenOCD 0.12 with target/stm32h7x.cfg (its stm32h7x flash
# driver and loader) programs and verifies the STM32H743 image across both
# banks (build/fw/h743_big.elf: 0x08000000 and 0x08100000; DUAL_BANK 1 makes
# the cfg declare bank 2) and the STM32H725 image, through the emulated
# STLINK-V3 (hla) and CMSIS-DAP v2 (usb_bulk, which also reaches DBGMCU
# through AP2 as a mem_ap target). Prints the modelled and wall times.
source "$(dirname "$0")/judge_common.bash"
OCD_TARGET=stm32h7x.cfg
for chip in h743 h725; do
	fw=$BUILD/fw/${chip}_big.elf
	OCD_PRE=()
	[ $chip = h743 ] && OCD_PRE=("set DUAL_BANK 1")
	for kind in stlink-v3 cmsis-dap-v2; do
		name=judge_openocd_h7/${chip}_${kind}
		judge_need "$name" openocd "$fw" || continue
		log=$JUDGE_LOGS/h7-$chip-$kind.log
		stats=$JUDGE_LOGS/h7-$chip-$kind.json
		ocd "$kind" "$log" "$stats" --chip stm32$chip -- init "mdw 0x5C001000" \
			"program $fw verify reset exit"
		rc=$?
		if [ $rc -eq 0 ] && grep -q 'Verified OK' "$log"; then
			echo "PASS $name ($(stats_timing "$stats"))"
		else
			echo "FAIL $name: openocd exited with $rc, no 'Verified OK' (see $log; $(stats_timing "$stats"))"
			grep -E 'Error|error' "$log" | head -n 5 | sed 's/^/    /'
		fi
		[ $chip = h743 ] && check "$name/bank2" "$log" 'Bank \(1\) size is 1024 kb, base address is 0x08100000' \
			"OpenOCD's probe of bank 2"
		check "$name/idcode" "$log" "0x5c001000: $( [ $chip = h743 ] && echo 20036450 || echo 10016483)" "DBGMCU_IDC"
	done
done
