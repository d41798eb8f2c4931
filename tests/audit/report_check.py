#!/usr/bin/env python3
"""Checks an audit report as a browser rendered it.

  report_check.py SCREENSHOT.png DOM.html SHOW.jsonl

SCREENSHOT.png must not be blank (at least 8 distinct colours, decoded
with zlib and the PNG filters, stdlib only). DOM.html is Chromium's
--dump-dom of the report; every number the page shows in an element with
an id or data- attribute must equal the count computed here from
SHOW.jsonl, the output of `sluice audit show --format json`.
"""
import collections
import html.parser
import json
import struct
import sys
import zlib


def fail(msg):
    print("report_check.py: FAIL: " + msg)
    sys.exit(1)


def png_colours(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s is not a PNG" % path)
    pos, idat, width, height, ctype, depth = 8, b"", 0, 0, 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6):
        fail("unexpected PNG format (depth %d, colour type %d)" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 4 == 0:
            for x in range(0, stride, bpp * 3):
                colours.add(bytes(line[x:x + 3]))
        prev = line
    return len(colours)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []
        self.values = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        key = None
        if "id" in a and a["id"].startswith("n-"):
            key = a["id"]
        for k in ("data-kind", "data-consent", "data-export-batches", "data-refused-reason"):
            if k in a:
                key = k + ":" + a[k]
        if "data-delivered-liid" in a:
            key = "delivered:" + a["data-delivered-liid"] + "|" + a["data-delivered-dest"]
        if "data-result" in a:
            self.values["result"] = a["data-result"]
        self.stack.append([key, ""])

    def handle_endtag(self, tag):
        if self.stack:
            key, text = self.stack.pop()
            if key:
                self.values[key] = text.strip()

    def handle_data(self, d):
        if self.stack:
            self.stack[-1][1] += d


def main():
    shot, dom, show = sys.argv[1:4]
    n = png_colours(shot)
    if n < 8:
        fail("screenshot has %d colours: blank page" % n)
    page = Page()
    page.feed(open(dom).read())
    v = page.values
    recs = [json.loads(line) for line in open(show) if line.strip()]
    want = {"n-records": len(recs)}
    kinds = collections.Counter(r["kind"] for r in recs)
    for k, c in kinds.items():
        want["data-kind:" + k] = c
    want["n-warrant-accepted"] = kinds.get("warrant.accepted", 0)
    want["n-warrant-refused"] = kinds.get("warrant.refused", 0)
    want["n-warrant-ended"] = kinds.get("warrant.ended", 0)
    want["n-restarts"] = kinds.get("log.open", 0)
    for r in recs:
        f = r["fields"]
        if r["kind"] == "delivery":
            k = "delivered:%s|%s" % (f["liid"], f["destination"])
            want[k] = want.get(k, 0) + f["count"]
        elif r["kind"] == "consent.change":
            k = "data-consent:" + f["recipient"]
            want[k] = want.get(k, 0) + 1
        elif r["kind"] == "export.batch":
            k = "data-export-batches:" + f["recipient"]
            want[k] = want.get(k, 0) + 1
        elif r["kind"] == "warrant.refused":
            k = "data-refused-reason:" + f["reason"]
            want[k] = want.get(k, 0) + 1
    bad = []
    for k, c in sorted(want.items()):
        if v.get(k) != str(c):
            bad.append("%s: page %r, show %d" % (k, v.get(k), c))
    if bad:
        fail("numbers differ:\n  " + "\n  ".join(bad))
    if v.get("result") != "verified":
        fail("page says the log is %r" % v.get("result"))
    print("report_check.py: screenshot has %d colours; %d numbers on the page equal `show --format json`" % (n, len(want)))


main()
