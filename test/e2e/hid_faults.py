#!/usr/bin/env python3
"""End-to-end: a CMSIS-DAP v1 (HID, hidapi-libusb) probe that stops taking
packets is not called unplugged, and one that leaves the bus is.

hidapi-libusb returns -1 for every failed write and has no words for why;
swdd tells a hung probe from a removed one by whether the probe is still
on the bus (probe/transport_hidapi.c). Through swdd-lab's emulated
CMSIS-DAP v1 (docs/LAB-USB.md, --inject) and `swdd flash --verbose`:
- stall:5000 (the probe completes no transfer for 5 s, longer than
  hidapi's 1 s time-out twice): the failure is a USB time-out, never
  "unplugged" / "left the USB bus". Injected after an IN (xfer:40: the
  next transfer is swdd's write, the OUT times out) and after an OUT
  (xfer:41: swdd is waiting for the reply, the IN times out; a failed
  probe ends the connect there);
- unplug: "left the USB bus", never a time-out.
And the late reply (CMSIS-DAP v1 and v2): stall:3000@xfer:41 makes swdd
give up on a reply (2 x 1 s) that the probe sends at 3 s. `swdd` serving
GDB fails its first connect with the USB time-out and no guess ("assuming
no FPU", "unknown part", a reply taken for another command's); once the
probe answers again, a GDB connection resynchronises the stream (the late
reply is discarded) and reads registers and flash.
Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_inject import stop_server  # noqa: E402  (SIGINT, then SIGKILL after 20 s)

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.abspath(os.path.join(BUILD, "swdd"))
LAB = os.path.abspath(os.path.join(BUILD, "swdd-lab"))
ELF = os.path.abspath(os.path.join(BUILD, "fw", "demo.elf"))
UNPLUGGED = r"unplugged|left the USB bus"
TIMEOUT = r"USB time-out: .* did not complete a USB %s transfer"
GUESSES = r"assuming no FPU|unknown part|transfers done|malformed reply|answers another command"

CASES = [
    # name, fault, must match, must not match
    ("stall_after_in_is_timeout", "stall:5000@xfer:40", TIMEOUT % "OUT", UNPLUGGED),
    ("stall_after_out_is_timeout", "stall:5000@xfer:41", TIMEOUT % "IN", UNPLUGGED),
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


def wait_for(path, pattern, seconds):
    """Whether the file at path matches pattern within seconds (polled)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with open(path) as f:
            if re.search(pattern, f.read()):
                return True
        time.sleep(0.2)
    return False


def late_reply(kind, tmp):
    name = "late_reply_%s" % kind.replace("cmsis-dap-", "")
    logpath = os.path.join(tmp, name + ".log")
    argv = [LAB, "--probe", kind, "--inject", "stall:3000@xfer:41", "--timeout", "90", "--",
            SWDD, "--port", "0", "--verbose"]
    why, out = [], ""
    with open(logpath, "w") as log:
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
        m = re.search(r"listening for gdb on [0-9.]+:(\d+)", p.stdout.readline())
        if not m:
            why.append("swdd did not start")
        elif not wait_for(logpath, r"stall of 3000 ms is over", 30):
            why.append("the stall did not end within 30 s")
        else:
            g = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex", "set remotetimeout 30",
                                "-ex", "target extended-remote :%s" % m.group(1), "-ex", "info registers pc",
                                "-ex", "x/1wx 0x08000000", "-ex", "echo RECONNECT-OK\\n"],
                               capture_output=True, text=True, timeout=120)
            out = g.stdout + g.stderr
        stop_server(p)
    text = open(logpath).read()
    lines = [l for l in text.splitlines() if l.startswith("swdd: ")]
    if not any(re.search(TIMEOUT % "IN", l) for l in lines):
        why.append("the first connect did not fail with the IN time-out")
    bad = [l for l in lines if re.search(GUESSES, l)]
    if bad:
        why.append("said %r" % bad[0][:300])
    if not re.search(r"back in step after discarding \d+ late repl", text):
        why.append("no resynchronisation logged")
    if out and ("RECONNECT-OK" not in out or re.search(r"^Cannot access|E\d\d", out, re.M)):
        why.append("the GDB connection after the stall failed: %s" % out[-300:])
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
    if not shutil.which("gdb-multiarch"):
        print("SKIP hid_faults/late_reply: gdb-multiarch is not installed")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("cmsis-dap-v1", "cmsis-dap-v2"):
            late_reply(kind, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
