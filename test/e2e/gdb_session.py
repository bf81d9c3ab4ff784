#!/usr/bin/env python3
"""End-to-end: gdb-multiarch against build/swdd on the lab, every emulated
probe kind, one server session per kind.

Run directly (test/run.sh does): starts `swdd --probe sim --sim-probe KIND
--port 0 --sim-image build/fw/demo.elf` per kind and runs
`gdb-multiarch -nx -batch -x THIS_FILE` against it; inside gdb the same file
runs the checks through gdb's Python API. Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import sys

try:
    import gdb  # noqa: F401  (present only inside gdb)
except ImportError:
    gdb = None

KINDS = ["stlink-v2", "stlink-v21", "stlink-v3", "cmsis-dap-v1", "cmsis-dap-v2"]
RAM_CODE = 0x20010000
# Thumb: movs r0,#1; adds r0,#1; adds r0,#1; b .
RAM_PROG = bytes([0x01, 0x20, 0x01, 0x30, 0x01, 0x30, 0xFE, 0xE7])


# ---------------------------------------------------------------- in gdb ---

def g(cmd):
    return gdb.execute(cmd, to_string=True)


class Checks:
    suite = "gdb_session"  # the first part of every result name
    ram_code = RAM_CODE    # where ram_software_breakpoint writes its program

    def __init__(self, kind, port):
        self.kind = kind
        self.port = port
        self.stops = []
        self.stop_bp_types = []
        gdb.events.stop.connect(self.on_stop)

    def on_stop(self, ev):
        self.stops.append(ev)
        self.stop_bp_types = [b.type for b in getattr(ev, "breakpoints", [])]

    def report(self, name, fn):
        try:
            why = fn()
        except Exception as e:  # gdb.error, AssertionError, socket errors
            why = "%s: %s" % (type(e).__name__, e)
        if why:
            print("FAIL %s/%s/%s: %s" % (self.suite, self.kind, name, str(why).strip().replace("\n", " | ")))
        else:
            print("PASS %s/%s/%s" % (self.suite, self.kind, name))
        sys.stdout.flush()
        return not why

    def pc(self):
        return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFF

    def frame_name(self):
        return gdb.selected_frame().name()

    # -- the checks; each returns None or the reason it failed --

    def connect(self):
        g("target extended-remote :%d" % self.port)
        g("info registers pc")
        return None

    def second_client_refused(self):
        import socket
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"+$qSupported#37")
        data = b""
        try:
            while b"#" not in data[2:] or len(data) < 8:
                chunk = s.recv(512)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        if b"E.swdd: another GDB" not in data:
            return "second client got %r" % data
        return None

    def reset_halt(self):
        out = g("monitor reset halt")
        if "halted" not in out:
            return "monitor output %r" % out
        g("maintenance flush register-cache")
        vec = int(gdb.parse_and_eval("*(unsigned int *)0x08000004")) & ~1
        if self.pc() != vec:
            return "pc 0x%08x after reset, reset vector 0x%08x" % (self.pc(), vec)
        return None

    def monitor_commands(self):
        out = g("monitor help")
        for want in ("reset [halt|run|init]", "reset_config", "speed [KHZ]", "info", "version"):
            if want not in out:
                return "monitor help lacks %r" % want
        out = g("monitor info")
        for want in ("IDCODE:", "revision", "flash:", "RDP level:", "voltage:"):
            if want not in out:
                return "monitor info lacks %r: %r" % (want, out)
        if "sys" not in g("monitor reset_config sys"):
            return "reset_config sys"
        if "halted" not in g("monitor reset halt") or "auto" not in g("monitor reset_config auto"):
            return "reset with SYSRESETREQ"
        if "kHz" not in g("monitor speed 1800"):
            return "monitor speed"
        try:
            g("monitor no_such_command")
            return "an unknown command did not fail"
        except gdb.error:
            pass
        return None

    def break_main_flash(self):
        out = g("break main")
        g("continue")
        if self.frame_name() != "main":
            return "stopped in %s (%s)" % (self.frame_name(), out)
        return None

    def step_next_finish(self):
        line0 = gdb.selected_frame().find_sal().line
        g("next")
        if self.frame_name() != "main" or gdb.selected_frame().find_sal().line == line0:
            return "next went to %s line %d" % (self.frame_name(), gdb.selected_frame().find_sal().line)
        g("step")
        if self.frame_name() != "demo_step":
            return "step went to %s" % self.frame_name()
        g("finish")
        if self.frame_name() != "main":
            return "finish returned to %s" % self.frame_name()
        g("stepi")
        return None

    def registers(self):
        g("set $r0 = 0x12345678")
        g("set $r12 = 0xcafef00d")
        g("maintenance flush register-cache")
        if int(gdb.parse_and_eval("$r0")) & 0xFFFFFFFF != 0x12345678:
            return "r0 did not read back"
        if int(gdb.parse_and_eval("$r12")) & 0xFFFFFFFF != 0xCAFEF00D:
            return "r12 did not read back"
        return None

    def fpu_registers(self):
        g("set $s0 = 1.5")
        g("set $d5 = -2.25")
        g("set $fpscr = 0x03000000")
        g("maintenance flush register-cache")
        s0 = float(gdb.parse_and_eval("$s0"))
        d5 = float(gdb.parse_and_eval("$d5"))
        fpscr = int(gdb.parse_and_eval("$fpscr")) & 0xFFFFFFFF
        if s0 != 1.5 or d5 != -2.25 or fpscr != 0x03000000:
            return "s0=%r d5=%r fpscr=0x%x" % (s0, d5, fpscr)
        return None

    def system_registers(self):
        msp = int(gdb.parse_and_eval("$msp")) & 0xFFFFFFFF
        if not 0x20000000 <= msp <= 0x20020000:
            return "msp 0x%08x outside SRAM" % msp
        g("set $basepri = 0x20")
        g("set $primask = 1")
        g("maintenance flush register-cache")
        bp = int(gdb.parse_and_eval("$basepri"))
        pm = int(gdb.parse_and_eval("$primask"))
        ctl = int(gdb.parse_and_eval("$control"))
        fm = int(gdb.parse_and_eval("$faultmask"))
        g("set $basepri = 0")
        g("set $primask = 0")
        if bp != 0x20 or pm != 1 or fm != 0 or ctl not in (0, 4):
            return "basepri=%#x primask=%d faultmask=%d control=%#x" % (bp, pm, fm, ctl)
        return None

    def stepi_lazy_fpu(self):
        """A stepi's register refresh ('g') leaves primask..control and the
        FPU registers to the 'p' packets GDB sends only when it needs them
        (remote.c process_g_packet: a short 'g'); they still read back."""
        g("set $d15 = 3.25")
        g("set debug remote 1")
        try:
            log = g("stepi")
        finally:
            g("set debug remote 0")
        sent = re.findall(r"Sending packet: \$([^#]*)#", log)
        late = [p for p in sent if re.match(r"p[0-9a-f]+$", p) and int(p[1:], 16) >= 19]
        if "g" not in sent or late:
            return "stepi sent %r" % sent
        d15 = float(gdb.parse_and_eval("$d15"))
        out = g("info all-registers")
        if d15 != 3.25 or "fpscr" not in out or "control" not in out:
            return "d15=%r after the step; info all-registers: %r" % (d15, out[-200:])
        return None

    def memory(self):
        inf = gdb.selected_inferior()
        pattern = bytes((i * 7 + 3) & 0xFF for i in range(4096))
        inf.write_memory(0x20008000, pattern)
        back = bytes(inf.read_memory(0x20008000, len(pattern)))
        if back != pattern:
            return "4 KiB SRAM write/read mismatch"
        g("set var counter = 1234")
        if int(gdb.parse_and_eval("counter")) != 1234:
            return "counter did not read back"
        return None

    def compare_sections(self):
        """qCRC (on-target CRC when the flash layer provides it) must match
        the ELF and leave the core as it was."""
        regs = ["pc", "sp", "lr", "r0", "r4", "xpsr", "msp"]

        def read_regs():
            g("maintenance flush register-cache")
            return [int(gdb.parse_and_eval("$" + r)) & 0xFFFFFFFF for r in regs]
        before = read_regs()
        out = g("compare-sections")
        if "MIS-MATCHED" in out or "matched" not in out:
            return "compare-sections (qCRC): %r" % out
        after = read_regs()
        changed = ["%s 0x%08x->0x%08x" % (r, b, a) for r, b, a in zip(regs, before, after) if a != b]
        if changed:
            return "registers changed by qCRC: %s" % ", ".join(changed)
        return None

    def watchpoints(self):
        # The stop text goes to the terminal, not to to_string: look at the
        # stop events instead.
        kinds = (("watch", gdb.BP_HARDWARE_WATCHPOINT), ("rwatch", gdb.BP_READ_WATCHPOINT),
                 ("awatch", gdb.BP_ACCESS_WATCHPOINT))
        for cmd, bptype in kinds:
            g("%s counter" % cmd)
            self.stop_bp_types = []
            g("continue")
            g("delete")
            hit = self.stop_bp_types
            if bptype not in hit or self.frame_name() != "demo_step":
                return "%s: stop events %r, pc 0x%08x in %s" % (cmd, hit, self.pc(), self.frame_name())
        return None

    def ram_software_breakpoint(self, addr=None):
        addr = self.ram_code if addr is None else addr
        inf = gdb.selected_inferior()
        inf.write_memory(addr, RAM_PROG)
        g("set $pc = %#x" % addr)
        g("break *%#x" % (addr + 4))
        g("continue")
        g("delete")
        if self.pc() != addr + 4:
            return "stopped at 0x%08x" % self.pc()
        if int(gdb.parse_and_eval("$r0")) != 2:
            return "r0 = %d at the breakpoint" % int(gdb.parse_and_eval("$r0"))
        # the program is intact after the breakpoint was removed
        if bytes(inf.read_memory(addr, len(RAM_PROG))) != RAM_PROG:
            return "RAM code changed"
        return None

    def continue_ctrl_c(self):
        import signal
        import threading
        self.stops = []
        threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        g("continue")
        sig = [getattr(e, "stop_signal", None) for e in self.stops]
        if "SIGINT" not in sig:
            return "stop events %r" % sig
        return None

    def run_to(self, location, how):
        """Breaks at location, runs with `how`; None or why it failed."""
        g("break %s" % location)
        g(how)
        name = self.frame_name()
        g("delete")
        return None if name == location else "%s stopped in %s" % (how, name)

    def run_extended(self):
        g("set confirm off")
        return self.run_to("main", "run")

    def detach_reconnect(self):
        g("detach")
        g("target extended-remote :%d" % self.port)
        g("monitor reset halt")
        g("maintenance flush register-cache")
        return self.run_to("demo_scale", "continue")

    def run_all(self):
        steps = [
            ("connect", self.connect),
            ("second_client_refused", self.second_client_refused),
            ("monitor_reset_halt", self.reset_halt),
            ("monitor_commands", self.monitor_commands),
            ("break_main_in_flash", self.break_main_flash),
            ("step_next_finish", self.step_next_finish),
            ("registers", self.registers),
            ("fpu_registers", self.fpu_registers),
            ("m_system_registers", self.system_registers),
            ("stepi_lazy_fpu", self.stepi_lazy_fpu),
            ("memory", self.memory),
            ("watchpoints", self.watchpoints),
            ("ram_software_breakpoint", self.ram_software_breakpoint),
            ("continue_ctrl_c", self.continue_ctrl_c),
            ("run_extended_remote", self.run_extended),
            ("compare_sections_qcrc", self.compare_sections),
            ("detach_reconnect", self.detach_reconnect),
        ]
        self.run_steps(steps)

    def run_steps(self, steps, fatal=("connect",)):
        """Reports each (name, fn) step; stops after a failed step named in
        fatal; detaches at the end."""
        for name, fn in steps:
            if not self.report(name, fn) and name in fatal:
                break
        try:
            g("detach")
        except gdb.error:
            pass


def in_gdb():
    g("set pagination off")
    g("set confirm off")
    Checks(os.environ["SWDD_KIND"], int(os.environ["SWDD_PORT"])).run_all()


# -------------------------------------------------------------- wrapper ---

def start_server(swdd, args, log):
    import re
    import subprocess
    import time
    p = subprocess.Popen([swdd, "--probe", "sim", "--port", "0"] + args, stdout=subprocess.PIPE,
                         stderr=log, text=True)
    line = p.stdout.readline()
    m = re.search(r"listening for gdb on [0-9.]+:(\d+)", line)
    if not m:
        p.wait(timeout=10)
        return p, None
    time.sleep(0.05)
    return p, int(m.group(1))


def stop_server(p):
    import signal
    import subprocess
    p.send_signal(signal.SIGINT)
    try:
        return p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def http_dropped(port):
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = b""
    try:
        while True:  # the reason (docs/SERVER.md "Connections"), then the close
            d = s.recv(1000)
            if not d:
                break
            data += d
    except socket.timeout:
        data = b"(timeout)"
    s.close()
    return data.startswith(b"swdd: not a GDB client")


def run_gdb(script, elf, port, kind, timeout=150, env_extra=None):
    """Runs gdb-multiarch with script; returns (output, exit status).
    timeout bounds the time without progress, not the session: gdb is
    killed when it printed nothing (each step prints its PASS/FAIL line)
    for timeout s, so a session of many steps on a loaded host, where the
    lab's chip runs only as fast as the host drives it, is not cut short
    while its steps still finish. GDB's own wait for a reply (remotetimeout,
    2 s by default) is raised to 30 s: a reconnect re-attaches the lab's
    chip, which took over 2 s at a load average of 14 ("Remote replied
    unexpectedly to 'vMustReplyEmpty': PacketSize=..." in detach_reconnect:
    GDB had given up on qSupported's reply and read it as the next one)."""
    import queue
    import subprocess
    import threading
    env = dict(os.environ, SWDD_PORT=str(port), SWDD_KIND=kind, **(env_extra or {}))
    p = subprocess.Popen(["gdb-multiarch", "-nx", "-batch", "-iex", "set remotetimeout 30", "-x", script,
                          elf], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in p.stdout] + [lines.put(None)], daemon=True).start()
    out = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            p.kill()
            p.wait()
            return "".join(out) + "\n(gdb timed out: no output for %d s)" % timeout, -1
        if line is None:
            return "".join(out), p.wait()
        out.append(line)


