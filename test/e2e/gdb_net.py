#!/usr/bin/env python3
"""End-to-end: the connection handling of `swdd --probe sim --port 0` over
real sockets (docs/SERVER.md "Connections", issue 15 "Connections").

- reconnect: 50 close-then-connect in a row are all served;
- slow_second_client: a refused client that sends one byte at a time does
  not delay the served client's `m` reply;
- not_gdb: HTTP (GET, POST, OPTIONS, PROPFIND, lowercase get) and a TLS
  ClientHello get a reason and are closed before any target access (the
  server admits, halts and logs "gdb client ... connected" for GDB only);
- partial_packet: a client that stops inside a packet loses the slot;
- write_timeout: a client that never reads is dropped, the server serves
  the next one, and SIGTERM ends a server blocked on such a client.
Bounds here are time-outs of the test, never asserted speeds.
Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.abspath(os.path.join(BUILD, "swdd"))
GDB = shutil.which("gdb-multiarch") or shutil.which("arm-none-eabi-gdb")


def frame(payload):
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xFF)


class Server:
    def __init__(self):
        self.err = tempfile.TemporaryFile()
        self.p = subprocess.Popen([SWDD, "--probe", "sim", "--port", "0"], stdout=subprocess.PIPE,
                                  stderr=self.err, text=True)
        line = self.p.stdout.readline()
        m = re.search(r"listening for gdb on [\d.]+:(\d+)", line)
        if not m:
            raise RuntimeError("no banner: %r" % line)
        self.port = int(m.group(1))

    def log(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def connect(port, rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    s.settimeout(15)
    return s


def read_packet(s, timeout=15):
    """The next $...#cc packet's payload (acks skipped); None on EOF."""
    s.settimeout(timeout)
    buf = b""
    while True:
        m = re.search(rb"\$([^#$]*)#[0-9a-fA-F]{2}", buf)
        if m:
            return m.group(1)
        try:
            d = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            return None
        if not d:
            return None
        buf += d


def hello(port):
    s = connect(port)
    s.sendall(b"+" + frame(b"qSupported:swbreak+;hwbreak+"))
    return s, read_packet(s)


def report(name, why):
    if why and why.startswith("SKIP: "):
        print("SKIP gdb_net/%s: %s" % (name, why[6:]))
    elif why:
        print("FAIL gdb_net/%s: %s" % (name, why))
    else:
        print("PASS gdb_net/%s" % name)
    sys.stdout.flush()


def t_reconnect(srv):
    served = 0
    bad = None
    for _ in range(50):
        s, rep = hello(srv.port)
        if rep is not None and not rep.startswith(b"E."):
            s.sendall(b"+" + frame(b"g"))
            if read_packet(s) and True:
                served += 1
        elif bad is None:
            bad = rep
        s.close()
    print("    reconnect: %d of 50 close-then-connect served" % served)
    return None if served == 50 else "%d of 50 served; first refusal %r" % (served, bad)


