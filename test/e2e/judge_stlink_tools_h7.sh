#!/bin/bash
# Issue 12 judge: stlink-tools 1.7 (which knows the H74x/H75x and H72x/H73x)
# through the emulated STLINK-V3: st-info --probe identifies the chip, then
# st-flash writes 64 KiB of pseudo-random bytes and reads them back.
# Bank 2 of the H743 (0x08100000): stlink-tools 1.7.0 cannot write there
# (stlink-org/stlink issue 1146, "[STM32H743/753]: Cannot write to area at
# 0x0810_0000", reported on silicon with 1.7.0 and fixed later): with 1.7.0
# the judge expects that failure (verification fails, bank 2 stays erased),
# with any other version a successful write.
source "$(dirname "$0")/judge_common.bash"
judge_need judge_stlink_tools_h7 st-info st-flash python3 || exit 0
work=$JUDGE_LOGS/stlink-tools-h7
mkdir -p "$work"
python3 -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(64*1024)))' >"$work/fw.bin"
version=$(st-flash --version 2>&1 | head -n 1)
bank2_broken=0
[ "$version" = "v1.7.0" ] || [ "$version" = "1.7.0" ] && bank2_broken=1
for row in "h743 0x0450 2097152 0x08000000" "h743 0x0450 2097152 0x08100000" "h725 0x0483 1048576 0x08000000"; do
	set -- $row
	chip=$1 id=$2 size=$3 addr=$4
	name=judge_stlink_tools_h7/${chip}_$addr
	log=$work/$chip-$addr.log
	rm -f "$work/read.bin"
	lab_run "$log" "$work/$chip-$addr.json" --probe stlink-v3 --chip stm32$chip -- sh -c "
		st-info --probe && st-flash write '$work/fw.bin' $addr &&
		st-flash read '$work/read.bin' $addr 65536"
	check "$name/probe" "$log" "chipid: *$id" "chipid $id"
	check "$name/size" "$log" "flash: *$size" "flash: $size"
	if [ $addr = 0x08100000 ] && [ $bank2_broken = 1 ]; then
		rm -f "$work/read.bin"
		lab_run "$log.2" "$work/$chip-$addr-2.json" --probe stlink-v3 --chip stm32$chip -- sh -c "
			st-flash write '$work/fw.bin' $addr; st-flash read '$work/read.bin' $addr 65536"
		if grep -q 'Verification of flash failed' "$log.2" && [ -f "$work/read.bin" ] &&
			python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(0 if d.count(255)==len(d)==65536 else 1)' "$work/read.bin"; then
			echo "PASS $name/known_bank2_bug (st-flash $version fails on bank 2 as on silicon, stlink-org issue 1146)"
		else
			echo "FAIL $name/known_bank2_bug: st-flash $version did not fail on bank 2 as reported on silicon (see $log.2)"
		fi
		continue
	fi
	if [ -f "$work/read.bin" ] && cmp -s "$work/fw.bin" "$work/read.bin" &&
		grep -q 'Flash written and verified' "$log"; then
		echo "PASS $name/write_read ($(stats_timing "$work/$chip-$addr.json"))"
	else
		echo "FAIL $name/write_read: st-flash write/read did not give the same bytes (see $log)"
		grep -Ei 'error|fail' "$log" | head -n 3 | sed 's/^/    /'
	fi
done