def one_kind(swdd, elf, kind, logdir, suite="gdb_session", script=__file__, args=None, env_extra=None):
    """One swdd server and one gdb-multiarch running `script` against it
    (SWDD_KIND = kind, plus env_extra); prints the gdb side's results and
    the checks every session gets (no gdb warnings, an HTTP request
    dropped, a clean shutdown), named suite/kind/...."""
    import re
    name = "%s/%s" % (suite, kind)
    tag = "%s-%s" % (suite, kind.replace("/", "-"))
    log_path = os.path.join(logdir, "%s.swdd.log" % tag)
    if args is None:
        args = ["--sim-probe", kind, "--sim-image", elf]
    with open(log_path, "w") as log:
        p, port = start_server(swdd, args, log)
        if port is None:
            print("FAIL %s/start: swdd did not print its banner (see %s)" % (name, log_path))
            return
        out, rc = run_gdb(os.path.abspath(script), elf, port, kind, env_extra=env_extra)
        with open(os.path.join(logdir, "%s.gdb.log" % tag), "w") as f:
            f.write(out)
        results = [l for l in out.splitlines() if re.match(r"^(PASS|FAIL|SKIP) ", l)]
        for l in results:
            print(l)
        if not results or rc != 0:
            print("FAIL %s/gdb: gdb exited with %s; last output: %s" %
                  (name, rc, " | ".join(out.strip().splitlines()[-4:])))
        # the target description and memory map must not make gdb complain
        warnings = [l for l in out.splitlines() if "warning" in l.lower()]
        print("%s %s/no_gdb_warnings%s" % ("FAIL" if warnings else "PASS", name,
              ": " + " | ".join(warnings[:3]) if warnings else ""))
        try:
            ok = http_dropped(port)
        except OSError as e:
            ok = False
        log.flush()
        with open(log_path) as f:
            logged = "HTTP" in f.read()
        print("%s %s/http_request_dropped%s" % ("PASS" if ok and logged else "FAIL", name,
              "" if ok and logged else ": dropped=%s logged=%s" % (ok, logged)))
        code = stop_server(p)
        print("%s %s/clean_shutdown%s" % ("PASS" if code == 0 else "FAIL", name,
              "" if code == 0 else ": exit status %s" % code))
    sys.stdout.flush()


