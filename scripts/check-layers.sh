#!/bin/bash
# Checks every #include "..." of swdd's sources against the layering of
# docs/ARCHITECTURE.md: a file may include headers of its own layer and of
# the layers below it, never above or beside. The Makefile's per-directory
# include paths make such an include fail to compile; this check names it.
#
#   server -> flash (flash/, flashalgo/) -> targets -> probe -> common
#   sim/ sees only sim/; sim/lab/ sees sim/ and sim/lab/.
#   The lab's public headers sim/sim.h and sim/sim_probe.h are also open
#   to server/ (it starts the lab) and to the in-process transport
#   (probe/probe.c, probe/transport_sim.c).
#
# Usage: scripts/check-layers.sh [ROOT]   (prints one line per violation;
# exit status 1 if there is any)
root=${1:-.}
cd "$root" || exit 2

allowed() { # directory of the including file -> directories it may include from
	case $1 in
	common) echo "common" ;;
	probe) echo "common probe" ;;
	targets | targets/*) echo "common probe targets targets/stm32" ;;
	flash | flashalgo) echo "common probe targets targets/stm32 flash flashalgo" ;;
	server) echo "common probe targets targets/stm32 flash flashalgo server" ;;
	sim) echo "sim" ;;
	sim/lab) echo "sim sim/lab" ;;
	*) echo "" ;;
	esac
}

public_sim() { # file that may include the lab's public headers
	case $1 in
	server/* | probe/probe.c | probe/transport_sim.c) return 0 ;;
	esac
	return 1
}

# Where an include resolves: the including file's directory first, then
# every source directory of the tree (to name the layer it reaches into).
resolve() {
	local dir=$1 inc=$2 d
	if [ -f "$dir/$inc" ]; then
		realpath --relative-to=. "$dir/$inc"
		return
	fi
	for d in common probe targets flash flashalgo server sim sim/lab; do
		if [ -f "$d/$inc" ]; then
			realpath --relative-to=. "$d/$inc"
			return
		fi
	done
}

bad=0
while IFS= read -r f; do
	dir=$(dirname "$f")
	ok=" $(allowed "$dir") "
	while IFS= read -r inc; do
		target=$(resolve "$dir" "$inc")
		[ -n "$target" ] || continue # generated (build/gen) or system header
		tdir=$(dirname "$target")
		case "$ok" in *" $tdir "*) continue ;; esac
		if public_sim "$f" && { [ "$target" = sim/sim.h ] || [ "$target" = sim/sim_probe.h ]; }; then
			continue
		fi
		echo "$f: #include \"$inc\" reaches $target (layer $tdir), which $dir/ may not use"
		bad=1
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find common probe targets flash flashalgo server sim -name '*.[ch]' | sort)
exit $bad
