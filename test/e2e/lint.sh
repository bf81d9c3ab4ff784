#!/bin/bash
# Static analysis (STYLE.md point 17): cppcheck over every C source of
# swdd and the lab. Warnings are failures, like compiler warnings.
cd "$(dirname "$0")/../.."
if ! command -v cppcheck >/dev/null; then
	echo "SKIP lint/cppcheck: cppcheck is not installed (scripts/deps.sh installs it)"
	exit 0
fi
out=$(cppcheck --quiet --enable=warning,portability --std=c11 --inline-suppr \
	-Icommon -Isim -Iprobe -Itargets -Iserver -Iflash -Ibuild/gen -D__GNUC__ \
	common sim probe targets server flash 2>&1)
if [ -z "$out" ]; then
	echo "PASS lint/cppcheck"
else
	echo "FAIL lint/cppcheck: $(printf '%s\n' "$out" | grep -c 'warning\|error') finding(s)"
	printf '%s\n' "$out" | sed 's/^/    /' | head -40
	exit 1
fi
