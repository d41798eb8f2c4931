#!/bin/sh
# The console's guards, through the telnet VTY of a running sluiced:
#   - a read-only session (no `enable`) sees no destination, LIID or
#     target: show handover, show warrants, show stats, show
#     rate-counters, show talloc-context and live logs are refused or
#     unknown there, show capture leaves out the handover spools and links,
#     and none of its output carries the destination's
#     name, the LIID or the target; after `enable` show handover works;
#   - `write file PATH` outside the configuration file's directory and
#     `log file PATH` outside the log-directory and the state-dir are refused
#     with "% refused", create no file, and are recorded as
#     console.refused in the audit log; the same commands inside those
#     directories write their files; `..` and symbolic links do not leave
#     them; `log-directory` cannot be changed from the console;
#   - `write`, `write memory`, `copy running-config startup-config` and
#     `write file` without PATH write the configuration file itself through
#     the same writer (unknown in a read-only session): a new file renamed
#     over it (a new inode; the old one is now the .sav), a symbolic link
#     planted as the .sav replaced and not followed, one planted as the
#     configuration file refused (console.refused) and not followed; each
#     write recorded as config.change; the file written is loadable
#     (sluiced --check-config); in the configuration file itself those
#     commands are refused, with the file, and write nothing (also under
#     --check-config, and inside a node); --check-config of a file with
#     `log file PATH` creates no file;
#   - inside those directories, `write file` does not replace an existing
#     file other than a *.cfg (keys live there), and `log file` neither
#     appends to an existing file that is not already a log file of the
#     daemon (the events file, state files) nor writes below the state-dir
#     (the spools, whose segments are *.log);
#   - remote log and counter targets (`log gsmtap`, `stats reporter statsd`
#     and its `remote-ip`/`remote-port`), `banner motd file` and
#     `events-file`/`no events-file` are configuration-file only: refused,
#     audited, and absent from the running configuration; the statsd
#     reporter the file configured keeps its address.
set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
. "$top_srcdir/tests/live/common.sh"
live_init console

"$B/tests/bench/sluice-gencap" --out "$work/g.pcap" --calls 4 --rtp-seconds 1 --messages 2 --seed 3 >/dev/null || fail "gencap"
"$B/src/sluice" audit keygen --name "sluice.test/console" --out "$work/audit" >/dev/null || fail "audit keygen"
mkdir -p "$work/etc" "$work/state" "$work/elsewhere" "$work/logs" "$work/state/spool-x"
echo KEY >"$work/etc/secret.key"
echo STATE >"$work/state/other.state"
echo '{}' >"$work/logs/events.json"
ln -s "$work/elsewhere" "$work/etc/link-out"
v=$(freeport) p2=$(freeport) sd=$(freeport)
cat >"$work/etc/sluice.cfg" <<CFG
log-directory $work/logs
stats interval 60
stats reporter statsd
 remote-ip 127.0.0.1
 remote-port $sd
 enable
log stderr
 logging filter all 1
 logging level set-all notice
line vty
 bind 127.0.0.1 $v
 login
password view-pw
enable password enable-pw
capture
 source file $work/g.pcap
 events-file $work/state/events.json
handover
 operator-id OPX
 state-dir $work/state
 destination lea-secret-dest
  hi2 127.0.0.1 $p2
  plain-tcp
lawful
 insecure-configured-intercepts
 intercept LIID-SECRET-7
  target e164 4930123456789
  scope iri
  destination lea-secret-dest
audit
 directory $work/audit-log
 signing-key $work/audit.key
 origin sluice.test/console
CFG
"$B/src/sluiced" -c "$work/etc/sluice.cfg" >"$work/gw.out" 2>"$work/gw.err" &
gw=$!
pids="$pids $gw"

PYTHONPATH="$top_srcdir/tests/live" python3 - "$v" "$work" <<'PY' || fail "console guards"
import os, stat, sys, time
from vty_session import Session
port, work = int(sys.argv[1]), sys.argv[2]
sess = Session(port)
def rd(want, t=5):
    return sess.read(want, t, tail=True)
