#!/usr/bin/env python3
"""Dependency rules of sluice's libraries, checked against the code.

Every library is a convenience archive whose Makefile fragment defines
X_DEPS, the link inputs it may use (other archives and system libraries),
and X_LIBS = archive + X_DEPS. `make` writes those, with each archive's
sources, into a manifest (tests/deps/Makefile.inc). This script proves the
rules hold, in two independent ways, so that neither a header nor a call
can cross a forbidden arrow:

  includes  every .c and .h of an archive is run through the preprocessor
            (cc -MM); each project header it reaches, directly or through
            other headers, must belong to the archive itself or to one the
            archive may use. Types and macros never reach the linker, so
            only this check sees them.
  links     each archive is linked whole (--whole-archive) into an empty
            program against only its allowed inputs: a call into a library
            it may not use is an undefined reference.
  cycles    no two files of one library call each other, directly or round
            a loop (symbols from nm on the archive's members), except the
            loops listed with their reason in cycles_allowed.txt: a cycle
            means the files have no order to be read or tested in.
  rules     the table itself never allows an arrow listed in forbidden.txt
            (consent to lawful, capture to mediation, ...), so nobody can
            legalise one by editing a Makefile fragment.
  docs      docs/ARCHITECTURE.md shows exactly the graph the build enforces
            (its direct arrows, between the graph markers).
  selftest  the include and link checks run on a fixture with a known
            violation and must report it: a check that cannot fail proves
            nothing.
"""

import fnmatch
import os
import re
import shlex
import subprocess
import sys
import tempfile


class Manifest:
    """Globals (cc, flags, directories) and one entry per archive."""

    def __init__(self, path):
        self.vars = {}
        self.archives = {}  # name -> {"deps": [tokens], "sources": [paths]}
        self.order = []
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                if line.startswith("lib "):
                    parts = line[4:].split("|")
                    if len(parts) != 3:
                        sys.exit(f"{path}:{n}: expected 'lib ARCHIVE|DEPS|SOURCES'")
                    name = parts[0].strip()
                    self.archives[name] = {
                        "deps": parts[1].split(),
                        "sources": parts[2].split(),
                    }
                    self.order.append(name)
                else:
                    k, _, v = line.partition("=")
                    self.vars[k.strip()] = v.strip()

    def allowed_archives(self, name):
        """Archives name may use: the archive tokens of its X_DEPS (already the closure)."""
        return [t for t in self.archives[name]["deps"] if t in self.archives]

    def owner_of(self):
        owner = {}
        for name in self.order:
            for s in self.archives[name]["sources"]:
                owner.setdefault(os.path.normpath(s), name)
        return owner


def project_headers(cc, flags, srcdir, builddir, path, is_header):
    """Project headers (relative to srcdir) that path reaches, through cc -MM."""
    args = shlex.split(cc) + ["-MM"] + flags
    if is_header:
        inp = f'#include "{path}"\n'
        args += ["-x", "c", "-"]
    else:
        inp = None
        args += [os.path.join(srcdir, path)]
    r = subprocess.run(args, input=inp, capture_output=True, text=True, cwd=builddir)
    if r.returncode != 0:
        raise RuntimeError(f"{path}: preprocessing failed:\n{r.stderr.strip()}")
    text = r.stdout.replace("\\\n", " ")
    _, _, deps = text.partition(":")
    src_real = os.path.realpath(srcdir)
    build_real = os.path.realpath(builddir)
    out = []
    for d in deps.split():
        real = os.path.realpath(os.path.join(builddir, d))
        if real == build_real or real.startswith(build_real + os.sep):
            continue  # config.h and other generated files
        if not real.startswith(src_real + os.sep):
            continue  # system headers
        rel = os.path.relpath(real, src_real)
        if rel != os.path.normpath(path):
            out.append(rel)
    return out


def check_includes(m):
    cc = m.vars["cc"]
    flags = shlex.split(m.vars.get("cppflags", ""))
    srcdir, builddir = m.vars["srcdir"], m.vars["builddir"]
    owner = m.owner_of()
    problems = []
    checked = 0
    for name in m.order:
        own = set(os.path.normpath(s) for s in m.archives[name]["sources"])
        allowed_libs = m.allowed_archives(name)
        allowed = set(own)
        for a in allowed_libs:
            allowed.update(os.path.normpath(s) for s in m.archives[a]["sources"])
        for s in m.archives[name]["sources"]:
            if not s.endswith((".c", ".h")):
                continue
            checked += 1
            try:
                hdrs = project_headers(cc, flags, srcdir, builddir, s, s.endswith(".h"))
            except RuntimeError as e:
                problems.append(str(e))
                continue
            for h in hdrs:
                if h in allowed:
                    continue
                who = owner.get(h)
                may = ", ".join(allowed_libs) or "no other library"
                if who is None:
                    problems.append(f"{s} ({name}) includes {h}, which no library lists in its sources")
                else:
                    problems.append(f"{s} ({name}) includes {h} of {who}; {name} may use only: {may}")
    return checked, problems


