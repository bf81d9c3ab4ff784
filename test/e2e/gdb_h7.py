#!/usr/bin/env python3
"""End-to-end: gdb-multiarch against swdd on the lab's STM32H743 and
STM32H725 through every emulated probe kind (issue 13, "Done when").

Per chip and probe kind, one server on a chip with erased flash
(`swdd --probe sim --sim-chip CHIP --sim-probe KIND`) and one gdb-multiarch
session that loads build/fw/<h743|h725>_cache.elf (test/firmware/h7/
h7cache.c: the M7 I- and D-caches on, code in ITCM and AXI SRAM, a
variable in a cached AXI SRAM line) and runs:
- the generic checks of gdb_session.py (connect, reset, breakpoint in flash,
  step/next/finish/stepi, registers, watchpoints, Ctrl-C, `run`,
  compare-sections, detach) on the H7;
- `load` + compare-sections, d0-d15 (FPv5 double precision), a hardware
  breakpoint above 0x20000000 (FPBv2 only), software breakpoints in DTCM,
  ITCM and AXI SRAM;
- the cache maintenance (docs/SERVER.md "Cortex-M7 caches"), each check one
  the lab's cache model (sim/sim_cache.c) fails without it: a core store
  in a dirty D-cache line read by GDB, a GDB write into that line seen by
  the core, code GDB rewrites in cached AXI SRAM executed, a software
  breakpoint in code the I-cache holds hit and, once removed, not hit,
  and a `load` of changed flash code run without a reset.

Run directly (test/run.sh does); inside gdb (-x THIS_FILE) the same file
runs the gdb side. Prints PASS/FAIL/SKIP lines. SWDD_E2E_KINDS and
SWDD_H7_CHIPS narrow the matrix.
"""
import os
import re
import signal
import sys
import threading

try:
    import gdb
except ImportError:
    gdb = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdb_session  # noqa: E402  (its in-gdb part runs only as a script)

CHIPS = ["stm32h743", "stm32h725"]
AXI_PROG = 0x24010000   # AXI SRAM, behind the M7 caches
ITCM_PROG = 0x00008000  # ITCM: never cached (Cortex-M7 TRM 5.1)
MOVS_R0 = 0x2000        # Thumb movs r0, #imm8


# ---------------------------------------------------------------- in gdb ---

def g(cmd):
    return gdb.execute(cmd, to_string=True)


def val(expr):
    return int(gdb.parse_and_eval(expr)) & 0xFFFFFFFF


