#!/bin/bash
# The flash benchmark still completes (not a timed test: `make bench`
# measures speed; this only checks that each benchmark session runs to
# its end, so an engine rule such as "program only a halted core" cannot
# silently break `make bench`). One small row per chip: the F407 through
# STLINK-V3 and the H743 through CMSIS-DAP v2, load + session + reload.
# Prints harness lines.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${SWDD_BUILD:-$PWD/build}
BENCH=$BUILD/bench_flash
if [ ! -x "$BENCH" ]; then
	echo "SKIP bench_smoke/all: $BENCH was not built (make $BENCH)"
	exit 0
fi
out=$(BENCH_ONLY="stlink-v3:64 h743-cmsis-dap-v2:64" timeout 300 "$BENCH" 2>/dev/null)
for row in "^stlink-v3 +64 KiB load" "^H743 cmsis-dap-v2 +64 KiB load"; do
	name="bench_smoke/$(echo "$row" | tr -d '^+' | tr -s ' ' '_')"
	line=$(echo "$out" | grep -E "$row")
	if [ -n "$line" ] && echo "$line" | grep -q "reload"; then
		echo "PASS $name"
	else
		why=$(echo "$out" | grep -E "failed" | head -1)
		echo "FAIL $name: no completed row (${why:-no output})"
	fi
done
