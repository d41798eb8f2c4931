#!/usr/bin/env python3
"""Hostile captures through `sluice extract` (issue #16: under attack and overload).

For each kind hostile-gen writes (tests/hostile/hostile_gen.c) this runs
`sluice extract` with small limits and asserts:

  (a) linear cost: the CPU time (user + system of the child, from
      /usr/bin/time; start-up measured on an empty capture and subtracted)
      per frame (per byte for the kinds made of full-size segments, per SIP
      message for the INVITE flood) stays within a stated factor (3) of the
      same measure on a benign capture in the same run; and the kind run at
      twice its length costs at most SCALING_MAX times as much per unit as
      at once its length (a quadratic cost gives 2);
  (b) bounded memory: the child's peak RSS (/usr/bin/time's %M) stays under
      the empty run's plus a bound derived from the configured limits, and
      does not grow (beyond RSS_GROWTH) when the attack is twice as long;
  (c) the counters the kind must move, with their expected values or
      ranges, the totals' "rejected" figures equal to the sums of the
      rejection counters, and, under the INVITE, fragment and RTP floods,
      the legitimate call placed amid the attack reported completely
      (attempt, ringing, answer, end by BYE).

Usage: hostile.py SLUICE HOSTILE_GEN TMPDIR
Prints one line of figures per kind; every kind runs, and the exit status is
1 if any assertion failed. HOSTILE_KINDS="kind ..." runs only those kinds.
"""
import json
import os
import re
import subprocess
import sys

MiB = 1024 * 1024
LIMITS = {
    "max-flows": 256,
    "max-dialogs": 200,
    "max-rtp-streams": 64,
    "max-media": 256,
    "max-frag-bytes": 64 * 1024,
    "max-frag-datagrams": 64,
    "max-stream-bytes": 1 * MiB,
    "max-tcp-ooo-bytes": 256 * 1024,
}
# What the limits imply, per docs/operating.md ("Limits and the memory they
# imply", measured on a plain build): 3.7 KB per dialog, 2.9 KB per flow,
# 0.3 KB per RTP stream and per fragment datagram, 8 bytes per media index
# slot (and a generous 1 KB per endpoint), the byte limits as they are.
IMPLIED = (LIMITS["max-dialogs"] * 3800 + LIMITS["max-flows"] * 3000 + LIMITS["max-rtp-streams"] * 320 +
           LIMITS["max-media"] * 1024 + LIMITS["max-frag-datagrams"] * 320 + LIMITS["max-frag-bytes"] +
           LIMITS["max-stream-bytes"] + LIMITS["max-tcp-ooo-bytes"])
# Peak RSS over the empty run: at most RSS_FACTOR times the implied memory
# plus RSS_SLACK (the pcap reader's buffers, allocator and sanitizer
# bookkeeping of the frames in flight).
RSS_FACTOR = 4
RSS_SLACK = 16 * MiB
# Peak RSS at twice the attack's length over once its length: the input must
# not show in memory (allocator and sanitizer quarantine noise only).
RSS_GROWTH = 4 * MiB
# Cost at twice the length over cost at once the length, per unit.
SCALING_MAX = 1.6

failures = []


def fail(kind, what):
    failures.append("%s: %s" % (kind, what))
    print("FAIL %s: %s" % (kind, what), flush=True)


def gen(hgen, kind, scale, path):
    out = subprocess.run([hgen, kind, str(scale), path], check=True, capture_output=True, text=True).stdout
    return {k: int(v) for k, v in (line.split() for line in out.splitlines())}


def extract(sluice, pcap, tmp):
    """Run sluice extract; returns (cpu seconds, peak RSS bytes, counters, totals text, call events)."""
    events = os.path.join(tmp, "events.json")
    args = [sluice, "extract", "-r", pcap, "--format", "json", "-t", "call", "-o", events, "-s", "--counters",
            "--no-progress", "-q"]
    for k, v in LIMITS.items():
        args += ["--" + k, str(v)]
    rusage = os.path.join(tmp, "rusage")
    # /usr/bin/time forks sluice from its own small process: a child started
    # from this Python process (vfork, or fork of a larger one) would inherit
    # its parent's peak RSS in ru_maxrss.
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", rusage] + args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    totals = p.stderr
    counters = {}
    for m in re.finditer(r"^  ([a-z_]+:[a-z0-9_:\-]+) (\d+)$", totals, re.M):
        counters[m.group(1)] = int(m.group(2))
    calls = []
    with open(events) as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("type") == "call":
                calls.append(ev)
    with open(rusage) as f:
        user, system, maxrss_kb = f.read().split()[-3:]
    return float(user) + float(system), int(maxrss_kb) * 1024, counters, totals, calls


