#!/usr/bin/env python3
"""A persistent SIP/TCP connection that loses one segment, then hours of quiet.

Writes the capture itself (libpcap format, Ethernet/IPv4/TCP), runs
`sluice extract` on it and checks WHEN each SIP event is reported, not only
that it is: the message behind the hole carries the time and frame of its
own segment and is written before the keep-alives that follow it (default
hole timeout), or only at the end of the capture with the timeout off; the
message cut by the hole is lost; a message from another party over UDP and
the message three hours later on the connection each have their own
time. Also an offload-style frame (IPv4 total length 0) mid-connection.

Usage: extract_hole.py SLUICE TMPDIR
"""
import json
import struct
import subprocess
import sys

T0 = 1700000000
A, B = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
ISN = 1000


def message(call_id):
    body = "hello"
    return ("MESSAGE sip:bob@example.com SIP/2.0\r\n"
            "Via: SIP/2.0/TCP 192.0.2.1:40000;branch=z9hG4bK-%s\r\n"
            "From: <sip:alice@example.com>;tag=ft\r\n"
            "To: <sip:bob@example.com>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 MESSAGE\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: %d\r\n\r\n%s" % (call_id, call_id, len(body), body)).encode()


def frame(seq, payload, flags=0x18, total_zero=False):
    tcp = struct.pack("!HHIIBBHHH", 40000, 5060, seq & 0xffffffff, 1, 5 << 4, flags, 65535, 0, 0)
    total = 0 if total_zero else 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0, A, B)
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp + payload


def udp_frame(payload):
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(payload), 2, 0x4000, 64, 17, 0, A, B)
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + udp + payload


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for ts, data in frames:
            sec, usec = divmod(round(ts * 1e6), 1000000)
            f.write(struct.pack("<IIII", T0 + sec, usec, len(data), len(data)))
            f.write(data)


def build():
    m1, m2, m3, m4, m5 = (message("hole-%d@example.com" % i) for i in range(1, 6))
    cut = len(m2) // 2
    frames = [(0.0, frame(ISN, b"", flags=0x02)),               # 1: SYN
              (1.0, frame(ISN + 1, m1)),                           # 2
              # m2[:cut] lost by the mirror
              (2.0, frame(ISN + 1 + len(m1) + cut, m2[cut:])),     # 3
              (2.1, frame(ISN + 1 + len(m1) + len(m2), m3))]       # 4: held behind the hole
    off = ISN + 1 + len(m1) + len(m2) + len(m3)
    t = 2.1
    for _ in range(90):                                            # 5..94: keep-alives, 3 hours
        t += 120.0
        frames.append((t, frame(off, b"\r\n\r\n")))
        off += 4
    frames.append((3 * 3600 + 1.0, udp_frame(m5)))                 # 95: another party, over UDP
    frames.append((3 * 3600 + 5.0, frame(off, m4, total_zero=True)))  # 96: offload frame
    return frames


def run(sluice, pcap, extra):
    out = subprocess.run([sluice, "extract", "-q", "--types", "sip", "-r", pcap] + extra,
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line]


def check(events, hole_timeout_off):
    errors = []
    ids = [e["call_id"] for e in events]
    want_ids = ["hole-1@example.com", "hole-3@example.com", "hole-5@example.com", "hole-4@example.com"]
    if sorted(ids) != sorted(want_ids):
        errors.append("events for %s, expected %s" % (ids, want_ids))
        return errors
    by = {e["call_id"]: e for e in events}
    want = {"hole-1@example.com": (1.0, 2), "hole-3@example.com": (2.1, 4),
            "hole-5@example.com": (3 * 3600 + 1.0, 95), "hole-4@example.com": (3 * 3600 + 5.0, 96)}
    for cid, (ts, fr) in want.items():
        e = by[cid]
        if abs(e["ts"] - (T0 + ts)) > 1e-6 or e["frame"] != fr:
            errors.append("%s at ts %.6f frame %s, expected %.6f frame %d" % (cid, e["ts"], e["frame"], T0 + ts, fr))
    # timeout off: the held messages come only when the capture ends, after the UDP one
    expect = (["hole-1@example.com", "hole-5@example.com", "hole-3@example.com", "hole-4@example.com"]
              if hole_timeout_off else want_ids)
    if ids != expect:
        errors.append("written in the order %s, expected %s" % (ids, expect))
    return errors


def main():
    sluice, tmp = sys.argv[1], sys.argv[2]
    pcap = tmp + "/hole.pcap"
    write_pcap(pcap, build())
    fails = 0
    for extra, off in (([], False), (["--tcp-hole-timeout", "0"], True), (["--tcp-hole-timeout", "1000"], False)):
        errs = check(run(sluice, pcap, extra), off)
        for e in errs:
            print("FAIL (%s): %s" % (" ".join(extra) or "defaults", e))
        fails += len(errs)
        if not errs:
            print("ok (%s)" % (" ".join(extra) or "defaults"))
    counters = subprocess.run([sluice, "extract", "-q", "--format", "none", "--counters", "-r", pcap],
                              check=True, capture_output=True, text=True)
    text = counters.stdout + counters.stderr
    for name, value in (("tcp:gap_timeout", "1"), ("decode:ipv4:offload", "1")):
        if not any(line.split() == [name, value] for line in text.splitlines()):
            print("FAIL: counter %s is not %s" % (name, value))
            fails += 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
