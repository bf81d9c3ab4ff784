#!/bin/sh
# Runs the file-parser fuzzers (build/fuzz_elf, fuzz_hex, fuzz_flm;
# server/fuzz_files.c, server/server.mk) from the seeds in test/fuzz/ and
# the algorithms the build made, each for SWDD_FUZZ_FILES_SECONDS (5 in
# `make test`; `make fuzz` runs them long, keeping the corpus in build/).
# Prints PASS, FAIL or SKIP (no clang/libFuzzer) per parser.
build=${SWDD_BUILD:-build}
secs=${SWDD_FUZZ_FILES_SECONDS:-5}
keep=${SWDD_FUZZ_KEEP_CORPUS:-}
status=0
for kind in elf hex flm; do
	fuzz="$build/fuzz_$kind"
	name=fuzz_files/${kind}_${secs}s
	if [ ! -x "$fuzz" ]; then
		echo "SKIP $name: $fuzz not built (clang with -fsanitize=fuzzer is needed)"
		continue
	fi
	if [ -n "$keep" ]; then
		corpus="$build/fuzz_${kind}_corpus"
		mkdir -p "$corpus"
	else
		corpus=$(mktemp -d)
	fi
	log=$(mktemp)
	cp test/fuzz/"$kind"/* "$corpus"/ 2>/dev/null
	# swdd's own algorithms are ELF files and FLMs as well
	[ "$kind" = hex ] || cp "$build"/flashalgo/*.flm "$build"/flashalgo/*.elf "$corpus"/ 2>/dev/null
	art=$(mktemp -d)
	if "$fuzz" -max_total_time="$secs" -rss_limit_mb=1024 -max_len=65536 \
		-artifact_prefix="$art/" "$corpus" >"$log" 2>&1; then
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n1)
		echo "PASS $name: ${runs:-?} inputs, no crash"
	else
		echo "FAIL $name: the fuzzer found a crash:"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5 | sed 's/^/    /'
		mkdir -p "$build/fuzz_artifacts" && cp "$art"/* "$build/fuzz_artifacts/" 2>/dev/null
		echo "    (the input is kept in $build/fuzz_artifacts/)"
		status=1
	fi
	rm -rf "$log" "$art"
	[ -n "$keep" ] || rm -rf "$corpus"
done
exit $status
