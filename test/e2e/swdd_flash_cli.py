#!/usr/bin/env python3
"""End-to-end: `swdd flash` and `swdd erase` on the lab (issue 7, "CLI" and
"Bad input"). Each row runs swdd once with --json and checks the exit
status, JSON fields, the error text, and, for refused input, that the
lab's flash counters did not move (nothing erased or programmed).
Prints PASS/FAIL/SKIP lines.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.join(BUILD, "swdd")
FW = os.path.join(BUILD, "fw")
FLM = os.path.join(BUILD, "flashalgo", "stm32f4_x8.flm")
# The name check() prints before each row (another script may set its own).
SUITE = "swdd_flash_cli"
UNTOUCHED = {"sector_erases": 0, "program_ops": 0, "mass_erases": 0}
# ST's own STM32F4 FLM (no Crc32/Verify/BlankCheck), never copied into the repository
VENDOR_FLM = os.environ.get("SWDD_VENDOR_FLM", "../shared/test-data/flm/STM32F4xx_2048.FLM")


def run(args):
    r = subprocess.run([SWDD] + args + ["--probe", "sim", "--json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    try:
        js = json.loads(r.stdout) if r.stdout.strip() else None
    except ValueError:
        js = None
    return r.returncode, js, r.stderr


def check(name, args, code, fields=None, err=None, lab=None):
    """fields: JSON values that must match (a callable tests the value);
    err: regex over stderr; lab: the lab counters this run must show."""
    try:
        rc, js, stderr = run(args)
    except (OSError, subprocess.TimeoutExpired) as e:
        print("FAIL %s/%s: %s" % (SUITE, name, e))
        return
    why = []
    if rc != code:
        why.append("exit %d, expected %d" % (rc, code))
    if js is None and code != 2:
        why.append("no JSON on stdout")
    for k, v in (fields or {}).items():
        got = js.get(k, "(absent)") if js else "(no json)"
        if not (v(got) if callable(v) else got == v):
            why.append("%s=%r" % (k, got))
    if js and code not in (0, 2) and js.get("result") != "error":
        why.append("result %r" % js.get("result"))
    if err and not re.search(err, stderr.replace("\n", " ")):
        why.append("stderr lacks /%s/: %s" % (err, " | ".join(stderr.strip().splitlines()[-2:])))
    for k, v in (lab or {}).items():
        got = js.get("lab", {}).get(k) if js else None
        if got != v:
            why.append("lab %s=%r, expected %r" % (k, got, v))
    if why:
        print("FAIL %s/%s: %s" % (SUITE, name, "; ".join(why)))
    else:
        print("PASS %s/%s" % (SUITE, name))
    sys.stdout.flush()


def flm_offset(path, sym):
    """File offset of an FLM function (PrgCode's file offset + its value)."""
    nm = subprocess.run(["arm-none-eabi-nm", path], stdout=subprocess.PIPE, text=True).stdout
    val = int(re.search(r"^([0-9a-f]+) T %s$" % sym, nm, re.M).group(1), 16) & ~1
    se = subprocess.run(["arm-none-eabi-readelf", "-SW", path], stdout=subprocess.PIPE,
                        text=True).stdout
    m = re.search(r"PrgCode\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)", se)
    return int(m.group(2), 16) + val - int(m.group(1), 16)


def patched(src, dst, sym, insn):
    shutil.copy(src, dst)
    with open(dst, "r+b") as f:
        f.seek(flm_offset(src, sym))
        f.write(insn)
    return dst


def bad_files(tmp):
    elf = os.path.join(FW, "demo.elf")
    out = {}
    out["outside"] = os.path.join(tmp, "outside.elf")
    subprocess.run(["arm-none-eabi-objcopy", "--change-section-address", ".text=0x90000000", elf,
                    out["outside"]], stderr=subprocess.DEVNULL, check=True)
    out["big"] = os.path.join(tmp, "big.bin")
    with open(out["big"], "wb") as f:  # a plausible vector table, then filler
        f.write(bytes.fromhex("0000022009010008") + b"\x5a" * (1024 * 1024 + 4088))
    data = open(elf, "rb").read()
    out["trunc_elf"] = os.path.join(tmp, "trunc.elf")
    open(out["trunc_elf"], "wb").write(data[:3000])
    hexdata = open(os.path.join(FW, "demo.hex")).read()
    out["bad_hex"] = os.path.join(tmp, "bad.hex")
    open(out["bad_hex"], "w").write(hexdata.replace(":10", ":1G", 1))
    # the first instruction of ProgramPage and of ProgramStream (which the
    # engine calls instead when the algorithm has it) -> UDF (a fault), or
    # B . (a timeout)
    for name, insn in (("udf", b"\x00\xde"), ("loop", b"\xfe\xe7")):
        page = patched(FLM, os.path.join(tmp, name + "_page.flm"), "ProgramPage", insn)
        out["flm_" + name] = patched(page, os.path.join(tmp, name + ".flm"), "ProgramStream", insn)
    # the x8 FLM with a 2 MiB descriptor (dev_size): clipped to the chip's 1 MiB
    out["flm_2mib"] = os.path.join(tmp, "2mib.flm")
    shutil.copy(FLM, out["flm_2mib"])
    se = subprocess.run(["arm-none-eabi-readelf", "-SW", FLM], stdout=subprocess.PIPE,
                        text=True).stdout
    dev_off = int(re.search(r"DevDscr\s+PROGBITS\s+[0-9a-f]+\s+([0-9a-f]+)", se).group(1), 16)
    with open(out["flm_2mib"], "r+b") as f:
        f.seek(dev_off + 136)  # FlashDevice.szDev (FlashOS.h)
        f.write((0x200000).to_bytes(4, "little"))
    # EraseChip that reports success without erasing: movs r0, #0; bx lr
    out["flm_lying"] = patched(FLM, os.path.join(tmp, "lying.flm"), "EraseChip",
                               b"\x00\x20\x70\x47")
    return out


def vendor_rows(elf, binf, v1, v2):
    """Issue 10 point 1: the vendor FLM programs, verifies, skips unchanged
    sectors and compares (--verify-only) through swdd's checksum routine."""
    if not os.path.exists(VENDOR_FLM):
        print("SKIP swdd_flash_cli/vendor_flm: %s not found (set SWDD_VENDOR_FLM)" % VENDOR_FLM)
        return
    va = ["--flash-algo", VENDOR_FLM]
    check("vendor_flm_program", ["flash", elf] + va, 0,
          {"result": "ok", "bytes_programmed": lambda v: v >= 556})
    check("vendor_flm_reload_skips", ["flash", elf, "--sim-image", elf] + va, 0,
          {"sectors_skipped": 1, "bytes_programmed": 0}, lab=UNTOUCHED)
    check("vendor_flm_one_sector_changed", ["flash", v2, "--sim-image", v1] + va, 0,
          {"sectors_touched": 2, "sectors_erased": 1, "sectors_skipped": 1},
          lab={"sector_erases": 1})
    check("vendor_flm_verify_only_match", ["flash", binf, "--verify-only", "--sim-image", elf] + va,
          0, {"result": "ok"}, lab=UNTOUCHED)
    check("vendor_flm_verify_only_mismatch", ["flash", v2, "--verify-only", "--sim-image", v1] + va,
          6, err=r"verify failed at 0x08004000", lab=UNTOUCHED)


def supply_rows(elf):
    """Issue 10 point 8: parallelism follows the supply (RM0090 3.6 table 7).
    ST-LINK measures it; CMSIS-DAP cannot, so 3.3 V is assumed unless
    --vdd-mv says otherwise; the lab refuses x32 below 2.7 V with PGPERR."""
    words, nb = 139, 550  # demo.elf's program operations at x32 and at x8
    for kind in ("stlink-v21", "cmsis-dap-v2"):
        sp = ["--sim-probe", kind]
        check("supply_3v3_%s_x32" % kind, ["flash", elf, "--sim-fault", "vdd:3300"] + sp, 0,
              {"result": "ok"}, err=r"3\.[23]\d V .*x32", lab={"program_ops": words})
    check("supply_1v8_stlink_measured_x8", ["flash", elf, "--sim-fault", "vdd:1800",
          "--sim-probe", "stlink-v21"], 0, {"result": "ok"},
          err=r"1\.[78]\d V \(measured by the probe\): x8", lab={"program_ops": nb})
    check("supply_1v8_cmsis_dap_assumed_refused", ["flash", elf, "--sim-fault", "vdd:1800",
          "--sim-probe", "cmsis-dap-v2"], 5, {"bytes_programmed": 0},
          err=r"assumed.*PGPERR.*x32 needs 2\.7 V.*--vdd-mv", lab={"program_ops": 0})
    check("supply_1v8_cmsis_dap_stated_x8", ["flash", elf, "--sim-fault", "vdd:1800",
          "--sim-probe", "cmsis-dap-v2", "--vdd-mv", "1800"], 0, {"result": "ok"},
          err=r"1\.80 V \(given with --vdd-mv\): x8", lab={"program_ops": nb})
    if os.path.exists(VENDOR_FLM):  # ST's FLM programs at x32 whatever the supply
        check("supply_1v8_vendor_flm_x32_refused", ["flash", elf, "--sim-fault", "vdd:1800",
              "--sim-probe", "stlink-v21", "--flash-algo", VENDOR_FLM], 5, {"bytes_programmed": 0},
              err=r"below 2\.7 V: .*chooses its own parallelism.*programming the page at "
                  r"0x08000000 failed: the algorithm returned 1")


def main():
    for need in (SWDD, os.path.join(FW, "demo.hex"), os.path.join(FW, "demo_v2.elf"), FLM):
        if not os.path.exists(need):
            print("SKIP swdd_flash_cli: %s is missing (make builds it)" % need)
            return 0
    if not shutil.which("arm-none-eabi-objcopy"):
        print("SKIP swdd_flash_cli: arm-none-eabi-binutils is not installed")
        return 0
    elf, hexf, binf = (os.path.join(FW, "demo." + e) for e in ("elf", "hex", "bin"))
    v1, v2 = os.path.join(FW, "demo_v1.elf"), os.path.join(FW, "demo_v2.elf")
    pre = ["--sim-image", elf]
    positive = lambda v: isinstance(v, (int, float)) and v > 0
    with tempfile.TemporaryDirectory() as tmp:
        bad = bad_files(tmp)
        # formats, on a blank chip: programmed, verified, the lab's time reported
        for name, f in (("elf", elf), ("hex", hexf), ("bin", binf)):
            check(name, ["flash", f], 0, {"result": "ok", "bytes": 556, "bytes_programmed": 560,
                                          "modelled_seconds": positive,
                                          "wall_seconds": lambda v: v >= 0, "error": None})
        check("bin_at_address", ["flash", binf, "--address", "0x08020000", "--format", "bin",
                                 "--no-reset"], 0, {"bytes": 556, "sectors_touched": 1})
        check("reload_skips", ["flash", hexf] + pre, 0,
              {"sectors_touched": 1, "sectors_skipped": 1, "sectors_erased": 0,
               "bytes_programmed": 0}, lab=UNTOUCHED)
        check("one_sector_changed", ["flash", v2, "--sim-image", v1], 0,
              {"sectors_touched": 2, "sectors_erased": 1, "sectors_skipped": 1},
              lab={"sector_erases": 1})
        check("verify_only_match", ["flash", binf, "--verify-only"] + pre, 0, {"result": "ok"},
              lab=UNTOUCHED)
        check("verify_only_mismatch", ["flash", v2, "--verify-only", "--sim-image", v1], 6,
              err=r"verify failed at 0x08004000: read 0x[0-9A-F]{2}, expected 0x[0-9A-F]{2}",
              lab=UNTOUCHED)
        check("external_flm", ["flash", elf, "--flash-algo", FLM], 0,
              {"result": "ok", "bytes_programmed": 560})
        check("flm_2mib_clipped_to_chip", ["flash", binf, "--address", "0x08100000", "--format",
              "bin", "--flash-algo", bad["flm_2mib"]] + pre, 7,
              err=r"outside the flash \(0x08000000-0x080FFFFF\)", lab=UNTOUCHED)
        check("flm_2mib_programs", ["flash", elf, "--flash-algo", bad["flm_2mib"]], 0,
              {"result": "ok"})
        vendor_rows(elf, binf, v1, v2)
        # issue 10 point 7: old firmware left the ART caches on, only a core reset works
        art = ["--sim-image", os.path.join(FW, "artcache.elf"), "--sim-fault", "nrst-push-pull"]
        check("art_cache_core_reset", ["flash", elf] + art, 0, {"result": "ok"},
              err=r"left the flash caches on \(FLASH_ACR 0x00000705: instruction cache on, data "
                  r"cache on.*used VECTRESET instead: a core reset resets only the processor.*FLASH_ACR")
        if os.path.exists(VENDOR_FLM):
            check("art_cache_core_reset_vendor_flm", ["flash", elf, "--flash-algo", VENDOR_FLM] + art,
                  0, {"result": "ok"}, err=r"left the flash caches on.*used VECTRESET instead")
        supply_rows(elf)
        check("nrst_push_pull_reset_fallback", ["flash", elf, "--sim-fault", "nrst-push-pull",
                                                "--reset", "hw"], 0, {"result": "ok"},
              err=r"NRST .*did not reset.*used .*instead")
        check("weak_cell_verify", ["flash", elf, "--sim-fault", "weak-cell:0x080000B0"], 6,
              err=r"verify failed at 0x080000B0: read 0x[0-9A-F]{2}, expected 0x[0-9A-F]{2}")
        # refused input: named cause, exit status, nothing in flash touched
        check("outside_flash_and_ram", ["flash", bad["outside"]] + pre, 7,
              err=r"outside the flash .* and SRAM .*: 0x90000000-0x900000[0-9A-F]{2}",
              lab=UNTOUCHED)
        check("larger_than_flash", ["flash", bad["big"]] + pre, 7,
              err=r"larger than the flash", lab=UNTOUCHED)
        check("truncated_elf", ["flash", bad["trunc_elf"]] + pre, 7, err=r"truncated")
        check("corrupt_hex", ["flash", bad["bad_hex"]] + pre, 7, err=r"line \d+: not a valid Intel HEX")
        check("missing_file", ["flash", os.path.join(tmp, "nope.elf")], 7, err=r"cannot open")
        os.mkfifo(os.path.join(tmp, "fifo.elf"))  # issue 15: open() blocked on it
        check("fifo_refused", ["flash", os.path.join(tmp, "fifo.elf")], 7,
              err=r"FIFOs, sockets and devices are refused")
        check("wrp_sector", ["flash", v1, "--sim-fault", "wrp:1"] + pre, 5,
              err=r"sector 1 \(0x08004000-0x08007FFF\) is write-protected", lab=UNTOUCHED)
        check("rdp1", ["flash", elf, "--sim-fault", "rdp1"], 5,
              err=r"RDP level 1.*swdd erase --unlock", lab=UNTOUCHED)
        check("flm_faults", ["flash", elf, "--flash-algo", bad["flm_udf"]], 5, {"bytes_programmed": 0},
              err=r"flash algorithm .*(fault|locked up).*(programming the page at 0x08000000|"
                  r"flash state: sector 0 \(0x08000000\))",
              lab={"program_ops": 0})
        check("flm_times_out", ["flash", elf, "--flash-algo", bad["flm_loop"]], 5,
              err=r"did not finish within \d+ ms.*programming (the page|sector 0)", lab={"program_ops": 0})
        # erase
        check("erase", ["erase"] + pre, 0, {"result": "ok"}, lab={"mass_erases": 1})
        check("erase_checked_blank", ["erase", "--flash-algo", bad["flm_lying"]] + pre, 5,
              err=r"sector 0 is not blank after the erase: 0x08000000 reads 0x[0-9A-F]{2}")
        check("erase_rdp1_refused", ["erase", "--sim-fault", "rdp1"], 5,
              err=r"RDP level 1.*--unlock", lab=UNTOUCHED)
        check("erase_unlock", ["erase", "--unlock", "--sim-fault", "rdp1"], 0,
              lab={"mass_erases": 1})
        # exit statuses of usage and probe errors
        rc = subprocess.run([SWDD, "flash"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
        print("%s swdd_flash_cli/usage_exit_2%s" % ("PASS" if rc == 2 else "FAIL",
              "" if rc == 2 else ": exit %d" % rc))
        r = subprocess.run([SWDD, "flash", elf, "--probe", "stlink", "--serial", "NOPE"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        ok = r.returncode == 3 and "probe" in r.stderr
        print("%s swdd_flash_cli/no_probe_exit_3%s" % ("PASS" if ok else "FAIL",
              "" if ok else ": exit %d: %s" % (r.returncode, r.stderr.strip()[-200:])))
        out = subprocess.run([SWDD, "--help"], stdout=subprocess.PIPE, text=True).stdout
        ok = all(w in out for w in ("swdd flash FILE", "6 verify mismatch", "7 bad input file"))
        print("%s swdd_flash_cli/help_documents_exit_codes" % ("PASS" if ok else "FAIL"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
