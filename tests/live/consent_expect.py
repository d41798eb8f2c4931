#!/usr/bin/env python3
"""The records sluiced must export for a capture and a registry, worked
out independently of the C code (tests/live/consent_daemon.sh, part 1):
decisions from the consent records, pseudonyms with Python's hmac and
hashlib following docs/consent.md, the record format of "Export
records". Also checks each line's bytes (compact, keys in the documented
order) and that the export.batch audit records describe the segments
exactly (digest of the bytes at segment/offset/length, counts, subjects
as audit pseudonyms).

usage: consent_expect.py EVENTS CONSENTS MASTER_KEY EXPORT_ROOT BATCHES_JSON AUDIT_PKEY BUCKET
"""
import collections, glob, hashlib, hmac, json, os, sys

events, consents, keyf, root, batches_f, apkey_f, bucket = sys.argv[1:8]
bucket = int(bucket)
master = bytes.fromhex(open(keyf).read().strip())
apkey = bytes.fromhex(open(apkey_f).read().strip())
RECIPIENTS = {"acme": {"call-metadata", "messaging-metadata", "location", "device"},
              "beta": {"call-metadata", "messaging-metadata"}}

given = {}
for line in open(consents):
    c = json.loads(line)
    if c["status"] == "dpv:ConsentGiven":
        given[(c["subject"]["value"], c["recipient"])] = set(c["categories"])

def allowed(s, r, cat):
    return s is not None and cat in RECIPIENTS[r] and cat in given.get((s, r), set())

def pseud(t_s, r, value):
    epoch = t_s // 2592000
    prk = hmac.new(b"sluice-consent-pseudonym-v1", master, hashlib.sha256).digest()
    info = b"recipient\0" + r.encode() + b"\0" + epoch.to_bytes(8, "big")
    key = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()
    return hmac.new(key, b"msisdn\0" + value.encode(), hashlib.sha256).hexdigest()

def e164(p):
    for i in (p or {}).get("ids", []):
        if i["type"] == "e164":
            return i["value"]

want = collections.defaultdict(list)
audit_tag = {}
for line in open(events):
    e = json.loads(line)
    if e["type"] == "call" and e["event"] == "end":
        parties, cat = (("caller", "caller", "callee"), ("callee", "callee", "caller")), "call-metadata"
    elif e["type"] == "message":
        parties, cat = (("sender", "from", "to"), ("receiver", "to", "from")), "messaging-metadata"
    else:
        continue
    t = int(e["ts"])
    for r in RECIPIENTS:
        for role, me, other in parties:
            s, o = e164(e[me]), e164(e[other])
            if not allowed(s, r, cat):
                continue
            rec = {"type": e["type"], "time": t - t % bucket, "subject": pseud(t, r, s), "role": role,
                   "peer": pseud(t, r, o) if allowed(o, r, cat) else None}
            if e["type"] == "call":
                rec["answered"] = e["answered"]
                rec["duration"] = int(e["duration"]) if e["answered"] else 0
                rec["outcome"] = e["reason"]
            rec["location"] = None
            rec["device"] = None
            want[r].append(rec)
            audit_tag[(r, rec["subject"])] = "hmac-sha256:" + hmac.new(apkey, b"msisdn\0" + s.encode(),
                                                                        hashlib.sha256).hexdigest()

def key(rec):
    return tuple((k, v) for k, v in rec.items() if k != "duration")

fail = []
got_lines = {}
for r in RECIPIENTS:
    got = []
    for f in sorted(glob.glob(os.path.join(root, r, "*.jsonl"))):
        for raw in open(f, "rb"):
            assert raw.endswith(b"\n")
            rec = json.loads(raw)
            if json.dumps(rec, separators=(",", ":")).encode() + b"\n" != raw:
                fail.append("%s: line not in the documented byte form: %r" % (f, raw))
            got.append(rec)
    got_lines[r] = len(got)
    w = sorted(want[r], key=lambda x: json.dumps(key(x)))
    g = sorted(got, key=lambda x: json.dumps(key(x)))
    if [key(x) for x in w] != [key(x) for x in g]:
        wc, gc = collections.Counter(json.dumps(key(x)) for x in w), collections.Counter(json.dumps(key(x)) for x in g)
        fail.append("%s: %d records expected, %d exported; missing %s; unexpected %s" %
                    (r, len(w), len(g), list((wc - gc).elements())[:3], list((gc - wc).elements())[:3]))
    else:
        for a, b in zip(w, g):
            if abs(a.get("duration", 0) - b.get("duration", 0)) > 1:
                fail.append("%s: duration %s, expected about %s" % (r, b.get("duration"), a.get("duration")))
    if not w:
        fail.append("%s: the test expects no record at all" % r)

# the audit log's export.batch records against the files
batches = [json.loads(l) for l in open(batches_f) if l.strip()]
covered = collections.defaultdict(int)
records = collections.Counter()
ids = set()
for b in batches:
    f = b["fields"]
    path = os.path.join(root, f["recipient"], f["segment"])
    data = open(path, "rb").read()
    chunk = data[f["offset"]:f["offset"] + f["length"]]
    if "sha256:" + hashlib.sha256(chunk).hexdigest() != f["digest"]:
        fail.append("batch %s: digest does not match %s at %d" % (f["batch_id"], f["segment"], f["offset"]))
    if chunk.count(b"\n") != f["records"]:
        fail.append("batch %s: %d records recorded, %d in the file" % (f["batch_id"], f["records"], chunk.count(b"\n")))
    if covered[path] != f["offset"]:
        fail.append("batch %s: starts at %d, the previous batch ended at %d" % (f["batch_id"], f["offset"], covered[path]))
    covered[path] = f["offset"] + f["length"]
    records[f["recipient"]] += f["records"]
    subj = {json.loads(l)["subject"] for l in chunk.splitlines()}
    if sorted(f.get("subjects", [])) != sorted({audit_tag[(f["recipient"], s)] for s in subj}):
        fail.append("batch %s: subjects in the audit record are not the batch's" % f["batch_id"])
    if (f["recipient"], f["batch_id"]) in ids:
        fail.append("batch id %s twice" % f["batch_id"])
    ids.add((f["recipient"], f["batch_id"]))
for path, end in covered.items():
    if os.path.getsize(path) != end:
        fail.append("%s: %d bytes, the batches cover %d" % (path, os.path.getsize(path), end))
for r in RECIPIENTS:
    if records[r] != got_lines[r]:
        fail.append("%s: audit records count %d records, the files hold %d" % (r, records[r], got_lines[r]))
segs = len(glob.glob(os.path.join(root, "*", "*.jsonl")))
if fail:
    print("\n".join(fail))
    sys.exit(1)
print("exports: %s records as expected, %d batches in %d segments, every digest matches" %
      (dict(got_lines), len(batches), segs))
