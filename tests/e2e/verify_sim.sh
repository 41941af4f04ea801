#!/usr/bin/env bash
# verify_sim.sh CASE VTPILOT LPAR-SIM: verify, preflight, run --verify and the rollback plan
# against lpar-sim on a pty. lpar-sim's --log (JSON lines) is the oracle: which disk booted
# ("boot", "aix_boot"), what was typed ("key"), whether the license was accepted.
# Bounded: lpar-sim --fast, vtpilot --timeout 20; no sleeps.
set -u
case=$1; V=$2; SIM=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cd "$work"
fail() { echo "FAIL ($case): $*"; echo "--- stdout ---"; tail -30 out.txt 2>/dev/null; echo "--- stderr ---"; tail -30 err.txt 2>/dev/null; exit 1; }

PW='Tr0ub4dor&3-vtp'           # never on a command line: only in this file
printf '%s\n' "$PW" > pw; chmod 600 pw
TLOC=U8231.E2B.06DAFDP-V6-C2-T1-L8100000000000000
CLOC=U8231.E2B.06DAFDP-V6-C2-T1-L8200000000000000
TPVID=00f6db0a6c7aad9b; CPVID=00f6db0a8a1b2c3d
DISKS="hdisk0:rootvg:30720:$TLOC:$TPVID,hdisk1:altinst_rootvg:30720:$CLOC:$CPVID"

