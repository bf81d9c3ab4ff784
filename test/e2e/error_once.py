#!/usr/bin/env python3
"""End-to-end: a failure's reason is printed once, and it is the real one.

- A chip that cannot be connected (the lab's `unpowered` board): `swdd
  flash`, `swdd reset` and the GDB server print the cause and its fix
  once per connect attempt, not once by the connect and again by the
  command (docs/SERVER.md "Connecting to the chip").
- The lab library (libswdd-lab.so, dlopen()ed only for `--probe sim`)
  missing: swdd copied alone into a temporary directory (nothing beside
  it, no ../lib/swdd), SWDD_LAB_LIB unset. `--probe sim` and each `--sim-*`
  option print why the lab could not be loaded, once, and nothing about
  the option's word (not "the lab has ..., not 'stm32h743'").

Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.join(BUILD, "swdd")
ELF = os.path.join(BUILD, "fw", "demo.elf")
SUITE = "error_once"
UNPOWERED = "no target voltage: the probe measures 0.00 V"


def report(name, why):
    print("FAIL %s/%s: %s" % (SUITE, name, why) if why else "PASS %s/%s" % (SUITE, name))
    sys.stdout.flush()


def run(swdd, args, env=None):
    r = subprocess.run([swdd] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=60, env=env)
    return r.returncode, r.stderr


def once(stderr, text):
    """None, or why `text` is not on exactly one line of stderr."""
    lines = [l for l in stderr.splitlines() if text in l]
    if len(lines) != 1:
        return "%d lines hold %r: %s" % (len(lines), text, " | ".join(stderr.strip().splitlines()[-4:]))
    return None


def cli_connect_failure():
    for name, args in (("flash_unpowered_once", ["flash", ELF]), ("reset_unpowered_once", ["reset"])):
        rc, err = run(SWDD, args + ["--probe", "sim", "--sim-fault", "unpowered"])
        why = once(err, UNPOWERED)
        if not why and rc == 0:
            why = "exit status 0"
        if not why and "power the board" not in err:
            why = "the fix is missing: %s" % err.strip()
        report(name, why)


def server_connect_failure():
    """The server tries at start-up and again for the GDB client: one line
    each."""
    with tempfile.TemporaryFile(mode="w+") as log:
        p = subprocess.Popen([SWDD, "--probe", "sim", "--sim-fault", "unpowered", "--port", "0"],
                             stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            m = re.search(r"listening for gdb on [0-9.]+:(\d+)", p.stdout.readline())
            if not m:
                report("server_unpowered_once_per_attempt", "no banner")
                return
            s = socket.create_connection(("127.0.0.1", int(m.group(1))), timeout=10)
            s.sendall(b"+$?#3f")
            try:
                while s.recv(1000):
                    pass
            except socket.timeout:
                pass
            s.close()
        finally:
            p.terminate()
            p.wait(timeout=10)
        log.seek(0)
        err = log.read()
    lines = [l for l in err.splitlines() if UNPOWERED in l]
    client = [l for l in lines if "gdb client" in l]
    why = None
    if len(lines) != 2 or len(client) != 1:
        why = "expected 2 lines (start-up, the client) with the cause, got %d: %s" % (
            len(lines), " | ".join(lines))
    report("server_unpowered_once_per_attempt", why)


def lab_missing():
    alone = tempfile.mkdtemp(prefix="swdd_nolab_")
    try:
        shutil.copy(SWDD, alone)
        env = {k: v for k, v in os.environ.items() if k != "SWDD_LAB_LIB"}
        rows = [
            ("probe_sim", []),
            ("sim_chip", ["--sim-chip", "stm32h743"]),
            ("sim_probe", ["--sim-probe", "stlink-v3"]),
            ("sim_fault", ["--sim-fault", "rdp1"]),
        ]
        for name, extra in rows:
            rc, err = run(os.path.join(alone, "swdd"), ["flash", ELF] + extra + ["--probe", "sim"], env)
            why = once(err, "could not be loaded")
            if not why and re.search(r"the lab has|takes stlink|--sim-fault:", err):
                why = "a second, wrong reason: %s" % " | ".join(err.strip().splitlines())
            if not why and rc == 0:
                why = "exit status 0"
            report("lab_missing_%s" % name, why)
    finally:
        shutil.rmtree(alone)


def main():
    if not os.access(SWDD, os.X_OK):
        print("FAIL %s: %s is not built" % (SUITE, SWDD))
        return 0
    if not os.path.exists(ELF):
        print("SKIP %s: %s is missing (test/firmware builds it)" % (SUITE, ELF))
        return 0
    cli_connect_failure()
    server_connect_failure()
    lab_missing()
    return 0


if __name__ == "__main__":
    sys.exit(main())
