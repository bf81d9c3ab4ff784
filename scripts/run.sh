#!/bin/sh
# `make run`: starts swdd on the simulated lab (emulated ST-LINK/V2-1 and a
# STM32F407 with the demo firmware already in flash) and prints the gdb
# command line to try. Extra arguments go to swdd (e.g. --port 4444 -v).
# The lab is asked for explicitly (--probe sim): swdd never falls back to
# it by itself, and this script says that it is the simulated chip.
port=3333
for a in "$@"; do
	case $prev in --port) port=$a ;; esac
	prev=$a
done
elf=build/fw/demo.elf
image=
if [ -f "$elf" ]; then
	image="--sim-image $elf"
else
	echo "run.sh: $elf is missing: the lab chip starts with erased flash" >&2
	elf=
fi
cat <<MSG
Starting swdd with --probe sim: the SIMULATED lab (an emulated ST-LINK/V2-1
and a simulated STM32F407), not a real probe. With a real probe plugged in,
run build/swdd without --probe sim.

In another terminal, try:

  gdb-multiarch $elf -ex 'target extended-remote :$port' -ex 'load' -ex 'break main' -ex 'continue'

(\`load\` erases and programs only sectors that differ: here it skips them all,
the demo is already in the simulated flash.)
Stop the server with Ctrl-C.

MSG
exec build/swdd --probe sim --sim-probe stlink-v21 --sim-chip stm32f407 $image --port "$port" "$@"
