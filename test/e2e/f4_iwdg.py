#!/usr/bin/env python3
"""End-to-end: flashing an STM32F407 whose independent watchdog runs, through
swdd-lab (emulated ST-LINK/V2 over swdd's real USB path) and through GDB's
`load`.

The board's option bytes hold WDG_SW = 0 (swdd-lab --fault hw-watchdog):
the IWDG starts at every reset (RM0090 21.3.1) and cannot be stopped;
swdd's DBGMCU freeze holds it only while the core is halted (RM0090
38.16.4), so it counts while a flash algorithm runs, and its 512 ms
time-out is shorter than a 128 KiB sector erase (1 s typical at x32,
DS8626). The board holds the demo firmware and old data in sector 5
(0x08020000, 128 KiB); the new image fills sector 5 (erase and program).
Rows:
  - cli_no_watchdog_128k: the same write on a board without the watchdog
    (the resets a session makes by itself, the modelled time);
  - cli_hw_watchdog_128k: `swdd flash` with the built-in algorithm, which
    refreshes the IWDG in its waits: success, verified, one sector erase,
    and the lab counted no more resets than without the watchdog;
  - cli_hw_watchdog_no_refresh_named: the same source built without the
    refresh (stm32f4_no_iwdg.flm, --flash-algo): exit 5, the reset during
    the call named by RCC_CSR.IWDGRSTF;
  - cli_fw_watchdog_injected_refreshed: the firmware's watchdog with 10 ms
    left (--inject watchdog@erase:1, the fault of fault_inject.py) under
    the built-in algorithm: the refresh keeps it fed, the write verifies;
  - gdb_hw_watchdog_128k: GDB `load` of the same image as an ELF, then
    compare-sections: matched, swdd's log names no error.
Prints the modelled times (swdd-lab --stats) and PASS/FAIL/SKIP lines.
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_inject import BUILD, GDB, LAB, NO_IWDG, SWDD, gdb_batch, start_server, stop_server  # noqa: E402

SUITE = "f4_iwdg"
DEMO = os.path.abspath(os.path.join(BUILD, "fw", "demo.bin"))
SECTOR5 = 0x08020000
SIZE = 0x20000
VERIFIED = r"131072 bytes in 1 sectors: 1 erased, 0 unchanged \(skipped\), 131072 bytes programmed, verified"


def result(name, why):
    print(("FAIL %s/%s: %s" % (SUITE, name, "; ".join(why))) if why else "PASS %s/%s" % (SUITE, name))
    sys.stdout.flush()


def images(tmp):
    """The board's flash (demo firmware, old data in sector 5) as a raw
    binary from 0x08000000; the new sector 5 as a raw binary and an ELF."""
    rng = random.Random(20261204)
    with open(DEMO, "rb") as f:
        demo = f.read()
    old = bytearray(b"\xff" * (SECTOR5 - 0x08000000)) + bytes(rng.getrandbits(8) for _ in range(SIZE))
    old[:len(demo)] = demo
    new = bytes(rng.getrandbits(8) for _ in range(SIZE))
    paths = [os.path.join(tmp, n) for n in ("old.bin", "new.bin", "new.elf")]
    for path, data in zip(paths, (old, new)):
        with open(path, "wb") as f:
            f.write(data)
    subprocess.run(["arm-none-eabi-objcopy", "-I", "binary", "-O", "elf32-littlearm", "-B", "arm",
                    "--change-section-address", ".data=0x%08x" % SECTOR5, paths[1], paths[2]], check=True)
    return paths


def lab_argv(old, stats, extra):
    return [LAB, "--probe", "stlink-v2", "--image", old, "--stats", stats, "--timeout", "150"] + extra + ["--"]


def chip_stats(stats):
    try:
        with open(stats) as f:
            return json.load(f)["probes"][0]["chip"]
    except (OSError, ValueError, KeyError, IndexError):
        return {}


def cli(name, lab, args, want_exit, want, stats):
    """One `swdd flash` under swdd-lab: its exit status, the last line of
    stderr matching `want`; returns the lab's chip statistics."""
    p = subprocess.run(lab + [SWDD, "flash"] + args, capture_output=True, text=True, timeout=180)
    err = p.stderr.replace("\n", " ")
    st = chip_stats(stats)
    why = []
    if p.returncode != want_exit:
        why.append("exit %d, expected %d" % (p.returncode, want_exit))
    if not re.search(want, err):
        why.append("stderr lacks /%s/: %s" % (want, err[-400:]))
    print("  %s: exit %d, modelled %.3f s, %s sector erase(s), %s reset(s)" %
          (name, p.returncode, st.get("now_seconds", -1), st.get("sector_erases"), st.get("resets")))
    return why, st, err


