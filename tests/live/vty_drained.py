#!/usr/bin/env python3
"""Wait until sluiced has read its capture files and delivered everything.

Usage: vty_drained.py VTYPORT STREAMS [TIMEOUT [COMMAND...]]

Polls `show capture` and `show handover` on the daemon's telnet VTY until
the capture files are all read and each of the STREAMS destination streams
is up with nothing queued; then prints `show warrants` and exits 0. Exits 1
(printing the last `show handover`) when that does not happen within
TIMEOUT seconds (default 120). COMMANDs, if given, are typed into one VTY
session first (e.g. "enable", "configure terminal", ...), as an operator
would. Used by the live tests of the lawful path.
"""
import re
import socket
import sys
import time


def show(port, cmd):
    for _ in range(50):
        try:
            s = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    else:
        return ""
    s.settimeout(0.3)
    # destinations and LIIDs are shown to enabled sessions only
    s.sendall(b"enable\r\n" + cmd.encode() + b"\r\n")
    out, t = b"", time.time()
    while time.time() - t < 1.5:
        try:
            d = s.recv(65536)
            if not d:
                break
            out += d
        except socket.timeout:
            if out.rstrip().endswith(b"#") and out.count(b"#") >= 2:
                break
    s.close()
    return out.decode(errors="replace")


def session(port, commands):
    """Type commands into one VTY session, as an operator would."""
    for _ in range(50):
        try:
            s = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    else:
        return
    s.settimeout(0.5)
    for c in commands:
        s.sendall(c.encode() + b"\r\n")
        time.sleep(0.1)
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        pass
    s.close()


def main():
    port, streams = int(sys.argv[1]), int(sys.argv[2])
    deadline = time.time() + (float(sys.argv[3]) if len(sys.argv) > 3 else 120)
    if len(sys.argv) > 4:
        session(port, sys.argv[4:])
    ho = ""
    while time.time() < deadline:
        cap, ho = show(port, "show capture"), show(port, "show handover")
        q = re.findall(r"queued (\d+) records", ho)
        if "files: all read" in cap and len(q) == streams and all(x == "0" for x in q) \
                and ho.count(": up ") == streams:
            print(show(port, "show warrants"))
            return 0
        time.sleep(0.5)
    print(ho)
    return 1


if __name__ == "__main__":
    sys.exit(main())
