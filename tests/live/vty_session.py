"""A telnet session with sluiced's console, for the live tests.

Imported by the tests' Python parts (sys.path gets tests/live first):

    from vty_session import Session
    s = Session(port)            # connects, retrying for up to 10 s
    s.read(b"Password:")         # until the output holds it (or ends with it: tail=True)
    out = s.say("enable", "sluiced#")

read() and say() wait at most t seconds (5 by default) and return what
arrived, decoded; they never fail by themselves, the caller checks the
text. command() types one command and returns its output up to the prompt
that follows its echo (a prompt in the banner or in the echo itself is not
taken for the end); session() opens a session, runs commands that way and
closes it.
"""
import socket
import sys
import time


class Session:
    def __init__(self, port, tries=100, timeout=0.3):
        for _ in range(tries):
            try:
                self.s = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("FAIL: the console on port %d is not reachable" % port)
        self.s.settimeout(timeout)
        self.buf = b""

    def read(self, want=None, t=5, tail=False):
        """What arrives until it holds want (ends with it, ignoring blanks, if tail), t s at most."""
        out, end = b"", time.time() + t
        while time.time() < end:
            try:
                d = self.s.recv(65536)
                if not d:
                    break
                out += d
                if want and (out.rstrip().endswith(want) if tail else want in out):
                    break
            except socket.timeout:
                pass
        return out.decode(errors="replace")

    def say(self, line, want, t=5, tail=False):
        """Types line, then read(want)."""
        self.s.sendall(line.encode() + b"\r\n")
        return self.read(want.encode(), t, tail)

    def _until_prompt(self, after, t=10):
        end = time.time() + t
        while time.time() < end:
            tail = self.buf[after:].rstrip()
            if tail.endswith(b"sluiced>") or tail.endswith(b"sluiced#"):
                return
            try:
                d = self.s.recv(65536)
                if not d:
                    return
                self.buf += d
            except socket.timeout:
                pass

    def command(self, line, t=10):
        """Types line; its output up to the prompt after its echo (the whole session so far is in self.buf)."""
        if not self.buf:
            self._until_prompt(0, t)
        mark = len(self.buf)
        self.s.sendall(line.encode() + b"\r\n")
        end = time.time() + t
        while time.time() < end and line.encode() not in self.buf[mark:]:
            try:
                self.buf += self.s.recv(65536)
            except socket.timeout:
                pass
        self._until_prompt(self.buf.find(line.encode(), mark) + len(line), t)
        return self.buf[mark:].decode(errors="replace")

    def close(self):
        self.s.close()


def session(port, cmds, timeout=0.5):
    """A new session running cmds one after the other; everything it printed, banner included."""
    s = Session(port, timeout=timeout)
    for c in cmds:
        s.command(c)
    if not cmds:
        s._until_prompt(0)
    s.close()
    return s.buf.decode(errors="replace")
