#!/usr/bin/env python3
"""End-to-end: GDB's `load` through swdd's flash support (issue 7, "Tests").

Per emulated probe kind, on a lab chip with erased flash: load the demo,
compare-sections, run to main; reload unchanged (every sector skipped);
reload with one function changed (only its sector erased); monitor erase.
Then the lab's flash fault knobs, each with the error text a user must
see (swdd's log, and GDB's console at the next monitor command: GDB 13
prints only "Error finishing flash operation" for a failed vFlashDone,
whatever the reply's text, and takes no O packet before that reply).

Run directly (test/run.sh does); inside gdb (-x THIS_FILE) the same file
runs the gdb side. Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import sys

try:
    import gdb
except ImportError:
    gdb = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

KINDS = ["stlink-v2", "stlink-v21", "stlink-v3", "cmsis-dap-v1", "cmsis-dap-v2"]
FLASH = 0x08000000

# fault cases: (name, probe kind, --sim-fault, preloaded image, gdb mode,
#               regex the gdb side's output must match)
FAULTS = [
    ("weak_cell", "stlink-v21", "weak-cell:0x080000B0", None, "load_fails",
     r"verify failed at 0x080000B0: read 0x[0-9A-F]{2}, expected 0x[0-9A-F]{2}"),
    ("wrp", "cmsis-dap-v2", "wrp:1", "demo.elf", "load_v1_fails",
     r"sector 1 \(0x08004000-0x08007FFF\) is write-protected"),
    ("rdp1", "stlink-v3", "rdp1", None, "load_fails",
     r"read-protected \(RDP level 1\).*unlock CONFIRM"),
    ("nrst_push_pull", "stlink-v21", "nrst-push-pull", None, "load_then_reset",
     r"NRST .*did not reset \(S_RESET_ST stayed 0\).*used .*instead"),
    # issue 10 point 7: the old firmware left the ART caches on (artcache.elf),
    # only a core reset works; load, read-back and compare tell the truth
    ("art_cache_core_reset", "cmsis-dap-v2", "nrst-push-pull", "artcache.elf", "art_stale",
     r"used VECTRESET instead: a core reset resets only the processor.*FLASH_ACR"),
]


# ---------------------------------------------------------------- in gdb ---

def g(cmd):
    return gdb.execute(cmd, to_string=True)


class Side:
    def __init__(self):
        self.name = os.environ["SWDD_CASE"]
        self.port = int(os.environ["SWDD_PORT"])
        self.log = os.environ["SWDD_LOG"]
        self.fw = os.environ["SWDD_FW"]

    def report(self, name, fn):
        try:
            why = fn()
        except Exception as e:  # gdb.error, AssertionError
            why = "%s: %s" % (type(e).__name__, e)
        status = "FAIL" if why else "PASS"
        print("%s gdb_flash/%s/%s%s" % (status, self.name, name,
              (": " + str(why).strip().replace("\n", " | ")) if why else ""))
        sys.stdout.flush()
        return not why

    def log_lines(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def last_flash_line(self, before):
        lines = [l for l in self.log_lines()[before:] if "swdd: flash:" in l]
        return lines[-1] if lines else None

    def load(self, elf):
        """Loads elf; returns swdd's summary line of that load."""
        g("file %s" % os.path.join(self.fw, elf))
        n = len(self.log_lines())
        g("load")
        line = self.last_flash_line(n)
        if not line:
            raise AssertionError("no 'flash:' summary in swdd's log after load")
        return line

    def counts(self, line):
        m = re.search(r"in (\d+) sectors: (\d+) erased, (\d+) unchanged \(skipped\), (\d+) bytes "
                      r"programmed", line)
        if not m:
            raise AssertionError("unexpected summary %r" % line)
        return tuple(int(x) for x in m.groups())

    def compare(self):
        out = g("compare-sections")
        if "MIS-MATCHED" in out or "matched" not in out:
            return "compare-sections: %r" % out
        return None

    # -- per probe kind --

    def load_compare_run(self):
        line = self.load("demo.elf")
        touched, erased, skipped, programmed = self.counts(line)
        if programmed == 0:
            return "nothing programmed on a blank chip: %r" % line
        why = self.compare()
        if why:
            return why
        g("monitor reset halt")
        g("maintenance flush register-cache")
        g("break main")
        g("continue")
        g("delete")
        if gdb.selected_frame().name() != "main":
            return "stopped in %s" % gdb.selected_frame().name()
        return None

    def reload_unchanged(self):
        line = self.load("demo.elf")
        touched, erased, skipped, programmed = self.counts(line)
        if erased or programmed or skipped != touched:
            return "reload erased or programmed: %r" % line
        return self.compare()

    def reload_one_function(self):
        self.load("demo_v1.elf")
        line = self.load("demo_v2.elf")
        touched, erased, skipped, programmed = self.counts(line)
        if (touched, erased, skipped) != (2, 1, 1):
            return "v1 -> v2 should erase sector 1 only: %r" % line
        return self.compare()

    def monitor_erase(self):
        out = g("monitor erase")
        if "mass-erased" not in out:
            return "monitor erase said %r" % out
        g("maintenance flush register-cache")
        words = g("x/4wx %#x" % FLASH) + g("x/4wx %#x" % (FLASH + 0x4000))
        vals = [w for l in re.findall(r":\s+(.*)", words) for w in l.split()]
        blank = len(vals) == 8 and all(w == "0xffffffff" for w in vals)
        return None if blank else "flash reads %r" % words

    def run_kind(self):
        steps = [("load_compare_break_main", self.load_compare_run),
                 ("reload_unchanged_skips_all", self.reload_unchanged),
                 ("reload_changed_function_erases_its_sector", self.reload_one_function),
                 ("monitor_erase_blank", self.monitor_erase)]
        for name, fn in steps:
            if not self.report(name, fn) and name == "load_compare_break_main":
                break

    # -- fault knobs --

    def failing_load(self, elf):
        g("file %s" % os.path.join(self.fw, elf))
        try:
            g("load")
        except gdb.error as e:
            # the cause reaches the console with the next monitor command
            return "GDB: %s | %s" % (e, g("monitor rdp"))
        return None

    def art_stale(self):
        """The debugger's reads go through the data cache (D-code): read the
        lines first, then load; every read after must show the new image."""
        inf = gdb.selected_inferior()
        bytes(inf.read_memory(FLASH + 0x80, 0x80))
        line = self.load("demo.elf")
        want = open(os.path.join(self.fw, "demo.bin"), "rb").read()[0x80:0x100]
        g("maintenance flush register-cache")
        got = bytes(inf.read_memory(FLASH + 0x80, 0x80))
        if got != want:
            return "stale read-back after load: %s" % got[:16].hex()
        why = self.compare()
        return why or (line + " | " + g("monitor reset halt"))

    def run_fault(self, mode, want):
        text = None
        if mode == "load_fails":
            # SWDD_ELF: another image (h7_verify.py loads the H743 report's)
            text = self.failing_load(os.environ.get("SWDD_ELF", "demo.elf"))
        elif mode == "load_v1_fails":
            inf = gdb.selected_inferior()
            before = bytes(inf.read_memory(FLASH, 0x300))
            text = self.failing_load("demo_v1.elf")
            if text and bytes(inf.read_memory(FLASH, 0x300)) != before:
                text = "sector 0 changed although the load was refused: " + text
        elif mode == "art_stale":
            text = self.art_stale()
        elif mode == "load_then_reset":
            line = self.load("demo.elf")
            why = self.compare()
            if why:
                text = why
            else:
                text = line + " | " + g("monitor reset halt")
        if text is None:
            print("FAIL gdb_flash/%s/error_text: load did not fail" % self.name)
        elif re.search(want, text.replace("\n", " ")):
            print("PASS gdb_flash/%s/error_text" % self.name)
        else:
            print("FAIL gdb_flash/%s/error_text: %r lacks /%s/" % (self.name, text, want))
        sys.stdout.flush()