def check_links(m):
    cc = m.vars["cc"]
    cflags = shlex.split(m.vars.get("cflags", ""))
    ldflags = shlex.split(m.vars.get("ldflags", ""))
    builddir = m.vars["builddir"]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        main_c = os.path.join(tmp, "main.c")
        with open(main_c, "w") as f:
            f.write("int main(void);\nint main(void) { return 0; }\n")
        main_o = os.path.join(tmp, "main.o")
        r = subprocess.run(shlex.split(cc) + cflags + ["-c", main_c, "-o", main_o], capture_output=True, text=True)
        if r.returncode != 0:
            return 0, [f"cannot compile the empty program: {r.stderr.strip()}"]
        for name in m.order:
            deps = m.archives[name]["deps"]
            cmd = (shlex.split(cc) + ldflags + ["-o", os.path.join(tmp, "a.out"), main_o,
                   "-Wl,--whole-archive", name, "-Wl,--no-whole-archive"] + deps)
            r = subprocess.run(cmd, capture_output=True, text=True, cwd=builddir)
            if r.returncode != 0:
                undefined = sorted(set(re.findall(r"undefined reference to `([^']+)'", r.stderr)))
                if undefined:
                    problems.append(f"{name} calls what its allowed libraries do not provide: "
                                    + ", ".join(undefined[:12]) + (" ..." if len(undefined) > 12 else "")
                                    + f"\n    allowed: {' '.join(deps)}")
                else:
                    problems.append(f"{name}: link failed:\n{r.stderr.strip()[:2000]}")
    return len(m.order), problems


def archive_members(archive, builddir):
    """{member source name: (defined, undefined)} from nm -A on an archive."""
    r = subprocess.run(["nm", "-A", "-P", archive], capture_output=True, text=True, cwd=builddir)
    if r.returncode != 0:
        raise RuntimeError(f"nm {archive}: {r.stderr.strip()}")
    members = {}
    for line in r.stdout.splitlines():
        head, _, rest = line.partition(": ")
        parts = rest.split()
        if len(parts) < 2 or "[" not in head:
            continue
        obj = head[head.index("[") + 1:-1]
        # automake names objects <lib>_a-<source>.o when the library has its own flags
        src = re.sub(r"^lib\w+_a-", "", obj)
        src = re.sub(r"\.o$", ".c", src)
        d, u = members.setdefault(src, (set(), set()))
        if parts[1] == "U":
            u.add(parts[0])
        elif parts[1] in "TDBRCVW":  # defined with external linkage
            d.add(parts[0])
    return members