def say(line, want):
    return sess.say(line, want, tail=True)
fail = []
rd(b"Password:")
if "sluiced>" not in say("view-pw", "sluiced>"):
    sys.exit("FAIL: the view password was not accepted")
secrets = ("lea-secret-dest", "LIID-SECRET-7", "4930123456789")
view = ""
cfg_ino = os.stat("%s/etc/sluice.cfg" % work).st_ino
for c in ("show handover", "show warrants", "show stats", "show rate-counters",
          "show talloc-context application full", "show alarms", "logging enable",
          "write", "write memory", "write file", "copy running-config startup-config"):
    out = say(c, "sluiced>")
    view += out
    if "% refused" not in out and "% Unknown command" not in out and "% There is no matched command" not in out:
        fail.append("view session: %r neither refused nor unknown: %r" % (c, out[:200]))
# show capture is for view sessions too, but without the handover part (spools and links carry destination names)
out = say("show capture", "sluiced>")
view += out
if "limits" not in out:
    fail.append("view session: show capture gives no limits: %r" % out[:300])
for x in secrets:
    if x in view:
        fail.append("view session output reveals %r" % x)
if os.stat("%s/etc/sluice.cfg" % work).st_ino != cfg_ino or os.path.exists("%s/etc/sluice.cfg.sav" % work):
    fail.append("a view session wrote the configuration file")
say("enable", "Password:")
if "sluiced#" not in say("enable-pw", "sluiced#"):
    sys.exit("FAIL: the enable password was not accepted")
out = say("show handover", "sluiced#")
if "lea-secret-dest" not in out:
    fail.append("show handover after enable does not show the destination: %r" % out[:300])
out = say("show stats", "sluiced#")
if "% refused" in out:
    fail.append("show stats refused after enable")
out = say("show capture", "sluiced#")
if "spool lea-secret-dest hi2" not in out:
    fail.append("show capture after enable lacks the destination's spool: %r" % out[-600:])
# write file: only in the configuration file's directory
for path in ("%s/elsewhere/w.cfg" % work, "%s/etc/../elsewhere/w2.cfg" % work, "%s/etc/link-out/w3.cfg" % work,
             "/tmp/sluice-console-%d.cfg" % os.getpid()):
    out = say("write file " + path, "sluiced#")
    if "% refused" not in out:
        fail.append("write file %s not refused: %r" % (path, out[:300]))
    if os.path.exists(path):
        fail.append("write file %s created the file" % path)
        os.unlink(path)
out = say("write file %s/etc/copy.cfg" % work, "sluiced#")
if "% refused" in out or not os.path.exists("%s/etc/copy.cfg" % work):
    fail.append("write file inside the configuration's directory failed: %r" % out[:300])
out = say("write file %s/etc/copy.cfg" % work, "sluiced#")
if "% refused" in out:
    fail.append("write file over an existing *.cfg refused: %r" % out[:300])
out = say("write file %s/etc/sluice.cfg" % work, "sluiced#")
if "% refused" in out:
    fail.append("write file over the configuration file refused: %r" % out[:300])
out = say("write file %s/etc/secret.key" % work, "sluiced#")
if "% refused" not in out or open("%s/etc/secret.key" % work).read() != "KEY\n":
    fail.append("write file over an existing key file not refused: %r" % out[:300])
# write, write memory, copy running-config startup-config, write file: the configuration file, by the same writer
cfg, sav = "%s/etc/sluice.cfg" % work, "%s/etc/sluice.cfg.sav" % work
with open("%s/elsewhere/target" % work, "w") as f:
    f.write("TARGET\n")
