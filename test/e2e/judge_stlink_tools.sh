#!/bin/bash
# Judge 3 (issue 4): stlink-tools 1.7 through an emulated ST-LINK/V2:
# st-info --probe sees an F4 with 1 MiB of flash; st-flash write then read
# gives the same bytes; st-flash erase leaves the flash erased (0xFF).
source "$(dirname "$0")/judge_common.bash"
name=judge_stlink_tools
judge_need "$name" st-info st-flash python3 || exit 0
work=$JUDGE_LOGS/stlink-tools
mkdir -p "$work"
# 96 KiB of pseudo-random bytes: sectors 0-3 (16 KiB) and part of sector 4.
python3 -c 'import random,sys; r=random.Random(4); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(96*1024)))' >"$work/fw.bin"

log=$work/probe.log
lab_run "$log" "$work/probe.json" --probe stlink-v2 -- st-info --probe
check "$name/probe_flash" "$log" 'flash: *1048576' "flash: 1048576 (1 MiB)"
check "$name/probe_f4" "$log" 'chipid: *0x0413|descr: *F4' "an F4 chip id (0x413)"

log=$work/write.log
if lab_run "$log" "$work/write.json" --probe stlink-v2 -- st-flash write "$work/fw.bin" 0x08000000 &&
	grep -q 'Flash written and verified' "$log"; then
	echo "PASS $name/program ($(stats_timing "$work/write.json"))"
else
	echo "FAIL $name/program: st-flash write failed (see $log)"
fi

log=$work/roundtrip.log
rm -f "$work/read.bin" "$work/erased.bin"
lab_run "$log" "$work/roundtrip.json" --probe stlink-v2 -- sh -c "
	st-flash write '$work/fw.bin' 0x08000000 &&
	st-flash read '$work/read.bin' 0x08000000 98304"
if [ -f "$work/read.bin" ] && cmp -s "$work/fw.bin" "$work/read.bin"; then
	echo "PASS $name/read_back"
else
	echo "FAIL $name/read_back: st-flash read differs from what was written (see $log)"
fi

# Erase a chip that holds the image (--image: lab set-up, as if an earlier
# session had programmed it), then read it back.
log=$work/erase.log
lab_run "$log" "$work/erase.json" --probe stlink-v2 --image "$work/fw.bin" -- sh -c "
	st-flash erase && st-flash read '$work/erased.bin' 0x08000000 98304"
if [ -f "$work/erased.bin" ] && python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(0 if len(d)==98304 and d.count(255)==len(d) else 1)' "$work/erased.bin"; then
	echo "PASS $name/erase ($(stats_timing "$work/erase.json"))"
else
	echo "FAIL $name/erase: flash not all 0xFF after st-flash erase (see $log)"
fi
