#!/usr/bin/env python3
"""Compare sluice's GTPv2-C extraction with tshark's on one capture, field by field.

tshark decodes every GTPv2-C message; sluice reports what a PDN session
binds (docs/events.md, `bearer`). The comparison pairs them so:

  - every Create Session Request tshark shows is paired with its response:
    the next Create Session Response with the same sequence number sent
    back between the same two addresses (pairing done here from tshark's
    fields, independently of sluice's TEID logic). An accepted response
    must have made exactly one sluice `created` event carrying that
    response's frame number, a refusing one a `rejected` event;
  - in that event, the values tshark shows must be equal:

      tshark field (request)                  sluice `bearer` event
      e212.imsi                               imsi
      e164.msisdn                             msisdn
      gtpv2.mei                               mei (digits as sent: IMEI or IMEISV)
      gtpv2.apn                               apn
      e212.tai.mcc, e212.tai.mnc,
      gtpv2.tai_tac                           cell.tai (MCC, MNC numerically: tshark shows no leading zeros)
      e212.ecgi.mcc, e212.ecgi.mnc,
      gtpv2.ecgi_eci                          cell.ecgi
      tshark field (response)
      gtpv2.pdn_addr_and_prefix.ipv4/ipv6     ue_ipv4, ue_ipv6
      gtpv2.cause                             created when 16..63, else rejected

  - every Delete Session Response tshark shows with cause 16 for a
    session sluice created must have made a `deleted` event with its
    frame number;
  - sluice may report nothing tshark does not show: every `created`,
    `rejected`, `deleted` and `modified` event must name a frame tshark
    decodes as the matching message;
  - every `created` or `modified` event whose ULI has a TAI and an ECGI is
    followed by exactly one `location` event (fix_source "gtpv2-uli") of
    the same frame, whose `cell` is e-utran with the ECGI's MCC and MNC,
    the TAI's TAC and the ECI, as tshark shows them in the message that
    carried the ULI (the request of a created session, the message itself
    of a modified one); no other gtpv2-uli location events.

Explained differences (counted and listed, not failures):
  - ECI: tshark's gtpv2.ecgi_eci is the whole 32-bit field, including the
    four spare bits TS 29.274 8.21.5 puts above the 28-bit ECI; sluice
    reports the 28 bits. Compared masked.
  - Create Bearer, Modify Bearer and Delete Session messages of sessions
    whose Create Session exchange is not in the capture (the Open5GS VoLTE
    captures start after attach): sluice cannot know their UE and counts
    them gtp:gtpv2:stray. Their ULIs are counted as "not compared".
  - The PAA of a Create Session Request (0.0.0.0 or the address the UE
    asks for) is not reported: the UE's address is the response's.
Anything else fails, with both sides listed.
"""
import argparse
import collections
import json
import subprocess
import sys

FIELDS = ["frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "gtpv2.message_type", "gtpv2.seq",
          "e212.imsi", "e164.msisdn", "gtpv2.mei", "gtpv2.apn", "e212.tai.mcc", "e212.tai.mnc", "gtpv2.tai_tac",
          "e212.ecgi.mcc", "e212.ecgi.mnc", "gtpv2.ecgi_eci", "gtpv2.pdn_addr_and_prefix.ipv4",
          "gtpv2.pdn_addr_and_prefix.ipv6", "gtpv2.cause"]


