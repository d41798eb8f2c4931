#!/bin/sh
# docs/consent-api.yaml and docs/consent.md must stay in step with the code:
#   - the OpenAPI file is valid YAML (PyYAML, if installed), an OpenAPI 3
#     document whose every $ref resolves, and its paths are exactly the
#     routes of mediation/consent/consent_api.c;
#   - the ledger table in docs/consent.md ("Value ledger") is byte for byte
#     the SQL that mediation/consent/consent_ledger.c runs.
set -u
: "${top_srcdir:?}"
exec python3 - "$top_srcdir" <<'PY'
import ast, re, sys
top = sys.argv[1]
rc = 0
def fail(msg):
    global rc
    print("consent_api_doc.sh: " + msg, file=sys.stderr)
    rc = 1

# the ledger SQL: docs block vs the C string literal
src = open(top + "/mediation/consent/consent_ledger.c").read()
m = re.search(r"static const char ledger_sql\[\] =\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+);", src)
code = "".join(ast.literal_eval(s) for s in re.findall(r"\"(?:[^\"\\]|\\.)*\"", m.group(1))) if m else None
doc = open(top + "/docs/consent.md").read()
blocks = [b for b in re.findall(r"```sql\n(.*?)```", doc, re.S) if "CREATE TABLE IF NOT EXISTS ledger" in b]
if code is None or len(blocks) != 1:
    fail("cannot find the ledger SQL in consent_ledger.c or docs/consent.md")
elif blocks[0] != code:
    fail("docs/consent.md's ledger table differs from consent_ledger.c:\n%s\n---\n%s" % (blocks[0], code))

# the OpenAPI description
try:
    import yaml
except ImportError:
    print("consent_api_doc.sh: PyYAML not installed (python3-yaml): YAML not checked")
    sys.exit(rc)
d = yaml.safe_load(open(top + "/docs/consent-api.yaml"))
if not str(d.get("openapi", "")).startswith("3."):
    fail("docs/consent-api.yaml is not OpenAPI 3")
def refs(o):
    if isinstance(o, dict):
        if "$ref" in o and len(o) > 1:
            fail("a $ref with siblings: %r" % o)
        for k, v in o.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(o, list):
        for v in o:
            yield from refs(v)
for r in refs(d):
    x = d
    try:
        for k in r[2:].split("/"):
            x = x[k]
    except (KeyError, TypeError):
        fail("unresolved $ref " + r)
want = {"/v1/consents": {"post"}, "/v1/consents/{id}/withdraw": {"post"},
        "/v1/subjects/{subject}/consents": {"get"}, "/v1/subjects/{subject}/report": {"get"}}
got = {p: {m for m in v if m != "parameters"} for p, v in d.get("paths", {}).items()}
if got != want:
    fail("paths %r, the code serves %r" % (got, want))
api = open(top + "/mediation/consent/consent_api.c").read()
for frag in ("/v1/consents", "/v1/subjects/", "/withdraw", "/consents", "/report"):
    if '"%s"' % frag not in api:
        fail("consent_api.c no longer routes %s" % frag)
if rc == 0:
    print("consent_api_doc.sh: OpenAPI description and ledger table agree with the code")
sys.exit(rc)
PY
