#!/bin/bash
# swdd-lab itself (docs/LAB-USB.md): exit status, time limit, clean-up on
# signals, the probe list given to the child, several probes at once (as
# stlink-tools sees them), the statistics file, and an idle client that
# costs no CPU (poll() on the FIFO nodes). Prints harness lines.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${SWDD_BUILD:-$PWD/build}
LAB=$BUILD/swdd-lab
LOGS=${SWDD_TEST_LOGS:-$BUILD/test-logs}/lab_cli
mkdir -p "$LOGS"

if ! ldconfig -p 2>/dev/null | grep -q libumockdev-preload.so.0; then
	echo "SKIP lab_cli/all: umockdev's preload library is not installed"
	exit 0
fi
[ -x "$LAB" ] || { echo "SKIP lab_cli/all: $LAB was not built (make)"; exit 0; }

# result NAME CONDITION-STATUS WHY
result() {
	if [ "$2" -eq 0 ]; then echo "PASS lab_cli/$1"; else echo "FAIL lab_cli/$1: $3"; fi
}

"$LAB" -- sh -c 'exit 7' 2>/dev/null
rc=$?
[ $rc -eq 7 ]; result exit_status $? "exit status $rc, expected the child's 7"

"$LAB" --probe no-such-probe -- true 2>/dev/null
rc=$?
[ $rc -eq 2 ]; result bad_option $? "exit status $rc for an unknown probe kind, expected 2"

start=$(date +%s)
"$LAB" --timeout 1 -- sleep 30 2>/dev/null
rc=$?
[ $rc -eq 124 ] && [ $(($(date +%s) - start)) -lt 10 ]
result timeout $? "exit status $rc after --timeout 1, expected 124 within seconds"

# SIGTERM to the lab: the child's process group dies, the testbed goes.
# The child names its own pid (kept across exec): another `sleep 300` on a
# shared machine must not make this test fail.
"$LAB" -- sh -c 'echo $$ >'"$LOGS/child"'; echo "$UMOCKDEV_DIR" >'"$LOGS/dir"'; exec sleep 300' 2>/dev/null &
lab_pid=$!
for _ in $(seq 50); do [ -s "$LOGS/dir" ] && break; sleep 0.1; done
kill -TERM $lab_pid
wait $lab_pid
rc=$?
dir=$(cat "$LOGS/dir" 2>/dev/null)
child=$(cat "$LOGS/child" 2>/dev/null)
sleep 0.2
[ $rc -eq 143 ] && [ -n "$dir" ] && [ ! -e "$dir" ] && [ -n "$child" ] && ! kill -0 "$child" 2>/dev/null
result sigterm_cleanup $? "status $rc, testbed '$dir' left or child still running"
rm -f "$LOGS/dir" "$LOGS/child"

out=$("$LAB" --probe stlink-v2:AAAA11112222333344445555 --probe cmsis-dap-v2 -- \
	sh -c 'echo "$SWDD_LAB_PROBES"' 2>/dev/null)
[[ $out == stlink-v2:AAAA11112222333344445555,cmsis-dap-v2:* ]]
result probes_env $? "SWDD_LAB_PROBES was '$out'"

if command -v st-info >/dev/null; then
	"$LAB" --probe stlink-v2 --probe stlink-v3 --stats "$LOGS/two.json" -- st-info --probe \
		>"$LOGS/two.log" 2>&1
	grep -q 'Found 2 stlink programmers' "$LOGS/two.log" &&
		[ "$(grep -c 'chipid: *0x0413' "$LOGS/two.log")" -eq 2 ]
	result two_probes $? "st-info did not find two ST-LINKs with an F4 each (see $LOGS/two.log)"
	python3 - "$LOGS/two.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"kind", "serial", "usb_transactions", "bytes_out", "bytes_in", "swd_transfers",
        "modelled_seconds", "chip"}
chip = {"sector_erases", "mass_erases", "program_ops", "bytes_programmed"}
ok = (len(d["probes"]) == 2 and "wall_seconds" in d and
      all(keys <= set(p) and chip <= set(p["chip"]) and p["usb_transactions"] > 0
          for p in d["probes"]))
sys.exit(0 if ok else 1)
EOF
	result stats_json $? "missing fields or no traffic in $LOGS/two.json"
else
	echo "SKIP lab_cli/two_probes: st-info is not installed"
	echo "SKIP lab_cli/stats_json: st-info is not installed"
fi

# A client waiting 3 s for a bulk IN that never gets data must sleep in
# poll() (libusb's event loop on the FIFO node) and then time out:
# lab and child together well under a second of CPU.
cat >"$LOGS/idle.py" <<'EOF'
import ctypes, sys
u = ctypes.CDLL("libusb-1.0.so.0")
u.libusb_open_device_with_vid_pid.restype = ctypes.c_void_p
ctx = ctypes.c_void_p()
u.libusb_init(ctypes.byref(ctx))
h = ctypes.c_void_p(u.libusb_open_device_with_vid_pid(ctx, 0x0483, 0x3748))
if not h.value or u.libusb_claim_interface(h, 0):
    sys.exit("cannot open or claim the emulated ST-LINK")
buf, got = (ctypes.c_ubyte * 64)(), ctypes.c_int()
rc = u.libusb_bulk_transfer(h, ctypes.c_ubyte(0x81), buf, 64, ctypes.byref(got), 3000)
print("bulk IN:", rc)
sys.exit(0 if rc == -7 else 1)  # LIBUSB_ERROR_TIMEOUT
EOF
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%U %S' -o "$LOGS/idle.time" "$LAB" --probe stlink-v2 -- \
		python3 "$LOGS/idle.py" >"$LOGS/idle.log" 2>&1
	rc=$?
	cpu=$(awk '{print $1 + $2}' "$LOGS/idle.time" 2>/dev/null | tail -n 1)
	[ $rc -eq 0 ] && awk -v c="${cpu:-9}" 'BEGIN { exit !(c < 1.0) }'
	result idle_cpu $? "status $rc, ${cpu:-?} s of CPU for a 3 s wait on a bulk IN (see $LOGS/idle.log)"
else
	echo "SKIP lab_cli/idle_cpu: /usr/bin/time is not installed (package time)"
fi
exit 0
