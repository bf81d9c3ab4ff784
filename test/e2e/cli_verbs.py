#!/usr/bin/env python3
"""End-to-end: the CLI verbs of issue 14 ("CLI verbs") on the lab: `swdd
info`, `swdd read` (binary and Intel HEX, compared with the image the lab
chip was given), `swdd chips`, `swdd probes --json`, `swdd reset` (halted
or running, read back from DHCSR by a second swdd on the same emulated
probe through swdd-lab), --help of each verb, and the distinct exit
statuses. Prints PASS/FAIL/SKIP lines.
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.join(BUILD, "swdd")
LAB = os.path.join(BUILD, "swdd-lab")
DHCSR = 0xE000EDF0  # ARMv7-M C1.6.2
S_HALT, S_RESET_ST = 1 << 17, 1 << 25


def result(name, why):
    if why:
        print("FAIL cli_verbs/%s: %s" % (name, "; ".join(why)))
    else:
        print("PASS cli_verbs/%s" % name)
    sys.stdout.flush()


def swdd(args, sim=True):
    cmd = [SWDD] + args + (["--probe", "sim"] if sim else [])
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    js = None
    if "--json" in args and r.stdout.strip():
        try:
            js = json.loads(r.stdout)
        except ValueError:
            js = None
    return r.returncode, js, r.stdout, r.stderr


def ihex_bytes(path):
    """Parses Intel HEX records 00/01/04 into {address: byte}."""
    out, upper = {}, 0
    for line in open(path):
        line = line.strip()
        raw = bytes.fromhex(line[1:])
        if sum(raw) & 0xFF:
            raise ValueError("bad checksum: " + line)
        n, off, typ, data = raw[0], raw[1] << 8 | raw[2], raw[3], raw[4:4 + raw[0]]
        if typ == 4:
            upper = data[0] << 24 | data[1] << 16
        elif typ == 0:
            for i, b in enumerate(data):
                out[upper + off + i] = b
    return out


def t_info():
    rc, js, _, err = swdd(["info", "--json"])
    why = [] if rc == 0 else ["exit %d: %s" % (rc, err.strip()[-200:])]
    js = js or {}
    want = {"chip": "STM32F405/407/415/417", "dpidr": "0x2BA01477", "idcode": "0x10076413",
            "revision": "1", "flash_size": 1048576, "rdp_level": 0,
            "unique_id": "2D0037000A47363033383139"}
    for k, v in want.items():
        if js.get(k) != v:
            why.append("%s=%r, expected %r" % (k, js.get(k), v))
    if not isinstance(js.get("voltage_mv"), int) or not 3000 < js["voltage_mv"] < 3600:
        why.append("voltage_mv=%r" % js.get("voltage_mv"))
    if not (js.get("probe") or {}).get("serial"):
        why.append("no probe serial")
    rc, _, out, _ = swdd(["info"])
    for label in ("probe:", "voltage:", "DPIDR:", "chip:", "flash:", "RDP level:", "unique ID:"):
        if label not in out:
            why.append("text lacks %r" % label)
    result("info", why)


def t_read(tmp):
    data = bytes(random.Random(14).getrandbits(8) for _ in range(5000))
    img = os.path.join(tmp, "img.bin")
    open(img, "wb").write(data)
    why = []
    out = os.path.join(tmp, "dump.bin")
    rc, js, _, err = swdd(["read", out, "--address", "0x08000000", "--size", "5000", "--json",
                           "--sim-image", img])
    if rc != 0 or (js or {}).get("format") != "bin":
        why.append("bin: exit %d, json %r: %s" % (rc, js, err.strip()[-200:]))
    elif open(out, "rb").read() != data:
        why.append("the binary dump differs from the lab chip's image")
    out = os.path.join(tmp, "dump.hex")
    rc, js, _, err = swdd(["read", out, "--base-address", "0x08000F00", "--size", "0x1000",
                           "--json", "--sim-image", img])
    if rc != 0 or (js or {}).get("format") != "hex":
        why.append("hex: exit %d, json %r: %s" % (rc, js, err.strip()[-200:]))
    else:
        got = ihex_bytes(out)
        want = {0x08000F00 + i: b for i, b in enumerate(data[0xF00:0xF00 + 0x1000])}
        want.update({a: 0xFF for a in range(0x08000000 + 5000, 0x08001F00)})  # erased flash
        if got != want:
            why.append("the HEX dump differs from the image (%d bytes parsed)" % len(got))
    result("read", why)


def t_chips():
    rc, js, out, _ = swdd(["chips", "--json"], sim=False)
    chips = (js or {}).get("chips") or []
    why = [] if rc == 0 else ["exit %d" % rc]
    f407 = [c for c in chips if c.get("dev_id") == "0x413"]
    if not f407:
        why.append("no DEV_ID 0x413 row")
    else:
        sectors = sum(s["count"] * s["size"] for s in f407[0]["sectors"])
        if sectors != 1024 * 1024 or f407[0]["max_flash"] != 1024 * 1024:
            why.append("F407 layout sums to %d bytes" % sectors)
    rc, _, text, _ = swdd(["chips"], sim=False)
    if len([l for l in text.splitlines() if l.startswith("STM32")]) != len(chips):
        why.append("text and JSON list different numbers of chips")
    result("chips", why)


def t_exit_codes(tmp):
    rows = [
        ("usage", ["read", os.path.join(tmp, "x.bin"), "--size", "4"], 2),
        ("no_target", ["info", "--sim-fault", "no-target"], 4),
        ("unwritable", ["read", "/nonexistent/dir/x.bin", "--address", "0x08000000", "--size",
                        "4"], 7),
        ("read_fault", ["read", os.path.join(tmp, "f.bin"), "--address", "0x60000000", "--size",
                        "4"], 4),
    ]
    for name, args, code in rows:
        rc, js, _, err = swdd(args + ["--json"])
        why = [] if rc == code else ["exit %d, expected %d: %s" % (rc, code, err.strip()[-200:])]
        if code != 2 and ((js or {}).get("result") != "error" or (js or {}).get("exit_code") != code):
            why.append("JSON %r" % js)
        if not re.search(r"swdd: error: \S", err):
            why.append("no error sentence on stderr")
        result("exit_" + name, why)
    # a USB driver with no such probe on the bus: the probe status
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    r = subprocess.run([SWDD, "info", "--probe", "stlink", "--serial", "NO-SUCH-PROBE"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60, env=env)
    result("exit_probe", [] if r.returncode == 3 else ["exit %d, expected 3" % r.returncode])


def t_help():
    why = []
    for verb in ("reset", "read", "info", "chips", "probes"):
        rc, _, out, _ = swdd([verb, "--help"], sim=False)
        if rc != 0 or "swdd %s" % verb not in out or "--json" not in out:
            why.append("%s --help: exit %d" % (verb, rc))
    result("help", why)


def t_reset(tmp):
    """reset --halt leaves DHCSR.S_HALT set; plain reset lets the core run.
    DHCSR is read by another swdd attaching (no halt) to the same chip."""
    if not os.access(LAB, os.X_OK):
        print("SKIP cli_verbs/reset: %s was not built" % LAB)
        return
    d1, d2 = os.path.join(tmp, "d1.bin"), os.path.join(tmp, "d2.bin")
    rd = "%s read %%s --address 0x%08X --size 4 --connect attach --probe stlink" % (SWDD, DHCSR)
    script = "; ".join([
        "%s reset --halt --method sys --probe stlink --json" % SWDD, rd % d1,
        "%s reset --probe stlink" % SWDD, rd % d2])
    r = subprocess.run([LAB, "--timeout", "60", "--probe", "stlink-v2", "--image",
                        os.path.join(BUILD, "fw", "demo.elf"), "--", "sh", "-c", script],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=90)
    why = []
    try:
        v1 = int.from_bytes(open(d1, "rb").read(), "little")
        v2 = int.from_bytes(open(d2, "rb").read(), "little")
    except OSError as e:
        result("reset", ["no DHCSR dump (%s): %s" % (e, r.stderr.strip()[-300:])])
        return
    if '"method": "sys"' not in r.stdout:
        why.append("no JSON line for reset --halt")
    if not v1 & S_HALT:
        why.append("after reset --halt DHCSR=0x%08X (S_HALT clear)" % v1)
    if v2 & S_HALT:
        why.append("after reset DHCSR=0x%08X (S_HALT set: not running)" % v2)
    result("reset", why)


def t_probes():
    """probes --json lists each emulated USB probe (kind, serial, firmware,
    USB id, target voltage)."""
    if not os.access(LAB, os.X_OK):
        print("SKIP cli_verbs/probes_json: %s was not built" % LAB)
        return
    serials = ["5357444450524F4250524F31", "CLIVERBSDAP1"]
    r = subprocess.run([LAB, "--timeout", "60", "--probe", "stlink-v3:" + serials[0], "--probe",
                        "cmsis-dap-v1:" + serials[1], "--", SWDD, "probes", "--json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=90)
    why = []
    try:
        probes = json.loads(r.stdout)["probes"]
    except (ValueError, KeyError):
        result("probes_json", ["no JSON (exit %d): %s" % (r.returncode, r.stderr.strip()[-200:])])
        return
    by = {p["serial"]: p for p in probes}
    if set(by) != set(serials):
        why.append("serials %s" % sorted(by))
    if by.get(serials[0], {}).get("kind") != "STLINK-V3" or by.get(serials[0], {}).get("usb_id") != "0483:374f":
        why.append("V3 row %r" % by.get(serials[0]))
    if by.get(serials[1], {}).get("kind") != "CMSIS-DAP v1":
        why.append("CMSIS-DAP row %r" % by.get(serials[1]))
    # ST-LINK measures the target supply; CMSIS-DAP has no command for it (null)
    if not isinstance(by.get(serials[0], {}).get("voltage_mv"), int) or \
            any("voltage_mv" not in p for p in probes):
        why.append("voltage_mv missing")
    result("probes_json", why)


def main():
    if not os.access(SWDD, os.X_OK):
        print("SKIP cli_verbs/all: %s was not built" % SWDD)
        return
    with tempfile.TemporaryDirectory() as tmp:
        t_info()
        t_read(tmp)
        t_chips()
        t_exit_codes(tmp)
        t_help()
        t_reset(tmp)
        t_probes()


if __name__ == "__main__":
    main()