for c in ("write", "write memory", "copy running-config startup-config", "write file"):
    if os.path.lexists(sav):
        os.unlink(sav)
    os.symlink("%s/elsewhere/target" % work, sav)  # planted in place of the .sav: replaced, not followed
    before = os.stat(cfg).st_ino
    out = say(c, "sluiced#")
    if "% refused" in out or "Configuration saved to %s" % cfg not in out:
        fail.append("%r did not write the configuration file: %r" % (c, out[:300]))
    st, ss = os.lstat(cfg), os.lstat(sav)
    if not stat.S_ISREG(st.st_mode) or st.st_ino == before:
        fail.append("%r did not rename a new file over the configuration file" % c)
    if not stat.S_ISREG(ss.st_mode) or ss.st_ino != before:
        fail.append("%r did not keep the replaced configuration file as the .sav" % c)
    if "capture" not in open(cfg).read():
        fail.append("%r wrote no configuration" % c)
if open("%s/elsewhere/target" % work).read() != "TARGET\n":
    fail.append("a write followed the symbolic link planted as the .sav")
# a symbolic link planted in place of the configuration file: refused, not followed
os.rename(cfg, cfg + ".real")
os.symlink("%s/elsewhere/target" % work, cfg)
for c in ("write", "write memory", "copy running-config startup-config"):
    out = say(c, "sluiced#")
    if "% refused" not in out:
        fail.append("%r over a symbolic link in place of the configuration file not refused: %r" % (c, out[:300]))
if open("%s/elsewhere/target" % work).read() != "TARGET\n" or not os.path.islink(cfg):
    fail.append("a write followed or replaced the symbolic link planted as the configuration file")
os.unlink(cfg)
os.rename(cfg + ".real", cfg)
# log file: only in /var/log/sluice or the state-dir
say("configure terminal", "(config)#")
# write file is one command on every node: guarded on every node
for node, prompt in (("", "(config)#"), ("capture", "(config-capture)#")):
    if node:
        say(node, prompt)
    path = "%s/elsewhere/n-%s.cfg" % (work, node or "config")
    out = say("write file " + path, prompt)
    if "% refused" not in out or os.path.exists(path):
        fail.append("write file %s on node %r not refused: %r" % (path, node or "config", out[:300]))
say("exit", "(config)#")
for path in ("%s/elsewhere/x.log" % work, "%s/etc/x.log" % work, "%s/state/../elsewhere/y.log" % work):
    out = say("log file " + path, "(config)#")
    if "% refused" not in out:
        fail.append("log file %s not refused: %r" % (path, out[:300]))
    if os.path.exists(path):
        fail.append("log file %s created the file" % path)
for path, content in (("%s/state/other.state" % work, "STATE\n"), ("%s/logs/events.json" % work, "{}\n"),
                      ("%s/state/spool-x/seg-00000000000000000001.log" % work, None)):
    out = say("log file " + path, "(config)#")
    if "% refused" not in out:
        fail.append("log file %s not refused: %r" % (path, out[:300]))
    if (open(path).read() if os.path.exists(path) else None) != content:
        fail.append("log file %s wrote the file" % path)
out = say("log file %s/state/sluiced.log" % work, "#")
if "% refused" in out or not os.path.exists("%s/state/sluiced.log" % work):
    fail.append("log file inside the state-dir failed: %r" % out[:300])
say("exit", "#")
out = say("log file %s/state/sluiced.log" % work, "#")
if "% refused" in out:
    fail.append("log file on the daemon's own log file refused: %r" % out[:300])
say("exit", "#")
out = say("log file %s/logs/sluiced.log" % work, "#")
if "% refused" in out or not os.path.exists("%s/logs/sluiced.log" % work):
    fail.append("log file inside the log-directory failed: %r" % out[:300])
say("exit", "#")
# blocking-io: libosmocore reopens the file as a stream, still the one created here
out = say("log file %s/logs/blocking.log blocking-io" % work, "#")
if "% refused" in out or "Unable" in out or not os.path.exists("%s/logs/blocking.log" % work):
    fail.append("log file ... blocking-io inside the log-directory failed: %r" % out[:300])
say("logging filter all 1", "#")
say("logging level set-all debug", "#")
say("exit", "#")
out = say("log-directory %s/elsewhere" % work, "#")
if "% refused" not in out:
    fail.append("log-directory changed from the console: %r" % out[:300])