class H7Checks(gdb_session.Checks):
    suite = "gdb_h7"

    def __init__(self, kind, port, fw):
        super().__init__(kind, port)
        self.fw = fw  # build/fw/h7xx_cache (without .elf)

    def cont(self, secs=20):
        """continue, with a Ctrl-C after secs in case nothing stops the core
        (a breakpoint the stale I-cache hides); returns the packets GDB
        sent."""
        timer = threading.Timer(secs, lambda: os.kill(os.getpid(), signal.SIGINT))
        g("set debug remote 1")
        timer.start()
        try:
            out = g("continue")
        finally:
            timer.cancel()
            g("set debug remote 0")
        return re.findall(r"Sending packet: \$([^#]*)#", out)

    def to_demo_scale(self):
        """Runs one round of demo_step (to the call of demo_scale)."""
        g("tbreak demo_scale")
        self.cont()
        return None if self.frame_name() == "demo_scale" else "stopped in %s" % self.frame_name()

    # -- load and flash --

    def load_compare(self, elf=None):
        elf = elf or self.fw + ".elf"
        g("file %s" % elf)
        out = g("load")
        if "Transfer rate" not in out and "Start address" not in out:
            return "load said %r" % out
        out = g("compare-sections")
        if "MIS-MATCHED" in out or "matched" not in out:
            return "compare-sections: %r" % out
        return None

    def hw_break_flash(self):
        """`break main` in flash: GDB asks for a hardware breakpoint (the
        memory map says flash), swdd puts it in the FPB."""
        g("break main")
        sent = self.cont()
        g("delete")
        if not any(p.startswith("Z1,") for p in sent) or self.frame_name() != "main":
            return "stopped in %s; sent %r" % (self.frame_name(), [p for p in sent if p[:1] in "Zz"])
        return None

    def hbreak_axi_fpbv2(self):
        """A hardware breakpoint at 0x24000000: FPBv2 (ARMv7-M C1.11, the
        M7) matches any address, FPBv1 only 0x00000000-0x1FFFFFFF."""
        g("hbreak *axi_func")
        self.cont()
        g("delete")
        want = val("(unsigned)&axi_func") & ~1
        return None if self.pc() == want else "stopped at 0x%08x, not 0x%08x" % (self.pc(), want)

    def reset_halt_vtor(self):
        """The reset check reads the vector table where VTOR points (the
        boot address on the H7; 0 is ITCM): no "flash blank" warning."""
        out = g("monitor reset halt")
        if "blank" in out:
            return "monitor reset halt said %r" % out
        return self.reset_halt()

    # -- registers --

    def double_registers(self):
        out = g("info registers d0")
        if not re.match(r"d0\s", out):
            return "info registers d0: %r" % out
        values = [i * 1.25 - 7.5 for i in range(16)]
        for i, v in enumerate(values):
            g("set $d%d = %r" % (i, v))
        g("maintenance flush register-cache")
        back = [float(gdb.parse_and_eval("$d%d" % i)) for i in range(16)]
        if back != values:
            return "d0-d15 read back %r" % back
        # d1 = s3:s2 (ARMv7-M A2.5.1): 1.0 is 0x3FF00000_00000000
        g("set $d1 = 1.0")
        g("maintenance flush register-cache")
        raw = [re.search(r"raw (0x[0-9a-f]+)", g("info registers s%d" % i)) for i in (2, 3)]
        s2, s3 = [int(m.group(1), 16) if m else None for m in raw]
        if (s2, s3) != (0, 0x3FF00000):
            return "d1 = 1.0 gave s2 0x%08x s3 0x%08x" % (s2, s3)
        return None

    # -- software breakpoints in each RAM --

    def ram_breakpoints(self):
        for name, addr in (("DTCM", self.ram_code), ("ITCM", ITCM_PROG), ("AXI SRAM", AXI_PROG)):
            why = self.ram_software_breakpoint(addr)
            if why:
                return "%s: %s" % (name, why)
        return None

    def sw_break_cached(self, func, result):
        """Software breakpoint at code the core has run (the I-cache holds
        it in AXI SRAM): hit; removed, not hit again, and the code intact."""
        why = self.to_demo_scale()
        if why:
            return why
        addr = val("(unsigned)&%s" % func) & ~1
        code = bytes(gdb.selected_inferior().read_memory(addr, 4))
        g("break *%#x" % addr)
        sent = self.cont()
        g("delete")
        if not any(p.startswith("Z0,%x," % addr) for p in sent):
            return "GDB sent %r (no Z0 at 0x%08x)" % ([p for p in sent if p[:1] in "Zz"], addr)
        if self.pc() != addr:
            return "the breakpoint at 0x%08x was not hit (pc 0x%08x, %s)" % (addr, self.pc(),
                                                                          self.frame_name())
        why = self.to_demo_scale()
        if why:
            return "after removing the breakpoint: " + why
        if bytes(gdb.selected_inferior().read_memory(addr, 4)) != code or val(result) != 1:
            return "code or result changed: %s %s = %d" % (code.hex(), result, val(result))
        return None

    # -- D-cache coherence --

    def dcache_read_dirty(self):
        """axi_line.mirror = counter: a core store into a write-back line."""
        why = self.to_demo_scale()
        if why:
            return why
        c, m = val("counter"), val("axi_line.mirror")
        return None if c and m == c else "axi_line.mirror %d, counter %d" % (m, c)

    def dcache_write_seen(self):
        """GDB writes axi_line.cmd, in the line the core keeps dirty; the
        core's next load of it must see the new value."""
        g("set var axi_line.cmd = 0x5a5a1234")
        why = self.to_demo_scale()
        if why:
            return why
        if val("axi_seen") != 0x5A5A1234:
            return "the core read axi_line.cmd = 0x%08x" % val("axi_seen")
        if val("axi_line.mirror") != val("counter"):
            return "the core's own store was lost: mirror %d, counter %d" % (
                val("axi_line.mirror"), val("counter"))
        return None

    def code_write_runs(self, func, result):
        """GDB rewrites `movs r0, #1` in func (code the core has run); the
        core must execute the new instruction, then the old one again."""
        why = self.to_demo_scale()
        if why:
            return why
        addr = val("(unsigned)&%s" % func) & ~1
        inf = gdb.selected_inferior()
        for imm in (5, 1):
            inf.write_memory(addr, (MOVS_R0 | imm).to_bytes(2, "little"))
            why = self.to_demo_scale()
            if why:
                return why
            if val(result) != imm:
                return "%s ran 'movs r0, #%d' as %s = %d" % (func, imm, result, val(result))
        return None

    def load_new_code(self):
        """The core has run flash_value (I-cache on); `load` the v2 image
        (flash_value returns 2) and let the core run on where it stopped
        (not from the entry point `load` sets: the program's start-up
        invalidates the I-cache itself)."""
        why = self.to_demo_scale()
        if why or val("flash_result") != 1:
            return why or "flash_result %d before the load" % val("flash_result")
        pc = self.pc()
        why = self.load_compare(self.fw + "_v2.elf")
        if why:
            return why
        g("set $pc = %#x" % pc)
        why = self.to_demo_scale()
        if why:
            return why
        return None if val("flash_result") == 2 else "old code ran: flash_result %d" % val("flash_result")

    def run_all(self):
        steps = [
            ("connect", self.connect),
            ("load_compare_sections", self.load_compare),
            ("monitor_reset_halt_vtor", self.reset_halt_vtor),
            ("hw_break_main_in_flash", self.hw_break_flash),
            ("step_next_finish_stepi", self.step_next_finish),
            ("registers", self.registers),
            ("fpu_registers", self.fpu_registers),
            ("double_registers_d0_d15", self.double_registers),
            ("m_system_registers", self.system_registers),
            ("stepi_lazy_fpu", self.stepi_lazy_fpu),
            ("memory", self.memory),
            ("watchpoints", self.watchpoints),
            ("dcache_read_dirty_line", self.dcache_read_dirty),
            ("dcache_write_seen_by_core", self.dcache_write_seen),
            ("icache_code_write_axi", lambda: self.code_write_runs("axi_func", "ram_result")),
            ("code_write_itcm", lambda: self.code_write_runs("itcm_func", "itcm_result")),
            ("sw_break_cached_axi", lambda: self.sw_break_cached("axi_func", "ram_result")),
            ("sw_break_itcm", lambda: self.sw_break_cached("itcm_func", "itcm_result")),
            ("hbreak_axi_fpbv2", self.hbreak_axi_fpbv2),
            ("load_new_code_no_reset", self.load_new_code),
            ("continue_ctrl_c", self.continue_ctrl_c),
            ("ram_breakpoints_dtcm_itcm_axi", self.ram_breakpoints),
            ("run_extended_remote", self.run_extended),
            ("compare_sections_qcrc", self.compare_sections),
            ("detach_reconnect", self.detach_reconnect),
        ]
        self.run_steps(steps, fatal=("connect", "load_compare_sections"))


