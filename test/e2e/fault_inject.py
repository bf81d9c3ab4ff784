#!/usr/bin/env python3
"""End-to-end: faults injected mid-operation (issue 15, part 3), through
swdd-lab's --inject (docs/LAB-USB.md) and swdd's real USB path (libusb).

Each fault (a USB stall, a frozen lab, an unplug, a power cut, a firmware
watchdog that expires mid-erase) is injected while `swdd flash` writes
big.elf over a board that holds demo.elf (so sectors are erased), and
again during a GDB `load`
against `swdd` serving the same kind of board. Checked per case:
  - swdd flash: the named error, the exit status, and the flash state
    sentence ("flash state: ...");
  - GDB load: the load fails, swdd's log names the cause, the server
    process survives, and a new `target extended-remote` either works
    (the probe came back: registers and flash read) or is refused with a
    sentence saying the probe or the target is gone.
Prints one table row per case (fault, moment, exit status / outcome, the
start of the message) and a PASS/FAIL line per case.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.abspath(os.path.join(BUILD, "swdd"))
LAB = os.path.abspath(os.path.join(BUILD, "swdd-lab"))
OLD = os.path.abspath(os.path.join(BUILD, "fw", "demo.elf"))
NEW = os.path.abspath(os.path.join(BUILD, "fw", "big.elf"))
# swdd's F4 algorithm built without its IWDG refresh (flashalgo/flashalgo.mk):
# a loader that lets the firmware's watchdog expire, as vendor loaders that
# do not refresh it do; the built-in one keeps the watchdog fed
# (test/e2e/f4_iwdg.py)
NO_IWDG = os.path.abspath(os.path.join(BUILD, "flashalgo", "stm32f4_no_iwdg.flm"))
GDB = "gdb-multiarch"

# fault, trigger, expected exit of `swdd flash`, message pattern, state pattern
CASES = [
    ("stall:5000", "erase:1", 3, r"USB time-out: the probe ST-LINK/V2 serial \w+ did not complete",
     r"flash state: the erase of sector 0 .* was started; its outcome is unknown"),
    # the lab stops answering ioctls (as when swdd-lab is SIGSTOPped, or the
    # host stalls; the client blocks inside the ioctl) during the erase's
    # status polls (transfer 300; the streamed write, whose first job is
    # sector 0's erase, starts near transfer 250) for longer than the
    # erase's time-out: the lab's chip did not run meanwhile, so the erase
    # is not timed out (flash/algo_run.c) and the write completes and
    # verifies (exit 0, no flash state: nothing failed)
    ("freeze:13000", "xfer:300", 0, r"big\.elf: \d+ bytes in \d+ sectors: .* programmed, verified", None),
    ("unplug", "erase:1", 3, r"the probe was unplugged",
     r"flash state: the erase of sector 0 .* was started; its outcome is unknown"),
    # the streamed write (docs/FLASH.md) is followed between two looks of
    # the host: the power goes while the host last saw sector 0's erase, and
    # the state says so, and how far the algorithm had data to go on
    ("power-off", "program:3", 4, r"target not powered: .*the target supply now reads 0.00 V",
     r"flash state: (sector 0 \(0x08000000\) was erased and \d+ bytes of it were programmed|the erase "
     r"of sector 0 .* was started; its outcome is unknown.*may have gone on)"),
    # the firmware's IWDG (10 ms left) counts while the erase algorithm runs
    # on the core, and this algorithm does not refresh it (ALGO): the chip
    # resets mid-erase, swdd reads RCC_CSR
    ("watchdog", "erase:1", 5, r"the chip was reset while the flash algorithm ran.*RCC_CSR 0x\w+: IWDGRSTF",
     r"flash state: the erase of sector 0 .* was started; its outcome is unknown"),
]

# swdd's arguments beyond the connection's, per fault
ALGO = {"watchdog": ["--flash-algo", NO_IWDG]}

# what a new GDB connection after the fault must show: a working target, or
# a refusal that names the cause
RECONNECT = {
    "stall:5000": r"RECONNECT-OK",
    "unplug": r"no target: .*the probe was unplugged",
    "power-off": r"no target: target not powered",
    "watchdog": r"RECONNECT-OK",
}


def result(name, why):
    print(("FAIL fault_inject/%s: %s" % (name, "; ".join(why))) if why else "PASS fault_inject/%s" % name)
    sys.stdout.flush()


def row(fault, moment, status, msg, state):
    print("| %s | %s | %s | %s | %s |" % (fault, moment, status, msg[:110], state[:90]))
    sys.stdout.flush()


def lab_argv(fault, trig, timeout):
    return [LAB, "--probe", "stlink-v2", "--image", OLD, "--inject", "%s@%s" % (fault, trig),
            "--timeout", str(timeout), "--"]


def t_cli(fault, trig, want_exit, msg_re, state_re):
    name = "cli_%s" % fault.split(":")[0]
    p = subprocess.run(lab_argv(fault, trig, 120) + [SWDD, "flash", NEW] + ALGO.get(fault, []),
                       capture_output=True, text=True, timeout=180)
    err = [l for l in p.stderr.splitlines() if l.startswith("swdd: error:")]
    if want_exit == 0:  # survived: the last line sums the write up
        err = [l for l in p.stderr.splitlines() if l.startswith("swdd: ")]
    text = err[-1] if err else "(no error line)"
    why = []
    if p.returncode != want_exit:
        why.append("exit %d, expected %d" % (p.returncode, want_exit))
    if not re.search(msg_re, text):
        why.append("message %r lacks /%s/" % (text[:300], msg_re))
    m = re.search(state_re, text) if state_re else None
    if state_re and not m:
        why.append("no flash state /%s/" % state_re)
    if "injecting" not in p.stderr:
        why.append("the lab never injected the fault (trigger not reached)")
    row(fault, trig + " (swdd flash)", "exit %d" % p.returncode,
        text.replace("swdd: error: ", ""), m.group(0) if m else "-")
    result(name, why)


def gdb_batch(port, cmds, timeout=120):
    argv = [GDB, "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", "set remotetimeout 30", "-ex", "target extended-remote :%d" % port]
    for c in cmds:
        argv += ["-ex", c]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return p.stdout + p.stderr


def start_server(lab, swdd_args, log):
    """swdd serving GDB under swdd-lab (lab: swdd-lab's argv up to "--");
    returns (process, port or None)."""
    p = subprocess.Popen(lab + [SWDD, "--port", "0"] + swdd_args, stdout=subprocess.PIPE, stderr=log,
                         text=True, start_new_session=True)
    line = p.stdout.readline()
    m = re.search(r"listening for gdb on [0-9.]+:(\d+)", line)
    return p, int(m.group(1)) if m else None


def stop_server(p):
    try:
        os.killpg(p.pid, signal.SIGINT)
        p.wait(timeout=20)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def t_gdb(fault, trig, msg_re, tmp):
    name = "gdb_%s" % fault.split(":")[0]
    logpath = os.path.join(tmp, "%s.log" % name)
    why = []
    with open(logpath, "w") as log:
        p, port = start_server(lab_argv(fault, trig, 150), ALGO.get(fault, []), log)
        if port is None:
            stop_server(p)
            result(name, ["swdd did not start: %s" % open(logpath).read()[-300:]])
            return
        out1 = gdb_batch(port, ["file " + NEW, "load", "echo LOAD-DONE\\n"])
        time.sleep(0.5)
        alive1 = p.poll() is None
        out2 = gdb_batch(port, ["x/1wx 0x08000000", "info registers pc", "echo RECONNECT-OK\\n"])
        alive2 = p.poll() is None
        stop_server(p)
    logtext = open(logpath).read()
    if re.search(r"Transfer rate|Start address .*load size", out1) and "Error" not in out1:
        why.append("the load succeeded: %s" % out1[-200:])
    if not re.search(msg_re, logtext):
        why.append("swdd's log lacks /%s/" % msg_re)
    if not alive1 or not alive2:
        why.append("the server exited (after the load: %s, after the reconnect: %s)" % (alive1, alive2))
    want = RECONNECT[fault]
    if want == "RECONNECT-OK":
        if "RECONNECT-OK" not in out2 or re.search(r"^Cannot access|E\d\d", out2, re.M):
            why.append("reconnect after the probe came back failed: %s" % out2[-300:])
        outcome = "reconnect works"
    else:
        if not re.search(want, out2):
            why.append("the reconnect did not say why: %s" % out2[-300:])
        outcome = "reconnect refused, named"
    errs = [l for l in logtext.splitlines() if re.search(msg_re, l)]
    row(fault, trig + " (GDB load)", "server alive, %s" % outcome,
        errs[0].replace("swdd: ", "") if errs else "-", "(in the message)")
    if why:
        why.append("log %s" % logpath)
        keep = os.path.join(BUILD, "test-logs", "fault_inject")
        os.makedirs(keep, exist_ok=True)
        with open(os.path.join(keep, "%s.log" % name), "w") as f:
            f.write(logtext + "\n--- gdb load ---\n" + out1 + "\n--- gdb reconnect ---\n" + out2)
    result(name, why)


def main():
    for p in (SWDD, LAB, OLD, NEW):
        if not os.access(p, os.R_OK):
            print("SKIP fault_inject/all: %s was not built (make)" % p)
            return
    if subprocess.run("ldconfig -p | grep -q libumockdev-preload.so.0", shell=True).returncode:
        print("SKIP fault_inject/all: umockdev's preload library is not installed")
        return
    print("| fault | moment | exit status / outcome | message | flash state |")
    print("|---|---|---|---|---|")
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    with tempfile.TemporaryDirectory() as tmp:
        for fault, trig, code, msg_re, state_re in CASES:
            if only and only not in fault:
                continue
            missing = [a for a in ALGO.get(fault, []) if a.endswith(".flm") and not os.access(a, os.R_OK)]
            if missing:
                for kind in ("cli", "gdb"):
                    print("SKIP fault_inject/%s_%s: %s was not built (make all)" % (kind, fault, missing[0]))
                continue
            t_cli(fault, trig, code, msg_re, state_re)
            if fault not in RECONNECT:  # a transfer count is the CLI's, not GDB's load
                continue
            if subprocess.run(["which", GDB], capture_output=True).returncode:
                print("SKIP fault_inject/gdb_%s: %s is not installed" % (fault.split(":")[0], GDB))
                continue
            t_gdb(fault, trig, msg_re, tmp)


if __name__ == "__main__":
    main()
