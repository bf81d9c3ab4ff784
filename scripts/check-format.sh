#!/bin/bash
# Lists the C sources that clang-format (with the repository's
# .clang-format) would change; exit status 1 if there is any. The files
# are those of swdd, the lab, the flash algorithms and the tests.
# Usage: scripts/check-format.sh [FILE...]
cd "$(dirname "$0")/.." || exit 2
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
if [ $# -eq 0 ]; then
	set -- $(find common probe targets flash flashalgo server sim test -name '*.[ch]' | sort)
fi
bad=0
for f in "$@"; do
	if ! "$CLANG_FORMAT" --style=file "$f" | cmp -s - "$f"; then
		echo "$f"
		bad=1
	fi
done
exit $bad