# trust settings: configuration file only (a console that could change them could make its own receiver acceptable)
say("handover", "(config-handover)#")
say("destination lea-secret-dest", "#")
for c in ("plain-tcp", "tls ca %s/elsewhere/ca.pem" % work, "tls verify-name evil.example"):
    out = say(c, "#")
    if "% refused" not in out:
        fail.append("%r on a destination not refused from the console: %r" % (c, out[:300]))
out = say("tls certificate %s/etc/gw.pem" % work, "#")
if "% refused" in out:
    fail.append("tls certificate refused from the console (only the CA and the name are trust settings): %r" % out[:300])
say("exit", "#")
say("exit", "(config)#")
say("lawful", "#")
say("authority evil", "#")
for c in ("trust-anchors %s/elsewhere/ca.pem" % work, "crl %s/elsewhere/crl.pem" % work,
          "receiver-ca %s/elsewhere/ca.pem" % work, "destination lea-secret-dest"):
    out = say(c, "#")
    if "% refused" not in out:
        fail.append("%r on an authority not refused from the console: %r" % (c, out[:300]))
say("exit", "#")
say("exit", "(config)#")
out = say("show running-config", "#")
for x in ("evil.example", "elsewhere/ca.pem", "elsewhere/crl.pem"):
    if x in out:
        fail.append("a refused trust setting reached the running configuration: %r" % x)
if "log-directory %s/logs" % work not in out:
    fail.append("show running-config lacks the log-directory")
# log file opens the file it vetted (through /proc/self/fd) but keeps the real name
if "log file %s/logs/sluiced.log" % work not in out or "/proc/self/fd" in out:
    fail.append("show running-config does not name the console's log file by its path")
if "log file %s/logs/blocking.log blocking-io" % work not in out:
    fail.append("show running-config lacks the blocking-io log file")
# write file wrote a configuration, kept the one it replaced as .sav, and left no temporary file
cfg = open("%s/etc/copy.cfg" % work).read()
if "capture" not in cfg or "source file" not in cfg:
    fail.append("write file wrote no configuration: %r" % cfg[:200])
if not os.path.exists("%s/etc/copy.cfg.sav" % work):
    fail.append("write file over copy.cfg kept no copy.cfg.sav")
if [f for f in os.listdir("%s/etc" % work) if f.endswith(".tmp")]:
    fail.append("write file left temporary files: %r" % os.listdir("%s/etc" % work))
# remote log and counter targets, the banner file and the events file: configuration file only
for c in ("log gsmtap 192.0.2.7", "banner motd file %s/etc/secret.key" % work, "stats reporter statsd evil"):
    out = say(c, "#")
    if "% refused" not in out:
        fail.append("%r not refused from the console: %r" % (c, out[:300]))
    if "(config-stats)#" in out:
        say("exit", "(config)#")
out = say("stats reporter statsd", "#")
if "% refused" not in out:
    fail.append("entering the file's statsd reporter not refused: %r" % out[:300])
    say("exit", "(config)#")
# the stats node's remote address is guarded too (reached here through the log reporter's node)
out = say("stats reporter log", "#")
if "(config-stats)#" not in out:
    fail.append("stats reporter log did not enter the stats node: %r" % out[:300])
for c in ("remote-ip 192.0.2.8", "remote-port 9"):
    out = say(c, "#")
    if "% refused" not in out:
        fail.append("%r in the stats node not refused: %r" % (c, out[:300]))
say("exit", "(config)#")
say("capture", "(config-capture)#")
for c in ("events-file %s/elsewhere/ev.json" % work, "no events-file"):
    out = say(c, "#")
    if "% refused" not in out:
        fail.append("%r not refused from the console: %r" % (c, out[:300]))
say("exit", "(config)#")
out = say("show running-config", "#")
for x in ("192.0.2.7", "192.0.2.8", "remote-port 9\n", "secret.key", "statsd evil", "elsewhere/ev.json"):
    if x in out:
        fail.append("a refused setting reached the running configuration: %r" % x)
for x in ("remote-ip 127.0.0.1", "events-file %s/state/events.json" % work):
    if x not in out:
        fail.append("the file's setting %r is gone from the running configuration" % x)
