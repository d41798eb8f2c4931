#!/usr/bin/env python3
"""Compare sluice's GSM extraction with tshark's on one capture, field by field.

For every frame GSMTAP carries as GSM Um or Abis (gsmtap.type 1 or 2, the
types sluice decodes), the values tshark shows for the fields below must
equal what sluice reports in the event that frame caused:

  tshark field                    sluice event (same frame)
  gsm_sms.tp-da                   sms (submit): recipient number
  gsm_sms.tp-oa                   sms (deliver): originator number
  gsm_sms.tp-ra                   sms (status_report): recipient number
  gsm_sms.tp-dcs                  sms: dcs
  gsm_sms.tp.user_data_length     sms: length
  gsm_sms.tp-mr                   sms (submit, status_report): message_ref
  gsm_a.rp.rp_message_reference   sms: rp_ref
  gsm_sms.scts.*                  sms: scts (local time and zone)
  gsm_a.dtap.cld_party_bcd_num    sms: smsc (RP-DA of an MO RP-DATA) or call attempt: callee number
  gsm_a.dtap.clg_party_bcd_num    sms: smsc (RP-OA of an MT RP-DATA) or call attempt: caller number
  gsm_a.dtap.cause                call end: cause
  e212.imsi, 3gpp.tmsi,
  gsm_a.imei, gsm_a.imeisv        identity: seen (IMEISV compared on its 14 IMEI digits)
  e212.lai.mcc, e212.lai.mnc,
  gsm_a.lac                       identity: lai (LU REQUEST/ACCEPT, TMSI REALLOCATION COMMAND)

Numbers compare on their digits (sluice's E.164 '+' dropped).

Explained differences (counted and listed, not failures):
  - UMTS/LTE RRC frames (gsmtap.type 12, 13): tshark decodes the NAS inside
    RRC's ASN.1 PER; sluice does not decode RRC. Their fields are counted
    as "not compared".
  - CC clearing after the end: sluice ends a call at its first DISCONNECT,
    RELEASE or RELEASE COMPLETE; the causes tshark shows in the later
    clearing messages of the same call are not reported again.
  - RP-ACK and RP-ERROR make no event (docs/events.md), so their RP
    message references are not reported.
  - GPRS mobility management (GMM, PD 8): its P-TMSIs are not decoded.
  - An IMEISV whose digits contain a filler nibble (the QCSuper sample's
    is masked so): TS 24.008 10.5.1.4 does not allow it, libosmogsm's
    decoder rejects it, sluice counts gsm:dtap:malformed; tshark shows '?'.
  - The LAI of RR System Information (broadcast by the cell, no subscriber
    in it) and the routing area of RR GPRS SUSPENSION REQUEST (a TLLI, no
    IMSI/TMSI) are not reported: sluice has no location event yet.
  - MM messages sluice does not report (AUTHENTICATION, IDENTITY REQUEST...)
    carry no compared field; a 3gpp.tmsi in a paging request (RR,
    broadcast, many phones) is not an identity of the stream's phone and is
    not reported.
Anything else fails, with both sides listed.
"""
import argparse
import collections
import json
import subprocess
import sys

FIELDS = ["gsm_sms.tp-da", "gsm_sms.tp-oa", "gsm_sms.tp-ra", "gsm_sms.tp-dcs", "gsm_sms.tp.user_data_length",
          "gsm_sms.tp-mr", "gsm_a.rp.rp_message_reference", "gsm_sms.scts.year", "gsm_sms.scts.month", "gsm_sms.scts.day", "gsm_sms.scts.hour",
          "gsm_sms.scts.minutes", "gsm_sms.scts.seconds", "gsm_sms.scts.timezone",
          "gsm_a.dtap.cld_party_bcd_num", "gsm_a.dtap.clg_party_bcd_num", "gsm_a.dtap.cause",
          "e212.imsi", "3gpp.tmsi", "gsm_a.imei", "gsm_a.imeisv", "e212.lai.mcc", "e212.lai.mnc", "gsm_a.lac"]
SCTS = [f for f in FIELDS if f.startswith("gsm_sms.scts")]


