#!/bin/bash
# Side-by-side flash benchmark (issue 15 part 4): swdd, OpenOCD and st-flash
# load the same images through the same emulated USB probes (build/swdd-lab
# under umockdev) with the same time accounting as the judges: the chip's
# clock (the lab's `now_seconds`) runs through the bus time of every transfer
# and through the host's pauses between transfers (--host-idle 10, as on a
# bench where the chip keeps running while the host sleeps). Every figure is
# the whole session, connect and reset included.
#
# SIDE_NET=1 (the default) also gives swdd-lab --host-idle-net: each pause
# counts less the emulation's own cost of a transfer (umockdev's and the
# lab's, estimated from the pauses between a command's OUT and its IN,
# docs/LAB-USB.md), time a host on silicon does not spend; SIDE_NET=0 keeps
# it (the judges' accounting).
#
# Rows: images of 64 KiB, 256 KiB and 1 MiB over a different firmware (every
# touched sector must be erased), and the reload of an unchanged image
# (SIDE_RELOAD KiB, default the smallest size); probes ST-LINK/V2, STLINK-V3 and CMSIS-DAP v2 (st-flash drives
# ST-LINKs only). The physics column is the DS8626 typical bound of
# test/bench/bench_flash.c: the x32 erase time of the touched sectors plus
# 16 us per word.
#
# Run by `make bench` after the in-process benchmarks; never by `make test`.
# SIDE_SIZES="64 256 1024", SIDE_PROBES="stlink-v2 ..." and SIDE_TOOLS="swdd
# openocd st-flash" narrow the run;
# one session per cell (about 8-10 minutes in all on the shared machine);
# the logs and the lab statistics go to build/test-logs/bench/.
source "$(dirname "$0")/../e2e/judge_common.bash"
SWDD=$BUILD/swdd
WORK=${SWDD_TEST_LOGS:-$BUILD/test-logs}/bench
SIZES=${SIDE_SIZES:-64 256 1024}
PROBES=${SIDE_PROBES:-stlink-v2 stlink-v3 cmsis-dap-v2}
mkdir -p "$WORK"
NET=()
[ "${SIDE_NET:-1}" = 1 ] && NET=(--host-idle-net)

if ! judge_need side_by_side "$SWDD" python3; then
	exit 0
fi
TOOLS=${SIDE_TOOLS:-swdd openocd st-flash}
have_ocd=0 have_stf=0
case " $TOOLS " in *" openocd "*)
	have_ocd=1
	command -v openocd >/dev/null || { have_ocd=0; echo "SKIP side_by_side/openocd: openocd is not installed"; } ;;
esac
case " $TOOLS " in *" st-flash "*)
	have_stf=1
	command -v st-flash >/dev/null || { have_stf=0; echo "SKIP side_by_side/st-flash: st-flash is not installed"; } ;;
esac

# mkimg KIB SEED SP RESET FILE: a raw image with a vector table (SP, reset
# handler `b .`) and pseudo-random bytes elsewhere, so that no word is erased.
mkimg() {
	python3 - "$@" <<'EOF'
import random, struct, sys
kib, seed, sp, rv, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3], 0), int(sys.argv[4], 0), sys.argv[5]
r = random.Random(seed)
b = bytearray(r.getrandbits(8) for _ in range(kib * 1024))
b[0:8] = struct.pack('<II', sp, rv)
pc = (rv & ~1) - 0x08000000
b[pc:pc + 2] = b'\xfe\xe7'
open(out, 'wb').write(b)
EOF
}

# physics KIB: DS8626 typical x32 erase of the touched sectors + 16 us/word.
physics() {
	python3 -c '
import sys
n = int(sys.argv[1]) * 1024; a = 0; t = 0.0
while a < n:
    sz = 0x4000 if a < 0x10000 else 0x10000 if a < 0x20000 else 0x20000
    t += {0x4000: 0.25, 0x10000: 0.55, 0x20000: 1.0}[sz]; a += sz
print("%.3f" % (t + n / 4 * 16e-6))' "$1"
}