if "KEY" in out:
    fail.append("the running configuration shows the key file")
sess.close()
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
stop_within 60 TERM $gw || fail "sluiced did not stop cleanly"
grep -q "console: write file .* refused" "$work/gw.err" || fail "a refused write file was not logged"
"$B/src/sluiced" --check-config -c "$work/etc/sluice.cfg" >"$work/check.out" 2>"$work/check.err" \
	|| { cat "$work/check.out"; fail "the configuration file written from the console does not load"; }
# the file the console created is the one log lines went to
[ -s "$work/logs/blocking.log" ] || fail "the console's log file received no log line"
"$B/src/sluice" audit show "$work/audit-log" --format json >"$work/audit.json" || fail "sluice audit show"
python3 - "$work/audit.json" "$work" <<'PY' || fail "audit records of the refusals"
import hashlib, json, sys
refused = [json.loads(l)["fields"] for l in open(sys.argv[1]) if json.loads(l)["kind"] == "console.refused"]
cmds = sorted(r["command"] for r in refused)
want = sorted(["log file"] * 6 + ["write file"] * 7 + ["write", "write memory", "copy running-config startup-config",
                                                   "destination plain-tcp", "destination tls", "destination tls",
                                                   "authority trust-anchors", "authority crl", "authority receiver-ca",
                                                   "authority destination", "log gsmtap", "banner motd file",
                                                   "stats reporter statsd", "stats reporter statsd", "events-file",
                                                   "stats reporter remote-ip", "stats reporter remote-port",
                                                   "no events-file"])
if cmds != want:
    sys.exit("FAIL: console.refused records: %r" % cmds)
# each write of the configuration, from the enable node (3), is a config.change record like any console command
changes = [json.loads(l)["fields"] for l in open(sys.argv[1]) if json.loads(l)["kind"] == "config.change"]
for line in ("write", "write memory", "copy running-config startup-config", "write file [PATH]",
             "write file [PATH] %s/etc/copy.cfg" % sys.argv[2]):
    d = "sha256:" + hashlib.sha256(line.encode()).hexdigest()
    if not [c for c in changes if c["command_digest"] == d and c["node"] == "3" and c["result"] == "ok"]:
        sys.exit("FAIL: no config.change record of %r" % line)
PY

# in the configuration file itself the commands that write the configuration are refused, with the file, even by
# --check-config (which must be safe to run on a file someone sent), in any node, and write nothing
for c in "write file $work/elsewhere/from-file.cfg" "write" "write memory" " write file $work/elsewhere/in-node.cfg"; do
	{ cat "$work/etc/sluice.cfg"; echo "$c"; } >"$work/elsewhere/writes.cfg"
	"$B/src/sluiced" --check-config -c "$work/elsewhere/writes.cfg" >"$work/wcheck.out" 2>&1 &&
		fail "a configuration file with '$c' was accepted"
	grep -q "refused: write.*: writing files is not a configuration command" "$work/wcheck.out" ||
		{ cat "$work/wcheck.out"; fail "'$c' in the configuration file: no refusal"; }
done
if [ -e "$work/elsewhere/from-file.cfg" ] || [ -e "$work/elsewhere/in-node.cfg" ]; then
	fail "a configuration file made sluiced write a file"
fi
# --check-config of a file with a log file target creates no file (the target's node still reads its lines)
{ cat "$work/etc/sluice.cfg"; printf 'log file %s
 logging level set-all notice
' "$work/elsewhere/evil.log"; } \
	>"$work/elsewhere/logfile.cfg"
"$B/src/sluiced" --check-config -c "$work/elsewhere/logfile.cfg" >"$work/lcheck.out" 2>&1 ||
	{ cat "$work/lcheck.out"; fail "--check-config refused a configuration with a log file"; }
[ ! -e "$work/elsewhere/evil.log" ] || fail "--check-config created the log file the configuration names"
echo "console_guard: view sessions see no destination, LIID or target; write file and log file confined, refusals logged and audited; the configuration file cannot write files"