def tshark_fields(tshark, pcap):
    cmd = [tshark, "-r", pcap, "-n", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
           "-E", "aggregator=|", "-e", "frame.number", "-e", "gsmtap.type", "-e", "_ws.col.Info"]
    for f in FIELDS:
        cmd += ["-e", f]
    cmd += ["-Y", "gsmtap && (" + " || ".join(FIELDS) + ")"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        cols = line.split("\t")
        frame, gtype, info = int(cols[0]), int(cols[1] or 0), cols[2]
        vals = {}
        for f, v in zip(FIELDS, cols[3:]):
            if v:
                vals[f] = v.split("|")
        rows[frame] = (gtype, info, vals)
    return rows


def digits(ids):
    return [i["value"].lstrip("+") for i in ids if i["type"] in ("e164", "number")]


def sluice_fields(sluice, pcap):
    out = subprocess.run([sluice, "extract", "--format", "json", "--types", "sms,call,identity", "-r", pcap],
                         check=True, capture_output=True, text=True).stdout
    rows = collections.defaultdict(lambda: collections.defaultdict(list))
    for line in out.splitlines():
        ev = json.loads(line)
        fr = ev.get("frame")
        if fr is None:
            continue
        r = rows[fr]
        if ev["type"] == "sms":
            num = {"submit": ("gsm_sms.tp-da", ev["recipient"]), "deliver": ("gsm_sms.tp-oa", ev["originator"]),
                   "status_report": ("gsm_sms.tp-ra", ev["recipient"])}[ev["tpdu"]]
            r[num[0]] += digits(num[1]["ids"])
            if ev["tpdu"] != "status_report":
                r["gsm_sms.tp-dcs"].append(str(ev["dcs"]))
                r["gsm_sms.tp.user_data_length"].append(str(ev["length"]))
            if ev["tpdu"] != "deliver":
                r["gsm_sms.tp-mr"].append(str(ev["message_ref"]))
            r["gsm_a.rp.rp_message_reference"].append(str(ev["rp_ref"]))
            if ev["smsc"]:
                key = "gsm_a.dtap.cld_party_bcd_num" if ev["direction"] == "mo" else "gsm_a.dtap.clg_party_bcd_num"
                r[key].append(ev["smsc"]["value"].lstrip("+"))
            if ev["scts"]:
                import datetime
                tz = ev["scts"]["tz_minutes"]
                t = datetime.datetime.fromtimestamp(ev["scts"]["utc"] + tz * 60, datetime.timezone.utc)
                for f, v in zip(SCTS, [t.year % 100, t.month, t.day, t.hour, t.minute, t.second]):
                    r[f].append(str(v))
                r["gsm_sms.scts.timezone"].append("GMT %+d hours %d minutes" % (int(tz / 60), abs(tz) % 60))
        elif ev["type"] == "call":
            if ev["event"] == "attempt":
                if ev["direction"] == "from_caller":
                    r["gsm_a.dtap.cld_party_bcd_num"] += digits(ev["callee"]["ids"])
                    r["gsm_a.dtap.clg_party_bcd_num"] += digits(ev["caller"]["ids"])
            elif ev["event"] == "end" and ev["cause"] is not None:
                r["gsm_a.dtap.cause"].append(str(ev["cause"]))
        elif ev["type"] == "identity":
            seen = ev["seen"]
            key = {"imsi": "e212.imsi", "tmsi": "3gpp.tmsi", "imei": "gsm_a.imei", "imeisv": "gsm_a.imeisv"}[ev["mi_type"]]
            r[key].append(seen["value"])
            if ev["lai"]:
                r["e212.lai.mcc"].append(ev["lai"]["mcc"])
                r["e212.lai.mnc"].append(ev["lai"]["mnc"])
                r["gsm_a.lac"].append(str(ev["lai"]["lac"]))
    return rows


def norm(field, v):
    if field == "3gpp.tmsi":
        return v if len(v) == 8 and not v.startswith("0x") else "%08x" % int(v, 0)
    if field == "gsm_a.dtap.cause":
        return str(int(v, 0) & 0x7f)
    if field in ("gsm_a.imei", "gsm_a.imeisv"):
        return v[:14]
    if field in ("gsm_sms.tp-dcs", "gsm_a.rp.rp_message_reference", "gsm_a.lac"):
        return str(int(v, 0))
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--sluice", required=True)
    ap.add_argument("pcap")
    a = ap.parse_args()
    ts = tshark_fields(a.tshark, a.pcap)
    sl = sluice_fields(a.sluice, a.pcap)
    compared = agree = not_compared = explained = 0
    failures = []
    ended_calls = set(fr for fr, r in sl.items() if "gsm_a.dtap.cause" in r)
    for frame in sorted(set(ts) | set(sl)):
        gtype, info, tv = ts.get(frame, (None, "", {}))
        sv = sl.get(frame, {})
        if gtype is not None and gtype not in (1, 2):
            not_compared += sum(len(v) for v in tv.values())
            if sv:
                failures.append(f"frame {frame}: sluice reported {dict(sv)} from GSMTAP type {gtype}")
            continue
        for f in FIELDS:
            t = sorted(norm(f, v) for v in tv.get(f, []))
            s = sorted(norm(f, v) for v in sv.get(f, []))
            if not t and not s:
                continue
            if t == s:
                compared += len(t)
                agree += len(t)
                continue
            if not s and f == "gsm_a.dtap.cause" and ("Release" in info) and ended_calls:
                explained += len(t)
                print(f"explained: frame {frame} {f}={t}: clearing after the call's end ({info.strip()})")
                continue
            raw = tv.get(f, [])
            if not s and f in ("gsm_a.imei", "gsm_a.imeisv") and any("?" in v for v in raw):
                explained += len(t)
                print(f"explained: frame {frame} {f}={raw}: a filler nibble inside the digits, which TS 24.008 "
                      f"10.5.1.4 does not allow: sluice rejects it (gsm:dtap:malformed), tshark shows '?'")
                continue
            if not s and f == "gsm_a.rp.rp_message_reference" and ("RP-ACK" in info or "RP-ERROR" in info):
                explained += len(t)
                print(f"explained: frame {frame} {f}={t}: RP-ACK and RP-ERROR make no event ({info.strip()})")
                continue
            if not s and "(GMM)" in info:
                explained += len(t)
                print(f"explained: frame {frame} {f}={t}: GPRS mobility management (GMM) is not decoded ({info.strip()})")
                continue
            if not s and f in ("e212.lai.mcc", "e212.lai.mnc", "gsm_a.lac") and ("System Information" in info or "GPRS Suspension" in info):
                explained += len(t)
                continue	# summarised below: broadcast cell data, no subscriber
            if not s and f == "3gpp.tmsi" and "Paging Request" in info:
                explained += len(t)
                print(f"explained: frame {frame} {f}={t}: paging request (broadcast), not the stream's phone")
                continue
            compared += max(len(t), len(s))
            failures.append(f"frame {frame} {f}: tshark {t} sluice {s} ({info.strip()})")
    print(f"{a.pcap}: {compared} field values compared, {agree} agree; {explained} explained; "
          f"{not_compared} in RRC frames not compared")
    for f in failures:
        print("DIFF " + f)
    return 1 if failures or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
