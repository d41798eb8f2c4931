#!/bin/sh
# Write a man page generated from the programs' --help texts, on stdout:
#   mkman.sh sluice  SRCDIR BUILDDIR VERSION   sluice(1): the overview and
#            every command's --help (and each audit/warrant command's)
#   mkman.sh sluiced SRCDIR BUILDDIR VERSION   sluiced(8): sluiced --help
# followed by the hand-written FILES / SEE ALSO of docs/man/PAGE.tail.
# The date is SOURCE_DATE_EPOCH's when set (package builds), so a build is
# reproducible. Called by docs/man/Makefile.inc.
set -eu
page=$1 srcdir=$2 builddir=$3 version=$4
h2r="$srcdir/docs/man/help2roff.sh"
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
else
	date=$(date -u +%Y-%m-%d)
fi
help() { # program args...: its --help, or fail naming it
	out=$("$@" --help 2>&1) || { echo "mkman.sh: '$* --help' failed" >&2; exit 1; }
	printf '%s\n' "$out"
}
case $page in
sluiced)
	echo ".TH SLUICED 8 \"$date\" \"sluice $version\" \"System Manager's Manual\""
	help "$builddir/src/sluiced" | sh "$h2r"
	;;
sluice)
	bin="$builddir/src/sluice"
	echo ".TH SLUICE 1 \"$date\" \"sluice $version\" \"User Commands\""
	printf '%s\n' '.SH NAME' \
		'sluice \- offline and diagnostic tools of the sluice lawful\-interception gateway' \
		'.SH SYNOPSIS' '.B sluice' '.I COMMAND' '[\fIOPTIONS\fR]' '.SH DESCRIPTION'
	help "$bin" | sed -e '/^Usage:/d' | sh "$h2r"
	# every command the overview lists, and the commands of those that have some
	cmds=$(help "$bin" | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]+  / { print $1 }')
	[ -n "$cmds" ] || { echo "mkman.sh: no command found in 'sluice --help'" >&2; exit 1; }
	for c in $cmds; do
		help "$bin" "$c" | sed -e '/^Usage: sluice warrant/d' | sh "$h2r" -s "SLUICE $(echo "$c" | tr a-z A-Z)"
		subs=$(help "$bin" "$c" | sed -n -e "s/^    sluice $c \\([a-z][a-z]*\\) .*/\\1/p" -e "s/^Usage: sluice $c \\([a-z|]*\\) .*/\\1/p" |
			tr '|' '\n' | awk '!seen[$0]++')
		for s in $subs; do
			[ "$c" = warrant ] && [ "$s" = verify ] && continue # its text is warrant's own
			help "$bin" "$c" "$s" | sh "$h2r" -s "SLUICE $(echo "$c $s" | tr a-z A-Z)"
		done
	done
	;;
*) echo "mkman.sh: unknown page '$page'" >&2; exit 2 ;;
esac
cat "$srcdir/docs/man/$page.tail"