def tshark_rows(tshark, pcap):
    cmd = [tshark, "-r", pcap, "-Y", "gtpv2", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        r = dict(zip(FIELDS, v))
        r["src"] = r["ip.src"] or r["ipv6.src"]
        r["dst"] = r["ip.dst"] or r["ipv6.dst"]
        r["type"] = int(r["gtpv2.message_type"])
        r["seq"] = int(r["gtpv2.seq"], 0)
        r["frame"] = int(r["frame.number"])
        rows.append(r)
    return rows


def sluice_events(sluice, pcap):
    out = subprocess.run([sluice, "extract", "--types", "bearer,location", "-r", pcap], check=True, capture_output=True,
                         text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def num(s):
    return int(s, 0) if s not in ("", None) else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--sluice", required=True)
    ap.add_argument("pcap")
    a = ap.parse_args()
    rows = tshark_rows(a.tshark, a.pcap)
    evs = sluice_events(a.sluice, a.pcap)
    locs = [e for e in evs if e["type"] == "location" and e["fix_source"] == "gtpv2-uli"]
    evs = [e for e in evs if e["type"] == "bearer"]
    uli_of = {}  # frame of a created/modified event -> the tshark row that carried its ULI
    by_frame = collections.defaultdict(list)
    for e in evs:
        if e["frame"] is not None:
            by_frame[e["frame"]].append(e)
    fails, compared, explained = [], collections.Counter(), collections.Counter()
    used = set()

    def cmp(what, frame, t, s):
        compared[what] += 1
        if t != s:
            fails.append("frame %d %s: tshark %r sluice %r" % (frame, what, t, s))

    created_frames = set()
    for i, req in enumerate(rows):
        if req["type"] != 32:
            continue
        rsp = next((r for r in rows[i + 1:] if r["type"] == 33 and r["seq"] == req["seq"] and r["src"] == req["dst"]
                    and r["dst"] == req["src"]), None)
        if rsp is None:
            explained["create session request without response in the capture"] += 1
            continue
        cause = num(rsp["gtpv2.cause"])
        want = "created" if cause is not None and 16 <= cause <= 63 else "rejected"
        cands = [e for e in by_frame.get(rsp["frame"], []) if e["event"] == want and id(e) not in used]
        if len(cands) != 1:
            fails.append("frame %d: %d sluice %s events for the response to frame %d" % (rsp["frame"], len(cands), want,
                                                                                       req["frame"]))
            continue
        e = cands[0]
        used.add(id(e))
        created_frames.add(rsp["frame"])
        f = rsp["frame"]
        if want == "created":
            uli_of[f] = req
        cmp("imsi", f, req["e212.imsi"] or None, e["imsi"])
        cmp("msisdn", f, req["e164.msisdn"] or None, e["msisdn"])
        cmp("mei", f, req["gtpv2.mei"] or None, e["mei"])
        cmp("apn", f, req["gtpv2.apn"] or None, e["apn"])
        cell = e["cell"] or {}
        tai = cell.get("tai")
        if req["gtpv2.tai_tac"]:
            cmp("tai", f, (num(req["e212.tai.mcc"]), num(req["e212.tai.mnc"]), num(req["gtpv2.tai_tac"])),
                (int(tai["mcc"]), int(tai["mnc"]), tai["tac"]) if tai else None)
        else:
            cmp("tai", f, None, tai)
        ecgi = cell.get("ecgi")
        if req["gtpv2.ecgi_eci"]:
            eci = num(req["gtpv2.ecgi_eci"])
            if eci >> 28:
                explained["ECI with spare bits set (tshark shows them, compared masked)"] += 1
            cmp("ecgi", f, (num(req["e212.ecgi.mcc"]), num(req["e212.ecgi.mnc"]), eci & 0x0fffffff),
                (int(ecgi["mcc"]), int(ecgi["mnc"]), ecgi["eci"]) if ecgi else None)
        else:
            cmp("ecgi", f, None, ecgi)
        if want == "created":
            cmp("pdn_ipv4", f, rsp["gtpv2.pdn_addr_and_prefix.ipv4"] or None, e["ue_ipv4"])
            cmp("pdn_ipv6", f, rsp["gtpv2.pdn_addr_and_prefix.ipv6"] or None, e["ue_ipv6"])
    for r in rows:
        if r["type"] == 37 and num(r["gtpv2.cause"]) == 16:
            cands = [e for e in by_frame.get(r["frame"], []) if e["event"] == "deleted" and id(e) not in used]
            if cands:
                used.add(id(cands[0]))
                compared["deleted"] += 1
            elif created_frames:
                fails.append("frame %d: Delete Session Response accepted, no sluice deleted event" % r["frame"])
            else:
                explained["delete of a session created before the capture"] += 1
        if r["type"] in (34, 36, 95, 96, 97, 98, 99, 100) and r["gtpv2.ecgi_eci"] and not created_frames:
            explained["ULI in a message of a session created before the capture (not compared)"] += 1
    for e in evs:
        if id(e) in used or e["event"] in ("capture_end", "expired", "evicted"):
            continue
        if e["event"] == "modified" and any(r["frame"] == e["frame"] and r["gtpv2.ecgi_eci"] for r in rows):
            compared["modified"] += 1
            uli_of[e["frame"]] = next(r for r in rows if r["frame"] == e["frame"] and r["gtpv2.ecgi_eci"])
            continue
        fails.append("sluice %s event at frame %s not matched to a tshark message" % (e["event"], e["frame"]))
    want_locs = collections.Counter()
    for e in evs:
        r = uli_of.get(e["frame"])
        if e["event"] in ("created", "modified") and r and r["gtpv2.tai_tac"] and r["gtpv2.ecgi_eci"]:
            want_locs[e["frame"]] += 1
    got_locs = collections.defaultdict(list)
    for l in locs:
        got_locs[l["frame"]].append(l)
    for frame in sorted(set(want_locs) | set(got_locs)):
        if len(got_locs[frame]) != want_locs[frame]:
            fails.append("frame %s: %d gtpv2-uli location events, %d created/modified bearers with TAI and ECGI" % (
                frame, len(got_locs[frame]), want_locs[frame]))
            continue
        r = uli_of[frame]
        for l in got_locs[frame]:
            c = l["cell"]
            cmp("location", frame, ("eutran", num(r["e212.ecgi.mcc"]), num(r["e212.ecgi.mnc"]), num(r["gtpv2.tai_tac"]),
                                    num(r["gtpv2.ecgi_eci"]) & 0x0fffffff),
                (c["access"], int(c["mcc"]), int(c["mnc"]), c["tac"], c["cell_id"]))
    name = a.pcap.rsplit("/", 1)[-1]
    print("%s: compared %s" % (name, ", ".join("%s %d" % kv for kv in sorted(compared.items())) or "nothing"))
    for k, v in sorted(explained.items()):
        print("  explained: %s: %d" % (k, v))
    for f in fails:
        print("  FAIL " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
