#!/usr/bin/env python3
"""End-to-end: the lab's fault knobs that concern connect and reset, each
with the explanation swdd must give (issue 6, "Connect modes" and "Reset
types").

Run directly (test/run.sh does): per knob, starts `swdd --probe sim
--sim-fault KNOB ...` and runs `gdb-multiarch -nx -batch -x THIS_FILE`
against it; inside gdb the same file runs the gdb side. The explanation is
looked for where a user sees it: swdd's log, and GDB's console.
"""
import os
import re
import sys

try:
    import gdb
except ImportError:
    gdb = None

# knob -> (probe kind, what swdd's log must say, gdb side, what gdb must show)
CASES = [
    ("nrst-push-pull", "stlink-v21", None, "reset_fallback",
     r"NRST .*did not reset \(S_RESET_ST stayed 0\).*used .*instead"),
    ("swd-disabled-by-firmware", "stlink-v21", r"connected only under reset", "connects", None),
    ("swd-disabled-by-firmware", "cmsis-dap-v2", r"connected only under reset", "connects", None),
    ("unpowered", "stlink-v21", r"no target voltage", "refused", r"no target voltage"),
    ("no-target", "cmsis-dap-v1", r"no ACK from the target", "refused", r"no ACK from the target"),
    ("signal-integrity:1000", "stlink-v3", r"clock was too high", "connects", None),
    ("lockup", "cmsis-dap-v1", r"locked up", "continue", r"GDB-STOP SIGSEGV"),
    ("sleep", "stlink-v2", None, "connects", None),
]


# ---------------------------------------------------------------- in gdb ---

def g(cmd):
    return gdb.execute(cmd, to_string=True)


def gdb_side(mode, port):
    """Prints lines the wrapper matches: 'GDB-OK ...', 'GDB-ERR ...',
    'GDB-OUT ...'."""
    g("set pagination off")
    g("set confirm off")
    try:
        # not to_string: the "Remote failure reply" warning must reach the
        # output the wrapper reads
        gdb.execute("target extended-remote :%d" % port)
    except gdb.error as e:
        print("GDB-ERR %s" % e)
        return
    if mode == "reset_fallback":
        out = g("monitor reset halt")
        print("GDB-OUT " + out.replace("\n", " | "))
    if mode == "continue":
        # run into the fault; Ctrl-C after 5 s if the core never stops
        import signal
        import threading
        stops = []
        gdb.events.stop.connect(lambda ev: stops.append(getattr(ev, "stop_signal", "?")))
        timer = threading.Timer(5.0, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        g("continue")
        timer.cancel()
        print("GDB-STOP %s" % " ".join(stops))
    vec = gdb.selected_inferior().read_memory(0x08000000, 8).tobytes()
    data1 = gdb.selected_inferior().read_memory(0x08000000, 4096).tobytes()
    data2 = gdb.selected_inferior().read_memory(0x08000000, 4096).tobytes()
    print("GDB-OK sp0=0x%08x same=%s" % (int.from_bytes(vec[:4], "little"), data1 == data2))
    try:
        g("detach")
    except gdb.error:
        pass


# -------------------------------------------------------------- wrapper ---

def check_case(swdd, elf, case, logdir):
    from gdb_session import start_server, stop_server, run_gdb

    knob, kind, log_re, mode, gdb_re = case
    name = "gdb_faults/%s/%s" % (knob.split(":")[0], kind)
    log_path = os.path.join(logdir, "gdb_faults-%s-%s.swdd.log" % (knob.split(":")[0], kind))
    with open(log_path, "w") as log:
        p, port = start_server(swdd, ["--sim-probe", kind, "--sim-image", elf, "--sim-fault", knob], log)
        if port is None:
            print("FAIL %s: swdd did not print its banner (see %s)" % (name, log_path))
            return
        os.environ["SWDD_FAULT_MODE"] = mode
        out, rc = run_gdb(os.path.abspath(__file__), elf, port, kind, timeout=60)
        code = stop_server(p)
    with open(log_path) as f:
        logged = f.read()
    why = []
    if log_re and not re.search(log_re, logged, re.S):
        why.append("swdd log lacks /%s/" % log_re)
    if mode == "refused":
        if "GDB-OK" in out:
            why.append("gdb connected although the target cannot be reached")
        if gdb_re and not re.search(gdb_re, out):
            why.append("gdb was not told /%s/" % gdb_re)
    else:
        m = re.search(r"GDB-OK sp0=0x([0-9a-f]+) same=(\w+)", out)
        if not m or m.group(1) != "20020000" or m.group(2) != "True":
            why.append("gdb could not read flash consistently")
        if gdb_re and not re.search(gdb_re, out, re.S):
            why.append("gdb console lacks /%s/" % gdb_re)
    if code != 0:
        why.append("swdd exit status %s" % code)
    if why:
        tail = " | ".join(l for l in out.splitlines() if l.startswith("GDB-") or "warning" in l)[-300:]
        print("FAIL %s: %s (gdb: %s; log %s)" % (name, "; ".join(why), tail, log_path))
    else:
        print("PASS %s" % name)
    sys.stdout.flush()


def wrapper():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from gdb_session import prepare
    env = prepare("gdb_faults")
    if env is None:
        return 0
    for case in CASES:
        check_case(env[0], env[1], case, env[2])
    return 0


if gdb is not None:
    gdb_side(os.environ.get("SWDD_FAULT_MODE", "connects"), int(os.environ["SWDD_PORT"]))
elif __name__ == "__main__":
    sys.exit(wrapper())
