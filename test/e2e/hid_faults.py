#!/usr/bin/env python3
"""End-to-end: a CMSIS-DAP v1 (HID, hidapi-libusb) probe that stops taking
packets is not called unplugged, and one that leaves the bus is.

hidapi-libusb returns -1 for every failed write and has no words for why;
swdd tells a hung probe from a removed one by whether the probe is still
on the bus (probe/transport_hidapi.c). Through swdd-lab's emulated
CMSIS-DAP v1 (docs/LAB-USB.md, --inject) and `swdd flash --verbose`:
- stall:5000 (the probe completes no transfer for 5 s, longer than
  hidapi's 1 s write time-out twice): the failure is a USB time-out, never
  "unplugged" / "left the USB bus". Injected after an IN (xfer:40: the
  next transfer is swdd's write) and after an OUT (xfer:41: swdd is
  waiting for the reply, then writes);
- unplug: "left the USB bus", never a time-out.
Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import subprocess
import sys

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.abspath(os.path.join(BUILD, "swdd"))
LAB = os.path.abspath(os.path.join(BUILD, "swdd-lab"))
ELF = os.path.abspath(os.path.join(BUILD, "fw", "demo.elf"))
UNPLUGGED = r"unplugged|left the USB bus"
TIMEOUT = r"USB time-out: .* did not complete a USB OUT transfer"

CASES = [
    # name, fault, must match, must not match
    ("stall_after_in_is_timeout", "stall:5000@xfer:40", TIMEOUT, UNPLUGGED),
    ("stall_after_out_is_timeout", "stall:5000@xfer:41", TIMEOUT, UNPLUGGED),
    ("unplug_is_unplugged", "unplug@xfer:40", r"left the USB bus during a HID", r"USB time-out"),
]


def one(name, fault, want, unwanted):
    argv = [LAB, "--probe", "cmsis-dap-v1", "--inject", fault, "--timeout", "100", "--",
            SWDD, "flash", ELF, "--verbose"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=150)
    lines = [l for l in p.stderr.splitlines() if l.startswith("swdd: ")]
    why = []
    if "injecting" not in p.stderr:
        why.append("the lab never injected the fault")
    if not any(re.search(want, l) for l in lines):
        why.append("no line matches /%s/" % want)
    bad = [l for l in lines if re.search(unwanted, l)]
    if bad:
        why.append("said %r" % bad[0][:300])
    print("FAIL hid_faults/%s: %s" % (name, "; ".join(why)) if why else "PASS hid_faults/%s" % name)
    sys.stdout.flush()


def main():
    for p in (SWDD, LAB, ELF):
        if not os.access(p, os.R_OK):
            print("SKIP hid_faults/all: %s was not built (make)" % p)
            return 0
    if subprocess.run("ldconfig -p | grep -q libumockdev-preload.so.0", shell=True).returncode:
        print("SKIP hid_faults/all: umockdev's preload library is not installed")
        return 0
    for case in CASES:
        one(*case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