# check CMD EXIT SIMFLAGS [VTPILOT FLAGS...]: vtpilot verify|preflight against lpar-sim.
check() {
  local cmd=$1 want=$2 simflags=$3; shift 3
  "$V" "$cmd" --sim --sim-args "--fast --log $work/sim.log --root-password-file $work/pw $simflags" \
    --password-file pw --transcript run.cast --pacing 0 --timeout 20 "$@" > out.txt 2> err.txt
  rc=$?
  [ "$rc" = "$want" ] || fail "vtpilot $cmd exit $rc, expected $want"
}
# field KEY: a field of the JSON report on stdout (--json).
field() { python3 -c 'import json,sys; print(json.loads(open("out.txt").read().splitlines()[-1]).get(sys.argv[1], ""))' "$1"; }
check_status() { python3 -c '
import json,sys
r=json.loads(open("out.txt").read().splitlines()[-1])
print(next((c["status"] for c in r["checks"] if c["id"]==sys.argv[1]), "missing"))' "$1"; }
sim_ev() { python3 -c '
import json,sys
for e in map(json.loads, open("sim.log")):
    if e.get("ev")==sys.argv[1]: print(json.dumps(e, sort_keys=True))' "$1"; }
typed() { python3 -c '
import json
print("".join(e["data"] for e in map(json.loads, open("sim.log")) if e.get("ev")=="key" and not e.get("dropped")).replace("\r","/"))'; }

# Every line lpar-sim took (the bytes it accepted up to each accepted Enter) is one vtpilot
# meant: at the login prompt the login name, at the password prompt the password (logged as
# *), at the shell one of the verify command lines (markers and all, in order) or exit. Prints
# "DROPPED-IN-SHELL N": how many key bytes lpar-sim lost after the login (of command lines).
submitted_lines_ok() { python3 - sim.log <<'PY'
import json, re, sys
cmds = ["oslevel -s", "lppchk -v", "instfix -i | grep ML", "bootlist -m normal -o", "lspv", "lscfg -vl 'hdisk*'", "errpt | head"]
def intended(line, n):
    m = re.fullmatch(r'echo _V""B(\d+)([a-z]+)_; (.*); echo _V""E\1\2_ \$\?', line)
    return line == "exit" or (m is not None and int(m.group(1)) == n and m.group(3) == cmds[n - 1])
stage, line, bad, next_cmd, dropped = "login", "", [], 1, 0
for e in map(json.loads, open(sys.argv[1])):
    if e.get("ev") == "login":
        stage = "shell"
    elif e.get("ev") == "key":
        if e.get("dropped") or e.get("ignored"):
            dropped += stage == "shell"
            continue
        if e["data"] not in "\r\n":
            line += e["data"]
            continue
        if stage == "shell" and line:
            if intended(line, next_cmd): next_cmd += line != "exit"
            else: bad.append(f"t={e['t']}: shell ran {line!r}")
        elif stage == "login" and line not in ("root", "") and set(line) != {"*"}:
            bad.append(f"t={e['t']}: login took {line!r}")
        line = ""
print("DROPPED-IN-SHELL", dropped)
if bad:
    print("a line vtpilot did not mean was submitted:", *bad, sep="\n  ")
    sys.exit(1)
PY
}

case $case in
  verify_clean)
    check verify 0 "--start login72 --disks $DISKS" --json
    [ "$(field ok)" = True ] || fail "report not ok"
    for c in oslevel lppchk ml rootvg clone bootlist; do [ "$(check_status $c)" = pass ] || fail "$c: $(check_status $c)"; done
    # logged out at the end: the last thing typed is exit
    case "$(typed)" in *exit/) ;; *) fail "did not log out: $(typed | tail -c 80)";; esac
    res=$(submitted_lines_ok) || fail "$res" ;;
  verify_first_boot)
    # first boot after the migration: TERM prompt, then the license at the first root login
    check verify 0 "--start login72 --first-boot-term" --json
    sim_ev license | grep -q '"accepted": true' || fail "license not accepted"
    case "$(typed)" in vt100/root/*) ;; *) fail "keys were $(typed | head -c 60)";; esac ;;
  verify_broken_fileset)
    check verify 7 "--start login72 --broken-fileset bos.rte.libc" --json
    [ "$(check_status lppchk)" = fail ] || fail "lppchk: $(check_status lppchk)"
    [ "$(check_status ml)" = fail ] || fail "ml: $(check_status ml)"
    field reason | grep -q 'lppchk -v clean: bos.rte.libc 7.2.5.0' || fail "reason: $(field reason)"
    grep -q 'acceptance check failed (exit 7): lppchk -v clean' err.txt || fail "no reason on stderr" ;;
  verify_wrong_level)
    check verify 7 "--start login72 --oslevel 7200-04-02-2028"
    grep -q 'oslevel at target *FAIL *7200-04-02-2028, expected 7200-05' out.txt || fail "table has no oslevel failure"
    grep -q 'acceptance check failed (exit 7): oslevel at target: 7200-04-02-2028, expected 7200-05' err.txt || fail "no reason" ;;
  verify_drop_keys)
    # The console loses every key byte closer than 150 ms to the last one it took; at 100 ms
    # pacing that is every other byte of a line (lpar-sim takes any password here: it goes
    # whole, never echoed, and loses bytes too). Each line's Enter waits until the echo shows
    # exactly that line: the login name gets only its missing bytes, then its Enter. That Enter
    # follows its last byte by the pacing, inside the window, so this console loses it too; no
    # reaction is no proof of that (a slow HMC looks the same), so it is never sent again
    # (issue 20): verify waits out --timeout and halts (exit 4) saying the Enter may still
    # arrive. (Lines that lose bytes inside get no Enter: tests/unit/test_shell.cpp, random
    # byte loss.) Whatever is lost, lpar-sim never runs a line vtpilot did not mean, and no
    # Enter is sent twice for one line.
    "$V" verify --sim --sim-args "--fast --log $work/sim.log --start login72 --drop-keys-under 150" \
      --password-file pw --transcript run.cast --pacing 100 --confirm-timeout 0.3 --timeout 5 --events json > out.txt 2> err.txt
    rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 4 ] || fail "exit $rc"
    grep -q '"dropped":true' sim.log || fail "no key was dropped: the case tests nothing"
    res=$(submitted_lines_ok) || fail "$res"
    python3 -c '
import json, sys
# per line typed: at most one Enter (the "send" events of <Enter> between two other sends)
ev = [json.loads(l) for l in open("out.txt") if l.startswith("{")]
enters, last = 0, None
for e in ev:
    if e.get("event") != "send": continue
    if e.get("keys") == "<Enter>":
        if last == "<Enter>": sys.exit("two Enters in a row at t=%s" % e.get("t"))
    last = e.get("keys")
' || fail "an Enter was sent twice for one line"
    if [ "$rc" = 4 ]; then
      grep -Eq '"code":"(typed-mismatch|no-echo|no-reaction)"' out.txt || fail "halted, but not for a line the console did not show typed or take"
      grep -q 'its Enter was not sent\|its Enter was never sent\|may still arrive' err.txt || fail "no reason on stderr"
    fi ;;
  verify_events_json|preflight_events_json)
    # --events json: stdout is JSON lines only (the events, then the report as JSON, as with
    # run --verify), never the text table among them
    cmd=${case%_events_json}; start=login72; [ "$cmd" = preflight ] && start=login71
    check $cmd 0 "--start $start --disks $DISKS" --events json
    python3 -c '
import json, sys
lines = open("out.txt").read().splitlines()
for n, l in enumerate(lines, 1):
    try: json.loads(l)
    except ValueError: sys.exit("stdout line %d is not JSON: %r" % (n, l))
last = json.loads(lines[-1])
if last.get("command") != sys.argv[1] or last.get("ok") is not True: sys.exit("last line is not the report: %r" % last)
' $cmd || fail "stdout is not JSON lines" ;;
  verify_not_at_aix)
    # the console is in SMS: nothing is typed, not even Enter; halt with the reason
    check verify 4 "--boot sms"
    grep -q 'not a running AIX system' err.txt || fail "no reason"
    [ -z "$(typed)" ] || fail "keys were sent: $(typed)" ;;
  verify_password_secret)
    # The password reaches the console and nothing else: not the transcript, events, stderr,
    # vtpilot's argv or the console program's environment. The events FIFO tells when vtpilot
    # is running (its first event), so /proc is read while it lives, without sleeping.
    mkfifo ev
    "$V" verify --sim --sim-args "--fast --log $work/sim.log --root-password-file $work/pw --start login72" \
      --password-file pw --transcript run.cast --pacing 5 --timeout 20 --events json > ev 2> err.txt &
    pid=$!
    exec 3< ev
    IFS= read -r first <&3 || fail "no event"
    tr '\0' ' ' < /proc/$pid/cmdline > cmdline.txt
    for c in $(ps -o pid= --ppid $pid); do
      tr '\0' '\n' < /proc/$c/environ >> childenv.txt 2>/dev/null
      tr '\0' ' ' < /proc/$c/cmdline >> childcmd.txt 2>/dev/null
    done
    { echo "$first"; cat <&3; } > events.jsonl
    wait $pid; rc=$?
    [ "$rc" = 0 ] || fail "exit $rc"
    grep -q verify cmdline.txt || fail "did not read vtpilot's cmdline"
    grep -q lpar-sim childcmd.txt || fail "did not read the console program's cmdline"
    for f in run.cast events.jsonl err.txt cmdline.txt childenv.txt childcmd.txt; do
      ! grep -qF "$PW" $f || fail "the password is in $f"
    done
    grep -q '"i", "\*\*\*"' run.cast || fail "no *** input in the transcript"
    grep -q '"keys":"\*\*\*"' events.jsonl || fail "no *** send event"
    sim_ev login | grep -q '"user": "root"' || fail "the console did not accept the login" ;;
  run_verify)
    # a whole migration, then the acceptance checks in the same attach and transcript
    "$V" run --sim --sim-args "--fast --install-lines 200 --first-boot-term --log $work/sim.log --root-password-file $work/pw" \
      --verify --password-file pw --transcript run.cast --pacing 0 --timeout 20 --confirm-timeout 1 > out.txt 2> err.txt
    rc=$?
    [ "$rc" = 0 ] || fail "exit $rc"
    grep -q 'oslevel at target *pass *7200-05-11-2546' out.txt || fail "no verify table"
    sim_ev migrated | grep -q hdisk0 || fail "not migrated"
    sim_ev license | grep -q '"accepted": true' || fail "license not accepted"
    grep -q 'aix.shell' run.cast || fail "the shell is not in the same transcript"
    sim_ev exit | tail -1 | grep -q '"code": 0' || fail "lpar-sim exit $(sim_ev exit)" ;;
  run_verify_media_swap)
    # two install volumes: the plan's media swap is the runner's action, which the chain must
    # hand to the plan (without --verify this always worked; with it the plan waited forever)
    "$V" run --sim --sim-args "--fast --media-volumes 2 --log $work/sim.log --root-password-file $work/pw" \
      --verify --password-file pw --transcript run.cast --pacing 0 --timeout 20 --confirm-timeout 1 > out.txt 2> err.txt
    rc=$?
    [ "$rc" = 0 ] || fail "exit $rc"
    grep -q '"bos.media_swap"' sim.log || fail "no media swap shown: the case tests nothing"
    grep -q 'action media-swap' run.cast || fail "no media-swap action in the transcript"
    grep -q 'oslevel at target *pass' out.txt || fail "no verify table"
    sim_ev exit | tail -1 | grep -q '"code": 0' || fail "lpar-sim exit $(sim_ev exit)" ;;
  preflight_pass)
    check preflight 0 "--start login71 --disks $DISKS"
    grep -q -- "--target-pvid $TPVID --target-location $TLOC --clone-pvid $CPVID --clone-location $CLOC" out.txt || fail "no pins"
    grep -qF "clone = { pvid = \"$CPVID\", location = \"$CLOC\" }" out.txt || fail "no config line"
    grep -q 'The migration will:' out.txt || fail "no plan"
    grep -q -- "--plan rollback --clone-location $CLOC" out.txt || fail "no rollback hint" ;;
  preflight_config_lines)
    # The lines preflight prints for the config are ones the config takes: pasted into an
    # [[lpar]], vtpilot check accepts them, and they pin what lspv and lscfg showed.
    check preflight 0 "--start login71 --disks $DISKS"
    sed -n '/^  or in the .*config/,/^$/p' out.txt | sed '1d;/^$/d' > pins.txt
    [ -s pins.txt ] || fail "no config lines"
    { printf '[hmc]\nhost = "h"\n[[lpar]]\nname = "a"\nmanaged_system = "m"\n'; cat pins.txt; } > c.toml
    "$V" check c.toml > check.txt 2>&1 || fail "vtpilot check refused the printed lines: $(cat check.txt)"
    grep -q "1 config" check.txt || fail "check: $(cat check.txt)"
    [ "$(wc -l < pins.txt)" = 2 ] || fail "expected the target and clone lines: $(cat pins.txt)"
    grep -qF "pvid = \"$TPVID\"" pins.txt && grep -qF "location = \"$TLOC\"" pins.txt || fail "target not pinned: $(cat pins.txt)" ;;
  preflight_no_clone)
    check preflight 7 "--start login71 --disks hdisk0:rootvg,hdisk1:None" --json
    [ "$(check_status clone)" = fail ] || fail "clone: $(check_status clone)"
    grep -q 'refused (exit 7): rollback clone exists (altinst_rootvg): no disk shows altinst_rootvg' err.txt || fail "no reason" ;;
  rollback_power7|rollback_power8|rollback_power9|rollback_reordered)
    fw=${case#rollback_}; extra=""; disks=$DISKS
    if [ "$case" = rollback_reordered ]; then
      # the clone first in the device list and the media elsewhere: other item numbers
      fw=power9; extra="--cdrom-item 1"; disks="hdisk0:altinst_rootvg:30720:$CLOC:$CPVID,hdisk1:rootvg:30720:$TLOC:$TPVID"
    fi
    "$V" run --plan rollback --clone-location "$CLOC" --sim --sim-args \
      "--fast --start power-on-migrated --firmware $fw --disks $disks $extra --exit-at-login --log $work/sim.log" \
      --transcript run.cast --pacing 0 --timeout 20 --confirm-timeout 1 > out.txt 2> err.txt
    rc=$?
    [ "$rc" = 0 ] || fail "exit $rc"
    b=$(sim_ev boot)
    echo "$b" | grep -q "\"loc\": \"$CLOC\"" || fail "booted $b"
    echo "$b" | grep -q '"vg": "altinst_rootvg"' || fail "booted $b"
    sim_ev aix_boot | tail -1 | grep -q '"os": "7.1"' || fail "AIX booted: $(sim_ev aix_boot)"
    ! sim_ev install | grep -q . || fail "an install started" ;;
  rollback_lands_in_bos)
    # a wrong --clone-location (the install media's): the plan boots the media and must stop at
    # the first BOS screen, sending nothing there
    media=U8231.E2B.06DAFDP-V6-C2-T1-L8300000000000000
    "$V" run --plan rollback --clone-location "$media" --sim --sim-args \
      "--fast --start power-on-migrated --disks $DISKS --log $work/sim.log" \
      --transcript run.cast --pacing 0 --timeout 20 --confirm-timeout 1 --events json > out.txt 2> err.txt
    rc=$?
    [ "$rc" = 4 ] || fail "exit $rc"
    grep -q '"code":"entered-installer"' out.txt || fail "no entered-installer halt"
    sim_ev screen | grep -q bos.console || fail "did not reach BOS"
    ! sim_ev install | grep -q . || fail "an install started"
    python3 -c '
import json,sys
seen=False
for e in map(json.loads, open("sim.log")):
    if e.get("ev")=="screen" and e["id"].startswith("bos."): seen=True
    elif seen and e.get("ev")=="key": sys.exit("key after the BOS screen: %r" % e)
' || fail "a key reached the installer" ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok: $case"
