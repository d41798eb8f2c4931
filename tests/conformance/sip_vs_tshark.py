#!/usr/bin/env python3
"""Compare sluice's SIP and RTP extraction with tshark's on one capture.

SIP: the multiset of (Call-ID, method or status code, From user, To user)
over every SIP message sluice prints must equal tshark's. tshark is run with
`-T json --no-duplicate-keys` rather than `-T fields`, because one frame can
carry several SIP messages (TCP, WebSocket) and `-T fields` flattens their
fields into per-field lists that cannot be re-aligned when a response (no
Method) and a request share a frame; the JSON keeps one object per message.

RTP: per (src, dst, SSRC) the packet count sluice reports in its rtp_stream
events must equal tshark's `-z rtp,streams`. sluice only tracks media that
SIP's SDP announced (RTP is recognised by the dialog it belongs to); tshark
with `rtp.heuristic_rtp` also finds RTP by shape and follows MGCP/H.323 SDP.
So: every stream sluice reports must be in tshark's table with the same
packet count, and every tshark stream from or to an endpoint that SDP in a
SIP message announced (by tshark's own reading) must be in sluice's.

Known, explained differences are passed in with --allow (see run_conformance.sh);
everything else fails the test with a listing of both sides.
"""
import argparse
import collections
import json
import subprocess
import sys


def tshark_sip(tshark, pcap, decode_as):
    cmd = [tshark, "-r", pcap, "-n", "-T", "json", "--no-duplicate-keys", "-Y", "sip", "-J", "sip"]
    for d in decode_as:
        cmd += ["-d", d]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    frames = json.loads(out) if out.strip() else []
    result = collections.Counter()

    def find(obj, key):
        if isinstance(obj, dict):
            if key in obj:
                v = obj[key]
                return v[0] if isinstance(v, list) else v
            for v in obj.values():
                r = find(v, key)
                if r is not None:
                    return r
        elif isinstance(obj, list):
            for v in obj:
                r = find(v, key)
                if r is not None:
                    return r
        return None

    for fr in frames:
        sips = fr["_source"]["layers"].get("sip")
        if sips is None:
            continue
        if not isinstance(sips, list):
            sips = [sips]
        for s in sips:
            if not isinstance(s, dict):
                continue
            call_id = find(s, "sip.Call-ID")
            method = find(s, "sip.Method")
            status = find(s, "sip.Status-Code")
            if method is None and status is None:
                continue  # continuation data tshark labelled SIP, not a message
            kind = method if method is not None else str(status)
            result[(call_id or "", kind, find(s, "sip.from.user") or "", find(s, "sip.to.user") or "")] += 1
    return result


def user_as_tshark(party):
    """sluice reports the number of a tel: URI as its user; tshark's
    sip.from.user/sip.to.user exist only for sip:/sips: URIs (a tel: URI has
    no user part in RFC 3966, the whole path is the number), so for tel:
    tshark prints nothing. Compare like with like."""
    uri = party.get("uri") or ""
    if uri.lower().startswith("tel:"):
        return ""
    return party.get("user") or ""


def sluice_events(sluice, pcap, extra):
    cmd = [sluice, "extract", "-r", pcap, "--types", "sip,rtp_stream", "--no-progress", "-q"] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("sluice extract failed (%d): %s" % (p.returncode, p.stderr))
    sip = collections.Counter()
    rtp = {}
    for line in p.stdout.splitlines():
        ev = json.loads(line)
        if ev["type"] == "sip":
            kind = ev["method"] if ev["method"] is not None else str(ev["status"])
            sip[(ev["call_id"] or "", kind, user_as_tshark(ev["from"]), user_as_tshark(ev["to"]))] += 1
        elif ev["type"] == "rtp_stream" and ev["proto"] == "rtp":
            key = (ev["src"], ev["dst"], ev["ssrc"])
            rtp[key] = rtp.get(key, 0) + ev["packets"]
    return sip, rtp


