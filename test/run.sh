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

results=$(printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'run_one "$1" "$2"' _ {} "$log_dir")
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
