#!/usr/bin/env python3
"""Compare `sluice extract --format json` output with sluice-gencap's truth.

The generator knows exactly what it put in a capture (tests/bench/README.md
describes the truth format); this script checks that sluice extracted all of
it and nothing else:

  sip           every SIP message once: (Call-ID, method, status, From user,
                To user) equal the truth's "sip" array as a multiset;
  calls         per truth call: one attempt at the INVITE's stamp; one
                ringing event iff the callee sent 180/183; answered calls one
                answer at the 200 OK and an end "bye" at the BYE with the
                right duration; cancelled calls an end "cancel" at the
                CANCEL; rejected calls an end "rejected" at the final error
                response with its status; no call events for other Call-IDs;
  messages      one message event per MESSAGE transaction, same From/To;
  registrations one "registered" event (status 200) per REGISTER exchange;
  rtp_stream    per (src, dst, SSRC): RTP packets and lost equal the truth,
                RTCP packets (from the RTP port + 1) equal its sender
                reports; no other streams.

Stamps are compared to the microsecond. Prints every difference (at most
--max per check) and exits 1 if there is any, 0 otherwise.

Usage: compare_truth.py TRUTH.json EVENTS.jsonl
"""
import argparse
import collections
import json
import sys


class Report:
    def __init__(self, limit):
        self.limit = limit
        self.counts = collections.Counter()

    def fail(self, check, text):
        self.counts[check] += 1
        if self.counts[check] <= self.limit:
            print(f"FAIL {check}: {text}")
        elif self.counts[check] == self.limit + 1:
            print(f"FAIL {check}: ... (further differences not shown)")

    def total(self):
        return sum(self.counts.values())


def us(t):
    """Epoch seconds (float with six decimals) to integer microseconds."""
    return None if t is None else round(t * 1e6)


def ep_rtcp(ep):
    """The RTCP endpoint paired with an RTP one: same address, port + 1."""
    host, _, port = ep.rpartition(":")
    return f"{host}:{int(port) + 1}"


def has_user(party, user):
    """True if one of the party's identities carries the truth's user part."""
    for ident in party.get("ids") or []:
        value = ident.get("value") or ""
        if value == user or value.endswith(":" + user) or (":" + user + "@") in value:
            return True
    return False


def check_sip(truth, ev, rep):
    want = collections.Counter(
        (m[0], m[1], m[2], m[3], m[4]) for m in truth["sip"])
    got = collections.Counter(
        (e["call_id"], e["method"], e["status"], e["from"]["user"], e["to"]["user"])
        for e in ev["sip"])
    for k in sorted(set(want) | set(got), key=repr):
        if want[k] != got[k]:
            rep.fail("sip", f"{k}: truth {want[k]}, sluice {got[k]}")


def check_calls(truth, ev, rep):
    by_call = collections.defaultdict(lambda: collections.defaultdict(list))
    for e in ev["call"]:
        by_call[e["call_id"]][e["event"]].append(e)
    ringing = {m[0] for m in truth["sip"] if m[2] in (180, 183)}
    known = set()
    for c in truth["calls"]:
        cid = c["call_id"]
        known.add(cid)
        got = by_call.get(cid, {})
        counts = {k: len(v) for k, v in got.items()}
        answered = c["outcome"] == "answered"
        expect = {"attempt": 1, "ringing": 1 if cid in ringing else 0,
                  "answer": 1 if answered else 0, "end": 1}
        for kind, n in expect.items():
            if counts.get(kind, 0) != n:
                rep.fail("calls", f"{cid} ({c['outcome']}): {counts.get(kind, 0)} {kind} events, want {n}")
        for kind in set(counts) - set(expect):
            rep.fail("calls", f"{cid}: unexpected {kind} events")
        if len(got.get("attempt", [])) == 1 and us(got["attempt"][0]["ts"]) != us(c["start"]):
            rep.fail("calls", f"{cid}: attempt at {got['attempt'][0]['ts']}, truth {c['start']}")
        if answered and len(got.get("answer", [])) == 1 and us(got["answer"][0]["ts"]) != us(c["answer"]):
            rep.fail("calls", f"{cid}: answer at {got['answer'][0]['ts']}, truth {c['answer']}")
        if len(got.get("end", [])) != 1:
            continue
        end = got["end"][0]
        if answered:
            want_reason, want_ts = "bye", c["end"]
        elif c["outcome"] == "cancelled":
            want_reason, want_ts = "cancel", c["cancel"]
        else:
            want_reason, want_ts = "rejected", c["end"]
        if end.get("reason") != want_reason:
            rep.fail("calls", f"{cid} ({c['outcome']}): end reason {end.get('reason')!r}, want {want_reason!r}")
        if us(end["ts"]) != us(want_ts):
            rep.fail("calls", f"{cid} ({c['outcome']}): end at {end['ts']}, truth {want_ts}")
        if end.get("answered") is not answered:
            rep.fail("calls", f"{cid}: end says answered={end.get('answered')}, truth {answered}")
        if answered:
            dur = (us(c["end"]) - us(c["answer"])) / 1e6
            if end.get("duration") is None or abs(end["duration"] - dur) > 0.0015:
                rep.fail("calls", f"{cid}: duration {end.get('duration')}, truth {dur:.6f}")
        if c["outcome"] == "rejected":
            final = [m[2] for m in truth["sip"] if m[0] == cid and m[2] and m[2] >= 300]
            if final and end.get("status") != final[0]:
                rep.fail("calls", f"{cid}: end status {end.get('status')}, truth {final[0]}")
    for cid in sorted(set(by_call) - known):
        rep.fail("calls", f"{cid}: call events for a Call-ID the truth has no call for")


