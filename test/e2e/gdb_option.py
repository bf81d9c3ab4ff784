#!/usr/bin/env python3
"""End-to-end: the option-byte monitor commands (issue 13 point 6) from
gdb-multiarch (GDB 13, Python API) on the lab's STM32H743 running its
demo firmware, through an emulated STLINK-V3 and CMSIS-DAP v2:
`monitor option` (the whole report reaches GDB), `option set` refused
without `confirm` for a lock-out field and done for a harmless one,
`bank-swap on` (explained, nothing moves before the reset), `bank-swap on
reset` (bank 2 at 0x08000000) and `bank-swap off reset` (bank 1 back),
and on the STM32F407 `bank-swap on` refused with the reason.

Run directly (test/run.sh does): one swdd per case with `--probe sim`.
Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import sys

try:
    import gdb  # noqa: F401  (present only inside gdb)
except ImportError:
    gdb = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdb_reasons import run, run_case, session  # noqa: E402


def word_at(addr):
    _, out = run("monitor mdw 0x%08x" % addr)
    m = re.search(r"0x%08x: ([0-9a-f]{8})" % addr, out)
    return int(m.group(1), 16) if m else None


def expect(cmd, ok, pattern):
    err, out = run(cmd)
    flat = out.replace("\n", " ")
    if (err is None) != ok or not re.search(pattern, flat):
        return "%s: error %r, output %r" % (cmd, err, flat[-400:])
    return None


def h743_checks():
    rows = [
        ("option_report", lambda: expect("monitor option", True, r"RDP +0xAA \(level 0\).*DMES2 +0")),
        ("lockout_refused", lambda: expect("monitor option set RDP=1", False,
                                           r"refused, nothing was written: RDP.*`confirm`")),
        ("harmless_set", lambda: expect("monitor option set FZ_IWDG_STOP=0", True,
                                        r"FZ_IWDG_STOP: 1 -> 0")),
        ("bank_swap_explained", swap_explained),
        ("bank_swap_reset", swap_reset),
    ]
    return rows


def swap_explained():
    before = word_at(0x08000000)
    why = expect("monitor bank-swap on", True,
                 r"physical bank 2 answers at 0x08000000.*sector 0 \(0x08000000\).*Nothing moves")
    if not why and word_at(0x08000000) != before:
        why = "0x08000000 changed before any reset"
    return why


def swap_reset():
    b1, b2 = word_at(0x08000000), word_at(0x08100000)
    why = expect("monitor bank-swap on reset", True, r"reset: the banks are swapped now.*pc 0x")
    if not why and (word_at(0x08000000), word_at(0x08100000)) != (b2, b1):
        why = "after the swap 0x08000000 holds 0x%08x (bank 2 held 0x%08x)" % (word_at(0x08000000), b2)
    why = why or expect("monitor bank-swap off reset", True, r"reset: the banks are not swapped now")
    if not why and word_at(0x08000000) != b1:
        why = "bank 1 did not come back at 0x08000000"
    return why


def f407_checks():
    return [("f4_no_bank_swap", lambda: expect("monitor bank-swap on", False,
                                               r"STM32F4 has no bank swap \(RM0090\).*BFB2"))]


def in_gdb():
    tag = os.environ["SWDD_SCENARIO"]
    session("gdb_option/%s" % tag, h743_checks() if tag.startswith("h743") else f407_checks())


def wrapper():
    from gdb_session import prepare
    env = prepare("gdb_option")
    if env is None:
        return 0
    swdd, elf, logdir = env
    fw = os.path.dirname(elf)
    cases = [("h743-" + k, "h743_demo.elf", ["--sim-chip", "stm32h743", "--sim-probe", k])
             for k in ("stlink-v3", "cmsis-dap-v2")]
    cases.append(("f407-stlink-v21", "demo.elf", ["--sim-probe", "stlink-v21"]))
    for tag, image, args in cases:
        img = os.path.join(fw, image)
        run_case(__file__, "gdb_option", tag, swdd, args + ["--sim-image", img], img, logdir, {})
    return 0


if gdb is not None:
    in_gdb()
elif __name__ == "__main__":
    sys.exit(wrapper())