def t_gdb(name, lab, elf, tmp):
    logpath = os.path.join(tmp, "%s.log" % name)
    with open(logpath, "w") as log:
        p, port = start_server(lab, [], log)
        if port is None:
            stop_server(p)
            result(name, ["swdd did not start: %s" % open(logpath).read()[-300:]])
            return
        out = gdb_batch(port, ["file " + elf, "load", "compare-sections", "echo LOAD-DONE\\n"], timeout=150)
        stop_server(p)
    logtext = open(logpath).read()
    why = []
    if not re.search(r"Section \.data, range 0x8020000 -- 0x8040000: matched", out):
        why.append("compare-sections did not match: %s" % out[-400:])
    if re.search(r"MIS-MATCHED|Error|error", out) or "LOAD-DONE" not in out:
        why.append("GDB reported an error: %s" % out[-400:])
    if re.search(r"swdd: error|IWDGRSTF|reset while", logtext):
        why.append("swdd's log names an error: %s" % logtext[-400:])
    print("  %s: %s" % (name, " | ".join(l for l in out.splitlines() if "matched" in l or "Transfer" in l)))
    result(name, why)


def main():
    for p in (SWDD, LAB, DEMO):
        if not os.access(p, os.R_OK):
            print("SKIP %s/all: %s was not built (make)" % (SUITE, p))
            return
    if subprocess.run("ldconfig -p | grep -q libumockdev-preload.so.0", shell=True).returncode:
        print("SKIP %s/all: umockdev's preload library is not installed" % SUITE)
        return
    if not shutil.which("arm-none-eabi-objcopy"):
        print("SKIP %s/all: arm-none-eabi-objcopy is not installed" % SUITE)
        return
    with tempfile.TemporaryDirectory() as tmp:
        old, new, elf = images(tmp)
        stats = os.path.join(tmp, "stats.json")
        hw = lab_argv(old, stats, ["--fault", "hw-watchdog"])
        args = [new, "--address", "0x%08x" % SECTOR5]
        # the same board without the watchdog: the resets of the session itself
        why, base, _ = cli("cli_no_watchdog_128k", lab_argv(old, stats, []), args, 0, VERIFIED, stats)
        result("cli_no_watchdog_128k", why)
        why, st, _ = cli("cli_hw_watchdog_128k", hw, args, 0, VERIFIED, stats)
        if st.get("sector_erases") != 1 or st.get("resets") != base.get("resets"):
            why.append("lab counters %s, without the watchdog %s resets" % (st, base.get("resets")))
        result("cli_hw_watchdog_128k", why)
        if os.access(NO_IWDG, os.R_OK):
            why, st, _ = cli("cli_hw_watchdog_no_refresh_named", hw, args + ["--flash-algo", NO_IWDG], 5,
                             r"the chip was reset while the flash algorithm ran.*RCC_CSR 0x\w+: IWDGRSTF", stats)
            result("cli_hw_watchdog_no_refresh_named", why)
        else:
            print("SKIP %s/cli_hw_watchdog_no_refresh_named: %s was not built (make all)" % (SUITE, NO_IWDG))
        inj = lab_argv(old, stats, ["--inject", "watchdog@erase:1"])
        why, st, err = cli("cli_fw_watchdog_injected_refreshed", inj, args, 0, VERIFIED, stats)
        if "injecting a running watchdog" not in err:
            why.append("the lab never injected the watchdog")
        result("cli_fw_watchdog_injected_refreshed", why)
        if shutil.which(GDB):
            t_gdb("gdb_hw_watchdog_128k", hw, elf, tmp)
        else:
            print("SKIP %s/gdb_hw_watchdog_128k: %s is not installed" % (SUITE, GDB))


if __name__ == "__main__":
    main()
