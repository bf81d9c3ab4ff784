#!/usr/bin/env python3
"""Structured RSP fuzzer over TCP (issue 15 "Fuzzing"): drives the real
`swdd --probe sim --port 0` (the lab chip running build/fw/demo.elf) with
batches of mostly well-formed, randomly mutated packets: m, M, X, g, G,
p, P, Z/z, c/s with an immediate ^C, vCont, qXfer, qRcmd, vFlash*,
malformed checksums, partial packets, over-long packets, noise.

Nothing destructive is asked for: writes (M, X, P, G, Z0) go to a scratch
SRAM area or to registers, vFlash* names SRAM addresses only (swdd must
refuse them), and the monitor commands are from a list that neither erases
nor programs flash nor changes option bytes.

After each batch a fresh client must still get registers (`g`), and the
server process must be alive; every packet that owes a reply must get one
within a bound. Prints PASS/FAIL/SKIP with the packet counts.

  SWDD_FUZZ_NET_SECONDS  run time (default 20; `make fuzz` runs longer)
  SWDD_FUZZ_NET_SEED     random seed (default: fixed for `make test`)
"""
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("SWDD_BUILD", "build")
SWDD = os.path.abspath(os.path.join(BUILD, "swdd"))
FW = os.path.abspath(os.path.join(BUILD, "fw", "demo.elf"))
SECONDS = float(os.environ.get("SWDD_FUZZ_NET_SECONDS", "20"))
SEED = int(os.environ.get("SWDD_FUZZ_NET_SEED", "15"))
NAME = "fuzz_net/rsp_over_tcp"
REPLY_S = 20  # bound on any reply (a flash-sized read on a slow probe)

# The chip's map (RM0090 2.3 "Memory map"): SRAM1/2 at 0x20000000 (128 KiB),
# CCM at 0x10000000, flash at 0x08000000, peripherals, system memory.
READ_BASES = [0x20000000, 0x2001F000, 0x10000000, 0x08000000, 0x080FFF00, 0x1FFF7800,
              0x40023800, 0xE000ED00, 0xE0001000, 0x00000000, 0xFFFFFFF0, 0x60000000]
# Writes only here: the upper SRAM the demo firmware does not use (its data
# and stack are low and at the top; the flash algorithm is loaded at the
# start of SRAM only for `load`, which the fuzzer never sends).
SCRATCH = (0x20010000, 0x20018000)
MONITOR_SAFE = ["help", "version", "halt", "resume", "reg", "reg r0", "reg pc 0x08000000",
                "mdw 0x20000000 4", "mdb 0x08000000 16", "mdh 0x10000000 3", "speed", "maskisr",
                "reset_config", "targets", "flash info", "flash banks", "mww 0x20010000 0x1234",
                "reset halt", "reset init", "cortex_m maskisr", "adapter speed", "info",
                "bogus", "mdw", "mdw 0xzz", "reg nosuch", "flash", "mwb 0x20010004 0x1ff",
                "rdp 1", "erase_sector", "sleep 1", "delay", "uid"]


def frame(payload):
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xFF)


def escape(data):
    out = bytearray()
    for b in data:
        if b in b"$#}*":
            out += bytes([0x7D, b ^ 0x20])
        else:
            out.append(b)
    return bytes(out)