def h7_load_compare(side):
    """STM32H743 (issue 13): h743_big.elf has a section in each bank; load,
    compare-sections, then an unchanged reload skips both sectors."""
    line = side.load("h743_big.elf")
    touched, erased, skipped, programmed = side.counts(line)
    if touched != 2 or programmed == 0:
        return "expected 2 sectors programmed: %r" % line
    why = side.compare()
    if why:
        return why
    line = side.load("h743_big.elf")
    touched, erased, skipped, programmed = side.counts(line)
    if erased or programmed or skipped != 2:
        return "reload erased or programmed: %r" % line
    return side.compare()


Side.run_h7 = lambda self: self.report("h743_load_compare_reload", lambda: h7_load_compare(self))


def in_gdb():
    g("set pagination off")
    g("set confirm off")
    side = Side()
    try:
        g("target extended-remote :%d" % side.port)
    except gdb.error as e:
        print("FAIL gdb_flash/%s/connect: %s" % (side.name, e))
        return
    mode = os.environ.get("SWDD_MODE", "kind")
    if mode == "kind":
        side.run_kind()
    elif mode == "h7":
        side.run_h7()
    else:
        side.run_fault(mode, os.environ["SWDD_WANT"])
    try:
        g("detach")
    except gdb.error:
        pass


# -------------------------------------------------------------- wrapper ---

