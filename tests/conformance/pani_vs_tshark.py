#!/usr/bin/env python3
"""Compare the cells sluice reads from P-Access-Network-Info with tshark's.

tshark's SIP dissector splits the header into its access type
(sip.P-Access-Network-Info.access-type) and the cell identity text
(sip.P-Access-Network-Info.utran-cell-id-3gpp). sluice decodes that text
into MCC, MNC, area code and cell identity by the lengths of TS 24.229
clause 7.2A.4. For every SIP message with a cell, sluice's `cell` written
back as digits (MCC, MNC, the area and the cell id in hex at the widths the
access type fixes) must equal tshark's text, and its access must be the one
tshark's access type names; messages tshark sees a cell in and sluice not
(or the reverse) fail. Every `location` event's cell must be the cell of
its frame. Cells that do not come from the header are not tshark's
business: a SIP message without the header whose cell is its sender's
GTPv2-C ULI (`pani` null) and `gtpv2-uli` location events (checked
against tshark by gtp_vs_tshark.py). Frames are matched by number; a frame with several SIP messages
must agree on all of them.
"""
import argparse
import collections
import json
import subprocess
import sys

ACCESS = {
    "3gpp-geran": "geran",
    "3gpp-utran-fdd": "utran", "3gpp-utran-tdd": "utran",
    "3gpp-e-utran-fdd": "eutran", "3gpp-e-utran-tdd": "eutran",
    "3gpp-nr-fdd": "nr", "3gpp-nr-tdd": "nr",
}
WIDTH = {"geran": (4, 4), "utran": (4, 7), "eutran": (4, 7), "nr": (6, 9)}


def tshark_cells(tshark, pcap):
    cmd = [tshark, "-r", pcap, "-n", "-Y", "sip.P-Access-Network-Info", "-T", "fields", "-E", "occurrence=f",
           "-e", "frame.number", "-e", "sip.P-Access-Network-Info.access-type",
           "-e", "sip.P-Access-Network-Info.utran-cell-id-3gpp"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    cells = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[2]:
            continue
        access = ACCESS.get(parts[1].strip().lower())
        if access:
            cells[int(parts[0])] = (access, parts[2].strip().upper())
    return cells


def cell_text(c):
    area_w, cell_w = WIDTH[c["access"]]
    area = c["lac"] if "lac" in c else c["tac"]
    return c["mcc"] + c["mnc"] + format(area, "0%dX" % area_w) + format(c["cell_id"], "0%dX" % cell_w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshark", required=True)
    ap.add_argument("--sluice", required=True)
    ap.add_argument("pcap")
    a = ap.parse_args()

    want = tshark_cells(a.tshark, a.pcap)
    out = subprocess.run([a.sluice, "extract", "-r", a.pcap, "--types", "sip,location"], check=True,
                         capture_output=True, text=True).stdout
    got = collections.defaultdict(set)
    locations = []
    sip_frames = set()
    for line in out.splitlines():
        ev = json.loads(line)
        if ev["type"] == "location":
            if ev["fix_source"] == "sip-pani":
                locations.append(ev)
            continue
        sip_frames.add(ev["frame"])
        if ev.get("cell") and ev.get("pani") is not None:
            got[ev["frame"]].add((ev["cell"]["access"], cell_text(ev["cell"])))
    problems = []
    for frame, cell in sorted(want.items()):
        if frame not in sip_frames:
            continue  # a frame sluice does not read as SIP is the SIP comparison's business
        if got.get(frame) != {cell}:
            problems.append("frame %d: tshark %s, sluice %s" % (frame, cell, sorted(got.get(frame, set()))))
    for frame, cells in sorted(got.items()):
        if frame not in want:
            problems.append("frame %d: sluice %s, tshark none" % (frame, sorted(cells)))
    for ev in locations:
        cell = (ev["cell"]["access"], cell_text(ev["cell"]))
        if want.get(ev["frame"]) != cell:
            problems.append("location event at frame %d: %s, tshark %s" % (ev["frame"], cell, want.get(ev["frame"])))
    name = a.pcap.rsplit("/", 1)[-1]
    if problems:
        print("FAIL %s:\n  %s" % (name, "\n  ".join(problems)))
        return 1
    print("ok %s: %d SIP messages with a cell agree with tshark, %d location events" % (
        name, sum(len(v) for v in got.values()), len(locations)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