def c(counters, name):
    return counters.get(name, 0)


def check_rejected_sums(kind, counters, totals):
    """The totals' rejected figures are the sums of the rejection counters, by name."""
    m = re.search(r"^sip messages .*, rejected (\d+)$", totals, re.M)
    sip_sum = sum(v for k, v in counters.items() if k.startswith("sip:rejected:")) + \
        c(counters, "sip:stream:oversize") + c(counters, "sip:ws:malformed")
    if not m or int(m.group(1)) != sip_sum:
        fail(kind, "sip rejected %s != sum of sip:rejected:*, sip:stream:oversize, sip:ws:malformed %d" %
             (m and m.group(1), sip_sum))
    m = re.search(r"^rejected +(\d+) frames \(truncated/malformed/unsupported\), (\d+) rtp$", totals, re.M)
    dec_sum = sum(v for k, v in counters.items()
                  if k.startswith("decode:") and re.search(r":(truncated|malformed|unsupported|too_deep)$", k)) + \
        c(counters, "defrag:malformed") + c(counters, "defrag:too_big")
    if not m or int(m.group(1)) != dec_sum:
        fail(kind, "rejected frames %s != sum of decode:*:truncated|malformed|unsupported|too_deep, "
                   "defrag:malformed, defrag:too_big %d" %
             (m and m.group(1), dec_sum))
    elif int(m.group(2)) != c(counters, "rtp:malformed"):
        fail(kind, "rejected rtp %s != rtp:malformed %d" % (m.group(2), c(counters, "rtp:malformed")))
    m = re.search(r"^gsm +\d+ gsmtap frames, .*, rejected (\d+)$", totals, re.M)
    gsm_sum = sum(v for k, v in counters.items()
                  if k.startswith("gsm:") and re.search(r":(truncated|malformed|unsupported)$", k)) + \
        c(counters, "gsm:lapdm:ui_segmented") + c(counters, "gsm:lapdm:overflow")
    if (m and int(m.group(1)) != gsm_sum) or (not m and c(counters, "gsm:gsmtap:frames")):
        fail(kind, "gsm rejected %s != sum of gsm:*:truncated|malformed|unsupported, gsm:lapdm:ui_segmented, "
                   "gsm:lapdm:overflow %d" % (m and m.group(1), gsm_sum))
    return dec_sum, sip_sum


def legit_call_complete(kind, calls):
    evs = [e["event"] for e in calls if e.get("call_id") == "legit-call@hostile.example"]
    ends = [e for e in calls if e.get("call_id") == "legit-call@hostile.example" and e["event"] == "end"]
    if evs != ["attempt", "ringing", "answer", "end"] or ends[0].get("reason") != "bye":
        fail(kind, "the legitimate call was not reported completely: %s %s" %
             (evs, ends and ends[0].get("reason")))
        return False
    return True


def expect(kind, counters, name, lo, hi=None):
    v = c(counters, name)
    hi = lo if hi is None else hi
    if not lo <= v <= hi:
        fail(kind, "%s = %d, expected %s" % (name, v, lo if lo == hi else "%d..%d" % (lo, hi)))


# Each kind: the unit its cost is normalised by (frame; byte for the kinds
# made of full-size segments; SIP message for the INVITE flood, whose every
# frame is one, where three in four of the benign frames are RTP), the factor
# its cost per unit may exceed the benign capture's by, and its counter checks.
def check_tcp_1byte(k, g, n, calls):
    expect(k, n, "sip:messages:tcp", g["sip_tcp"])
    expect(k, n, "tcp:segments", g["frames"])
    expect(k, n, "sip:stream:oversize", 0)
    expect(k, n, "tcp:gap", 0)


def check_invite_flood(k, g, n, calls):
    d = LIMITS["max-dialogs"]
    expect(k, n, "dialog:calls", g["calls"])
    # the table holds max-dialogs; every flood INVITE beyond that evicts an unanswered one
    expect(k, n, "dialog:evicted:unanswered", g["calls"] - d, g["calls"] - d + 1)
    expect(k, n, "dialog:evicted:answered", 0)
    expect(k, n, "dialog:end:evicted", c(n, "dialog:evicted:unanswered"))
    expect(k, n, "dialog:end:bye", 1)
    legit_call_complete(k, calls)


def check_frag_flood(k, g, n, calls):
    per = LIMITS["max-frag-bytes"] // 1400
    expect(k, n, "defrag:fragments", g["fragments"])
    expect(k, n, "defrag:reassembled", 1)
    # all but what the byte limit holds are evicted (or time out)
    ev = c(n, "defrag:evicted") + c(n, "defrag:timeout")
    if not g["flood_fragments"] - per - 1 <= ev <= g["flood_fragments"]:
        fail(k, "defrag evicted+timeout %d, expected %d..%d" % (ev, g["flood_fragments"] - per - 1,
                                                               g["flood_fragments"]))
    legit_call_complete(k, calls)


