#!/bin/bash
# Judge 4 (issue 4), the negative judge: with sector 1 write protected
# (--fault wrp:1, RM0090 3.7.7 nWRP) OpenOCD must fail to program an image
# that covers it, and say so. A lab that silently programs protected
# sectors, or a judge that cannot fail, is caught here.
source "$(dirname "$0")/judge_common.bash"
name=judge_openocd_wrp
judge_need "$name" openocd "$FW_ELF" || exit 0
log=$JUDGE_LOGS/wrp-program.log
stats=$JUDGE_LOGS/wrp-program.json
ocd stlink-v2 "$log" "$stats" --fault wrp:1 -- "program $FW_ELF verify reset exit"
rc=$?
if [ $rc -ne 0 ] && grep -Eqi 'error|failed' "$log" && ! grep -q 'Verified OK' "$log"; then
	echo "PASS $name/program_fails ($(stats_timing "$stats"); openocd: $(grep -Ei 'error|failed' "$log" | head -n 1 | cut -c1-80))"
else
	echo "FAIL $name/program_fails: openocd exited with $rc on a write-protected sector (see $log)"
fi