def prepare(suite):
    """What the wrappers need: (swdd, elf, logdir), or None after printing
    why the suite cannot run (SKIP) or failed (FAIL)."""
    import shutil
    build = os.environ.get("SWDD_BUILD", "build")
    swdd = os.path.join(build, "swdd")
    elf = os.path.join(build, "fw", "demo.elf")
    if not shutil.which("gdb-multiarch"):
        print("SKIP %s: gdb-multiarch is not installed" % suite)
        return None
    if not os.path.exists(elf):
        print("SKIP %s: %s is missing (test/firmware builds it)" % (suite, elf))
        return None
    if not os.access(swdd, os.X_OK):
        print("FAIL %s: %s is not built" % (suite, swdd))
        return None
    logdir = os.environ.get("SWDD_TEST_LOGS", os.path.join(build, "test-logs"))
    os.makedirs(logdir, exist_ok=True)
    return swdd, elf, logdir


def wrapper():
    env = prepare("gdb_session")
    if env is None:
        return 0
    for kind in os.environ.get("SWDD_E2E_KINDS", " ".join(KINDS)).split():
        one_kind(*env[:2], kind, env[2])
    return 0


if gdb is not None and __name__ == "__main__":
    in_gdb()
elif gdb is None and __name__ == "__main__":
    sys.exit(wrapper())