def check_transactions(truth, ev, rep):
    """MESSAGE and REGISTER: the truth's "sip" array names their Call-IDs."""
    msgs = {}
    regs = set()
    for m in truth["sip"]:
        if m[1] == "MESSAGE":
            msgs[m[0]] = (m[3], m[4])
        elif m[1] == "REGISTER":
            regs.add(m[0])
    if len(msgs) != truth["totals"]["messages"]:
        rep.fail("messages", f"truth lists {len(msgs)} MESSAGE Call-IDs but totals say {truth['totals']['messages']}")
    if len(regs) != truth["totals"]["registrations"]:
        rep.fail("registrations",
                 f"truth lists {len(regs)} REGISTER Call-IDs but totals say {truth['totals']['registrations']}")

    got = collections.Counter(e["call_id"] for e in ev["message"])
    for cid in sorted(set(msgs) | set(got)):
        if got[cid] != (1 if cid in msgs else 0):
            rep.fail("messages", f"{cid}: {got[cid]} message events, want {1 if cid in msgs else 0}")
    for e in ev["message"]:
        if e["call_id"] in msgs:
            fu, tu = msgs[e["call_id"]]
            if not has_user(e["from"], fu) or not has_user(e["to"], tu):
                rep.fail("messages", f"{e['call_id']}: from/to {e['from']}/{e['to']}, truth {fu}/{tu}")

    got = collections.Counter(e["call_id"] for e in ev["registration"])
    for cid in sorted(regs | set(got)):
        if got[cid] != (1 if cid in regs else 0):
            rep.fail("registrations", f"{cid}: {got[cid]} registration events, want {1 if cid in regs else 0}")
    for e in ev["registration"]:
        if e["call_id"] in regs and (e.get("result") != "registered" or e.get("status") != 200):
            rep.fail("registrations", f"{e['call_id']}: result {e.get('result')} status {e.get('status')}")


def check_rtp(truth, ev, rep):
    want_rtp, want_rtcp = {}, {}
    for s in truth["rtp_streams"]:
        want_rtp[(s["src"], s["dst"], s["ssrc"])] = (s["packets"], s["lost"])
        if s["rtcp"]:
            want_rtcp[(ep_rtcp(s["src"]), ep_rtcp(s["dst"]), s["ssrc"])] = s["rtcp"]
    got_rtp = collections.defaultdict(list)
    got_rtcp = collections.defaultdict(list)
    for e in ev["rtp_stream"]:
        key = (e["src"], e["dst"], e["ssrc"])
        if e["proto"] == "rtp":
            got_rtp[key].append((e["packets"], e["lost"]))
        else:
            got_rtcp[key].append(e["packets"])
    for key in sorted(set(want_rtp) | set(got_rtp), key=repr):
        w = [want_rtp[key]] if key in want_rtp else []
        if got_rtp.get(key, []) != w:
            rep.fail("rtp", f"{key}: sluice (packets, lost) {got_rtp.get(key, [])}, truth {w}")
    for key in sorted(set(want_rtcp) | set(got_rtcp), key=repr):
        w = [want_rtcp[key]] if key in want_rtcp else []
        if got_rtcp.get(key, []) != w:
            rep.fail("rtcp", f"{key}: sluice packets {got_rtcp.get(key, [])}, truth {w}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("truth")
    ap.add_argument("events")
    ap.add_argument("--max", type=int, default=20, help="differences shown per check")
    args = ap.parse_args()

    with open(args.truth, encoding="utf-8") as f:
        truth = json.load(f)
    ev = collections.defaultdict(list)
    with open(args.events, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                e = json.loads(line)
            except ValueError as exc:
                print(f"FAIL json: {args.events}:{n}: {exc}")
                return 1
            ev[e["type"]].append(e)

    rep = Report(args.max)
    check_sip(truth, ev, rep)
    check_calls(truth, ev, rep)
    check_transactions(truth, ev, rep)
    check_rtp(truth, ev, rep)

    t = truth["totals"]
    if rep.total():
        print("differences: " + ", ".join(f"{k} {v}" for k, v in sorted(rep.counts.items())))
        return 1
    print(f"OK: {len(ev['sip'])} SIP messages, {t['calls']['total']} calls ({t['calls']['answered']} answered, "
          f"{t['calls']['cancelled']} cancelled, {t['calls']['rejected']} rejected), {t['messages']} messages, "
          f"{t['registrations']} registrations, {t['rtp_streams']} RTP streams ({t['rtp_packets']} packets, "
          f"{t['rtcp_packets']} RTCP) agree with the truth")
    return 0


if __name__ == "__main__":
    sys.exit(main())
