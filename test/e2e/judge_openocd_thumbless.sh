#!/bin/bash
# Judge (issue 15, lab defect): OpenOCD 0.12 reloading a board whose
# firmware's reset vector lacks the Thumb bit. `reset init` halts on that
# vector with EPSR.T = 0 (ARMv7-M B1.5.5 TakeReset); OpenOCD then runs its
# flash loader and its CRC routine on the core after writing xPSR with T
# set, which a debugger's DCRSR write does (C1.6.3). The lab used to keep
# the INVSTATE fault pending whatever the debugger wrote, so the loader
# faulted and the reload failed.
source "$(dirname "$0")/judge_common.bash"
name=judge_openocd_thumbless
judge_need "$name" openocd "$FW_ELF" || exit 0
old=$JUDGE_LOGS/thumbless.bin
# SP 0x20020000, reset vector 0x08000100 (even), `b .` there
python3 -c '
import struct, sys
b = bytearray(b"\xff" * 0x104)
b[0:8] = struct.pack("<II", 0x20020000, 0x08000100)
b[0x100:0x102] = b"\xfe\xe7"
open(sys.argv[1], "wb").write(b)' "$old"
log=$JUDGE_LOGS/thumbless.log
stats=$JUDGE_LOGS/thumbless.json
ocd stlink-v2 "$log" "$stats" --image "$old" -- "program $FW_ELF verify reset exit"
rc=$?
if [ $rc -eq 0 ] && grep -q 'Verified OK' "$log" &&
	! grep -Eq 'error executing cortex_m crc algorithm|checksum mismatch|failed' "$log"; then
	echo "PASS $name/program ($(stats_timing "$stats"))"
else
	echo "FAIL $name/program: openocd exited with $rc, no clean 'Verified OK' over a reset vector without the Thumb bit (see $log)"
	grep -Ei 'error|fail' "$log" | head -n 5 | sed 's/^/    /'
fi
