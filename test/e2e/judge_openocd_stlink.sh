#!/bin/bash
# Judge 1 (issue 4): OpenOCD 0.12's ST-LINK driver (interface/stlink.cfg,
# target/stm32f4x.cfg) through emulated ST-LINK/V2 and /V3: init, halt,
# DBGMCU_IDCODE and CPUID, SRAM write/read, flash probe/info, and
# `program big.elf verify reset exit` (OpenOCD's stm32f2x loader runs on the
# simulated core, so this also judges the core and the flash controller).
source "$(dirname "$0")/judge_common.bash"
for kind in stlink-v2 stlink-v3; do
	tag=stlink_${kind#stlink-}
	judge_need "judge_openocd_$tag" openocd "$FW_ELF" || continue
	judge_openocd "$kind" "$tag"
done
