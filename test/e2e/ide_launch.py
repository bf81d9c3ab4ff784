#!/usr/bin/env python3
"""End-to-end: IDE launch configurations (issue 14, "IDE launch without
glue"). For each configuration in README.md ("Debugging from an IDE"),
this starts swdd the way that IDE does and drives gdb-multiarch through
GDB/MI with the exact command sequence the IDE sends on launch, reset,
restart and attach, against `--probe sim`:

- cortex-debug, read from its sources (src/gdb.ts: the gdbInitCommands,
  getServerConnectCommands, setRunToEntryPoint, the "stutil", "pyocd" and
  "external" server controllers' launch/attach/reset commands, and
  mi2.ts stop(): target-disconnect then gdb-exit); its Live Watch second
  GDB (startGdbForLiveWatch) is refused by design (README);
- Eclipse CDT GDB Hardware Debugging, which STM32CubeIDE's generic GDB
  server configuration is (DefaultGDBJtagDeviceImpl and its final launch
  sequence: -target-select remote, monitor reset run, monitor delay,
  monitor halt, load, -break-insert -t -f main, -exec-continue);
- CLion's Embedded GDB Server configuration (target remote tcp:HOST:PORT,
  its reset command `monitor reset` before and after `load`, continue).

The cortex-debug launch.json blocks are parsed out of README.md, so the
README's examples are the ones tested. Prints PASS/FAIL/SKIP lines.
"""
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.abspath(os.path.join(BUILD, "swdd"))
ELF = os.path.abspath(os.path.join(BUILD, "fw", "demo.elf"))
README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
GDB = shutil.which("gdb-multiarch") or shutil.which("arm-none-eabi-gdb")
# cortex-debug's banner regexes (initMatch of each server controller) and
# the one the README's tasks.json waits for
BANNER = {"stutil": r"Listening at \*", "pyocd": r"GDB server (listening|started) (at|on) port",
          "openocd": r"(?i)Info\s:[^\n]*Listening on port \d+ for gdb connection",
          "swdd": r"swdd: listening for gdb on"}


class MIError(Exception):
    pass


