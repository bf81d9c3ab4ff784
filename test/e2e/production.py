#!/usr/bin/env python3
"""End-to-end: production flashing (issue 14): `swdd flash FILE
--all-probes` and repeated --serial, through swdd-lab with four emulated
probes of different kinds, each wired to its own simulated STM32F407 with
its own unique ID; board 3 has write protection on sector 1 (--board-fault
3:wrp:1), the others are good. Checks one result per board (serial, chip,
unique ID, verified or the named error), the exit status, that the good
boards hold the image (read back with `swdd read`), and that --serial
limits the run to the boards named. Also prints the wall time of the
parallel run against four sequential `swdd flash --serial S` runs (not
asserted: wall time depends on the machine). Prints PASS/FAIL/SKIP lines.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.abspath(os.path.join(BUILD, "swdd"))
LAB = os.path.abspath(os.path.join(BUILD, "swdd-lab"))
ELF = os.path.abspath(os.path.join(BUILD, "fw", "big.elf"))
BIN = os.path.abspath(os.path.join(BUILD, "fw", "big.bin"))
KINDS = ["stlink-v2", "stlink-v21", "stlink-v3", "cmsis-dap-v2"]
SERIALS = ["5357444450524F4430303031", "5357444450524F4430303032",
           "5357444450524F4430303033", "5357444450524F4430303034"]
BAD = 2  # index of the board with --board-fault 3:wrp:1


def result(name, why):
    print(("FAIL production/%s: %s" % (name, "; ".join(why))) if why else "PASS production/%s" % name)
    sys.stdout.flush()


def lab(script, tmp, stats=None):
    argv = [LAB, "--timeout", "240"]
    for k, s in zip(KINDS, SERIALS):
        argv += ["--probe", "%s:%s" % (k, s)]
    argv += ["--board-fault", "%d:wrp:1" % (BAD + 1)]
    if stats:
        argv += ["--stats", stats]
    t0 = time.time()
    r = subprocess.run(argv + ["--", "sh", "-c", script], cwd=tmp, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    return r, time.time() - t0


def t_all_probes(tmp):
    script = ('%s flash %s --all-probes --json > all.json; echo $? > all.rc; '
              '%s read good.bin --serial %s --address 0x08000000 --size %d'
              % (SWDD, ELF, SWDD, SERIALS[0], os.path.getsize(BIN)))
    r, _ = lab(script, tmp)
    why = []
    try:
        rc = int(open(os.path.join(tmp, "all.rc")).read())
        rows = [json.loads(l) for l in open(os.path.join(tmp, "all.json")) if l.strip()]
    except (OSError, ValueError) as e:
        result("all_probes", ["no result (%s): %s" % (e, r.stderr.strip()[-300:])])
        return
    by = {b.get("serial"): b for b in rows}
    if len(rows) != 4 or set(by) != set(SERIALS):
        why.append("%d JSON objects for serials %s" % (len(rows), sorted(by)))
    if rc != 5:
        why.append("exit status %d, expected 5 (flash: the protected board)" % rc)
    uids = set()
    for i, s in enumerate(SERIALS):
        b = by.get(s, {})
        if b.get("chip") != "STM32F405/407/415/417" or not b.get("unique_id"):
            why.append("board %d: chip %r unique_id %r" % (i + 1, b.get("chip"), b.get("unique_id")))
        uids.add(b.get("unique_id"))
        if i == BAD:
            if b.get("result") != "error" or "write-protected" not in (b.get("error") or ""):
                why.append("board %d: %r, expected the write-protection error" % (i + 1, b))
        elif b.get("result") != "verified" or b.get("exit_code") != 0:
            why.append("board %d: %r" % (i + 1, b.get("error") or b.get("result")))
    if len(uids) != 4:
        why.append("unique IDs not distinct: %s" % sorted(map(str, uids)))
    try:
        if open(os.path.join(tmp, "good.bin"), "rb").read() != open(BIN, "rb").read():
            why.append("board 1's flash differs from the image")
    except OSError as e:
        why.append("no read-back of board 1: %s" % e)
    result("all_probes", why)


def t_serials(tmp):
    script = "%s flash %s --serial %s --serial %s; echo rc=$?" % (SWDD, ELF, SERIALS[1], SERIALS[3])
    r, _ = lab(script, tmp)
    lines = [l for l in r.stdout.splitlines() if l.startswith("5357")]
    why = []
    if [l.split()[0] for l in lines] != [SERIALS[1], SERIALS[3]]:
        why.append("lines: %r" % lines)
    if not all(l.rstrip().endswith("verified") for l in lines):
        why.append("not all verified: %r" % lines)
    if "rc=0" not in r.stdout:
        why.append("exit status not 0: %s" % r.stdout.strip()[-100:])
    result("serials", why)


def t_timing(tmp):
    """4 boards at once against the same 4 one after another (all good:
    no fault knob), wall time and the lab's modelled time per probe."""
    par = "%s flash %s --all-probes > /dev/null 2>&1" % (SWDD, ELF)
    seq = "; ".join("%s flash %s --serial %s > /dev/null 2>&1" % (SWDD, ELF, s) for s in SERIALS)
    out = {}
    for name, script in (("parallel", par), ("sequential", seq)):
        stats = os.path.join(tmp, name + ".stats")
        argv = [LAB, "--timeout", "240", "--stats", stats]
        for k, s in zip(KINDS, SERIALS):
            argv += ["--probe", "%s:%s" % (k, s)]
        t0 = time.time()
        subprocess.run(argv + ["--", "sh", "-c", script], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=300)
        wall = time.time() - t0
        try:
            st = json.load(open(stats))
            modelled = [p["modelled_seconds"] for p in st["probes"]]
        except (OSError, ValueError, KeyError):
            modelled = []
        out[name] = (wall, modelled)
    m = out["parallel"][1] or [0]
    # Each probe and chip keeps its own modelled clock: boards in parallel
    # take the slowest board's time, one after another the sum. The lab
    # runs every emulated probe on one thread, so its wall time does not
    # show the overlap that separate USB probes have.
    print("# production: 4 boards (%s), %d bytes: modelled per board %s s: parallel %.3f s "
          "(slowest), sequential %.3f s (sum); lab wall time: parallel run %.2f s, four "
          "sequential runs %.2f s" % (", ".join(KINDS), os.path.getsize(BIN),
                                      ["%.3f" % x for x in m], max(m), sum(m), out["parallel"][0],
                                      out["sequential"][0]))
    result("timing_reported", [] if out["parallel"][1] else ["no lab statistics"])


def main():
    for p in (SWDD, LAB):
        if not os.access(p, os.X_OK):
            print("SKIP production/all: %s was not built (make)" % p)
            return
    if subprocess.run("ldconfig -p | grep -q libumockdev-preload.so.0", shell=True).returncode:
        print("SKIP production/all: umockdev's preload library is not installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        t_all_probes(tmp)
        t_serials(tmp)
        t_timing(tmp)


if __name__ == "__main__":
    main()