# chip_seconds STATS: the chip's clock at the end of the session, or "".
chip_seconds() {
	python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["probes"][0]["chip"]["now_seconds"])' \
		"$1" 2>/dev/null
}

# run TOOL PROBE KIB OLD TAG: one session; prints the chip seconds or "failed".
run() {
	local tool=$1 kind=$2 kib=$3 old=$4 tag=$5
	local img=$WORK/new$kib.bin log=$WORK/$tag.log stats=$WORK/$tag.json
	local cmd
	case $tool in
	swdd) cmd=("$SWDD" flash "$img") ;;
	openocd)
		cmd=(openocd -d1 -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled")
		case $kind in
		stlink-*) cmd+=(-f interface/stlink.cfg) ;;
		cmsis-dap-v2) cmd+=(-f interface/cmsis-dap.cfg -c "cmsis_dap_backend usb_bulk" -c "transport select swd") ;;
		esac
		cmd+=(-f target/stm32f4x.cfg -c "program $img 0x08000000 verify reset exit") ;;
	st-flash) cmd=(st-flash --reset write "$img" 0x08000000) ;;
	esac
	rm -f "$stats"
	if lab_run "$log" "$stats" "${NET[@]}" --probe "$kind" --image "$old" -- "${cmd[@]}"; then
		chip_seconds "$stats"
	else
		echo failed
	fi
}

# ratio A B: A / B to two decimals, "-" when either is not a number.
ratio() {
	python3 -c '
import sys
try: print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))
except Exception: print("-")' "$1" "$2"
}

# The unchanged reload: 64 KiB by default (OpenOCD and st-flash rewrite an
# unchanged image in full, so a 1 MiB reload costs them a whole load of
# wall time: SIDE_RELOAD=1024 adds about 3 minutes).
reload=${SIDE_RELOAD:-${SIZES%% *}}
for kib in $SIZES $reload; do
	[ -f "$WORK/new$kib.bin" ] || mkimg "$kib" 1 0x20020000 0x08000101 "$WORK/new$kib.bin"
	[ -f "$WORK/old$kib.bin" ] || mkimg "$kib" 2 0x2001fff0 0x08000201 "$WORK/old$kib.bin"
done
status=0

echo "side-by-side (swdd-lab, --host-idle $HOST_IDLE ms ${NET[*]}: modelled seconds of the chip's clock, whole session;"
echo "physics = DS8626 typical x32 erase + 16 us/word; ocd/swdd and stf/swdd: how many times swdd is faster)"
printf '%-13s %-15s %8s %8s %6s %8s %8s %7s %7s\n' probe image physics swdd x_phys openocd st-flash ocd/swdd stf/swdd
for kind in $PROBES; do
	rows=()
	for kib in $SIZES; do
		rows+=("$kib:old$kib")
	done
	rows+=("$reload:new$reload")
	for row in "${rows[@]}"; do
		kib=${row%%:*} old=$WORK/${row#*:}.bin
		label="$kib KiB"
		[ "${row#*:}" = "new$kib" ] && label="$kib KiB reload"
		tag=$kind-$kib-${row#*:}
		phys=$(physics "$kib")
		s=$(run swdd "$kind" "$kib" "$old" "swdd-$tag")
		o=-
		f=-
		[ $have_ocd = 1 ] && o=$(run openocd "$kind" "$kib" "$old" "openocd-$tag")
		case $kind in stlink-*) [ $have_stf = 1 ] && f=$(run st-flash "$kind" "$kib" "$old" "stflash-$tag") ;; esac
		xp=$(ratio "$s" "$phys")
		[ "${row#*:}" = "new$kib" ] && xp=-
		printf '%-13s %-15s %8s %8s %6s %8s %8s %7s %7s\n' "$kind" "$label" "$phys" "$s" "$xp" "$o" "$f" \
			"$(ratio "$o" "$s")" "$(ratio "$f" "$s")"
		if [ "$s" = failed ]; then
			echo "FAIL side_by_side/$kind/$label: swdd flash failed (see $WORK/swdd-$tag.log)"
			status=1
		fi
	done
done
exit $status