def tshark_rtp(tshark, pcap, decode_as):
    cmd = [tshark, "-r", pcap, "-n", "-q", "-o", "rtp.heuristic_rtp:TRUE", "-z", "rtp,streams"]
    for d in decode_as:
        cmd += ["-d", d]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    streams = {}
    for line in out.splitlines():
        f = line.split()
        # Start time, End time, Src IP, Src port, Dest IP, Dest port, SSRC, Payload, Pkts, ...
        if len(f) < 9 or not f[6].startswith("0x"):
            continue
        src = "[%s]:%s" % (f[2], f[3]) if ":" in f[2] else "%s:%s" % (f[2], f[3])
        dst = "[%s]:%s" % (f[4], f[5]) if ":" in f[4] else "%s:%s" % (f[4], f[5])
        # payload names may contain spaces ("ITU-T G.711 PCMA"): packets is the first integer after them
        rest = f[7:]
        pkts = None
        for tok in rest:
            if tok.isdigit():
                pkts = int(tok)
                break
        streams[(src, dst, int(f[6], 16))] = streams.get((src, dst, int(f[6], 16)), 0) + (pkts or 0)
    return streams


def tshark_sip_sdp_endpoints(tshark, pcap, decode_as):
    """(ip, port) of every media line in SDP carried by SIP, by tshark's reading."""
    cmd = [tshark, "-r", pcap, "-n", "-Y", "sip && sdp", "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=/", "-e", "sdp.connection_info.address", "-e", "sdp.media.port"]
    for d in decode_as:
        cmd += ["-d", d]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    eps = set()
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 2:
            continue
        for ip in filter(None, f[0].split("/")):
            for port in filter(None, f[1].split("/")):
                eps.add("[%s]:%s" % (ip, port) if ":" in ip else "%s:%s" % (ip, port))
    return eps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshark", required=True)
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--decode-as", action="append", default=[])
    ap.add_argument("--sluice-arg", action="append", default=[])
    ap.add_argument("--allow-missing", action="append", default=[],
                    help="Call-ID|kind|from|to tshark has that sluice may lack (explained by the caller)")
    ap.add_argument("--allow-extra", action="append", default=[],
                    help="Call-ID|kind|from|to sluice has that tshark lacks (explained by the caller)")
    ap.add_argument("--rtp", action="store_true", help="also compare RTP packet counts per stream")
    ap.add_argument("pcap")
    a = ap.parse_args()

    ts = tshark_sip(a.tshark, a.pcap, a.decode_as)
    sl, sl_rtp = sluice_events(a.sluice, a.pcap, a.sluice_arg)
    missing = ts - sl
    extra = sl - ts
    for spec in a.allow_missing:
        k = tuple(spec.split("|"))
        missing[k] = 0
    for spec in a.allow_extra:
        k = tuple(spec.split("|"))
        extra[k] = 0
    missing = +missing
    extra = +extra
    ok = True
    print("%s: sip messages tshark %d, sluice %d" % (a.pcap, sum(ts.values()), sum(sl.values())))
    if missing or extra:
        ok = False
        for k, n in sorted(missing.items()):
            print("  only in tshark x%d: %s" % (n, "|".join(k)))
        for k, n in sorted(extra.items()):
            print("  only in sluice x%d: %s" % (n, "|".join(k)))

    if a.rtp:
        tr = tshark_rtp(a.tshark, a.pcap, a.decode_as)
        print("  rtp streams tshark %d, sluice %d" % (len(tr), len(sl_rtp)))
        for k, n in sorted(sl_rtp.items()):
            if tr.get(k) != n:
                ok = False
                print("  rtp %s -> %s ssrc 0x%08x: sluice %d packets, tshark %s" % (k[0], k[1], k[2], n, tr.get(k)))
        sdp_eps = tshark_sip_sdp_endpoints(a.tshark, a.pcap, a.decode_as)
        for k, n in sorted(tr.items()):
            if k[0] not in sdp_eps and k[1] not in sdp_eps:
                # media no SIP SDP announced (MGCP/H.323-signalled, relayed legs):
                # not SIP metadata, sluice does not claim it
                print("  rtp %s -> %s ssrc 0x%08x: not SIP-signalled, not compared" % k)
                continue
            if k not in sl_rtp:
                ok = False
                print("  rtp %s -> %s ssrc 0x%08x: tshark %d packets, not reported by sluice" % (k[0], k[1], k[2], n))
    print("  %s" % ("OK" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
