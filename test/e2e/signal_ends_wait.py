#!/usr/bin/env python3
"""End-to-end (issue 15): SIGTERM ends a flash-algorithm wait. An FLM whose
EraseSector never returns (its first instruction patched to `b .`) makes
swdd wait for the call's bound (docs/FLASH.md "Time-outs"); a signal must
end the wait with the reason, in the server (a `monitor flash erase_sector`
in progress: the client hears "interrupted") and in `swdd flash` (exit 5,
"interrupted"). Before the fix the wait ignored SIGTERM (up to ~49 days
with toErase = 0xFFFFFFFF). Prints PASS/FAIL/SKIP lines.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from swdd_flash_cli import FLM, SWDD, patched  # noqa: E402
from gdb_session import start_server  # noqa: E402


def packet(payload):
    return ("$%s#%02x" % (payload, sum(payload.encode()) % 256)).encode()


def console_text(raw):
    """The text of the O packets in raw."""
    out = ""
    for m in re.finditer(r"\$O([0-9a-f]+)#", raw):
        out += bytes.fromhex(m.group(1)).decode(errors="replace")
    return out


def server_case(flm, tmp):
    name = "signal_ends_wait/server_monitor_erase"
    with open(os.path.join(tmp, "server.log"), "w") as log:
        p, port = start_server(SWDD, ["--flash-algo", flm], log)
        if port is None:
            print("FAIL %s: no banner" % name)
            return
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(b"+" + packet("qSupported"))
        time.sleep(0.3)
        s.recv(4096)
        # sector 5 (128 KiB): a bound of 10 s, so the signal comes first
        s.sendall(b"+" + packet("qRcmd," + b"flash erase_sector 5".hex()))
        time.sleep(1.0)
        p.send_signal(signal.SIGTERM)
        raw = b""
        try:
            while not raw.endswith(b"$E01#a6") and b"$E01#" not in raw:
                chunk = s.recv(4096)
                if not chunk:
                    break
                raw += chunk
        except OSError:
            pass
        s.close()
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            print("FAIL %s: swdd did not exit after SIGTERM" % name)
            return
    text = console_text(raw.decode(errors="replace"))
    if "interrupted (SIGINT/SIGTERM)" not in text or rc != 0:
        print("FAIL %s: exit %s, client heard %r" % (name, rc, text[-300:]))
    else:
        print("PASS %s: the client heard 'interrupted', swdd exited 0" % name)


def cli_case(flm, tmp):
    name = "signal_ends_wait/swdd_flash"
    img = os.path.join(tmp, "data.bin")
    with open(img, "wb") as f:
        f.write(bytes(range(256)) * 16)
    # the lab's flash already holds other bytes there, so sector 5 (128 KiB,
    # a bound of 10 s) must be erased
    old = os.path.join(tmp, "old.hex")
    with open(old, "w") as f:
        f.write(":020000040802F0\n:040000001122334452\n:00000001FF\n")
    p = subprocess.Popen([SWDD, "flash", img, "--address", "0x08020000", "--probe", "sim",
                          "--sim-image", old, "--flash-algo", flm], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        print("FAIL %s: swdd flash did not end after SIGTERM" % name)
        return
    if p.returncode != 5 or "interrupted (SIGINT/SIGTERM)" not in err:
        print("FAIL %s: exit %s: %s" % (name, p.returncode, " | ".join(err.strip().splitlines()[-2:])))
    else:
        print("PASS %s: exit 5, 'interrupted'" % name)


def main():
    if not os.access(SWDD, os.X_OK) or not os.path.exists(FLM):
        print("SKIP signal_ends_wait: %s or %s is not built" % (SWDD, FLM))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        flm = patched(FLM, os.path.join(tmp, "loop.flm"), "EraseSector", b"\xfe\xe7")
        server_case(flm, tmp)
        cli_case(flm, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