def check_tcp_holes(k, g, n, calls):
    expect(k, n, "flow:new", g["connections"])
    expect(k, n, "flow:evicted", g["connections"] - LIMITS["max-flows"], g["connections"])
    expect(k, n, "tcp:out_of_order", 1, g["held_segments"])
    # every hole is given up on (limit, eviction or capture end), and its bytes counted at most once
    expect(k, n, "tcp:gap", 1, g["connections"])
    if not 0 < c(n, "tcp:gap_bytes") <= g["skipped_bytes"]:
        fail(k, "tcp:gap_bytes %d not in 1..%d (bytes skipped)" % (c(n, "tcp:gap_bytes"), g["skipped_bytes"]))
    expect(k, n, "tcp:desync", 0)
    # every data segment (1000 bytes each) is delivered or counted as discarded (held when its flow was evicted)
    if c(n, "tcp:bytes") // 1000 + c(n, "tcp:limit_drop") != g["held_segments"]:
        fail(k, "tcp:bytes/1000 %d + tcp:limit_drop %d != data segments sent %d" %
             (c(n, "tcp:bytes") // 1000, c(n, "tcp:limit_drop"), g["held_segments"]))


def check_rtp_flood(k, g, n, calls):
    expect(k, n, "rtp:streams:evicted", g["flood_packets"] + 1 - LIMITS["max-rtp-streams"],
           g["flood_packets"] + 1)
    expect(k, n, "rtp:packets", g["flood_packets"] + 10)
    legit_call_complete(k, calls)


def check_big_message(k, g, n, calls):
    expect(k, n, "sip:stream:oversize", g["big_messages"])
    expect(k, n, "sip:messages:tcp", g["small_messages"])
    expect(k, n, "dialog:messages", g["small_messages"])


def check_many_headers(k, g, n, calls):
    expect(k, n, "sip:messages:tcp", g["sip_tcp"])
    expect(k, n, "dialog:messages", g["sip_tcp"])
    expect(k, n, "sip:stream:oversize", 0)


def check_garbage(k, g, n, calls):
    expect(k, n, "decode:frames", g["frames"])
    if c(n, "tcp:gap_bytes") > g["tcp_payload_bytes"]:
        fail(k, "tcp:gap_bytes %d > TCP payload bytes sent %d" % (c(n, "tcp:gap_bytes"), g["tcp_payload_bytes"]))
    if c(n, "sip:stream:resync_bytes") > g["tcp_payload_bytes"]:
        fail(k, "sip:stream:resync_bytes %d > TCP payload bytes %d" % (c(n, "sip:stream:resync_bytes"),
                                                                      g["tcp_payload_bytes"]))
    if sum(v for key, v in n.items() if key.startswith("decode:") and key.endswith(("truncated", "malformed"))) == 0:
        fail(k, "no decode rejection counted on garbage")
    # (random UDP datagrams from port 4729 count as GSMTAP too: a handful)
    if not g["gsmtap_garbage"] <= c(n, "gsm:gsmtap:frames") <= g["gsmtap_garbage"] + 20:
        fail(k, "gsm:gsmtap:frames %d, GSMTAP datagrams sent %d" % (c(n, "gsm:gsmtap:frames"), g["gsmtap_garbage"]))
    if c(n, "gsm:gsmtap:malformed") + c(n, "gsm:gsmtap:truncated") == 0:
        fail(k, "no GSMTAP rejection counted on garbage")
    # the SIP-looking datagrams (one in eight frames) are refused, by four reasons at least
    sip_rej = sum(v for key, v in n.items() if key.startswith("sip:rejected:"))
    if len([key for key in n if key.startswith("sip:rejected:")]) < 4 or \
            not g["sip_garbage"] * 95 // 100 <= sip_rej <= g["sip_garbage"] + 100:
        fail(k, "SIP-looking garbage not refused by reason: %s" %
             {key: v for key, v in n.items() if key.startswith("sip:rejected:")})


# kind: (scale, unit, factor, check)
KINDS = {
    "tcp-1byte": (20, "frame", 3, check_tcp_1byte),
    "invite-flood": (5, "sip", 3, check_invite_flood),
    "frag-flood": (16, "frame", 3, check_frag_flood),
    "tcp-holes": (12, "frame", 3, check_tcp_holes),
    "rtp-flood": (24, "frame", 3, check_rtp_flood),
    "big-message": (3, "byte", 3, check_big_message),
    "many-headers": (12, "byte", 3, check_many_headers),
    "garbage": (24, "frame", 3, check_garbage),
}


def main():
    sluice, hgen, tmp = sys.argv[1:4]
    only = os.environ.get("HOSTILE_KINDS", "").split()
    empty = os.path.join(tmp, "empty.pcap")
    gen(hgen, "benign", 1, empty)
    with open(empty, "r+b") as f:
        f.truncate(24)
    cpu0, rss0, _, _, _ = extract(sluice, empty, tmp)
    bound = rss0 + RSS_FACTOR * IMPLIED + RSS_SLACK

    def measure(kind, scale):
        path = os.path.join(tmp, "%s-%d.pcap" % (kind, scale))
        g = gen(hgen, kind, scale, path)
        cpu, rss, counters, totals, calls = extract(sluice, path, tmp)
        os.unlink(path)
        g["sips"] = c(counters, "sip:messages:udp") + c(counters, "sip:messages:tcp")
        return g, max(cpu - cpu0, 1e-3), rss, counters, totals, calls

    bg, bcpu, brss, bn, btot, bcalls = measure("benign", 50)
    bcpu = min(bcpu, measure("benign", 50)[1])  # the lower of two: load only ever adds
    expect("benign", bn, "sip:messages:udp", bg["sip_udp"])
    expect("benign", bn, "sip:messages:tcp", bg["sip_tcp"])
    expect("benign", bn, "dialog:calls", bg["calls"])
    check_rejected_sums("benign", bn, btot)
    base = {u: bcpu / bg[u + "s"] for u in ("frame", "byte", "sip")}
    print("empty run: %.3f s cpu, peak RSS %.1f MB; memory bound %.1f MB (limits imply %.1f MB)" %
          (cpu0, rss0 / 1e6, bound / 1e6, IMPLIED / 1e6))
    print("benign: %d frames %.1f MB %d SIP messages, %.3f s cpu, %.2f us/frame, %.1f us/SIP message, "
          "peak RSS %.1f MB" % (bg["frames"], bg["bytes"] / 1e6, bg["sips"], bcpu, base["frame"] * 1e6,
                                base["sip"] * 1e6, brss / 1e6), flush=True)

    for kind, (scale, unit, factor, check) in KINDS.items():
        if only and kind not in only:
            continue
        # CPU time on a loaded machine only ever comes out too high: when a
        # ratio is over its bound, measure both lengths again (up to twice)
        # and keep each one's lowest time.
        for attempt in range(3):
            g1, cpu1_, rss1, n1, tot1, _ = measure(kind, scale)
            g, cpu_, rss, n, tot, calls = measure(kind, 2 * scale)
            cpu1 = cpu1_ if attempt == 0 else min(cpu1, cpu1_)
            cpu = cpu_ if attempt == 0 else min(cpu, cpu_)
            units1, units = g1[unit + "s"], g[unit + "s"]
            ratio = (cpu / units) / base[unit]
            scaling = (cpu / units) / (cpu1 / units1)
            if ratio <= factor and scaling <= SCALING_MAX:
                break
        check(kind, g, n, calls)
        dec_rej, sip_rej = check_rejected_sums(kind, n, tot)
        check_rejected_sums(kind, n1, tot1)
        if ratio > factor:
            fail(kind, "cost per %s %.1fx the benign capture's (bound %dx)" % (unit, ratio, factor))
        if scaling > SCALING_MAX:
            fail(kind, "cost per %s at 2x length %.2fx that at 1x (bound %.2f)" % (unit, scaling, SCALING_MAX))
        for r in (rss1, rss):
            if r > bound:
                fail(kind, "peak RSS %.1f MB over the bound %.1f MB" % (r / 1e6, bound / 1e6))
        if rss > rss1 + RSS_GROWTH:
            fail(kind, "peak RSS grew from %.1f MB to %.1f MB with twice the attack (bound +%.1f MB)" %
                 (rss1 / 1e6, rss / 1e6, RSS_GROWTH / 1e6))
        moved = " ".join("%s=%d" % (k, v) for k, v in sorted(n.items())
                         if not k.startswith(("decode:frames", "decode:bytes", "source")))
        print("%s: %d frames %.1f MB, cost/%s %.2fx benign, 2x/1x %.2f, peak RSS %.1f MB (1x %.1f MB), "
              "rejected frames %d sip %d; %s" %
              (kind, g["frames"], g["bytes"] / 1e6, unit, ratio, scaling, rss / 1e6, rss1 / 1e6, dec_rej,
               sip_rej, moved), flush=True)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
