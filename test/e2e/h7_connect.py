#!/usr/bin/env python3
"""End-to-end: the STM32H7 user reports of issue 13 on the lab's knobs,
through the real swdd binary (CLI and GDB server with gdb-multiarch).

H743 on STLINK-V3, "No STM32 target found" until an 8 MHz retry under
reset: the firmware turns SWD off (swd-disabled-by-firmware, through the
USB lab swdd-lab so that it runs long enough) or sleeps without the debug
bits (low-power-no-debug); swdd starts at the requested 8 MHz, walks the
probe's clocks down, connects under reset and says which cause it was. A supply lock (supply-lock: DP and AP2 answer, AP0 never)
is named with the BOOT0 recovery, not blamed on the wiring.

H725 on ST-LINK/V2: a hot-plug connect to running firmware does not
flash (DEV_TARGET_NOT_HALTED, explained) and touches nothing; a `swdd
flash` and a GDB `load` are each exactly one download (the lab's erase
and program counters, the server's one flash summary per load).
Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swdd_flash_cli  # noqa: E402
from swdd_flash_cli import FW, SWDD, UNTOUCHED, check  # noqa: E402
from fault_inject import GDB, gdb_batch  # noqa: E402

swdd_flash_cli.SUITE = "h7_connect"
H743 = ["--sim-chip", "stm32h743", "--sim-probe", "stlink-v3"]
H725 = ["--sim-chip", "stm32h725", "--sim-probe", "stlink-v2"]


def result(name, why):
    print(("FAIL h7_connect/%s: %s" % (name, "; ".join(why))) if why else "PASS h7_connect/%s" % name)
    sys.stdout.flush()


def cli_rows():
    demo743 = os.path.join(FW, "h743_demo.elf")
    big725, demo725 = os.path.join(FW, "h725_big.elf"), os.path.join(FW, "h725_demo.elf")
    # AN4938 2: the DP and AP2 answer, AP0 never, also under reset
    check("h743_supply_lock_named", ["info"] + H743 + ["--sim-fault", "supply-lock"], 4,
          {"error": lambda e: bool(e) and "SWDIO" not in e},
          err=r"DBGMCU_IDCODE 0x20036450 through AP2.*even with NRST held.*PWR_CR3.*"
              r"BOOT0 high and power-cycle")
    # D1 Stop without DBGSTOP_D1: under reset, DBGMCU_CR set before the firmware runs
    check("h743_low_power_under_reset",
          ["info", "--speed", "8000", "--sim-image", demo743, "--sim-fault", "low-power-no-debug"]
          + H743, 0, {"result": "ok", "idcode": "0x20036450"},
          err=r"connecting at 8000 kHz \(normal\).*connected only under reset: the debug port "
              r"answered.*low-power mode.*DBGMCU_CR to 0x0070003f")
    # the H725 report's hot plug: refused while the firmware runs, nothing touched
    check("h725_hot_plug_refused",
          ["flash", big725, "--sim-image", demo725, "--connect", "attach"] + H725, 5,
          {"result": "error", "error": lambda e: "core is running" in (e or "")},
          err=r"halt it first", lab=UNTOUCHED)
    # one request, one download: the one sector erased once, each flash word programmed once
    check("h725_one_download", ["flash", big725, "--sim-image", demo725] + H725, 0,
          {"result": "ok", "sectors_erased": 1, "bytes_programmed": 90936},
          lab={"sector_erases": 1, "mass_erases": 0, "program_ops": 2842})


def usb_row():
    """The H743 report through the USB lab (swdd-lab, umockdev): with
    --host-idle the chip runs through the host's pauses, so the firmware
    has turned SWD off before swdd connects, as on the bench."""
    name = "h743_no_target_found_ladder_under_reset"
    lab = os.path.join(os.path.dirname(SWDD), "swdd-lab")
    if not os.path.exists(lab):
        print("SKIP h7_connect/%s: %s was not built (make)" % (name, lab))
        return
    if "libumockdev-preload.so.0" not in subprocess.run(["ldconfig", "-p"], capture_output=True,
                                                          text=True).stdout:
        print("SKIP h7_connect/%s: umockdev's preload library is not installed" % name)
        return
    argv = [lab, "--probe", "stlink-v3", "--chip", "stm32h743", "--fault", "swd-disabled-by-firmware",
            "--image", os.path.join(FW, "h743_demo.elf"), "--host-idle", "10", "--timeout", "120", "--",
            SWDD, "info", "--probe", "stlink", "--speed", "8000"]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        result(name, ["swdd-lab did not finish within 180 s"])
        return
    why = [] if p.returncode == 0 else ["exit status %d" % p.returncode]
    for pat in (r"connecting at 8000 kHz \(normal\)", r"normal connect at 8000 kHz failed \(no target",
                r"retrying at 3300 kHz", r"normal connect failed; trying under reset",
                r"connecting at 8000 kHz \(under-reset\)",
                r"connected only under reset: no ACK until NRST was held.*SWD pins",
                r"IDCODE: +0x20036450"):
        if not re.search(pat, p.stdout + p.stderr, re.S):
            why.append("output lacks /%s/" % pat)
    result(name, why)


def with_server(name, args, cmds, tmp):
    """Runs gdb against a swdd server; returns (gdb output, swdd log) or None."""
    from gdb_session import start_server, stop_server
    log_path = os.path.join(tmp, name + ".swdd.log")
    with open(log_path, "w") as log:
        p, port = start_server(SWDD, args, log)
        if port is None:
            result(name, ["swdd did not start (see %s)" % log_path])
            return None
        try:
            out = gdb_batch(port, cmds, timeout=180)
        except subprocess.TimeoutExpired:
            out = "gdb timed out"
        stop_server(p)
    with open(log_path) as f:
        return out, f.read()


def gdb_rows(tmp):
    big725, demo725 = os.path.join(FW, "h725_big.elf"), os.path.join(FW, "h725_demo.elf")
    # The H725 report: one click, several downloads. One `load`, one download.
    name = "h725_gdb_load_once"
    r = with_server(name, H725 + ["--sim-image", demo725],
                    ["file " + big725, "load", "compare-sections", "detach"], tmp)
    if r:
        out, log = r
        why = []
        done = re.findall(r"flash: \d+ bytes in \d+ sectors: (\d+) erased", log)
        if done != ["1"]:
            why.append("flash summaries %r, expected one with 1 sector erased" % done)
        if "Transfer rate" not in out or re.search(r"MIS-MATCHED|Error|error", out):
            why.append("gdb: %s" % " | ".join(out.strip().splitlines()[-4:]))
        result(name, why)


def main():
    if not os.path.exists(SWDD) or not os.path.exists(os.path.join(FW, "h725_big.elf")):
        print("SKIP h7_connect: %s or the H7 images in %s are not built (make all)" % (SWDD, FW))
        return
    cli_rows()
    usb_row()
    if not shutil.which(GDB):
        print("SKIP h7_connect/gdb: %s is not installed" % GDB)
        return
    tmp = tempfile.mkdtemp(prefix="swdd-h7-connect-")
    gdb_rows(tmp)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
