#!/usr/bin/env python3
"""End-to-end: option bytes on the lab's STM32H743 and STM32H725 (issue 13
point 6) through an emulated STLINK-V3 and CMSIS-DAP v2 presented as USB
devices by swdd-lab, each step a separate `swdd` run on the same chip:

- `swdd option --json` in attach mode while the firmware runs: the demo's
  `counter` keeps counting across it and the lab counts no extra reset
  (the H725 report: option bytes unreadable in hot plug);
- a harmless field set and read back by a later run;
- the lock-out fields refused without --yes, and nothing changed;
- on the H743, SWAP_BANK on then off: a copy of the firmware with a marker
  in bank 2 appears at 0x08000000 after the reset `swdd option set` does,
  and goes away again;
- RDP 1 -> 0 (lab knob rdp1) refused without --yes, then done: the lab
  counts a mass erase and the flash reads erased.

Prints PASS/FAIL/SKIP lines.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.abspath(os.path.join(BUILD, "swdd"))
LAB = os.path.abspath(os.path.join(BUILD, "swdd-lab"))
FW = os.path.abspath(os.path.join(BUILD, "fw"))
PROBES = {"stlink-v3": "stlink", "cmsis-dap-v2": "cmsis-dap"}
MARKER = b"BANK2!"  # written into the vector table's reserved words (ARMv7-M B1.5.3)


def result(name, why):
    print("%s h7_option/%s%s" % ("FAIL" if why else "PASS", name, ": " + "; ".join(why) if why else ""))
    sys.stdout.flush()


def symbol(elf, name):
    nm = subprocess.run(["arm-none-eabi-nm", elf], stdout=subprocess.PIPE, text=True).stdout
    return int(re.search(r"^([0-9a-f]+) \w %s$" % name, nm, re.M).group(1), 16)


def lab(tmp, chip, probe, steps, image, fault=None, idle=False):
    """Runs steps (shell lines, `S` standing for swdd with the probe) in one
    lab session; returns the lab statistics and the session's stderr.
    idle: the chip's clock runs through the host's pauses between
    transfers (--host-idle), as silicon's does: a wait (an option change,
    300 ms; the RDP regression's mass erase, 5 s) then costs that much
    polling, not minutes on a loaded host."""
    s = "%s --probe %s" % (SWDD, PROBES[probe])
    script = "cd %s; " % tmp + "; ".join(line.replace("S ", s + " ", 1) for line in steps)
    stats = os.path.join(tmp, "stats.json")
    cmd = [LAB, "--timeout", "120", "--chip", "stm32" + chip, "--probe", probe, "--image", image,
           "--stats", stats]
    if fault:
        cmd += ["--fault", fault]
    if idle:
        cmd += ["--host-idle", "10"]
    # the lab's --timeout counts progress (the chip's clock, or time without
    # a USB transfer: docs/LAB-USB.md); this backstop only catches a lab
    # that hangs itself. A 120 s wall-time limit cut the bank-swap steps
    # short at a load average of 17 (on.bin empty).
    r = subprocess.run(cmd + ["--", "sh", "-c", script], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=1800)
    try:
        chip_stats = json.load(open(stats))["probes"][0]["chip"]
    except (OSError, ValueError, KeyError, IndexError):
        chip_stats = {}
    return chip_stats, r.stderr


def load(tmp, name):
    try:
        return json.load(open(os.path.join(tmp, name)))
    except (OSError, ValueError):
        return {}


def raw(tmp, name):
    try:
        return open(os.path.join(tmp, name), "rb").read()
    except OSError:
        return b""


def value(js, fieldname):
    return js.get("fields", {}).get(fieldname, {}).get("value")


def t_attach(tmp, chip, probe, tag):
    """Reading in attach mode disturbs nothing: compare with a session
    that only reads the counter twice."""
    image = os.path.join(FW, chip + "_demo.elf")
    rd = "S read %%s --address 0x%08X --size 4 --connect attach" % symbol(image, "counter")
    base, _ = lab(tmp, chip, probe, [rd % "b1.bin"], image)
    st, err = lab(tmp, chip, probe, [rd % "c1.bin", "S option --json > opt.json",
                                     "S option > opt.txt", rd % "c2.bin"], image)
    js = load(tmp, "opt.json")
    c1 = int.from_bytes(raw(tmp, "c1.bin") or b"\0", "little")
    c2 = int.from_bytes(raw(tmp, "c2.bin") or b"\0", "little")
    why = []
    if js.get("connect") != "attach" or value(js, "RDP") != 0xAA:
        why.append("option JSON %s: %s" % (str(js)[:200], err.strip()[-200:]))
    if "RDP              0xAA (level 0)" not in raw(tmp, "opt.txt").decode(errors="replace"):
        why.append("text report lacks the RDP line")
    if not 0 < c1 < c2:
        why.append("counter %d then %d: the firmware did not keep running" % (c1, c2))
    if not base or st.get("resets") != base.get("resets"):
        why.append("resets %r, %r without the option reads" % (st.get("resets"), base.get("resets")))
    result(tag + "_attach_no_reset", why)


def t_set_and_refuse(tmp, chip, probe, tag):
    image = os.path.join(FW, chip + "_demo.elf")
    risky = ["RDP=1", "WPSN1=0x00", "BOOT_ADD0=0x60000000", "IWDG1_SW=0"]
    steps = ["S option set FZ_IWDG_STOP=0 --json > set.json", "S option --json > after.json"]
    steps += ["S option set %s --json > r%d.json 2> r%d.err; echo $? > r%d.rc" % (w, i, i, i)
              for i, w in enumerate(risky)]
    steps += ["S option --json > final.json"]
    _, err = lab(tmp, chip, probe, steps, image, idle=True)
    why = []
    if load(tmp, "set.json").get("result") != "ok" or value(load(tmp, "after.json"), "FZ_IWDG_STOP") != 0:
        why.append("FZ_IWDG_STOP=0 not read back: %s" % err.strip()[-200:])
    result(tag + "_set_read_back", why)
    why = []
    for i, w in enumerate(risky):
        rc = raw(tmp, "r%d.rc" % i).strip()
        text = raw(tmp, "r%d.err" % i).decode(errors="replace")
        if rc != b"2" or "refused, nothing was written" not in text or "--yes" not in text:
            why.append("%s: exit %r, %s" % (w, rc, text.strip()[-150:]))
    final, after = load(tmp, "final.json"), load(tmp, "after.json")
    if final.get("registers") != after.get("registers") or not final:
        why.append("the option registers changed after the refusals")
    result(tag + "_lockout_refused", why)


def t_bank_swap(tmp, probe, tag):
    image = os.path.join(FW, "h743_demo.elf")
    binf = os.path.join(tmp, "demo.bin")
    subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", image, binf], check=True)
    data = bytearray(open(binf, "rb").read())
    data[0x20:0x20 + len(MARKER)] = MARKER
    b2 = os.path.join(tmp, "bank2.bin")
    open(b2, "wb").write(data)
    rd = "S read %s --address 0x08000000 --size 0x30"
    _, err = lab(tmp, "h743", probe, [
        "S flash %s --address 0x08100000 --format bin --force --json > flash.json" % b2,
        rd % "pre.bin",
        "S option set SWAP_BANK=1 --json > on.json 2> on.err", rd % "on.bin",
        "S option set SWAP_BANK=0 --json > off.json", rd % "off.bin"], image, idle=True)
    on, off = load(tmp, "on.json"), load(tmp, "off.json")
    pre = raw(tmp, "pre.bin")
    why = []
    if load(tmp, "flash.json").get("result") != "ok":
        why.append("bank 2 copy not flashed: %s" % err.strip()[-200:])
    if len(pre) != 0x30 or MARKER in pre:
        why.append("before: 0x08000000 holds %r" % pre[0x20:0x28])
    if not on.get("reset") or value(on, "SWAP_BANK_NOW") != 1 or MARKER not in raw(tmp, "on.bin"):
        why.append("SWAP_BANK=1: reset %r, SWAP_BANK_NOW %r, 0x08000020 %r: %s" % (
            on.get("reset"), value(on, "SWAP_BANK_NOW"), raw(tmp, "on.bin")[0x20:0x28],
            raw(tmp, "on.err").decode(errors="replace").strip()[-300:]))
    if "physical bank 2 answers at 0x08000000" not in on.get("changes", ""):
        why.append("no explanation of the swap")
    if value(off, "SWAP_BANK_NOW") != 0 or raw(tmp, "off.bin") != pre:
        why.append("SWAP_BANK=0 did not bring bank 1 back")
    result(tag + "_bank_swap_on_off", why)


def t_rdp(tmp, chip, probe, tag):
    image = os.path.join(FW, chip + "_demo.elf")
    st, err = lab(tmp, chip, probe, [
        "S option --json > l1.json",
        "S option set RDP=0 --json > no.json 2> no.err; echo $? > no.rc",
        "S option set RDP=0 --yes --json > yes.json",
        "S read flash.bin --address 0x08000000 --size 256"], image, fault="rdp1", idle=True)
    yes = load(tmp, "yes.json")
    why = []
    if value(load(tmp, "l1.json"), "RDP") == 0xAA:
        why.append("rdp1 knob: RDP reads level 0")
    if raw(tmp, "no.rc").strip() != b"2" or "MASS-ERASES" not in raw(tmp, "no.err").decode():
        why.append("RDP=0 without --yes: exit %r" % raw(tmp, "no.rc").strip())
    if value(yes, "RDP") != 0xAA or not yes.get("mass_erased"):
        why.append("RDP=0 --yes: %s %s" % (str(yes)[:150], err.strip()[-200:]))
    if st.get("mass_erases", 0) < 1 or raw(tmp, "flash.bin") != b"\xff" * 256:
        why.append("mass erases %r, flash %r" % (st.get("mass_erases"), raw(tmp, "flash.bin")[:8]))
    result(tag + "_rdp_unlock_mass_erase", why)


def t_h725_no_swap(tmp, probe, tag):
    _, _ = lab(tmp, "h725", probe, ["S option set SWAP_BANK=1 2> swap.err; echo $? > swap.rc"],
               os.path.join(FW, "h725_demo.elf"))
    why = []
    if raw(tmp, "swap.rc").strip() != b"2" or "has no SWAP_BANK: it has one flash bank" not in raw(
            tmp, "swap.err").decode():
        why.append("exit %r: %s" % (raw(tmp, "swap.rc").strip(), raw(tmp, "swap.err")[-150:]))
    result(tag + "_no_bank_swap", why)


def t_help():
    r = subprocess.run([SWDD, "option", "--help"], stdout=subprocess.PIPE, text=True, timeout=30)
    result("help", [] if r.returncode == 0 and "swdd option set FIELD=VALUE" in r.stdout
           and "--yes" in r.stdout else ["exit %d" % r.returncode])


def main():
    need = [SWDD, LAB, os.path.join(FW, "h743_demo.elf"), os.path.join(FW, "h725_demo.elf")]
    missing = [p for p in need if not os.path.exists(p)]
    if missing:
        print("SKIP h7_option: %s not built (make all)" % ", ".join(missing))
        return
    t_help()
    only = sys.argv[1:]  # test/e2e/h7_option.py [PROBE...]: a subset
    for probe in [p for p in PROBES if not only or p in only]:
        for chip in ("h743", "h725"):
            tag = "%s_%s" % (chip, probe.replace("-", "_"))
            with tempfile.TemporaryDirectory() as tmp:
                t_attach(tmp, chip, probe, tag)
            with tempfile.TemporaryDirectory() as tmp:
                t_set_and_refuse(tmp, chip, probe, tag)
            with tempfile.TemporaryDirectory() as tmp:
                t_rdp(tmp, chip, probe, tag)
        with tempfile.TemporaryDirectory() as tmp:
            t_bank_swap(tmp, probe, "h743_" + probe.replace("-", "_"))
        with tempfile.TemporaryDirectory() as tmp:
            t_h725_no_swap(tmp, probe, "h725_" + probe.replace("-", "_"))


if __name__ == "__main__":
    main()