class Gen:
    """Makes one (bytes, expect) step: expect is 'reply', 'nak', 'stop'
    (a resume followed by ^C) or 'none'."""

    def __init__(self, rng):
        self.r = rng

    def addr(self):
        r = self.r
        return (r.choice(READ_BASES) + r.choice([0, 1, 2, 3, 4, r.randrange(0x1000)])) & 0xFFFFFFFF

    def scratch(self, n):
        lo, hi = SCRATCH
        return self.r.randrange(lo, hi - max(n, 1)) & ~self.r.choice([0, 3])

    def hexbytes(self, n):
        return bytes(self.r.randrange(256) for _ in range(n)).hex().encode()

    def p_m(self):
        n = self.r.choice([0, 1, 2, 3, 4, 8, 64, 0x100, 0x1000, 0x2000, 0x2001, 0x4000, 0xFFFFFFFF])
        return b"m%x,%x" % (self.addr(), n)

    def p_M(self):
        n = self.r.choice([1, 2, 4, 16, 256])
        data = self.hexbytes(n)
        if self.r.random() < 0.1:
            data = data[:-1]  # odd hex length
        return b"M%x,%x:" % (self.scratch(n), n) + data

    def p_X(self):
        n = self.r.choice([0, 1, 4, 33, 512])
        raw = bytes(self.r.randrange(256) for _ in range(n))
        return b"X%x,%x:" % (self.scratch(n), n) + escape(raw)

    def p_g(self):
        return b"g"

    def p_G(self):
        # r0-r12 random, sp/lr/pc/xpsr/msp/psp as read: mostly a short or
        # wrong length (refused); a full one only changes scratch registers.
        n = self.r.choice([1, 4, 8, 13 * 4, 19 * 4 - 1])
        return b"G" + self.hexbytes(n)

    def p_p(self):
        return b"p%x" % self.r.choice(list(range(0, 0x60)) + [0xFFFF, 0x100000000])

    def p_P(self):
        reg = self.r.choice(list(range(0, 13)) + [0x50, 0x5A, 0x1000])
        return b"P%x=" % reg + self.hexbytes(self.r.choice([4, 4, 4, 2, 8]))

    def p_Z(self):
        r = self.r
        t = r.randrange(6)
        addr = self.scratch(4) if t == 0 else r.choice([0x08000188, 0x08000000 + r.randrange(0x400) * 2,
                                                        self.scratch(4), self.addr()])
        kind = r.choice([2, 3, 4, 1, 8, 0x100])
        return b"%c%x,%x,%x" % (r.choice(b"Zz"), t, addr, kind)

    def p_vcont(self):
        return self.r.choice([b"vCont?", b"vCont;t", b"vCont;x", b"vCont;C0g", b"vCont;", b"vCont;z:1"])

    def p_qxfer(self):
        r = self.r
        obj = r.choice([b"features:read:target.xml", b"memory-map:read:", b"features:read:nosuch.xml",
                        b"features:read:arm-m-profile.xml", b"threads:read:", b"features:write:x"])
        return b"qXfer:%s:%x,%x" % (obj, r.randrange(0x3000), r.choice([0, 1, 0x100, 0xFFB, 0x10000]))

    def p_qrcmd(self):
        cmd = self.r.choice(MONITOR_SAFE).encode()
        if self.r.random() < 0.15:
            cmd = cmd + b" " + self.hexbytes(3)
        return b"qRcmd," + cmd.hex().encode()

    def p_vflash(self):
        r = self.r
        a = self.scratch(0x100)
        return r.choice([b"vFlashErase:%08x,%x" % (a, r.choice([0, 0x100, 0x4000])),
                         b"vFlashWrite:%08x:" % a + escape(bytes(r.randrange(256) for _ in range(16))),
                         b"vFlashDone"])

    def p_misc(self):
        return self.r.choice([b"?", b"qC", b"qAttached", b"qfThreadInfo", b"qsThreadInfo", b"Hg0", b"Hc-1",
                              b"T1", b"qOffsets", b"qSymbol::", b"qTStatus", b"!", b"vMustReplyEmpty",
                              b"qCRC:20010000,100", b"qCRC:8000000,4000", b"qSupported:swbreak+;xmlRegisters=arm",
                              b"", b"qThreadExtraInfo,1", b"QNonStop:1", b"x20000000,4"])

    def mutate(self, p):
        r = self.r
        if not p:
            return p
        b = bytearray(p)
        for _ in range(r.randrange(1, 4)):
            op = r.randrange(3)
            i = r.randrange(len(b))
            if op == 0:
                b[i] = r.randrange(256)
            elif op == 1:
                b.insert(i, r.choice(b",:;=0fF-xz"))
            else:
                del b[i]
                if not b:
                    break
        # No framing characters, and no run-length or escape left broken
        # (swdd answers those with '-' only, like a bad checksum).
        return bytes(b).replace(b"$", b"").replace(b"#", b"").replace(b"*", b"").rstrip(b"}")

    def step(self):
        r = self.r
        kind = r.randrange(100)
        if kind < 4:   # resume, then ^C at once
            pkt = r.choice([b"c", b"s", b"vCont;c", b"vCont;s", b"C05", b"S05", b"vCont;c:1"])
            return frame(pkt) + b"\x03", "stop", pkt
        if kind < 7:   # bad checksum: GDB's '-' answer
            p = self.p_m()
            return b"$" + p + b"#%02x" % ((sum(p) + 1) & 0xFF), "nak", p
        if kind < 9:   # a packet cut short; the next '$' restarts
            p = self.p_m()
            cut = r.randrange(1, len(p) + 2)
            return (b"$" + p)[:cut] + frame(b"g"), "reply", b"g"
        if kind < 10:  # over-long: more than swdd's receive buffer
            n = r.choice([0x8000, 0x8041, 0x9000])
            return frame(b"M20010000,4:" + b"0" * n), "reply", b"M..."
        gens = [self.p_m, self.p_m, self.p_M, self.p_X, self.p_g, self.p_G, self.p_p, self.p_P,
                self.p_Z, self.p_vcont, self.p_qxfer, self.p_qrcmd, self.p_vflash, self.p_misc]
        p = r.choice(gens)()
        if r.random() < 0.2:
            p = self.mutate(p)
        expect = classify(p)
        if expect == "end":
            p = b"?"  # a mutation made k, D, R or vRun: not for the middle of a batch
        if expect == "stop":
            return frame(p) + b"\x03", "stop", p
        if r.random() < 0.05:
            return b"xyz" + frame(p), "reply", p   # noise before '$'
        return frame(p), "reply", p