def sccs(graph):
    """Strongly connected components with more than one node (iterative Tarjan)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def check_cycles(m, allowed_path):
    allowed = {}
    with open(allowed_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            files, _, why = line.partition(":")
            if not why.strip():
                sys.exit(f"{allowed_path}:{n}: expected 'FILE FILE ...: REASON'")
            allowed[tuple(sorted(files.split()))] = n
    problems = []
    seen = set()
    for name in m.order:
        members = archive_members(name, m.vars["builddir"])
        owner = {}
        for src, (d, _) in members.items():
            for sym in d:
                owner.setdefault(sym, src)
        graph = {src: {owner[x] for x in u if x in owner and owner[x] != src}
                 for src, (_, u) in members.items()}
        folder = os.path.dirname(name)
        for comp in sccs(graph):
            key = tuple(sorted(f"{folder}/{c}" for c in comp))
            if key in allowed:
                seen.add(key)
                continue
            problems.append(f"{name}: these files call each other in a loop: {' '.join(key)}")
    for key, n in allowed.items():
        if key not in seen:
            problems.append(f"{allowed_path}:{n}: the allowed loop {' '.join(key)} no longer exists; remove it")
    return len(m.order), problems


def load_forbidden(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                sys.exit(f"{path}:{n}: expected 'FROM TO REASON'")
            rules.append((parts[0], parts[1], parts[2], n))
    return rules


def check_rules(m, forbidden_path):
    problems = []
    rules = load_forbidden(forbidden_path)
    for frm, to, why, n in rules:
        matched = [a for a in m.order if fnmatch.fnmatch(a, frm)]
        if not matched:
            problems.append(f"{forbidden_path}:{n}: '{frm}' names no library in the build")
        for a in matched:
            for d in m.allowed_archives(a):
                if fnmatch.fnmatch(d, to):
                    problems.append(f"{a} may use {d}, a forbidden arrow ({forbidden_path}:{n}: {why})")
    return len(rules), problems


def direct_graph(m):
    """Transitive reduction of the allowed-archive closure: the arrows to draw."""
    closure = {a: set(m.allowed_archives(a)) for a in m.order}
    lines = []
    for a in m.order:
        direct = [d for d in m.allowed_archives(a)
                  if not any(d in closure[z] for z in closure[a] if z != d)]
        ext = [t for t in m.archives[a]["deps"] if t not in m.archives and not t.endswith(".a")]
        dedup = []
        for t in ext:
            if t not in dedup:
                dedup.append(t)
        lines.append((a, direct, dedup))
    return lines


def graph_text(m):
    out = []
    for a, direct, _ in direct_graph(m):
        out.append(f"{a} -> {', '.join(direct) if direct else '(none)'}")
    return "\n".join(out) + "\n"


def check_docs(m, arch_md):
    want = graph_text(m)
    with open(arch_md, encoding="utf-8") as f:
        text = f.read()
    mo = re.search(r"<!-- deps-graph:begin -->\n```\n(.*?)```\n<!-- deps-graph:end -->", text, re.S)
    if not mo:
        return [f"{arch_md}: no deps-graph block (<!-- deps-graph:begin --> ... <!-- deps-graph:end -->)"]
    if mo.group(1) != want:
        return [f"{arch_md}: the deps-graph block differs from the build's rules; it should read:\n{want}"]
    return []


def selftest(fixtures, cc):
    """The checks must catch alpha -> beta (include and call) and the ping/pong loop."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        objs = {}
        for lib in ("alpha", "beta"):
            o = os.path.join(tmp, f"{lib}.o")
            r = subprocess.run(shlex.split(cc) + ["-I", fixtures, "-c", os.path.join(fixtures, lib, f"{lib}.c"), "-o", o],
                               capture_output=True, text=True)
            if r.returncode != 0:
                return [f"selftest: cannot compile {lib}: {r.stderr.strip()}"]
            a = os.path.join(tmp, f"lib{lib}.a")
            subprocess.run(["ar", "cr", a, o], check=True)
            objs[lib] = a

        def manifest(alpha_deps):
            p = os.path.join(tmp, "manifest.txt")
            with open(p, "w") as f:
                f.write(f"cc={cc}\ncppflags=-I{fixtures}\ncflags=\nldflags=\n")
                f.write(f"srcdir={fixtures}\nbuilddir={tmp}\n")
                f.write(f"lib {objs['beta']}||beta/beta.c beta/beta.h\n")
                f.write(f"lib {objs['alpha']}|{alpha_deps}|alpha/alpha.c alpha/alpha.h\n")
            return Manifest(p)

        bad = manifest("")
        _, inc = check_includes(bad)
        if not any("alpha/alpha.c" in p and "beta/beta.h" in p for p in inc):
            problems.append("selftest: the include check missed alpha.c including beta.h: " + repr(inc))
        _, lnk = check_links(bad)
        if not any("beta_value" in p for p in lnk):
            problems.append("selftest: the link check missed alpha calling beta_value: " + repr(lnk))
        loop_objs = []
        for f in ("ping", "pong"):
            o = os.path.join(tmp, f"{f}.o")
            subprocess.run(shlex.split(cc) + ["-c", os.path.join(fixtures, "cycle", f"{f}.c"), "-o", o], check=True)
            loop_objs.append(o)
        os.makedirs(os.path.join(tmp, "cycle"), exist_ok=True)
        subprocess.run(["ar", "cr", os.path.join(tmp, "cycle", "libcycle.a")] + loop_objs, check=True)
        empty = os.path.join(tmp, "none.txt")
        open(empty, "w").close()
        lm = manifest("")
        lm.archives = {"cycle/libcycle.a": {"deps": [], "sources": []}}
        lm.order = ["cycle/libcycle.a"]
        _, cyc = check_cycles(lm, empty)
        if not any("cycle/ping.c cycle/pong.c" in p for p in cyc):
            problems.append("selftest: the cycle check missed ping.c and pong.c calling each other: " + repr(cyc))
        good = manifest(objs["beta"])
        _, inc = check_includes(good)
        _, lnk = check_links(good)
        if inc or lnk:
            problems.append("selftest: an allowed arrow was reported: " + repr(inc + lnk))
    return problems


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: check_deps.py includes|links|graph MANIFEST | rules MANIFEST FORBIDDEN | "
                 "cycles MANIFEST ALLOWED | "
                 "docs MANIFEST ARCHITECTURE.md | selftest FIXTURES CC")
    what = sys.argv[1]
    if what == "selftest":
        problems = selftest(sys.argv[2], sys.argv[3])
        checked = "include, link and cycle checks on known violations"
    else:
        m = Manifest(sys.argv[2])
        if what == "includes":
            n, problems = check_includes(m)
            checked = f"{n} files of {len(m.order)} libraries"
        elif what == "links":
            n, problems = check_links(m)
            checked = f"{n} libraries linked whole"
        elif what == "cycles":
            n, problems = check_cycles(m, sys.argv[3])
            checked = f"{n} libraries, no call loops between files but the allowed ones"
        elif what == "rules":
            n, problems = check_rules(m, sys.argv[3])
            checked = f"{n} forbidden arrows"
        elif what == "docs":
            problems = check_docs(m, sys.argv[3])
            checked = "docs/ARCHITECTURE.md graph"
        elif what == "graph":
            sys.stdout.write(graph_text(m))
            return 0
        else:
            sys.exit(f"check_deps.py: unknown check '{what}'")
    for p in problems:
        print(f"FAIL {what}: {p}")
    if problems:
        return 1
    print(f"ok {what}: {checked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
