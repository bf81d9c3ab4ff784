#!/usr/bin/env python3
"""End-to-end: GDB hears the reason (issue 10 points 3, 5 and 6), checked
with gdb-multiarch (GDB 13) through its Python API.

What the user sees, per case (docs/SERVER.md "What GDB shows"):
- a 7th hardware breakpoint: GDB prints swdd's reason (E.swdd.<text>);
- a 5th watchpoint: GDB 13 says only "Could not insert hardware
  watchpoint"; swdd's reason comes with the next monitor command;
- a failed `load`: GDB 13 says only "Error finishing flash operation";
  the reason comes with the next monitor command, and `monitor program`
  prints it at once;
- an unknown monitor command: the reason, then "Target does not support
  this command." (not "Protocol error with Rcmd");
- monitor reset halt / halt / reset init print pc, sp and the
  register-cache hint; strict arguments; the OpenOCD names (flash banks,
  program, mdw/mww, reg);
- `monitor reset run` on firmware that turns SWD off explains; then
  `monitor reset halt` connects again under reset and debugging goes on.

Run directly (test/run.sh does): starts one swdd per scenario with
`--probe sim` and runs `gdb-multiarch -batch -x THIS_FILE` against it.
Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import shutil
import sys
import tempfile

try:
    import gdb  # noqa: F401  (present only inside gdb)
except ImportError:
    gdb = None


# ---------------------------------------------------------------- in gdb ---

def run(cmd):
    """Runs cmd; returns (error text or None, everything GDB printed,
    including the monitor output that to_string loses on an error).
    GDB's `pipe` hands the command's output to a shell command even when
    the command fails."""
    log = os.environ["SWDD_GDB_LOG"]
    err = None
    try:
        gdb.execute("pipe -d @@ %s @@ cat > %s" % (cmd, log))
    except gdb.error as e:
        err = str(e)
    with open(log) as f:
        return err, f.read()


def report(name, fn):
    """Runs fn (None, or why the check failed) as the test `name`."""
    try:
        why = fn()
    except Exception as e:  # gdb.error, AssertionError
        why = "%s: %s" % (type(e).__name__, e)
    if why:
        print("FAIL %s: %s" % (name, str(why).strip().replace("\n", " | ")[:600]))
    else:
        print("PASS %s" % name)
    sys.stdout.flush()


def session(prefix, steps):
    """Connects GDB to the swdd at SWDD_PORT, runs each (name, fn) of
    steps as the test prefix/name, detaches."""
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("target extended-remote :%s" % os.environ["SWDD_PORT"])
    for name, fn in steps:
        report("%s/%s" % (prefix, name), fn)
    try:
        gdb.execute("detach")
    except gdb.error:
        pass


class Checks:
    def __init__(self, scenario, tag):
        self.scenario = scenario
        self.tag = tag

    @staticmethod
    def expect(cmd, err_re, out_res, not_res=()):
        """None, or why cmd did not fail/succeed (err_re None: must
        succeed) with every out_res regex in its output."""
        err, out = run(cmd)
        flat = out.replace("\n", " ")
        if (err is None and err_re and not re.search(err_re, "")) or \
                (err is not None and not (err_re and re.search(err_re, err))):
            return "%s: error %r (expected %r); output %r" % (cmd, err, err_re, flat[-300:])
        for r in out_res:
            if not re.search(r, flat):
                return "%s: output lacks /%s/: %r" % (cmd, r, flat[-400:])
        for r in not_res:
            if re.search(r, flat + " " + (err or "")):
                return "%s: /%s/ should not appear: %r" % (cmd, r, flat[-300:])
        return None

    # -- scenario "main": a healthy chip --

    def breakpoint_7th(self):
        gdb.execute("delete")
        for i in range(7):
            gdb.execute("hbreak *%#x" % (0x08000100 + 4 * i), to_string=True)
        why = self.expect("continue", r"Command aborted|^$",
                          [r"Cannot insert hardware breakpoint \d+:Remote failure reply: .*"
                           r"all 6 hardware breakpoints are in use"])
        gdb.execute("delete")
        return why

    def watchpoint_5th(self):
        for i in range(5):
            gdb.execute("watch *(int *)%#x" % (0x20000100 + 4 * i), to_string=True)
        why = self.expect("continue", r"Command aborted",
                          [r"Could not insert hardware watchpoint"])
        gdb.execute("delete")
        return why or self.expect("monitor version", None, [
            r"swdd: warning: inserting watchpoint at 0x20000110: all 4 watchpoints \(DWT "
            r"comparators\) are in use"], [r"inserting breakpoint"])

    def unknown_command(self):
        return self.expect("monitor bogus", r"Target does not support this command",
                           [r"error: .*unknown command 'bogus' \(`monitor help` lists them\)"],
                           [r"Protocol error"])

    def pc_sp_after_halt(self):
        for cmd in ("monitor reset halt", "monitor halt", "monitor reset init"):
            why = self.expect(cmd, None, [r"pc 0x080001d4, sp 0x20020000",
                                          r"maintenance flush register-cache"])
            if why:
                return why
        return None

    def strict_arguments(self):
        rows = [("monitor rdp 1", r"`rdp` takes no argument \('1' given\)"),
                ("monitor option write 0x0FFFAAED", r"usage: option \[set FIELD=VALUE"),
                ("monitor halt now", r"`halt` takes no argument"),
                ("monitor reset_config sys hw", r"'hw' is one too many"),
                ("monitor flash frobnicate", r"unknown flash subcommand 'frobnicate'"),
                ("monitor program", r"`program` needs at least 1 argument"),
                ("monitor mww 0x20000000", r"`mww` needs 2 arguments")]
        for cmd, want in rows:
            why = self.expect(cmd, r"Protocol error with Rcmd", [r"error: .*" + want])
            if why:
                return why
        return None

    def current_values(self):
        for cmd, want in (("monitor speed", r"SWD clock \d+ kHz"),
                          ("monitor maskisr", r"maskisr on: interrupts masked"),
                          ("monitor adapter speed", r"SWD clock \d+ kHz")):
            why = self.expect(cmd, None, [want])
            if why:
                return why
        return None

    def openocd_names(self):
        rows = [("monitor flash banks", [r"#0 : STM32F405/407/415/417 main flash at 0x08000000, "
                                         r"size 0x00100000"]),
                ("monitor mww 0x20001000 0xdeadbeef", [r"0x20001000 <- 0xdeadbeef"]),
                ("monitor mdw 0x20001000 2", [r"0x20001000: deadbeef [0-9a-f]{8}"]),
                ("monitor mdh 0x20001000", [r"0x20001000: beef"]),
                ("monitor mdb 0x20001003", [r"0x20001003: de"]),
                ("monitor mwb 0x20001000 0x11", [r"<- 0x11"]),
                ("monitor reg r0 0x1234", [r"r0 +0x00001234"]),
                ("monitor reg pc", [r"pc +0x080001d4"]),
                ("monitor help", [r"program FILE \[verify\] \[reset\]", r"mdw ADDR \[COUNT\]",
                                  r"reg \[NAME \[VALUE\]\]", r"flash info\|banks"])]
        for cmd, want in rows:
            why = self.expect(cmd, None, want)
            if why:
                return why
        gdb.execute("maintenance flush register-cache")
        r0 = int(gdb.parse_and_eval("$r0")) & 0xFFFFFFFF
        word = int(gdb.parse_and_eval("*(unsigned int *)0x20001000")) & 0xFFFFFFFF
        if r0 != 0x1234 or word != 0xdeadbe11:
            return "GDB reads r0=%#x, word=%#x after monitor reg/mww" % (r0, word)
        return None

    def program(self):
        fw = os.environ["SWDD_ALLOWED"]
        why = self.expect("monitor program %s/demo_v2.elf verify reset" % fw, None,
                          [r"demo_v2.elf: \d+ bytes in 2 sectors: 1 erased.*verified",
                           r"reset; target running"])
        if why:
            return why
        why = self.expect("monitor program %s/demo_v2.elf" % fw, None,
                          [r"0 erased, 2 unchanged \(skipped\), 0 bytes programmed"])
        return why or self.expect("monitor program /dev/zero", r"Protocol error",
                                  [r"/dev/zero is not a file swdd lets GDB clients open: start "
                                   r"swdd with --allow-files DIR"])

    def host_file_policy(self):
        """issue 15: a client names only files under --allow-files DIR (or
        the --flash-algo file); a FIFO there does not block the server."""
        fw = os.environ["SWDD_ALLOWED"]
        rows = [("monitor flash algo /etc/passwd", [r"/etc/passwd is not a file swdd lets GDB "
                                                    r"clients open"]),
                ("monitor program %s/../%s/demo_v2.elf" % (fw, os.path.basename(fw)), None),
                ("monitor program %s/../../etc/passwd" % fw, [r"is not a file swdd lets GDB"]),
                ("monitor program %s/fifo.elf" % fw, [r"fifo.elf is not a non-empty regular "
                                                       r"file .*FIFOs, sockets and devices are "
                                                       r"refused"]),
                ("monitor flash algo %s/fifo.elf" % fw, [r"FIFOs, sockets and devices are refused"]),
                ("monitor flash erase_sector 4294967296", [r"FIRST \(a sector number\) must be a "
                                                           r"number up to 0xffff, not '4294967296'"])]
        for cmd, want in rows:
            why = self.expect(cmd, r"Protocol error" if want else None,
                              want or [r"0 erased, 2 unchanged"])
            if why:
                return why
        return None

    # -- scenario "wrp": sector 1 write-protected, a load that must fail --

    def load_fails(self):
        fw = os.environ["SWDD_ALLOWED"]
        why = self.expect("load %s/demo_v2.elf" % fw, r"Error finishing flash operation", [])
        if why:
            return why
        # the reason, with the next monitor command
        why = self.expect("monitor version", None, [
            r"swdd: error: the last `load` failed: .*sector 1 \(0x08004000-0x08007FFF\) is "
            r"write-protected"])
        # ... and at once through monitor program
        return why or self.expect("monitor program %s/demo_v2.elf" % fw, r"Protocol error",
                                  [r"error: .*sector 1 .* is write-protected"])

    # -- scenario "swd-off": firmware that disables SWD after it starts --

    def reset_run_explains(self):
        why = self.expect("monitor reset run", None,
                          [r"the chip runs its firmware, which disabled SWD again",
                           r"`monitor reset halt` connects again under reset"], [r"Protocol error"])
        # GDB still believes the core halted: its register read gets the
        # reason in GDB's own message (E.text of 'g')
        return why or self.expect("maintenance flush register-cache",
                                  r"Could not read registers; remote failure reply 'E[.]core not "
                                  r"halted: the core is running", [])

    def reset_halt_reconnects(self):
        why = self.expect("monitor reset halt", None,
                          [r"the debug port did not answer .*: connected again under reset",
                           r"pc 0x080001d4, sp 0x20020000"])
        if why:
            return why
        gdb.execute("maintenance flush register-cache")
        gdb.execute("break main", to_string=True)
        gdb.execute("continue", to_string=True)
        gdb.execute("delete")
        name = gdb.selected_frame().name()
        return None if name == "main" else "continue after the reconnect stopped in %s" % name

    def run_all(self):
        steps = {
            "main": [("breakpoint_7th_reason", self.breakpoint_7th),
                     ("watchpoint_5th_reason_next_monitor", self.watchpoint_5th),
                     ("unknown_monitor_command", self.unknown_command),
                     ("pc_sp_after_halt", self.pc_sp_after_halt),
                     ("strict_arguments", self.strict_arguments),
                     ("no_value_shows_current", self.current_values),
                     ("openocd_names", self.openocd_names),
                     ("monitor_program", self.program),
                     ("host_file_policy", self.host_file_policy)],
            "wrp": [("failed_load_reason", self.load_fails)],
            "swd-off": [("monitor_reset_run_explains", self.reset_run_explains),
                        ("monitor_reset_halt_reconnects", self.reset_halt_reconnects)],
        }[self.scenario]
        session("gdb_reasons/%s" % self.tag, steps)


# -------------------------------------------------------------- wrapper ---

SCENARIOS = [
    ("main", "demo.elf", []),
    ("wrp", "demo_v1.elf", ["--sim-fault", "wrp:1"]),
    ("swd-off", "demo.elf", ["--sim-fault", "swd-disabled-by-firmware", "--connect", "under-reset"]),
]


def run_case(script, suite, tag, swdd, args, elf, logdir, env):
    """One swdd (`--probe sim` + args) and one gdb-multiarch running
    script on elf against it, with SWDD_SCENARIO = tag and env in the
    environment; prints the gdb side's result lines, or FAIL
    suite/tag/start or suite/tag/gdb."""
    from gdb_session import start_server, stop_server, run_gdb
    log_path = os.path.join(logdir, "%s-%s.swdd.log" % (suite, tag))
    with open(log_path, "w") as log, tempfile.NamedTemporaryFile(suffix=".log") as gl:
        p, port = start_server(swdd, args, log)
        if port is None:
            print("FAIL %s/%s/start: no banner (see %s)" % (suite, tag, log_path))
            return
        os.environ.update(env, SWDD_SCENARIO=tag, SWDD_GDB_LOG=gl.name)
        out, rc = run_gdb(os.path.abspath(script), elf, port, tag)
        lines = [l for l in out.splitlines() if re.match(r"^(PASS|FAIL|SKIP) ", l)]
        print("\n".join(lines))
        if not lines or rc != 0:
            print("FAIL %s/%s/gdb: exit %s: %s" %
                  (suite, tag, rc, " | ".join(out.strip().splitlines()[-3:])))
        stop_server(p)
    sys.stdout.flush()


def wrapper():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from gdb_session import prepare
    env = prepare("gdb_reasons")
    if env is None:
        return 0
    swdd, elf, logdir = env
    fw = os.path.dirname(elf)
    # the directory GDB clients may name files in (--allow-files): a copy
    # of one image and a FIFO
    allowed = tempfile.mkdtemp(prefix="swdd_allowed_")
    shutil.copy(os.path.join(fw, "demo_v2.elf"), allowed)
    os.mkfifo(os.path.join(allowed, "fifo.elf"))
    for kind in ("stlink-v21", "cmsis-dap-v2"):
        for scenario, image, extra in SCENARIOS:
            run_case(__file__, "gdb_reasons", "%s-%s" % (scenario, kind), swdd,
                     ["--sim-probe", kind, "--sim-image", os.path.join(fw, image), "--allow-files",
                      allowed] + extra, elf, logdir, {"SWDD_FW": fw, "SWDD_ALLOWED": allowed})
    shutil.rmtree(allowed)
    return 0


if gdb is not None and __name__ == "__main__":
    _tag = os.environ["SWDD_SCENARIO"]
    Checks(next(s for s, _, _ in SCENARIOS if _tag.startswith(s + "-")), _tag).run_all()
elif __name__ == "__main__":
    sys.exit(wrapper())