class MI:
    """gdb-multiarch -q --interpreter=mi2 (what cortex-debug and CDT run)."""

    def __init__(self, log):
        self.p = subprocess.Popen([GDB, "-q", "-nx", "--interpreter=mi2"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  bufsize=1)
        self.q = queue.Queue()
        self.tok = 100
        self.log = log
        self.stops = []
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        for line in self.p.stdout:
            self.q.put(line.rstrip("\n"))
        self.q.put(None)

    def _line(self, deadline):
        try:
            line = self.q.get(timeout=max(0.01, deadline - time.time()))
        except queue.Empty:
            raise MIError("gdb gave no answer in time")
        if line is None:
            raise MIError("gdb exited")
        self.log.write(line + "\n")
        if line.startswith("*stopped"):
            self.stops.append(line)
        return line

    def cmd(self, c, timeout=60):
        """Sends an MI command (without its '-'); returns (class, record, console)."""
        self.tok += 1
        self.log.write(">> %d-%s\n" % (self.tok, c))
        self.p.stdin.write("%d-%s\n" % (self.tok, c))
        self.p.stdin.flush()
        deadline, console = time.time() + timeout, []
        while True:
            line = self._line(deadline)
            if line[:1] in ("~", "@", "&"):
                console.append(line)
            if line.startswith("%d^" % self.tok):
                cls = line.split("^", 1)[1].split(",", 1)[0]
                return cls, line, "".join(console)

    def must(self, c, timeout=60):
        cls, line, console = self.cmd(c, timeout)
        if cls == "error":
            raise MIError("-%s: %s" % (c, line))
        return line, console

    def wait_stop(self, timeout=60):
        deadline = time.time() + timeout
        n = len(self.stops)
        while len(self.stops) == n:
            self._line(deadline)
        return self.stops[-1]

    def close(self):
        try:
            self.p.stdin.write("-gdb-exit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()
            self.p.wait()


# ------------------------------------------------------- the IDEs' sequences

def cd_init(mi, elf):
    """mi2.ts start() and cortex-debug's gdbInitCommands (its support/*.init
    sources left out: the extension's own gdb scripts, nothing reaches the
    server)."""
    for c in ["gdb-set mi-async on",  # mi2.ts start(): sent before the init commands
              'interpreter-exec console "set print demangle on"',
              'interpreter-exec console "set print asm-demangle on"',
              "enable-pretty-printing",
              'interpreter-exec console "set output-radix 0x10"',
              'interpreter-exec console "set input-radix 0xa"',
              'file-exec-and-symbols "%s"' % elf]:
        mi.must(c)


def cd_console(cmds):
    return ['interpreter-exec console "%s"' % c for c in cmds]


# launch / attach / reset commands of cortex-debug's server controllers
CD = {
    "stutil": {"launch": cd_console(["monitor halt", "monitor reset"]) + ["target-download"] +
               cd_console(["monitor reset"]),
               "attach": cd_console(["monitor halt"]),
               "reset": cd_console(["monitor halt", "monitor reset"])},
    "pyocd": {"launch": cd_console(["monitor reset halt"]) + ["target-download"] +
              cd_console(["monitor reset halt"]),
              "attach": cd_console(["monitor halt"]),
              "reset": cd_console(["monitor reset"])},
    "openocd": {"launch": cd_console(["monitor reset halt"]) + ["target-download"] +
                cd_console(["monitor reset halt"]),
                "attach": cd_console(["monitor halt"]),
                "reset": cd_console(["monitor reset halt"]),
                # resetCommands() adds these when breakAfterReset and no runToEntryPoint
                "reset_break": cd_console(["monitor reset halt", "monitor gdb_sync", "stepi"])},
    "external": {"launch": cd_console(["monitor reset halt"]) + ["target-download"] +
                 cd_console(["monitor reset halt"]),
                 "attach": cd_console(["monitor halt"]),
                 "reset": cd_console(["monitor reset halt"])},
}


def run_to_main(mi, brk='break-insert -t --function "main" ', cont="exec-continue --all"):
    """A temporary breakpoint at main, continue, and the stop there
    (defaults: cortex-debug's setRunToEntryPoint, then sendContinue)."""
    mi.must(brk)
    mi.must(cont)
    stop = mi.wait_stop()
    if 'func="main"' not in stop:
        raise MIError("did not stop in main: " + stop)


def continue_then_pause(mi):
    """No runToEntryPoint and no breakAfterReset: continue; the user pauses."""
    mi.must("exec-continue --all")
    time.sleep(0.3)
    mi.must("exec-interrupt")  # mi2.ts interrupt(): EXEC_INTERRUPT mode
    stop = mi.wait_stop()
    if "signal-received" not in stop and "SIGINT" not in stop:
        raise MIError("pause did not stop with SIGINT: " + stop)


def counter(mi):
    line, _ = mi.must("data-evaluate-expression counter")
    return int(re.search(r'value="(0x[0-9a-f]+|\d+)"', line).group(1), 0)


def compare_sections(mi):
    _, out = mi.must('interpreter-exec console "compare-sections"')
    if "MIS-MATCHED" in out or "matched" not in out:
        raise MIError("flash differs from the ELF after launch: " + out[-200:])


# ------------------------------------------------------------ the servers

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(argv, banner, log):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
    deadline, seen = time.time() + 30, []
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        seen.append(line)
        if re.search(banner, line):
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
            return p
    p.kill()
    p.wait()
    raise MIError("banner /%s/ not seen: %r" % (banner, "".join(seen)[-300:]))


def stop_server(p):
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def readme_config(tag):
    """The JSON block after <!-- test: ide_launch TAG --> in README.md."""
    text = open(README).read()
    m = re.search(r"<!-- test: ide_launch %s -->\s*```json\n(.*?)```" % re.escape(tag), text, re.S)
    if not m:
        raise MIError("README.md has no block tagged 'ide_launch %s'" % tag)
    return json.loads(m.group(1))


def cd_server_argv(cfg, port, tmp):
    """serverExecutable() + serverArguments() of the chosen controller."""
    st = cfg["servertype"]
    exe = cfg.get("serverpath")
    if st == "stutil":
        # the name make install links to swdd (an IDE finds it on PATH)
        exe = os.path.join(tmp, os.path.basename(exe))
        if not os.path.exists(exe):
            os.symlink(SWDD, exe)
        args = ["-p", str(port), "--no-reset"]
    elif st == "openocd":
        exe = os.path.join(tmp, os.path.basename(exe))
        if not os.path.exists(exe):
            os.symlink(SWDD, exe)
        args = ["-f", "/nonexistent/cortex-debug/support/openocd-helpers.tcl",
                "-c", "gdb_port %d" % port, "-c", "tcl_port %d" % free_port(),
                "-c", "telnet_port %d" % free_port(), "-s", tmp]
        for cf in cfg.get("configFiles", []):
            args += ["-f", cf]
    elif st == "pyocd":
        exe = SWDD if exe == "swdd" else exe
        args = ["gdbserver", "--port", str(port), "--telnet-port", str(free_port())]
    else:
        raise MIError("servertype %s is not started by cortex-debug" % st)
    return [exe] + args + cfg.get("serverArgs", []) + ["--probe", "sim"]


# ------------------------------------------------------------- the checks

class Run:
    def __init__(self, tmp):
        self.tmp = tmp
        self.log = open(os.path.join(tmp, "ide_launch.log"), "w")

    def report(self, name, fn):
        try:
            fn()
            print("PASS ide_launch/%s" % name)
        except (MIError, OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
            print("FAIL ide_launch/%s: %s" % (name, str(e).replace("\n", " ")[:400]))
        sys.stdout.flush()

    def session(self, connect):
        mi = MI(self.log)
        cd_init(mi, ELF)
        mi.must(connect)
        return mi

    def cortex_debug(self, tag):
        cfg = readme_config(tag)
        st = cfg["servertype"]
        port = free_port()
        if st == "external":
            task = readme_config("external-task")
            argv = [SWDD if task["command"] == "swdd" else task["command"]] + task["args"]
            argv = [a.replace("3333", str(port)) for a in argv] + ["--probe", "sim"]
            banner = task["problemMatcher"]["background"]["endsPattern"]
            connect = "target-select extended-remote %s" % cfg["gdbTarget"].replace("3333", str(port))
        else:
            argv = cd_server_argv(cfg, port, self.tmp)
            banner = BANNER[st]
            connect = "target-select extended-remote localhost:%d" % port
        srv = start_server(argv, banner, self.log)
        try:
            self.cd_sessions(tag, cfg, CD[st], connect)
        finally:
            stop_server(srv)

    def cd_sessions(self, tag, cfg, seq, connect):
        mi = self.session(connect)
        try:
            def launch():
                for c in seq["launch"]:
                    mi.must(c, timeout=120)
                if cfg.get("runToEntryPoint") != "main":
                    raise MIError("README config does not run to main")
                run_to_main(mi)
                compare_sections(mi)
            self.report("cortex-debug/%s/launch" % tag, launch)

            def reset():  # doResetDevice: the reset commands, then finishStartSequence
                for c in seq["reset"]:
                    mi.must(c)
                if tag == "pyocd":
                    # pyOCD's `monitor reset` lets the chip run: GDB's continue
                    # and the user's pause must still work (README)
                    continue_then_pause(mi)
                else:
                    run_to_main(mi)
            self.report("cortex-debug/%s/reset" % tag, reset)
            if "reset_break" in seq:
                def reset_break():  # breakAfterReset: stops after the stepi
                    for c in seq["reset_break"]:
                        mi.must(c)
                    mi.wait_stop()
                self.report("cortex-debug/%s/reset_break_after_reset" % tag, reset_break)
            self.report("cortex-debug/%s/restart" % tag, reset)  # restart = reset since v1.x

            def live_watch():
                live = MI(self.log)
                try:
                    cd_init(live, ELF)
                    live.must('interpreter-exec console "set stack-cache off"')
                    live.must('interpreter-exec console "set remote interrupt-on-connect off"')
                    cls, line, console = live.cmd(connect)
                finally:
                    live.close()
                if cls != "error" or "another GDB" not in console:
                    raise MIError("second client not refused with a reason: " + line + console)
                counter(mi)  # the first session is unharmed
            self.report("cortex-debug/%s/live_watch_refused" % tag, live_watch)

            def disconnect():
                mi.must("target-disconnect")
            self.report("cortex-debug/%s/disconnect" % tag, disconnect)
        finally:
            mi.close()

        def attach():
            a = self.session(connect)
            try:
                for c in seq["attach"]:
                    a.must(c)
                c1 = counter(a)
                continue_then_pause(a)
                if counter(a) <= c1:
                    raise MIError("counter did not advance after attach and continue")
                a.must("target-detach")
            finally:
                a.close()
        self.report("cortex-debug/%s/attach" % tag, attach)

    def cdt_hw_debugging(self):
        """STM32CubeIDE / Eclipse CDT GDB Hardware Debugging, Generic TCP/IP."""
        cfg = readme_config("cubeide")
        port = free_port()
        # a board that already runs an older build of the program (on a blank
        # chip CDT's sequence would resume with the faulted core's SP: README)
        old = os.path.join(os.path.dirname(ELF), "demo_v1.elf")
        srv = start_server([SWDD, "--port", str(port), "--probe", "sim", "--sim-image", old],
                           BANNER["swdd"], self.log)
        try:
            mi = MI(self.log)
            try:
                def launch():  # GDBJtagDSFFinalLaunchSequence with the default device
                    mi.must("gdb-set mi-async on")
                    mi.must('file-exec-and-symbols "%s"' % ELF)
                    mi.must("target-select remote %s:%d" % (cfg["host"], port))
                    if cfg["reset_and_delay_seconds"] is not None:
                        mi.must('interpreter-exec console "monitor reset run"')
                        mi.must('interpreter-exec console "monitor delay %d"' %
                                (cfg["reset_and_delay_seconds"] * 1000))
                    if cfg["halt"]:
                        mi.must('interpreter-exec console "monitor halt"')
                    if cfg["load_image"]:
                        mi.must('interpreter-exec console "load"', timeout=120)
                    run_to_main(mi, "break-insert -t -f %s" % cfg["stop_at"], "exec-continue")
                    compare_sections(mi)
                self.report("cubeide/launch", launch)

                def reset():  # the reset the README gives for the Debug console
                    mi.must('interpreter-exec console "monitor reset halt"')
                    run_to_main(mi)
                self.report("cubeide/reset", reset)
                self.report("cubeide/terminate", lambda: mi.must("target-detach"))
            finally:
                mi.close()
        finally:
            stop_server(srv)

    def clion(self):
        cfg = readme_config("clion")
        port = free_port()
        argv = [SWDD] + [a.replace("3333", str(port)) for a in cfg["gdb_server_args"]] + ["--probe", "sim"]
        srv = start_server(argv, BANNER["swdd"], self.log)
        try:
            mi = MI(self.log)
            try:
                def launch():
                    mi.must('file-exec-and-symbols "%s"' % ELF)
                    mi.must('interpreter-exec console "target remote %s"' %
                            cfg["target_remote_args"].replace("3333", str(port)))
                    mi.must('interpreter-exec console "%s"' % cfg["reset_command"])
                    mi.must('interpreter-exec console "load"', timeout=120)
                    mi.must('interpreter-exec console "%s"' % cfg["reset_command"])
                    run_to_main(mi, "break-insert -t main", "exec-continue")
                    compare_sections(mi)
                self.report("clion/launch", launch)
                self.report("clion/stop", lambda: mi.must('interpreter-exec console "kill"'))
            finally:
                mi.close()
        finally:
            stop_server(srv)


def main():
    if not os.access(SWDD, os.X_OK) or not os.path.exists(ELF):
        print("SKIP ide_launch/all: %s or %s not built (make)" % (SWDD, ELF))
        return
    if not GDB:
        print("SKIP ide_launch/all: gdb-multiarch is not installed")
        return
    tmp = tempfile.mkdtemp(prefix="swdd-ide-")
    r = Run(tmp)
    try:
        for tag in ("stutil", "pyocd", "openocd", "external"):
            r.report("cortex-debug/%s/server" % tag, lambda t=tag: r.cortex_debug(t))
        r.report("cubeide/server", r.cdt_hw_debugging)
        r.report("clion/server", r.clion)
    finally:
        r.log.close()
        logs = os.environ.get("SWDD_TEST_LOGS", os.path.join(BUILD, "test-logs"))
        os.makedirs(logs, exist_ok=True)
        shutil.copy(os.path.join(tmp, "ide_launch.log"), os.path.join(logs, "ide_launch.log"))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
