#!/bin/sh
# Runs the RSP parser fuzzer (build/fuzz_rsp, server/server.mk) for a bounded
# time. Prints PASS, FAIL or SKIP (no clang/libFuzzer).
build=${SWDD_BUILD:-build}
fuzz="$build/fuzz_rsp"
secs=${SWDD_FUZZ_SECONDS:-60}
name=fuzz_rsp/parser_${secs}s
if [ ! -x "$fuzz" ]; then
	echo "SKIP $name: $fuzz not built (clang with -fsanitize=fuzzer is needed)"
	exit 0
fi
corpus=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$corpus" "$log"' EXIT
# Seeds: what GDB really sends.
printf '+$qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=arm#00' >"$corpus/1"
printf '$X20000000,4:ab}]}\003*#00$Z0,8000148,2#00\003$vCont;s:1;c#00' >"$corpus/2"
printf '$qXfer:features:read:target.xml:0,ffb#00$m0* ,4#00' >"$corpus/3"
if "$fuzz" -max_total_time="$secs" -rss_limit_mb=1024 "$corpus" >"$log" 2>&1; then
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n1)
	echo "PASS $name: ${runs:-?} inputs, no crash"
else
	echo "FAIL $name: the fuzzer found a crash:"
	grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5 | sed 's/^/    /'
	exit 1
fi