def in_gdb():
    g("set pagination off")
    g("set confirm off")
    H7Checks(os.environ["SWDD_KIND"], int(os.environ["SWDD_PORT"]), os.environ["SWDD_H7_FW"]).run_all()


# -------------------------------------------------------------- wrapper ---

def wrapper():
    env = gdb_session.prepare("gdb_h7")
    if env is None:
        return 0
    swdd, _, logdir = env
    fw = os.path.join(os.environ.get("SWDD_BUILD", "build"), "fw")
    kinds = os.environ.get("SWDD_E2E_KINDS", " ".join(gdb_session.KINDS)).split()
    for chip in os.environ.get("SWDD_H7_CHIPS", " ".join(CHIPS)).split():
        base = os.path.abspath(os.path.join(fw, chip[len("stm32"):] + "_cache"))
        if not all(os.path.exists(base + s) for s in (".elf", "_v2.elf")):
            print("SKIP gdb_h7/%s: %s.elf or _v2.elf is missing (test/firmware/firmware.mk)" % (chip, base))
            continue
        for kind in kinds:
            gdb_session.one_kind(swdd, base + ".elf", "%s/%s" % (chip[len("stm32"):], kind), logdir,
                                 suite="gdb_h7", script=__file__,
                                 args=["--sim-chip", chip, "--sim-probe", kind],
                                 env_extra={"SWDD_H7_FW": base})
    return 0


if gdb is not None and __name__ == "__main__":
    in_gdb()
elif gdb is None and __name__ == "__main__":
    sys.exit(wrapper())