def classify(p):
    """What a packet owes: a stop reply after ^C for a resume, 'end' for
    the packets that end a session or run a new one, else a reply."""
    if p[:1] in (b"c", b"s", b"C", b"S") or (p.startswith(b"vCont;") and p[6:7] in (b"c", b"s", b"C", b"S")):
        return "stop"
    if p[:1] in (b"k", b"D", b"R", b"r") or p.startswith((b"vRun", b"vKill", b"vAttach")):
        return "end"
    return "reply"


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=REPLY_S)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _fill(self, deadline):
        self.s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d = self.s.recv(65536)
        except socket.timeout:
            return False
        if not d:
            raise ConnectionError("server closed the connection")
        self.buf += d
        return True

    def packet(self, timeout=REPLY_S, skip_console=True):
        """Next packet payload, skipping acks and (optionally) O output."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(rb"\$([^#]*)#[0-9a-fA-F]{2}", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                p = m.group(1)
                if skip_console and re.fullmatch(rb"O([0-9a-fA-F]{2})+", p):
                    continue
                return p
            if time.monotonic() > deadline or not self._fill(deadline):
                return None

    def nak(self, timeout=REPLY_S):
        deadline = time.monotonic() + timeout
        while b"-" not in self.buf:
            if time.monotonic() > deadline or not self._fill(deadline):
                return False
        self.buf = b""
        return True

    def close(self):
        self.s.close()


def registers_ok(port):
    c = Conn(port)
    try:
        c.send(b"+" + frame(b"qSupported:swbreak+;hwbreak+"))
        if c.packet() is None:
            return "no qSupported reply"
        c.send(b"+" + frame(b"g"))
        g = c.packet()
        if not g or not re.fullmatch(rb"([0-9a-fA-Fx]{8})+", g) or len(g) < 17 * 8:
            return "fresh client's g reply: %r" % (g[:80] if g else g)
        return None
    finally:
        c.close()


def batch(port, gen, rng, counts):
    c = Conn(port)
    try:
        c.send(b"+" + frame(b"qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=arm"))
        if c.packet() is None:
            return "no reply to qSupported"
        noack = rng.random() < 0.3
        if noack:
            c.send(b"+" + frame(b"QStartNoAckMode"))
            c.packet()
        for _ in range(rng.randrange(20, 80)):
            data, expect, what = gen.step()
            c.send(data if noack else data + b"+")
            counts["packets"] += 1
            if expect == "nak" and not noack and not c.nak():
                return "no '-' after a bad checksum (%r)" % what[:60]
            if expect == "reply" and c.packet() is None:
                return "no reply within %d s to %r" % (REPLY_S, what[:80])
            if expect == "stop":
                p = c.packet()
                if p is None or p[:1] not in (b"T", b"S", b"E", b"W", b"O", b""):
                    return "no stop reply after %r and ^C: %r" % (what, p)
        if rng.random() < 0.2:
            c.send(frame(b"D"))
            counts["packets"] += 1
        return None
    except (ConnectionError, OSError) as e:
        return "connection: %s (last %r)" % (e, locals().get("what", b"")[:80])
    finally:
        c.close()


def main():
    if not os.path.exists(SWDD):
        print("SKIP %s: %s not built" % (NAME, SWDD))
        return 0
    cmd = [SWDD, "--probe", "sim", "--port", "0"]
    if os.path.exists(FW):
        cmd += ["--sim-image", FW]
    err = tempfile.TemporaryFile()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    m = re.search(r"listening for gdb on [\d.]+:(\d+)", p.stdout.readline())
    if not m:
        p.kill()
        print("FAIL %s: swdd printed no banner" % NAME)
        return 1
    port = int(m.group(1))
    rng = random.Random(SEED)
    gen = Gen(rng)
    counts = {"packets": 0, "batches": 0}
    why = None
    end = time.monotonic() + SECONDS
    while time.monotonic() < end and not why:
        why = batch(port, gen, rng, counts)
        counts["batches"] += 1
        if p.poll() is not None:
            why = "swdd exited with status %d" % p.returncode
        elif not why:
            why = registers_ok(port)
            counts["packets"] += 2
    crashed = p.poll() is not None
    if not crashed:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            why = why or "swdd did not stop on SIGTERM"
    summary = "%d packets in %d batches, seed %d, %d server crashes" % (
        counts["packets"], counts["batches"], SEED, 1 if crashed and p.returncode != 0 else 0)
    if why:
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-5:]
        print("FAIL %s: %s (after %s)" % (NAME, why, summary))
        for line in tail:
            print("    " + line)
        return 1
    print("PASS %s: %s" % (NAME, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
