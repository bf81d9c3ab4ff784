#!/usr/bin/env python3
"""End-to-end: `swdd flash` on the lab's STM32H743 (both banks) and
STM32H725 (one bank) through STLINK-V3 and CMSIS-DAP v2 (issue 13): the
lab's H7 images (test/firmware/firmware.mk) programmed and verified, an
unchanged reload that erases and programs nothing, and an erase that the
controller reports done without erasing (lab knob fast-erase) named as
not performed. Prints PASS/FAIL/SKIP lines.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swdd_flash_cli  # noqa: E402
from swdd_flash_cli import FW, SWDD, UNTOUCHED, check  # noqa: E402

swdd_flash_cli.SUITE = "swdd_flash_h7"

PROBES = ["stlink-v3", "cmsis-dap-v2"]


def rows(chip, probe):
    big = os.path.join(FW, chip + "_big.elf")
    demo = os.path.join(FW, chip + "_demo.elf")
    sim = ["--sim-chip", "stm32" + chip, "--sim-probe", probe]
    tag = "%s_%s" % (chip, probe.replace("-", "_"))
    # h7xx_big.elf: 73 KiB in sector 0 and 16 KiB in a second sector
    # (bank 2 at 0x08100000 on the H743): 2842 flash words of 32 bytes
    check(tag + "_program_verify", ["flash", big] + sim, 0,
          {"result": "ok", "sectors_touched": 2, "bytes_programmed": 90936},
          lab={"program_ops": 2842, "sector_erases": 0})
    check(tag + "_over_firmware", ["flash", big, "--sim-image", demo] + sim, 0,
          {"result": "ok", "sectors_erased": 1})
    check(tag + "_reload_skips", ["flash", big, "--sim-image", big] + sim, 0,
          {"result": "ok", "sectors_skipped": 2}, lab=UNTOUCHED)


def main():
    if not os.path.exists(SWDD) or not os.path.exists(os.path.join(FW, "h743_big.elf")):
        print("SKIP swdd_flash_h7: %s or the H7 images in %s are not built (make all)" % (SWDD, FW))
        return
    for chip in ("h743", "h725"):
        for probe in PROBES:
            rows(chip, probe)
    check("h743_fast_erase_named",
          ["flash", os.path.join(FW, "h743_big.elf"), "--sim-image",
           os.path.join(FW, "h743_demo.elf"), "--sim-chip", "stm32h743", "--sim-probe",
           "stlink-v3", "--sim-fault", "fast-erase"], 5, {"result": "error"},
          err=r"sector 0 \(0x08000000\) erase took \d+ ms, typ 1\.1 s.*not performed")


if __name__ == "__main__":
    main()
