#!/bin/sh
# Turn a program's --help text (read on stdin) into the body of a man page
# (roff, on stdout), so that sluice(1) and sluiced(8) are generated at build
# time from the texts the programs print (docs/man/Makefile.inc).
#
# The help texts follow one layout: section names in capitals at column 0
# (NAME, SYNOPSIS, OPTIONS, ...), text indented by 4. A paragraph of plain
# prose (every line at indent 4) is filled; any other paragraph (option
# lists, tables, synopses: deeper indents or columns) is kept as printed,
# its indent less 4. Lines before the first section name are prose.
#   -s TITLE    the text is one section (.SH TITLE); its section names
#               become subsections (.SS)
set -eu
sub=""
if [ "${1:-}" = -s ]; then sub=$2; shift 2; fi
awk -v sub_prefix="$sub" '
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.\047]/) s = "\\&" s
	return s
}
function flush(   i, keep, line) {
	if (n == 0) return
	keep = (section == "SYNOPSIS")
	for (i = 1; i <= n; i++)
		if (buf[i] !~ /^    [^ ]/ || buf[i] ~ /[^ ]  +[^ ]/) keep = 1
	if (started) print ".PP"
	started = 1
	if (keep) print ".nf"
	for (i = 1; i <= n; i++) {
		line = buf[i]
		if (keep) { sub(/^    /, "", line) } else { sub(/^ +/, "", line) }
		if (line == "") line = "\\&"
		print esc(line)
	}
	if (keep) print ".fi"
	n = 0
}
/^[A-Z][A-Z ]*[A-Z]$/ {
	flush()
	section = $0
	if (sub_prefix != "") print ".SS " $0
	else print ".SH " $0
	started = 0
	next
}
/^[ \t]*$/ { flush(); next }
{
	line = $0
	gsub(/\t/, "        ", line)
	if (section == "" && line !~ /^ /) line = "    " line
	buf[++n] = line
}
BEGIN { if (sub_prefix != "") print ".SH \"" sub_prefix "\"" }
END { flush() }
'
