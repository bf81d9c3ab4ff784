#!/usr/bin/env python3
"""End-to-end: `swdd flash` never misleads (issue 10, points 2-4).

- no silent lab: with no probe on USB (this script runs swdd without
  swdd-lab, so libusb sees none) `swdd flash` exits 3 and says what it
  looked for and that `--probe sim` gives the simulated chip; the server
  refuses likewise; the JSON summary names the probe and the chip;
- firmware that turns SWD off after reset: the image is programmed and
  verified, the run step loses the debug port, and swdd reports success
  with a warning naming the cause (default connect and --connect
  under-reset, ST-LINK and CMSIS-DAP);
- refused input: files that are not firmware, raw binaries whose vector
  table does not look like one, --address with ELF/HEX, --help.
Prints PASS/FAIL/SKIP lines.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.join(BUILD, "swdd")
FW = os.path.join(BUILD, "fw")
UNTOUCHED = {"sector_erases": 0, "program_ops": 0, "mass_erases": 0}


def swdd(args):
    r = subprocess.run([SWDD] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    try:
        js = json.loads(r.stdout) if r.stdout.strip().startswith("{") else None
    except ValueError:
        js = None
    return r.returncode, js, r.stdout, r.stderr


def report(name, why):
    if why:
        print("FAIL swdd_flash_trust/%s: %s" % (name, "; ".join(why)))
    else:
        print("PASS swdd_flash_trust/%s" % name)
    sys.stdout.flush()


def check(name, args, code, fields=None, err=None, lab=None, out=None):
    """fields: JSON values (a callable tests the value); err/out: regexes
    over stderr/stdout; lab: the lab counters the run must show."""
    try:
        rc, js, stdout, stderr = swdd(args)
    except (OSError, subprocess.TimeoutExpired) as e:
        report(name, [str(e)])
        return
    why = []
    if rc != code:
        why.append("exit %d, expected %d" % (rc, code))
    for k, v in (fields or {}).items():
        got = js.get(k, "(absent)") if js else "(no json)"
        if not (v(got) if callable(v) else got == v):
            why.append("%s=%r" % (k, got))
    if err and not re.search(err, stderr.replace("\n", " ")):
        why.append("stderr lacks /%s/: %s" % (err, " | ".join(stderr.strip().splitlines()[-2:])))
    if out and not re.search(out, stdout):
        why.append("stdout lacks /%s/: %s" % (out, stdout.strip()[:200]))
    for k, v in (lab or {}).items():
        got = js.get("lab", {}).get(k) if js else None
        if not (v(got) if callable(v) else got == v):
            why.append("lab %s=%r" % (k, got))
    report(name, why)


def no_probe(elf):
    """Point 2: without swdd-lab there is no USB probe on this machine."""
    rc, _, stdout, _ = swdd(["probes"])
    if "no debug probe found" not in stdout:
        print("SKIP swdd_flash_trust/no_probe: a real probe is on USB (%s)" % stdout.strip()[:80])
        return
    hint = r"looked for ST-LINK.*CMSIS-DAP.*--probe sim. gives the simulated chip"
    check("no_probe_flash_exit_3", ["flash", elf, "--json"], 3,
          {"result": "error", "probe": None, "chip": None, "lab": "(absent)"}, err=hint)
    check("no_probe_auto_exit_3", ["flash", elf, "--probe", "auto"], 3, err=hint)
    check("no_probe_erase_exit_3", ["erase"], 3, err=hint)
    check("no_probe_server_refuses", ["--port", "0"], 1, err=hint)


def make_run():
    """`make run` (scripts/run.sh) asks for the lab explicitly and says so."""
    import signal
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    p = subprocess.Popen(["scripts/run.sh", "--port", "0"], cwd=root, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    out = []
    try:
        for line in p.stdout:
            out.append(line)
            if "listening for gdb" in line:
                break
    finally:
        p.send_signal(signal.SIGINT)
        try:
            _, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
    text = "".join(out)
    why = []
    if "Starting swdd with --probe sim: the SIMULATED lab" not in text:
        why.append("run.sh did not say it uses the lab: %r" % text[:200])
    if "using the lab" not in err:
        why.append("swdd did not use the lab: %r" % err[-200:])
    report("make_run_says_probe_sim", why)


def probe_and_chip(elf):
    is_probe = lambda kind: lambda p: (isinstance(p, dict) and p.get("kind") == kind and
                                       len(p.get("serial", "")) >= 8 and p.get("firmware") and
                                       p.get("transport") == "sim")
    is_f407 = lambda c: (isinstance(c, dict) and c.get("name", "").startswith("STM32F405/407") and
                         c.get("dev_id") == "0x413" and c.get("flash_kib") == 1024 and
                         c.get("revision"))
    for kind, name in (("stlink-v21", "ST-LINK/V2-1"), ("cmsis-dap-v2", "CMSIS-DAP v2")):
        check("json_names_probe_and_chip/" + kind,
              ["flash", elf, "--probe", "sim", "--sim-probe", kind, "--json"], 0,
              {"result": "ok", "probe": is_probe(name), "chip": is_f407, "warning": None})


def swd_disabled(elf):
    """Point 3: the lab knob swd-disabled-by-firmware."""
    warn = r"after reset the firmware disabled SWD again.*the chip runs the new image; use --connect under-reset to debug it"
    for kind in ("stlink-v21", "cmsis-dap-v2"):
        for mode in ("normal", "under-reset"):
            check("swd_disabled_after_run/%s/%s" % (kind, mode),
                  ["flash", elf, "--probe", "sim", "--sim-probe", kind, "--json", "--sim-fault",
                   "swd-disabled-by-firmware", "--connect", mode], 0,
                  {"result": "ok", "exit_code": 0, "error": None, "bytes_programmed": 560,
                   "warning": lambda w: bool(w and re.search(warn, w))},
                  err=r"warning: " + warn, lab={"program_ops": lambda n: n and n > 0})
    # --no-reset: nothing runs, nothing is lost, no warning
    check("swd_disabled_no_reset", ["flash", elf, "--probe", "sim", "--json", "--sim-fault",
                                    "swd-disabled-by-firmware", "--no-reset"], 0,
          {"result": "ok", "warning": None})


def not_firmware(tmp, elf):
    """Point 4: what is not firmware is refused, nothing is written."""
    fw = lambda *a: ["flash"] + list(a) + ["--probe", "sim", "--json"]
    readme = os.path.join(tmp, "README.md")
    with open(readme, "w") as f:
        f.write("# swdd\n\nA GDB server for STM32 microcontrollers over SWD.\n" * 4)
    zeros = os.path.join(tmp, "zeros.bin")
    with open(zeros, "wb") as f:
        f.write(bytes(256))
    nothumb = os.path.join(tmp, "nothumb.bin")
    with open(nothumb, "wb") as f:
        f.write(bytes.fromhex("0000022008010008") + bytes(248))
    accepted = r"accepted: ELF .*Intel HEX .*raw binary \.bin"
    # refused before the probe is opened: no probe, no lab counters
    unopened = {"result": "error", "probe": None, "lab": "(absent)"}
    check("readme_refused", fw(readme), 7, unopened,
          err=r"README.md is neither ELF nor Intel HEX.*" + accepted)
    check("readme_as_bin_vector_table", fw(readme, "--format", "bin"), 7, {"result": "error"},
          err=r"initial stack pointer, is 0x77732023, not a word-aligned address in SRAM.*--force",
          lab=UNTOUCHED)
    check("zeros_bin_vector_table", fw(zeros), 7, err=r"initial stack pointer, is 0x00000000", lab=UNTOUCHED)
    check("no_thumb_bit", fw(nothumb), 7, err=r"reset vector, is 0x08000108, without the Thumb bit",
          lab=UNTOUCHED)
    check("force_writes_it", fw(zeros, "--force", "--no-reset"), 0, {"result": "ok", "bytes": 256},
          err=r"warning: .*initial stack pointer.*--force", lab={"program_ops": lambda n: n and n > 0})
    check("bin_elsewhere_not_checked", fw(zeros, "--address", "0x08020000", "--no-reset"), 0,
          {"result": "ok"})
    check("real_bin_passes", fw(os.path.join(FW, "demo.bin")), 0, {"result": "ok", "bytes": 556})
    for f in (elf, os.path.join(FW, "demo.hex")):
        check("address_with_" + f[-3:], fw(f, "--address", "0x08004000"), 2, unopened,
              err=r"--address is for raw binaries; .* carry their own addresses")
    for cmd in (["flash"], ["flash", elf], ["erase"], ["probes"], []):
        rc, _, stdout, _ = swdd(cmd + ["--help"])
        want = "usage: swdd " + (cmd[0] if cmd else "")
        report("help_exit_0/" + ("-".join(cmd[:1]) or "swdd"),
               [] if rc == 0 and want in stdout else ["exit %d, stdout %r" % (rc, stdout[:80])])


def main():
    for need in (SWDD, os.path.join(FW, "demo.elf")):
        if not os.path.exists(need):
            print("SKIP swdd_flash_trust: %s is missing (make builds it)" % need)
            return 0
    elf = os.path.join(FW, "demo.elf")
    no_probe(elf)
    make_run()
    probe_and_chip(elf)
    swd_disabled(elf)
    with tempfile.TemporaryDirectory() as tmp:
        not_firmware(tmp, elf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
