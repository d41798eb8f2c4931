#!/usr/bin/env python3
"""Turn `sluiced --vty-reference` (libosmocore's VTY reference XML) into
docs/console.md: every console node with its commands and what each word
of them means. Read from stdin, written to stdout; `make docs` runs it and
tests/docs/console_doc.sh checks the committed page is what the code says."""
import sys
import xml.etree.ElementTree as ET

NS = "{urn:osmocom:xml:libosmocore:vty:doc:1.0}"


def md(s):
    return (s or "").replace("|", "\\|").replace("\n", " ").strip()


root = ET.fromstring(sys.stdin.read())
out = ["# The sluiced console, command by command", "",
       "Generated from the running code (`sluiced --vty-reference`, libosmocore's VTY",
       "reference) by `make docs`; `tests/docs/console_doc.sh` keeps it in step.",
       "How the console is protected: [operating.md](operating.md#the-console). Each",
       "command is followed by what each of its words means, as `?` shows on the console.", ""]
for node in root.findall(NS + "node"):
    name = node.findtext(NS + "name") or node.get("id")
    out.append("## %s" % name)
    out.append("")
    desc = node.findtext(NS + "description")
    if desc:
        out.append(md(desc))
        out.append("")
    for cmd in node.findall(NS + "command"):
        out.append("- `%s`" % cmd.get("id"))
        for p in cmd.iter(NS + "param"):
            out.append("  - `%s`: %s" % (p.get("name"), md(p.get("doc"))))
    out.append("")
sys.stdout.write("\n".join(out).rstrip("\n") + "\n")
