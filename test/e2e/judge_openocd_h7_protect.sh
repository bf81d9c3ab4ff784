#!/bin/bash
# Issue 12 negative judge: on the STM32H743 with sector 0 write protected
# (--fault wrp:0, FLASH_WPSN bit 0 clear, RM0433 4.5.2) or at RDP level 1
# with the debugger attached (--fault rdp1, RM0433 4.5.3), OpenOCD's
# stm32h7x driver must fail to program h743_big.elf and say why (the
# controller's WRPERR), as on silicon; a lab that programs anyway fails here.
source "$(dirname "$0")/judge_common.bash"
OCD_TARGET=stm32h7x.cfg
OCD_PRE=("set DUAL_BANK 1")
fw=$BUILD/fw/h743_big.elf
for knob in wrp:0 rdp1; do
	name=judge_openocd_h7_protect/${knob%%:*}
	judge_need "$name" openocd "$fw" || continue
	log=$JUDGE_LOGS/h7-protect-${knob%%:*}.log
	stats=$JUDGE_LOGS/h7-protect-${knob%%:*}.json
	ocd stlink-v3 "$log" "$stats" --chip stm32h743 --fault "$knob" -- "program $fw verify reset exit"
	rc=$?
	if [ $rc -ne 0 ] && grep -q 'WRPERR' "$log" && grep -q 'Programming Failed' "$log" &&
		! grep -q 'Verified OK' "$log"; then
		echo "PASS $name ($(stats_timing "$stats"); openocd: $(grep -E '^Error' "$log" | head -n 1 | cut -c1-70))"
	else
		echo "FAIL $name: openocd exited with $rc without the WRPERR failure (see $log)"
	fi
done