def session(swdd, fw, logdir, name, args, env_extra, log_also=None):
    """Starts swdd, runs the gdb side; prints its result lines. swdd's log
    (which the checks read) is private to this run, so that two test runs
    in one tree cannot mix their logs; a copy is left in logdir."""
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        log_path = os.path.join(tmp, "gdb_flash-%s.swdd.log" % name)
        try:
            session_in(swdd, fw, logdir, name, args, env_extra, log_also, log_path)
        finally:
            shutil.copy(log_path, logdir)


def session_in(swdd, fw, logdir, name, args, env_extra, log_also, log_path):
    from gdb_session import start_server, stop_server, run_gdb
    with open(log_path, "w") as log:
        p, port = start_server(swdd, args, log)
        if port is None:
            print("FAIL gdb_flash/%s/start: swdd did not start (see %s)" % (name, log_path))
            return
        env = dict(os.environ, SWDD_CASE=name, SWDD_LOG=log_path, SWDD_FW=fw, **env_extra)
        saved = os.environ.copy()
        os.environ.update(env)
        try:
            out, rc = run_gdb(os.path.abspath(__file__), os.path.join(fw, "demo.elf"), port,
                              name, timeout=120)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        with open(os.path.join(logdir, "gdb_flash-%s.gdb.log" % name), "w") as f:
            f.write(out)
        results = [l for l in out.splitlines() if re.match(r"^(PASS|FAIL|SKIP) ", l)]
        if log_also:
            results = [log_also(l, log_path) for l in results]
        for l in results:
            print(l)
        if not results or rc != 0:
            print("FAIL gdb_flash/%s/gdb: exit %s; last output: %s" %
                  (name, rc, " | ".join(out.strip().splitlines()[-4:])))
        code = stop_server(p)
        if code != 0:
            print("FAIL gdb_flash/%s/shutdown: exit status %s" % (name, code))
    sys.stdout.flush()


def wrapper():
    from gdb_session import prepare
    env = prepare("gdb_flash")
    if env is None:
        return 0
    swdd, elf, logdir = env
    fw = os.path.dirname(os.path.abspath(elf))
    for f in ("demo_v1.elf", "demo_v2.elf"):
        if not os.path.exists(os.path.join(fw, f)):
            print("SKIP gdb_flash: %s is missing (test/firmware/firmware.mk builds it)" % f)
            return 0
    for kind in os.environ.get("SWDD_E2E_KINDS", " ".join(KINDS)).split():
        session(swdd, fw, logdir, kind, ["--sim-probe", kind], {"SWDD_MODE": "kind"})
    # an external CMSIS-Pack FLM (the x8 variant, built stand-alone) through --flash-algo
    flm = os.path.join(os.path.dirname(fw), "flashalgo", "stm32f4_x8.flm")
    if os.path.exists(flm):
        session(swdd, fw, logdir, "external_flm_x8", ["--sim-probe", "stlink-v3", "--flash-algo", flm],
                {"SWDD_MODE": "kind"})
    else:
        print("SKIP gdb_flash/external_flm_x8: %s is missing" % flm)
    # ST's own FLM (no Crc32/Verify/BlankCheck): load, compare-sections and
    # the skips through swdd's checksum routine (issue 10 point 1)
    vendor = os.environ.get("SWDD_VENDOR_FLM", "../shared/test-data/flm/STM32F4xx_2048.FLM")
    if os.path.exists(vendor):
        session(swdd, fw, logdir, "vendor_flm", ["--sim-probe", "cmsis-dap-v2", "--flash-algo",
                os.path.abspath(vendor)], {"SWDD_MODE": "kind"})
    else:
        print("SKIP gdb_flash/vendor_flm: %s not found (set SWDD_VENDOR_FLM)" % vendor)
    if os.path.exists(os.path.join(fw, "h743_big.elf")):
        for kind in ("stlink-v3", "cmsis-dap-v2"):
            session(swdd, fw, logdir, "h743_" + kind, ["--sim-probe", kind, "--sim-chip", "stm32h743"],
                    {"SWDD_MODE": "h7"})
    else:
        print("SKIP gdb_flash/h743: h743_big.elf is missing (test/firmware/firmware.mk builds it)")
    for name, kind, knob, image, mode, want in FAULTS:
        args = ["--sim-probe", kind, "--sim-fault", knob]
        if image:
            args += ["--sim-image", os.path.join(fw, image)]

        def also_in_log(line, log_path, want=want):
            # the same explanation must be in swdd's own log
            if not line.startswith("PASS"):
                return line
            with open(log_path) as f:
                if re.search(want, f.read().replace("\n", " ")):
                    return line
            return "FAIL" + line[4:] + ": swdd's log lacks /%s/" % want
        session(swdd, fw, logdir, name, args, {"SWDD_MODE": mode, "SWDD_WANT": want}, also_in_log)
    return 0


if gdb is not None:
    in_gdb()
elif __name__ == "__main__":
    sys.exit(wrapper())
