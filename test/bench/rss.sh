#!/bin/bash
# Resident memory of swdd serving a USB probe (issue 15: at most 8 MB),
# connected and idle: swdd under swdd-lab (the emulated probe as a USB
# device, swdd's libusb/hidapi path; umockdev's preload library is in the
# process too, about 0.1 MB that a bench without the lab does not have),
# VmRSS read from /proc 3 s after the server started listening. Also the
# in-process lab (--probe sim), which loads libswdd-lab.so and Unicorn.
# Run by `make bench`; prints a table, asserts nothing.
source "$(dirname "$0")/../e2e/judge_common.bash"
SWDD=$BUILD/swdd
WORK=${SWDD_TEST_LOGS:-$BUILD/test-logs}/bench
mkdir -p "$WORK"

if ! judge_need rss "$SWDD"; then
	exit 0
fi

# rss_of CMD...: runs CMD (a swdd server) in the background, prints its
# VmRSS in kB once it listens (or "failed"), then stops it.
rss_of() {
	local out=$WORK/rss-server.log pid kb=failed
	"$@" --port 0 >"$out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q "listening for gdb" "$out" 2>/dev/null && break
		sleep 0.1
	done
	sleep 3
	grep -q "listening for gdb" "$out" && kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "${kb:-failed}"
}
export -f rss_of
export WORK

echo "resident memory of swdd serving a probe, connected and idle (VmRSS):"
for kind in stlink-v2 stlink-v3 cmsis-dap-v2; do
	kb=$("$LAB" --timeout 60 --probe "$kind" -- bash -c "rss_of $SWDD" 2>/dev/null | tail -1)
	printf '  %-14s USB (swdd-lab)  %s\n' "$kind" "$(awk -v k="$kb" 'BEGIN { if (k ~ /^[0-9]+$/) printf "%.1f MB", k / 1024; else print k }')"
done
kb=$(rss_of "$SWDD" --probe sim)
printf '  %-14s in-process lab  %s\n' "sim" "$(awk -v k="$kb" 'BEGIN { if (k ~ /^[0-9]+$/) printf "%.1f MB", k / 1024; else print k }')"
