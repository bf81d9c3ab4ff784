#!/bin/bash
# Runs every test program and prints the totals line.
#
# Test programs print one line per test: "PASS name", "FAIL name: why" or
# "SKIP name: reason". A program that exits non-zero without printing a FAIL
# line (a crash, a sanitizer report) counts as one failure of its own.
# Usage: test/run.sh PROGRAM...   (unit test binaries and e2e scripts)
set -u
log_dir=${SWDD_TEST_LOGS:-build/test-logs}
mkdir -p "$log_dir"
jobs=${SWDD_TEST_JOBS:-2}

run_one() {
	local prog=$1 log_dir=$2
	local name
	name=$(basename "$prog")
	local out="$log_dir/$name.log"
	"$prog" >"$out" 2>"$out.err" </dev/null
	local rc=$?
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		echo "FAIL $name: exited with status $rc (see $out.err)" >>"$out"
		tail -n 20 "$out.err" | sed 's/^/    /' >>"$out"
	fi
	cat "$out"
}
export -f run_one

# The third-party judges (test/e2e/judge_*) run third-party tools whose
# time-outs are wall-clock while the lab's chip lives on a virtual clock
# that the host CPU must drive; they run one at a time after the rest, so
# that a busy machine does not starve the simulated chip.
parallel=() serial=()
for t in "$@"; do
	case $(basename "$t") in
	judge_*) serial+=("$t") ;;
	*) parallel+=("$t") ;;
	esac
done
results=$( (printf '%s\n' "${parallel[@]}" | grep . | xargs -P "$jobs" -I{} bash -c 'run_one "$1" "$2"' _ {} "$log_dir"
	for t in "${serial[@]}"; do run_one "$t" "$log_dir"; done) )
printf '%s\n' "$results" | grep -E '^(PASS|FAIL|SKIP|    )' | grep -v '^PASS' || true
pass=$(printf '%s\n' "$results" | grep -c '^PASS ')
fail=$(printf '%s\n' "$results" | grep -c '^FAIL ')
skip=$(printf '%s\n' "$results" | grep -c '^SKIP ')
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
