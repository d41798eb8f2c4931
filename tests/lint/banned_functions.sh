#!/bin/sh
# Banned functions (STYLE.md, "Untrusted bytes"; Suricata's
# qa/coccinelle/banned-functions.cocci is the model): no call of strcpy,
# strcat, sprintf, vsprintf, gets, atoi, atol, strtok or rand in any C
# source or header of the tree. Each call found is reported as FILE:LINE
# with the function and what to use instead.
#
# A small tokenizer (python3, below) blanks out comments, string literals
# and character literals, keeping line numbers, and then looks for
# NAME as a whole word followed by "(" (blanks allowed, and a ")" for
# the (NAME)(...) form that bypasses a function-like macro). So a comment
# or a message that mentions "gets" or "rand" is not a call, while
# "x = atoi (s)" and "(strcpy)(d, s)" are not missed; my_rand( and
# rand_r( are other names.
#
#   banned_functions.sh          (make check) the self-test on
#                                tests/lint/fixtures/, then every *.c and *.h
#                                under $top_srcdir
#   banned_functions.sh DIR...   only DIR...: exit 1 and a list if any call
#
# Scanning the tree skips .git, autom4te.cache, tests/lint/fixtures and any
# folder holding a config.status (a build tree, in or out of the source
# folder; distcheck's _build too).
set -u

scan() { # scan [--skip-fixtures] DIR...
	python3 - "$@" <<'EOF'
import os, re, sys

BANNED = {
    "strcpy": "snprintf, or memcpy with a checked length",
    "strcat": "snprintf into the remaining space, or memcpy with a checked length",
    "sprintf": "snprintf",
    "vsprintf": "vsnprintf",
    "gets": "fgets",
    "atoi": "strtol with full error checks",
    "atol": "strtol with full error checks",
    "strtok": "strtok_r, or a cursor",
    "rand": "a seeded local generator (tests) or getrandom()",
}
# NAME (, and (NAME)( which calls the function rather than a macro
CALL = re.compile(r"\b(" + "|".join(BANNED) + r")\s*(?:\)\s*)?\(")


def blank(src):
    """src with comments, string and character literals replaced by
    blanks; newlines are kept so line numbers still match."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "/" and src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c == "/" and src.startswith("//", i):
            j = i
            while j < n and src[j] != "\n":
                # a backslash before the newline continues the comment
                if src[j] == "\\" and j + 1 < n and src[j + 1] == "\n":
                    j += 1
                j += 1
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", src[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def files(root, skip_fixtures):
    for d, dirs, names in os.walk(root):
        keep = []
        for s in sorted(dirs):
            p = os.path.join(d, s)
            if s in (".git", "autom4te.cache") or os.path.exists(os.path.join(p, "config.status")):
                continue
            if skip_fixtures and os.path.relpath(p, root) == os.path.join("tests", "lint", "fixtures"):
                continue
            keep.append(s)
        dirs[:] = keep
        for name in sorted(names):
            if name.endswith((".c", ".h")):
                yield os.path.join(d, name)


args = sys.argv[1:]
skip = bool(args) and args[0] == "--skip-fixtures"
if skip:
    args = args[1:]
found = nfiles = 0
for root in args:
    if not os.path.isdir(root):
        print("banned_functions: %s: not a folder" % root)
        sys.exit(2)
    for path in files(root, skip):
        nfiles += 1
        with open(path, encoding="utf-8", errors="replace") as f:
            text = blank(f.read())
        for lineno, line in enumerate(text.split("\n"), 1):
            for m in CALL.finditer(line):
                name = m.group(1)
                print("%s:%d: %s() is banned: use %s" % (os.path.relpath(path, root), lineno, name, BANNED[name]))
                found += 1
print("banned_functions: %d file(s) scanned, %d banned call(s)" % (nfiles, found), file=sys.stderr)
sys.exit(1 if found else 0)
EOF
}

command -v python3 >/dev/null 2>&1 || { echo "FAIL: banned_functions.sh needs python3"; exit 1; }

if [ $# -gt 0 ]; then
	scan "$@"
	exit
fi

: "${top_srcdir:?run through make check, or pass the folders to scan}"
FX="$top_srcdir/tests/lint/fixtures"
T=$(mktemp -d "${TMPDIR:-/tmp}/banned.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0

# Self-test 1: every banned call in fixtures/bad is found, at exactly the
# lines bad.expected lists, and nothing else is.
scan "$FX/bad" >"$T/bad.out" 2>/dev/null
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: self-test: fixtures/bad: exit status $rc, expected 1"; fails=$((fails + 1)); }
sed 's/) is banned: .*/)/' "$T/bad.out" >"$T/bad.got"
if ! diff -u --label "tests/lint/fixtures/bad.expected" --label "found in tests/lint/fixtures/bad" \
	"$FX/bad.expected" "$T/bad.got"; then
	echo "FAIL: self-test: the calls found in fixtures/bad are not those bad.expected lists"
	fails=$((fails + 1))
fi

# Self-test 2: the names in comments, strings, character literals and
# longer identifiers in fixtures/clean are not calls.
if ! scan "$FX/clean" >"$T/clean.out" 2>/dev/null; then
	echo "FAIL: self-test: fixtures/clean has no banned call, yet:"
	cat "$T/clean.out"
	fails=$((fails + 1))
fi

# The tree.
if ! scan --skip-fixtures "$top_srcdir"; then
	echo "FAIL: banned function calls above (STYLE.md, Untrusted bytes)"
	fails=$((fails + 1))
fi

[ "$fails" -eq 0 ] || exit 1
echo "ok: no banned function calls; the self-test found all $(wc -l <"$FX/bad.expected") in fixtures/bad"