def t_gdb_reconnect(srv):
    """gdb's own `disconnect` + `target extended-remote`, 10 times."""
    if not GDB:
        return "SKIP: gdb-multiarch not installed"
    target = "target extended-remote 127.0.0.1:%d" % srv.port
    cmd = [GDB, "-q", "-nx", "-batch", "-ex", "set confirm off", "-ex", target, "-ex", "p/x $pc"]
    for _ in range(10):
        cmd += ["-ex", "disconnect", "-ex", target, "-ex", "p/x $pc"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    text = out.stdout + out.stderr
    ok = len(re.findall(r"^\$\d+ = 0x[0-9a-f]+", text, re.M))
    print("    gdb reconnect: %d of 10 disconnect + target extended-remote served" % (ok - 1))
    if ok != 11:
        bad = [l for l in text.splitlines() if "failure" in l or "rror" in l][:2]
        return "%d of 10 reconnects served: %s" % (ok - 1, " | ".join(bad))
    return None


def t_slow_second(srv):
    """B, refused, sends its qSupported one byte a second and ends it only
    after A's reply came (or after all its bytes): A's reply must come
    first. Before the fix the server read B until its '#'."""
    a, rep = hello(srv.port)
    if rep is None:
        return "first client not served"
    got = threading.Event()
    b_done = threading.Event()
    b = connect(srv.port)

    def slow():
        for ch in b"+$qSupported":
            if got.is_set():
                break
            b.sendall(bytes([ch]))
            time.sleep(1.0)
        b_done.set()
        b.sendall(b"#37")

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(1.5)
    t0 = time.monotonic()
    a.sendall(b"+" + frame(b"m20000000,4"))
    r = read_packet(a, timeout=30)
    delay = time.monotonic() - t0
    first = not b_done.is_set()
    got.set()
    t.join()
    why = read_packet(b, timeout=10)
    a.close()
    b.close()
    print("    slow second client: first client's m reply after %.3f s (wall)" % delay)
    if r is None or len(r) != 8:
        return "the served client got no m reply (%r)" % r
    if not first:
        return "the served client's m reply came only after the slow client's packet ended (%.1f s)" % delay
    if not why or b"another GDB" not in why:
        return "the second client got no reason: %r" % why
    return None


HOSTILE = [
    ("GET", b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    ("POST", b"POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"),
    ("OPTIONS", b"OPTIONS / HTTP/1.1\r\n\r\n"),
    ("PROPFIND", b"PROPFIND / HTTP/1.1\r\n\r\n"),
    ("get", b"get / HTTP/1.0\r\n\r\n"),
    ("TLS", bytes.fromhex("160301002e010000") + b"\x03\x03" + os.urandom(32) + b"\x00\x00\x02\x00\x2f\x01\x00"),
]


def t_not_gdb(srv):
    problems = []
    for name, data in HOSTILE:
        s = connect(srv.port)
        peer = "127.0.0.1:%d" % s.getsockname()[1]
        s.sendall(data)
        got = b""
        try:
            while True:
                d = s.recv(4096)
                if not d:
                    break
                got += d
        except (ConnectionResetError, socket.timeout):
            pass
        s.close()
        time.sleep(0.2)
        if b"not a GDB client" not in got:
            problems.append("%s: no reason sent (%r)" % (name, got[:60]))
        if ("gdb client %s connected" % peer) in srv.log():
            problems.append("%s: admitted as a GDB client (target attached and halted)" % name)
    s, rep = hello(srv.port)
    s.close()
    if rep is None or rep.startswith(b"E."):
        problems.append("a real GDB client afterwards was not served: %r" % rep)
    return "; ".join(problems) or None


def served_within(port, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        s, rep = hello(port)
        s.close()
        if rep is not None and not rep.startswith(b"E."):
            return True
        time.sleep(0.5)
    return False


def t_partial(srv):
    p, rep = hello(srv.port)
    p.sendall(b"+$m2000")  # no '#'
    ok = served_within(srv.port, 30)
    p.close()
    if not ok:
        return "a client stopped inside a packet still holds the slot after 30 s"
    return None if "did not come within" in srv.log() else "no log line names the cause"


def fill_without_reading(port):
    x = connect(port, rcvbuf=4096)
    x.sendall(b"+" + frame(b"qSupported"))
    x.setblocking(False)
    pkt = b"+" + frame(b"m20000000,2000")
    for _ in range(400):
        try:
            x.send(pkt)
        except BlockingIOError:
            break
    return x


def t_write_timeout(srv):
    x = fill_without_reading(srv.port)
    ok = served_within(srv.port, 40)
    x.close()
    if not ok:
        return "a client that never reads still blocks the server after 40 s"
    return None if "read no reply" in srv.log() else "no log line names the cause"


def t_sigterm_blocked():
    srv = Server()
    x = fill_without_reading(srv.port)
    time.sleep(2)
    t0 = time.monotonic()
    srv.p.send_signal(signal.SIGTERM)
    try:
        rc = srv.p.wait(timeout=8)
    except subprocess.TimeoutExpired:
        srv.p.kill()
        srv.p.wait()
        x.close()
        return "SIGTERM did not end a server writing to a client that never reads (8 s)"
    x.close()
    print("    SIGTERM while blocked on a non-reading client: exit %d after %.2f s" %
          (rc, time.monotonic() - t0))
    return None if rc == 0 else "exit status %d" % rc


def main():
    if not os.path.exists(SWDD):
        print("SKIP gdb_net: %s not built" % SWDD)
        return 0
    only = sys.argv[1:]
    tests = [("reconnect", t_reconnect), ("gdb_reconnect", t_gdb_reconnect), ("slow_second_client", t_slow_second),
             ("not_gdb", t_not_gdb), ("partial_packet", t_partial),
             ("write_timeout", t_write_timeout)]
    srv = Server()
    try:
        for name, fn in tests:
            if only and name not in only:
                continue
            try:
                why = fn(srv)
            except Exception as e:  # socket errors and the like
                why = "%s: %s" % (type(e).__name__, e)
            report(name, why)
    finally:
        rc = srv.stop()
    report("sigterm_exit", None if rc == 0 else "exit status %s" % rc)
    if not only or "sigterm_blocked" in only:
        report("sigterm_blocked", t_sigterm_blocked())
    return 0


if __name__ == "__main__":
    sys.exit(main())
