#!/usr/bin/env bash
# ssh_case.sh CASE VTPILOT LPAR-SIM: one end-to-end case of vtpilot driving lpar-sim through a
# real OpenSSH sshd on 127.0.0.1 that plays the HMC (tests/ssh/lib.sh). lpar-sim's console log
# and the HMC state dir are the oracle: which keys arrived, what vtopt0 holds, what ran.
set -u
case=$1; V=$2; SIM=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
case_workdir ssh
fail() { echo "FAIL ($case): $*"; echo "--- vtpilot stderr (tail) ---"; tail -40 err.txt 2>/dev/null; echo "--- sshd log (tail) ---"; tail -15 "$work/sshd.log" 2>/dev/null; exit 1; }
MIGRATE="5/1/7/2/2/1/1/1/2/1/3/1/0/0/0/"   # (booted -b sms) SMS 5 1 7 <cd> 2 1, BOS console, English, 2 1 3, hdisk0 (1), 0 0 0

# run_and_drop_at_40 [extra config TOML...]: a migration over ssh whose vterm's connection is
# killed (sshd session process, SIGKILL) once the install shows 40%; exit code into $rc.
run_and_drop_at_40() {
  echo "--time-scale 0.3 --install-lines 3000 --post-wait 0.5" > hmc/sim-args
  write_config c.toml "$@"
  ( timeout 120 "$V" run --config "$work/c.toml" --power-on --events json > out.txt 2> err.txt ) &
  local pid=$! killed=no p
  for _ in $(seq 1 6000); do
    if grep -q '"percent":\(4[0-9]\|[5-9][0-9]\)' out.txt 2>/dev/null; then
      p=$(vterm_sshd)
      [ -n "$p" ] && kill -9 "$p" && killed=yes
      break
    fi
    python3 -c 'import time; time.sleep(0.01)'
  done
  wait $pid; rc=$?
  [ "$killed" = yes ] || fail "never saw 40% (or no sshd process to kill)"
}
# The whole migration's keys, each once (at this time scale POST shows its banner before SMS,
# and "1" enters SMS); keys_prefix: a beginning of them (a run that halted), none twice.
keys_once() {
  keys=$(console_keys)
  [ "$keys" = "${MIGRATE}" ] || [ "$keys" = "1${MIGRATE}" ] || fail "keys were $keys (a key twice?)"
}
keys_prefix() {
  keys=$(console_keys)
  case "1${MIGRATE}" in "$keys"*) ;; *) case "${MIGRATE}" in "$keys"*) ;; *) fail "keys were $keys (a key twice?)" ;; esac ;; esac
}

# run_vt RC-VAR ARGS...: vtpilot run --config with a hard bound; its exit code into $rc.
run_vt() { timeout 120 "$V" run --config "$work/c.toml" "$@" > out.txt 2> err.txt; rc=$?; }
no_console_keys() { [ ! -s "$work/hmc/console.log" ] || [ -z "$(console_keys)" ] || fail "keys reached the console: $(console_keys)"; }

case $case in
  migrate_two_volumes)
    # The whole migration over ssh: power-on into SMS, SMS, BOS, the media swap done with
    # viosvrcmd unloadopt/loadopt (volume 2 must be loaded before BOS takes the Enter), login.
    start_sshd
    echo "--fast --media-volumes 2" > hmc/sim-args
    write_config c.toml
    run_vt --power-on
    [ "$rc" = 0 ] || fail "exit $rc"
    keys=$(console_keys)
    [ "$keys" = "${MIGRATE}/" ] || fail "keys were $keys"
    [ "$(cat hmc/vtopt)" = aix72_vol2.iso ] || fail "vtopt0 holds $(cat hmc/vtopt), not volume 2"
    grep -q '"migrated"' hmc/console.log || fail "lpar-sim did not log a migration"
    cast=$(ls lpar01-*.cast)
    grep -q 'hmc: media swap: volume 2' "$cast" || fail "no media-swap marker in the transcript"
    grep -q '"i", "~."' "$cast" || fail "the vterm was not left with ~."
    [ ! -e hmc/vterm.lock ] || fail "the vterm is still held after the run" ;;

  paced_syscalls)
    # A console at its own pace sends a line per read (issue 21): what each read costs is mostly
    # syscalls. Per console read (an "o" event of the transcript) libssh polls the socket once
    # before its recv; reading the channel back polled it again per channel and stream (5 polls
    # a read), and an Asio wait per read re-registered the socket (an epoll_ctl a read).
    command -v strace >/dev/null || { echo "SKIP: no strace (scripts/bootstrap installs it)"; exit 77; }
    strace -f -qq -o /dev/null true 2>/dev/null || { echo "SKIP: strace cannot trace here (ptrace not permitted)"; exit 77; }
    # LeakSanitizer's exit check stops threads with ptrace, which a traced process cannot do.
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
    start_sshd
    echo "--time-scale 0.3 --install-lines 1500 --post-wait 0.5" > hmc/sim-args
    write_config c.toml
    timeout 170 strace -f -qq -c -o strace.txt -e trace=poll,epoll_ctl,ioctl \
      "$V" run --config "$work/c.toml" --power-on > out.txt 2> err.txt; rc=$?
    [ "$rc" = 0 ] || fail "exit $rc"
    cast=$(ls lpar01-*.cast)
    reads=$(grep -c '^\[[0-9.]*, "o"' "$cast")
    calls() { awk -v c="$1" '$NF == c { print $4 }' strace.txt | grep . || echo 0; }
    polls=$(calls poll); ctls=$(calls epoll_ctl); ioctls=$(calls ioctl)
    echo "reads=$reads poll=$polls epoll_ctl=$ctls ioctl=$ioctls"
    [ "$reads" -ge 500 ] || fail "only $reads reads: the console did not send a line per read"
    [ $((polls * 10)) -le $((reads * 13)) ] || fail "$polls polls for $reads reads (more than 1.3 a read)"
    [ $((ctls * 10)) -le "$reads" ] || fail "$ctls epoll_ctl for $reads reads (the socket re-registered per read)"
    [ $((ioctls * 10)) -le "$reads" ] || fail "$ioctls ioctl for $reads reads" ;;

  slow_think_above|slow_link_below)
    # A slow console behind the HMC (issue 20), delays scaled with confirm_timeout_s as in
    # tests/e2e (a tenth of the issue's: 0.8 s think = 8 s against 5 s; 0.05 s link = 0.5 s):
    # BOS and SMS think after each Enter, the relay delays every byte. The migration finishes,
    # and the console's log shows every Enter landed on the screen it was judged for.
    start_sshd
    slow="--think 0.8"; [ "$case" = slow_link_below ] && slow="--link-latency 0.05 --think 0.3"
    echo "--fast --install-lines 20 --seed 3 --jitter 0.2 $slow" > hmc/sim-args
    write_config c.toml "confirm_timeout_s = 0.5"
    run_vt --power-on
    cast=$(ls lpar01-*.cast)
    ! grep -q '"destroyed"' hmc/console.log || fail "lpar-sim says DESTROYED"
    python3 "$here/../e2e/enter_landing.py" hmc/console.log "$cast" || fail "an Enter did not land where it was judged (above)"
    [ "$rc" = 0 ] || fail "exit $rc"
    [ "$(console_keys)" = "$MIGRATE" ] || fail "keys were $(console_keys)"
    grep -q '"migrated"' hmc/console.log || fail "lpar-sim did not log a migration" ;;

  media_reserved)
    # The client holds a reserve on its virtual optical device (a real VIOS refuses unloadopt
    # then): the swap unloads again with -release, loads volume 2, checks it with lsvopt, and
    # only then presses Enter.
    HMC_FLAGS="--optical-reserved" start_sshd
    echo "--fast --media-volumes 2" > hmc/sim-args
    write_config c.toml
    run_vt --power-on
    [ "$rc" = 0 ] || fail "exit $rc"
    [ "$(console_keys)" = "${MIGRATE}/" ] || fail "keys were $(console_keys)"
    [ "$(cat hmc/vtopt)" = aix72_vol2.iso ] || fail "vtopt0 holds $(cat hmc/vtopt), not volume 2"
    grep -q "reserved by the client partition.*again with -release" err.txt || fail "the reserve was not met with -release"
    grep -q 'vtopt0 holds aix72_vol2.iso (lsvopt)' lpar01-*.cast || fail "the load was not checked with lsvopt" ;;

  media_missing)
    # Volume 2 is not in the VIOS's library: the swap halts with the VIOS's message and the
    # commands to run by hand, and the Enter that BOS waits for is never pressed.
    start_sshd
    echo "--fast --media-volumes 2" > hmc/sim-args
    write_config c.toml
    sed -i 's/"aix72_vol2.iso"/"aix72_vol9.iso"/' c.toml
    run_vt --power-on
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    [ "$(console_keys)" = "${MIGRATE}" ] || fail "keys were $(console_keys) (Enter pressed after a failed swap?)"
    grep -q "loadopt -disk aix72_vol9.iso failed: The specified media aix72_vol9.iso was not found in the repository" err.txt ||
      fail "the VIOS's message is not given"
    grep -q 'By hand on the HMC: viosvrcmd .*"unloadopt -release -vtd vtopt0"; viosvrcmd .*"loadopt -f -disk aix72_vol9.iso -vtd vtopt0"; then check with viosvrcmd .*"lsvopt -vtd vtopt0"' err.txt ||
      fail "no commands to run by hand"
    grep -q "nothing was pressed on the console" err.txt || fail "does not say nothing was pressed" ;;

  slow_hmc)
    # Every HMC command takes 2 s, the screen timeout is 3 s: the vterm is read while commands
    # run (SMS is seen and answered before chsysstate has answered), and the screen timeout
    # runs from the console's first output and from the end of the media swap (4 commands,
    # 8 s), not across them.
    HMC_FLAGS="--hmc-latency 2" start_sshd
    echo "--fast --media-volumes 2" > hmc/sim-args
    write_config c.toml
    sed -i "s/^timeout_s = .*/timeout_s = 3/" c.toml
    run_vt --power-on --events json
    [ "$rc" = 0 ] || fail "exit $rc"
    [ "$(console_keys)" = "${MIGRATE}/" ] || fail "keys were $(console_keys)"
    python3 - out.txt <<'EOF2' || fail "the console was not read while chsysstate ran"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
act = [e["t"] for e in ev if e.get("event") == "hmc" and "activated (chsysstate answered after" in e.get("text", "")]
sms = [e["t"] for e in ev if e.get("event") == "send"]
swap = [e for e in ev if e.get("event") == "hmc" and "media swap: volume 2" in e.get("text", "")]
assert act and sms and swap, (act, sms, swap)
assert sms[0] < act[0], f"first key at {sms[0]}, chsysstate answered at {act[0]}"
EOF2
    ;;

  plan_flag_over_config)
    # --plan migrate wins over the config's plan = "rollback" (it was ignored: only a plan other
    # than the default name was taken as given, and the rollback ran).
    start_sshd
    echo "--fast" > hmc/sim-args
    write_config c.toml "plan = \"rollback\""
    run_vt --power-on --plan migrate
    [ "$rc" = 0 ] || fail "exit $rc"
    keys=$(console_keys)
    [ "$keys" = "${MIGRATE}" ] || fail "keys were $keys, not the migration's" ;;

  not_activated_needs_power_on)
    start_sshd
    echo "--fast" > hmc/sim-args
    write_config c.toml
    run_vt
    [ "$rc" = 2 ] || fail "exit $rc, expected 2"
    grep -q "Not Activated: run with --power-on" err.txt || fail "no hint about --power-on"
    no_console_keys ;;

  running_refused)
    # --power-on never shuts down a Running LPAR unless the config allows a restart.
    start_sshd
    echo "--fast --start login72 --attach-wait 0" > hmc/sim-args
    SSH_ORIGINAL_COMMAND="chsysstate -r lpar -m Server-8247-42L-SN21271DA -o on -n lpar01 -f default_profile" \
      "$SIM" hmc --state "$work/hmc" >/dev/null 2>&1 || fail "could not start the LPAR"
    write_config c.toml
    run_vt --power-on
    [ "$rc" = 2 ] || fail "exit $rc, expected 2"
    grep -q "allow_restart" err.txt || fail "no word of allow_restart"
    no_console_keys ;;

  resume_at_target|resume_at_old_level|resume_at_target_verify)
    # A re-run (resume) against an LPAR at its login prompt: its vterm shows nothing drawn before
    # it opened, and a blind Enter could choose a BOS default. The HMC's RMC facts decide:
    # AIX up at expect_level is done, at another level a halt; at once, nothing sent.
    start_sshd
    PW="vtp-root-$RANDOM"; printf '%s\n' "$PW" > pw; chmod 600 pw
    start=login72; [ "$case" = resume_at_old_level ] && start=login71
    echo "--fast --start $start --attach-wait 0 --root-password-file $work/pw" > hmc/sim-args
    SSH_ORIGINAL_COMMAND="chsysstate -r lpar -m Server-8247-42L-SN21271DA -o on -n lpar01 -f default_profile" \
      "$SIM" hmc --state "$work/hmc" >/dev/null 2>&1 || fail "could not start the LPAR"
    for _ in $(seq 1 300); do [ "$(cat hmc/rmc_state 2>/dev/null)" = active ] && break; python3 -c 'import time; time.sleep(0.01)'; done
    write_config c.toml 'resume = true' 'expect_level = "7200-05"'
    if [ "$case" = resume_at_target_verify ]; then
      run_vt --power-on --verify --password-file pw --events json
      [ "$rc" = 0 ] || fail "exit $rc"
      grep -q "all checks passed" err.txt || fail "no verify verdict"
      grep -q '"code":"already-at-target"' out.txt || fail "not decided from the HMC's facts"
      # AIX is up (RMC active): the wake Enter is safe; the login and the checks follow.
      console_keys | grep -q "^/root/" || fail "keys were $(console_keys), expected the wake Enter then root"
    else
      SECONDS=0
      run_vt --power-on --events json
      [ "$SECONDS" -lt 30 ] || fail "took ${SECONDS}s: decided by a timeout, not by the HMC's facts"
      if [ "$case" = resume_at_target ]; then
        [ "$rc" = 0 ] || fail "exit $rc, expected 0"
        grep -q '"code":"already-at-target"' out.txt || fail "no already-at-target in the events"
        grep -q "AIX 7.2 7200-05" err.txt || fail "the level is not said"
      else
        [ "$rc" = 4 ] || fail "exit $rc, expected 4"
        grep -q '"code":"running-aix"' out.txt || fail "no running-aix in the events"
        grep -q "7100-05-06" err.txt || fail "the level is not said"
      fi
      grep -q "RMC active" lpar01-*.cast || fail "the transcript does not say what the HMC said"
      no_console_keys
      ! grep -q "Open in progress" lpar01-*.cast || fail "a vterm was opened"
    fi ;;

  resume_halted_at_menu)
    # The operator quits vtpilot step at the BOS welcome menu: the LPAR waits there, and a
    # re-run's vterm shows nothing of it. The resumed run reads where the step left it (its
    # transcript), types 88 (Help, judged on that menu), then the help screen's 99 (Previous
    # Menu): the menu is drawn again and the migration goes on from it, under the guard.
    start_sshd
    echo "--fast" > hmc/sim-args
    write_config c.toml 'resume = true' 'expect_level = "7200-05"'
    STEP_CONFIG=$work/c.toml STEP_SIMLOG=$work/hmc/console.log \
      python3 "$here/../e2e/step.py" step_quit_at_bos "$V" "$SIM" "$work" > step.txt 2>&1 || { cat step.txt; fail "step: $(tail -1 step.txt)"; }
    before=$(console_keys)
    case "$before" in *1/1/) ;; *) fail "step left keys $before, expected them to end at the language's 1" ;; esac
    run_vt --power-on --events json
    [ "$rc" = 0 ] || fail "exit $rc"
    grep -q '"code":"reveal"' out.txt || fail "no reveal event"
    grep -q '"migrated"' hmc/console.log || fail "lpar-sim did not migrate"
    after=$(console_keys)
    [ "$after" = "${before}88/99/2/1/3/1/0/0/0/" ] || fail "keys were $after (step: $before)" ;;

  verify_no_rmc)
    # verify on an LPAR whose RMC never came up: the HMC cannot say AIX is up, so the blank vterm
    # might hide a BOS menu (Enter = its default): no wake-up Enter; it halts saying why.
    start_sshd
    PW="vtp-root-$RANDOM"; printf '%s\n' "$PW" > pw; chmod 600 pw
    echo "--fast --start login72 --attach-wait 0 --no-rmc --root-password-file $work/pw" > hmc/sim-args
    SSH_ORIGINAL_COMMAND="chsysstate -r lpar -m Server-8247-42L-SN21271DA -o on -n lpar01 -f default_profile" \
      "$SIM" hmc --state "$work/hmc" >/dev/null 2>&1 || fail "could not start the LPAR"
    write_config c.toml
    timeout 60 "$V" verify --config "$work/c.toml" --password-file pw --timeout 3 > out.txt 2> err.txt; rc=$?
    [ "$rc" = 4 ] || fail "exit $rc, expected 4"
    grep -q "does not report AIX up" err.txt || fail "no word of why no Enter was pressed"
    no_console_keys ;;

  unknown_host_key)
    start_sshd
    echo "--fast" > hmc/sim-args
    : > known_hosts
    write_config c.toml
    run_vt --power-on
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    grep -q "is not a known host" err.txt || fail "no unknown-host message"
    grep -q "SHA256:" err.txt || fail "no fingerprint shown"
    grep -q "ssh-keyscan -p $PORT -t ed25519 127.0.0.1 >> $work/known_hosts" err.txt || fail "no command to trust it"
    [ "$(cat hmc/lpar_state 2>/dev/null || echo 'Not Activated')" != Running ] || fail "the LPAR was touched"
    [ ! -e hmc/daemon.pid ] || fail "the LPAR was powered on"
    # The command it printed is the one that works.
    eval "$(grep -o "ssh-keyscan -p .*known_hosts" err.txt)" 2>/dev/null
    run_vt --power-on
    [ "$rc" = 0 ] || fail "after trusting the key: exit $rc" ;;

  changed_host_key)
    start_sshd
    echo "--fast" > hmc/sim-args
    ssh-keygen -q -t ed25519 -N '' -f "$work/other_key"
    printf '[127.0.0.1]:%s %s\n' "$PORT" "$(cut -d' ' -f1,2 other_key.pub)" > known_hosts
    write_config c.toml
    run_vt --power-on
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    grep -q "HAS CHANGED" err.txt || fail "no changed-key message"
    grep -q "ssh-keygen -R '\[127.0.0.1\]:$PORT'" err.txt || fail "no command to replace the key"
    [ ! -e hmc/daemon.pid ] || fail "the LPAR was powered on" ;;

  wrong_key)
    start_sshd
    echo "--fast" > hmc/sim-args
    ssh-keygen -q -t ed25519 -N '' -f "$work/stranger"
    write_config c.toml
    sed -i "s|^identity = .*|identity = \"$work/stranger\"|" c.toml
    HOME=$work SSH_AUTH_SOCK= run_vt --power-on
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    grep -q "refused authentication" err.txt || fail "no authentication message"
    [ ! -e hmc/daemon.pid ] || fail "the LPAR was powered on" ;;

  password)
    # Password auth from a file: works, and the password appears nowhere it must not.
    start_sshd password
    echo "--fast" > hmc/sim-args
    write_config c.toml
    sed -i "/^identity = /d" c.toml
    sed -i "s|^\[hmc\]|[hmc]\npassword_file = \"$work/hmc.pass\"|" c.toml
    printf '%s\n' "$TEST_PASSWORD" > hmc.pass
    chmod 644 hmc.pass
    HOME=$work SSH_AUTH_SOCK= run_vt --power-on
    [ "$rc" = 2 ] || fail "a password file others can read: exit $rc, expected 2"
    grep -q "chmod 600" err.txt || fail "no chmod advice"
    chmod 600 hmc.pass
    # While it runs, its argv and environment hold no password.
    (HOME=$work SSH_AUTH_SOCK= exec timeout 120 "$V" run --config "$work/c.toml" --power-on --events json > out.txt 2> err.txt) &
    pid=$!
    for _ in $(seq 1 500); do
      p=$(pgrep -P $pid -x vtpilot || true); [ -n "$p" ] && break
      python3 -c 'import time; time.sleep(0.01)'
    done
    [ -n "$p" ] && { tr '\0' ' ' < /proc/$p/cmdline; tr '\0' '\n' < /proc/$p/environ; } > proc.txt 2>/dev/null
    wait $pid; rc=$?
    [ "$rc" = 0 ] || fail "password login: exit $rc"
    [ -s proc.txt ] || fail "could not read the process's cmdline"
    for f in proc.txt out.txt err.txt lpar01-*.cast hmc/console.log; do
      ! grep -qF "$TEST_PASSWORD" "$f" || fail "the password appears in $f"
    done
    # And a wrong one is exit 5.
    printf 'wrong-%s\n' "$TEST_PASSWORD" > hmc.pass
    stop_sshd; rm -f hmc/daemon.pid hmc/console.sock hmc/vterm.lock; echo "Not Activated" > hmc/lpar_state
    start_sshd password
    write_config c.toml; sed -i "/^identity = /d" c.toml
    sed -i "s|^\[hmc\]|[hmc]\npassword_file = \"$work/hmc.pass\"|" c.toml
    HOME=$work SSH_AUTH_SOCK= run_vt --power-on
    [ "$rc" = 5 ] || fail "a wrong password: exit $rc, expected 5"
    grep -q "refused authentication" err.txt || fail "no authentication message" ;;

  busy)
    # Another session holds the console: exit 5 and why; with --take-over, rmvterm frees it.
    start_sshd
    echo "--fast" > hmc/sim-args
    # The operator's part of the runbook: ISO 1 loaded, the LPAR activated into SMS.
    SSH_ORIGINAL_COMMAND='viosvrcmd -m Server-8247-42L-SN21271DA -p vios1 -c "loadopt -disk aix72_vol1.iso -vtd vtopt0"' \
      "$SIM" hmc --state "$work/hmc" >/dev/null 2>&1 || fail "could not load ISO 1"
    SSH_ORIGINAL_COMMAND="chsysstate -r lpar -m Server-8247-42L-SN21271DA -o on -n lpar01 -f default_profile -b sms" \
      "$SIM" hmc --state "$work/hmc" >/dev/null 2>&1
    # The other session: a mkvterm on a pty of its own, holding the console.
    python3 - "$SIM" "$work/hmc" <<'EOF' &
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.environ["SSH_ORIGINAL_COMMAND"] = "mkvterm -m Server-8247-42L-SN21271DA -p lpar01"
    os.execv(sys.argv[1], [sys.argv[1], "hmc", "--state", sys.argv[2]])
end = time.time() + 60
while time.time() < end:
    try:
        if not os.read(fd, 4096): break
    except OSError:
        break
EOF
    holder=$!
    for _ in $(seq 1 300); do [ -s hmc/vterm.lock ] && break; python3 -c 'import time; time.sleep(0.01)'; done
    [ -s hmc/vterm.lock ] || fail "the other session did not get the console"
    write_config c.toml
    run_vt
    [ "$rc" = 5 ] || fail "busy console: exit $rc, expected 5"
    grep -q "held by another session" err.txt || fail "no busy message"
    grep -q -- "--take-over" err.txt || fail "no hint about --take-over"
    no_console_keys
    run_vt --take-over
    kill $holder 2>/dev/null
    [ "$rc" = 0 ] || fail "--take-over: exit $rc"
    grep -q "rmvterm" err.txt || fail "rmvterm was not run" ;;

  killed_at_40)
    # The ssh connection dies mid-install and the HMC frees the vterm (lpar-sim's default):
    # vtpilot reconnects, reopens the vterm, reads the screen again, and finishes; no key
    # reaches the console twice, and nothing is reclaimed (there is nothing to reclaim).
    start_sshd
    run_and_drop_at_40
    [ "$rc" = 0 ] || fail "exit $rc after the drop"
    grep -q '"reattached"\|reattached' out.txt err.txt || fail "no reattach reported"
    keys_once
    ! grep -q "reclaiming" err.txt || fail "reclaimed a console nobody held"
    grep -q '"gap: ' lpar01-*.cast || fail "the gap is not in the transcript" ;;

  killed_held)
    # As a real HMC does (V10R3, ADR 0072 P3), the dropped session's vterm stays held: every
    # sign says the holder is vtpilot's own dropped session, so it is reclaimed (rmvterm, then
    # mkvterm), said so in the output and the transcript, and the run finishes; no key twice.
    HMC_FLAGS="--hold-dropped-vterm" start_sshd
    run_and_drop_at_40
    [ "$rc" = 0 ] || fail "exit $rc after the drop"
    grep -q "reclaiming it: rmvterm -m Server-8247-42L-SN21271DA -p lpar01" err.txt || fail "no reclaim said on stderr"
    grep -q '"hmc: the console is still held by our own dropped session.*reclaiming it: rmvterm' lpar01-*.cast ||
      fail "no reclaim marker in the transcript"
    grep -q '"gap end: reattached to the vterm after .*(reclaimed from our dropped session with rmvterm)' lpar01-*.cast ||
      fail "the reattach does not say it reclaimed"
    keys_once
    [ ! -e hmc/vterm.lock ] || fail "the vterm is still held after the run ($(cat hmc/vterm.lock))" ;;

  killed_held_no_reclaim)
    # The same drop with reclaim_own_vterm = false (an operator who shares consoles): exit 5
    # with the exact command to free it; nothing is freed, nothing more is sent.
    HMC_FLAGS="--hold-dropped-vterm" start_sshd
    run_and_drop_at_40 "reclaim_own_vterm = false"
    "$V" check "$work/c.toml" > check.txt 2>&1 || fail "vtpilot check refuses reclaim_own_vterm: $(cat check.txt)"
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    grep -q "Free it on the HMC (rmvterm -m Server-8247-42L-SN21271DA -p lpar01)" err.txt || fail "no exact command given"
    ! grep -q "reclaiming" err.txt || fail "reclaimed although reclaim_own_vterm = false"
    grep -q '^dropped ' hmc/vterm.lock || fail "the held vterm was freed"
    keys_prefix ;;

  killed_held_rmvterm_denied)
    # The reclaim is refused (this HMC user may not run rmvterm): exit 5 with the HMC's HSCL
    # code and text and the command for the operator; nothing more is sent.
    HMC_FLAGS="--hold-dropped-vterm --deny rmvterm" start_sshd
    run_and_drop_at_40
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    grep -q "reclaiming it: rmvterm" err.txt || fail "no reclaim was tried"
    grep -q "refused: rmvterm -m Server-8247-42L-SN21271DA -p lpar01: HSCL350B The user does not have the appropriate authority" err.txt ||
      fail "the HSCL code and text are not reported"
    grep -q "Free the console on the HMC (rmvterm -m Server-8247-42L-SN21271DA -p lpar01)" err.txt || fail "no command given"
    keys_prefix ;;

  two_lpars)
    # Two LPARs on one HMC at once; the second one's clone is hdisk0, so it is refused while
    # the first completes: one LPAR's failure never stops the other's.
    start_sshd
    printf 'lpars=lpar01,lpar02\n' > hmc/hmc.conf
    mkdir -p hmc/lpar01 hmc/lpar02
    echo "--fast" > hmc/lpar01/sim-args
    echo "--fast --disks hdisk0:altinst_rootvg,hdisk1:rootvg" > hmc/lpar02/sim-args
    write_config c.toml
    printf '\n[[lpar]]\nname = "lpar02"\nvtd = "vtopt1"\n' >> c.toml
    run_vt --power-on --events json
    [ "$(console_keys hmc/lpar01/console.log)" = "${MIGRATE}" ] || fail "lpar01 keys were $(console_keys hmc/lpar01/console.log)"
    grep -q '"migrated"' hmc/lpar01/console.log || fail "lpar01 did not migrate"
    ! grep -q '"destroyed"' hmc/lpar02/console.log || fail "lpar02 was destroyed"
    grep -q '"lpar":"lpar02".*"code":"altinst-disk"\|"code":"altinst-disk".*"lpar":"lpar02"' out.txt || fail "lpar02 was not refused"
    [ "$rc" = 3 ] || fail "exit $rc, expected 3 (the first LPAR that did not finish)"
    ls lpar01-*.cast lpar02-*.cast > /dev/null || fail "not one transcript per LPAR" ;;

  step_accept|step_refuse|step_quit)
    # vtpilot step over ssh: the operator (tests/e2e/step.py, on a pty) accepts, refuses
    # Overwrite, or quits; quitting releases the vterm.
    start_sshd
    echo "--fast" > hmc/sim-args
    write_config c.toml
    STEP_CONFIG=$work/c.toml STEP_SIMLOG=$work/hmc/console.log STEP_VTERM_LOCK=$work/hmc/vterm.lock \
      python3 "$here/../e2e/step.py" "$case" "$V" "$SIM" "$work" > err.txt 2>&1 || fail "$(tail -1 err.txt)" ;;

  verify|verify_broken_fileset|preflight)
    # The acceptance checks over ssh on a running LPAR (its login prompt drawn before the vterm
    # opened: one Enter makes AIX draw it again), and preflight on the running 7.1 system.
    start_sshd
    PW="vtp-root-$RANDOM"; printf '%s\n' "$PW" > pw; chmod 600 pw
    start=login72; extra=""; cmd=verify; want=0
    [ "$case" = preflight ] && { start=login71; cmd=preflight; }
    [ "$case" = verify_broken_fileset ] && { extra="--broken-fileset bos.rte.security"; want=7; }
    echo "--fast --start $start --root-password-file $work/pw --attach-wait 0 $extra" > hmc/sim-args
    SSH_ORIGINAL_COMMAND="chsysstate -r lpar -m Server-8247-42L-SN21271DA -o on -n lpar01 -f default_profile" \
      "$SIM" hmc --state "$work/hmc" >/dev/null 2>&1 || fail "could not start the LPAR"
    write_config c.toml "power_on = true"
    timeout 120 "$V" "$cmd" --config c.toml --password-file pw --json > out.txt 2> err.txt; rc=$?
    [ "$rc" = "$want" ] || fail "$cmd exit $rc, expected $want"
    [ "$case" != verify_broken_fileset ] || grep -q "bos.rte.security" err.txt out.txt || fail "the broken fileset is not named"
    [ "$case" != preflight ] || grep -q "target_pvid\|--target-pvid" out.txt err.txt || fail "preflight printed no pins"
    for f in out.txt err.txt lpar01-*.cast; do ! grep -qF "$PW" "$f" || fail "the root password appears in $f"; done
    [ ! -e hmc/vterm.lock ] || fail "the vterm is still held" ;;

  run_verify)
    # run --config --verify: the migration, then the acceptance checks, in one attach.
    start_sshd
    PW="vtp-root-$RANDOM"; printf '%s\n' "$PW" > pw; chmod 600 pw
    echo "--fast --root-password-file $work/pw" > hmc/sim-args
    write_config c.toml
    run_vt --power-on --verify --password-file pw
    [ "$rc" = 0 ] || fail "exit $rc"
    grep -q "all checks passed" err.txt || fail "no verify verdict"
    [ "$(ls lpar01-*.cast | wc -l)" = 1 ] || fail "not one transcript" ;;

  ssh_config_alias)
    # The HMC named by a Host of the ssh config: HostName, Port, User and IdentityFile come from it.
    start_sshd
    echo "--fast" > hmc/sim-args
    printf 'Host hmc-test\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile %s\n' "$PORT" "$(id -un)" "$work/id_ed25519" > ssh_config
    printf '[hmc]\nhost = "hmc-test"\nknown_hosts = "%s"\nssh_config = "%s"\n[defaults]\nmanaged_system = "Server-8247-42L-SN21271DA"\nvios = "vios1"\nmedia = ["aix72_vol1.iso"]\ntranscripts = "%s"\npacing_ms = 0\n[[lpar]]\nname = "lpar01"\n' \
      "$work/known_hosts" "$work/ssh_config" "$work" > c.toml
    HOME=$work SSH_AUTH_SOCK= run_vt --power-on
    [ "$rc" = 0 ] || fail "exit $rc"
    grep -q "connected to $(id -un)@127.0.0.1:$PORT" err.txt || fail "not connected through the alias" ;;

  password_prompt)
    # password_prompt = true: asked on the terminal (no echo), and nowhere else afterwards.
    start_sshd password
    echo "--fast" > hmc/sim-args
    write_config c.toml
    sed -i "/^identity = /d" c.toml
    sed -i "s|^\[hmc\]|[hmc]\npassword_prompt = true|" c.toml
    HOME=$work SSH_AUTH_SOCK= TEST_PASSWORD=$TEST_PASSWORD python3 - "$V" "$work/c.toml" > err.txt 2>&1 <<'EOF' || fail "$(tail -3 err.txt)"
import os, sys, pexpect
v, cfg = sys.argv[1:3]
child = pexpect.spawn(v, ["run", "--config", cfg, "--power-on"], encoding="utf-8", timeout=60, dimensions=(24, 80))
child.logfile_read = open("pty.txt", "w")
child.expect("Password for ")
if not child.isalive():
    sys.exit("vtpilot ended at the prompt")
child.sendline(os.environ["TEST_PASSWORD"])
child.expect(pexpect.EOF)
child.close()
sys.exit(0 if child.exitstatus == 0 else f"exit {child.exitstatus}")
EOF
    for f in pty.txt lpar01-*.cast; do ! grep -qF "$TEST_PASSWORD" "$f" || fail "the password appears in $f"; done ;;

  stalled_connect)
    # An HMC that accepts the connection and then says nothing: bounded by connect_timeout_s.
    PORT=$(free_port)
    python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
c, _ = s.accept(); time.sleep(60)' "$PORT" &
    silent=$!
    for _ in $(seq 1 200); do python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$PORT" 2>/dev/null && break; done
    : > known_hosts; : > ssh_config
    write_config c.toml
    sed -i "s/^connect_timeout_s = .*/connect_timeout_s = 2/" c.toml
    start=$(date +%s)
    run_vt --power-on
    kill $silent 2>/dev/null
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    [ $(( $(date +%s) - start )) -lt 20 ] || fail "took $(( $(date +%s) - start )) s"
    grep -q "cannot connect" err.txt || fail "no diagnosis" ;;

  stalled_mid_run)
    # The HMC stops answering mid-run (its sshd stopped): the screen timeout ends the run with
    # exit 4 and the last screen, well before TCP would give up.
    start_sshd
    echo "--time-scale 0.3" > hmc/sim-args
    write_config c.toml
    sed -i "s/^timeout_s = .*/timeout_s = 3/" c.toml
    ( timeout 120 "$V" run --config "$work/c.toml" --power-on --events json > out.txt 2> err.txt ) &
    pid=$!
    stopped=""
    for _ in $(seq 1 3000); do
      if grep -q '"screen":"sms.main"' out.txt 2>/dev/null; then
        p=$(vterm_sshd)
        [ -n "$p" ] && kill -STOP "$p" && stopped=$p
        break
      fi
      python3 -c 'import time; time.sleep(0.01)'
    done
    wait $pid; rc=$?
    [ -n "$stopped" ] && kill -CONT "$stopped" 2>/dev/null
    [ -n "$stopped" ] || fail "no sshd session process to stop"
    [ "$rc" = 4 ] || fail "exit $rc, expected 4"
    grep -q "nothing changed for 3 s" err.txt || fail "no timeout diagnosis"
    grep -q "Last screen" err.txt || fail "the last screen is not shown" ;;

  rollback_power7|rollback_power9|rollback_reordered)
    # The rollback plan over ssh: power on into SMS and boot the altinst_rootvg clone, found by
    # its location code (the device list order differs by firmware), never by a number.
    start_sshd
    TLOC=U8231.E2B.06DAFDP-V6-C2-T1-L8100000000000000; CLOC=U8231.E2B.06DAFDP-V6-C2-T1-L8200000000000000
    disks="hdisk0:rootvg:30720:$TLOC:00f6db0a6c7aad9b,hdisk1:altinst_rootvg:30720:$CLOC:00f6db0a8a1b2c3d"
    fw=${case#rollback_}; extra=""
    [ "$case" = rollback_reordered ] && { fw=power9; extra="--cdrom-item 1"; disks="hdisk0:altinst_rootvg:30720:$CLOC:00f6db0a8a1b2c3d,hdisk1:rootvg:30720:$TLOC:00f6db0a6c7aad9b"; }
    echo "--fast --start power-on-migrated --firmware $fw --disks $disks $extra" > hmc/sim-args
    write_config c.toml "plan = \"rollback\"" "clone = { location = \"$CLOC\" }"
    run_vt --power-on
    [ "$rc" = 0 ] || fail "exit $rc"
    python3 - "$CLOC" hmc/console.log <<'EOF' || fail "did not boot the clone"
import json, sys
loc, log = sys.argv[1:3]
evs = [json.loads(l) for l in open(log)]
boots = [e for e in evs if e.get("ev") == "boot"]
assert boots and boots[-1].get("loc") == loc and boots[-1].get("vg") == "altinst_rootvg", boots
assert [e for e in evs if e.get("ev") == "aix_boot"][-1].get("os") == "7.1"
assert not [e for e in evs if e.get("ev") == "install"]
EOF
    ;;

  verify_wrong_level|preflight_no_clone)
    # verify fails with its reason on a wrong level; preflight refuses without a clone (exit 7).
    start_sshd
    PW="vtp-root-$RANDOM"; printf '%s\n' "$PW" > pw; chmod 600 pw
    if [ "$case" = verify_wrong_level ]; then
      cmd=verify; flags="--start login72 --oslevel 7200-04-02-2028"; why="oslevel"
    else
      cmd=preflight; flags="--start login71 --disks hdisk0:rootvg,hdisk1:None"; why="no disk shows altinst_rootvg"
    fi
    echo "--fast $flags --root-password-file $work/pw --attach-wait 0" > hmc/sim-args
    SSH_ORIGINAL_COMMAND="chsysstate -r lpar -m Server-8247-42L-SN21271DA -o on -n lpar01 -f default_profile" \
      "$SIM" hmc --state "$work/hmc" >/dev/null 2>&1 || fail "could not start the LPAR"
    write_config c.toml
    timeout 120 "$V" "$cmd" --config c.toml --password-file pw > out.txt 2> err.txt; rc=$?
    [ "$rc" = 7 ] || fail "$cmd exit $rc, expected 7"
    grep -q "$why" err.txt || fail "the reason is not given" ;;

  agent_key_once)
    # An agent holding a key the HMC does not know, sshd's MaxAuthTries 2, and the right key as
    # the ssh config's IdentityFile: the agent's key is offered once, so the IdentityFile is
    # still reached (offered twice, it used up MaxAuthTries: "Too many authentication failures").
    SSHD_EXTRA="MaxAuthTries 2" start_sshd
    echo "--fast" > hmc/sim-args
    ssh-keygen -q -t ed25519 -N '' -f "$work/stranger"
    start_agent "$work/stranger"
    write_config c.toml
    sed -i "/^identity = /d" c.toml
    printf 'Host 127.0.0.1\n  IdentityFile %s\n' "$work/id_ed25519" > ssh_config
    HOME=$work SSH_AUTH_SOCK=$work/agent.sock run_vt --power-on
    [ "$rc" = 0 ] || fail "exit $rc" ;;

  auth_dropped)
    # The HMC drops the connection during publickey auth (MaxAuthTries 1: the attempt after
    # the wrong key's failure is answered with a disconnect): a connection failure with its
    # cause, not "refused authentication".
    SSHD_EXTRA="MaxAuthTries 1" start_sshd
    echo "--fast" > hmc/sim-args
    ssh-keygen -q -t ed25519 -N '' -f "$work/stranger"
    ssh-keygen -q -t ed25519 -N '' -f "$work/stranger2"
    start_agent "$work/stranger2"
    write_config c.toml
    sed -i "s|^identity = .*|identity = \"$work/stranger\"|" c.toml
    sed -i "s/^connect_timeout_s = .*/connect_timeout_s = 3/" c.toml  # libssh waits it out after the disconnect
    HOME=$work SSH_AUTH_SOCK=$work/agent.sock run_vt --power-on
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    grep -q "connection failed during authentication" err.txt || fail "not reported as a connection failure"
    grep -qi "too many authentication failures" err.txt || fail "the cause is lost"
    ! grep -q "refused authentication" err.txt || fail "reported as a refusal"
    [ ! -e hmc/daemon.pid ] || fail "the LPAR was powered on" ;;

  reopen_refused)
    # After a drop the HMC refuses the vterm's terminal (sshd now PermitTTY no): each refused
    # reopen is one reconnect attempt, not two (the channel reported opened(error) and closed).
    start_sshd
    echo "--time-scale 0.3" > hmc/sim-args
    write_config c.toml
    sed -i "s/^keepalive_s = .*/keepalive_s = 5\nreconnect_attempts = 3/" c.toml
    ( timeout 120 "$V" run --config "$work/c.toml" --power-on --events json > out.txt 2> err.txt ) &
    pid=$!
    killed=""
    for _ in $(seq 1 3000); do
      if grep -q '"screen":"sms.main"' out.txt 2>/dev/null; then
        echo "PermitTTY no" >> sshd_config
        kill -HUP "$(cat sshd.pid)"
        python3 -c 'import time; time.sleep(0.5)'
        p=$(vterm_sshd)
        [ -n "$p" ] && kill -9 "$p" && killed=$p
        break
      fi
      python3 -c 'import time; time.sleep(0.01)'
    done
    wait $pid; rc=$?
    [ -n "$killed" ] || fail "no sshd session process to kill"
    [ "$rc" = 5 ] || fail "exit $rc, expected 5"
    grep -q "gave up after 3 reconnect attempts" err.txt || fail "did not give up after 3 attempts"
    grep -q "refused a terminal" err.txt || fail "the refusal is not given"
    [ "$(grep -c "reconnecting in" err.txt)" = 3 ] || fail "not 3 reconnect notes"
    # Counted twice, attempt 3 came at once after attempt 2; counted once, after attempt 2's
    # 2 s delay and its own refused reopen.
    python3 - out.txt <<'EOF' || fail "attempts 2 and 3 were one refused reopen"
import json, sys
t = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    for n in (2, 3):
        if e.get("event") == "hmc" and f"(attempt {n} of 3)" in e.get("text", ""):
            t[n] = e["t"]
sys.exit(0 if len(t) == 2 and t[3] - t[2] >= 1.5 else f"attempt times {t}")
EOF
    ;;

  stop_while_holding)
    # Stopped while the new vterm has printed nothing yet (held back for 3 s): nothing more is
    # done on the HMC, in particular no volume 1 load and no power-on while leaving.
    start_sshd_wrapped() {
      cat > hmc-wrap <<EOF
#!/bin/sh
printf '%s\n' "\$SSH_ORIGINAL_COMMAND" >> "$work/commands.log"
case "\$SSH_ORIGINAL_COMMAND" in mkvterm*) sleep 8 ;; esac
exec "$SIM" hmc --state "$work/hmc"
EOF
      chmod +x hmc-wrap
      FORCE_COMMAND=$work/hmc-wrap start_sshd
    }
    start_sshd_wrapped
    echo "--fast" > hmc/sim-args
    write_config c.toml
    "$V" run --config "$work/c.toml" --power-on > out.txt 2> err.txt &
    pid=$!
    for _ in $(seq 1 2000); do grep -q "mkvterm" commands.log 2>/dev/null && break; python3 -c 'import time; time.sleep(0.01)'; done
    grep -q "mkvterm" commands.log 2>/dev/null || { kill $pid; fail "no mkvterm"; }
    # Inside the 3 s hold with a wide margin (a loaded machine is slow to get here).
    python3 -c 'import time; time.sleep(0.2)'
    kill -TERM $pid
    for _ in $(seq 1 1500); do kill -0 $pid 2>/dev/null || break; python3 -c 'import time; time.sleep(0.01)'; done
    kill -0 $pid 2>/dev/null && { kill -9 $pid; fail "still running 15 s after SIGTERM"; }
    wait $pid; rc=$?
    [ "$rc" = 143 ] || fail "exit $rc, expected 143"
    ! grep -q "loading volume 1\|activating" err.txt || fail "the HMC was worked on while leaving: $(grep 'loading\|activating' err.txt)"
    ! grep -q "loadopt\|chsysstate" commands.log || fail "ran $(grep 'loadopt\|chsysstate' commands.log)" ;;

  password_prompt_interrupted)
    # Ctrl-C at the HMC password prompt: the terminal has its echo back afterwards, and
    # vtpilot still ends by SIGINT. (Nothing listens on the port: the prompt comes first.)
    PORT=$(free_port)
    : > known_hosts; : > ssh_config
    write_config c.toml
    sed -i "s|^\[hmc\]|[hmc]\npassword_prompt = true|" c.toml
    python3 - "$V" "$work/c.toml" > err.txt 2>&1 <<'EOF' || fail "$(tail -3 err.txt)"
import fcntl, os, select, signal, subprocess, sys, termios, time
v, cfg = sys.argv[1:3]
m, s = os.openpty()
def ctty():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen([v, "run", "--config", cfg], stdin=s, stdout=s, stderr=s, preexec_fn=ctty)
seen, end = b"", time.time() + 30
while b"Password for " not in seen and time.time() < end:
    if select.select([m], [], [], 0.2)[0]:
        seen += os.read(m, 4096)
if b"Password for " not in seen:
    sys.exit("no password prompt: %r" % seen)
os.write(m, b"half-typed\x03")
p.wait(timeout=30)
if not termios.tcgetattr(s)[3] & termios.ECHO:
    sys.exit("the terminal's echo is still off after Ctrl-C")
if p.returncode != -signal.SIGINT:
    sys.exit("exit %s, expected death by SIGINT" % p.returncode)
EOF
    ;;

  second_signal)
    # A second signal stops at once: the keys of the answer still being paced out are dropped
    # (the first signal waits for that answer; pacing 8 s, so the Enter after "5" is pending).
    start_sshd
    echo "--fast" > hmc/sim-args
    write_config c.toml
    sed -i "s/^pacing_ms = .*/pacing_ms = 8000/" c.toml
    "$V" run --config "$work/c.toml" --power-on --events json > out.txt 2> err.txt &
    pid=$!
    for _ in $(seq 1 3000); do grep -q '"event":"send"' out.txt 2>/dev/null && break; python3 -c 'import time; time.sleep(0.01)'; done
    grep -q '"event":"send"' out.txt || { kill $pid; fail "nothing was sent"; }
    kill -TERM $pid
    python3 -c 'import time; time.sleep(0.5)'
    kill -TERM $pid
    t0=$(date +%s)
    for _ in $(seq 1 3000); do kill -0 $pid 2>/dev/null || break; python3 -c 'import time; time.sleep(0.01)'; done
    wait $pid; rc=$?
    [ "$rc" = 143 ] || fail "exit $rc, expected 143"
    [ $(( $(date +%s) - t0 )) -lt 6 ] || fail "took $(( $(date +%s) - t0 )) s after the second signal"
    keys=$(console_keys)
    case "$keys" in *"/"*) fail "the paced answer was finished after the second signal: keys $keys" ;; esac
    grep -q "stopped again" lpar01-*.cast || fail "no marker for the dropped keys" ;;

  bad_plan_second_lpar)
    # The second LPAR's plan does not exist: exit 2 before any transcript is made.
    PORT=$(free_port)
    : > known_hosts; : > ssh_config
    write_config c.toml
    printf '\n[[lpar]]\nname = "lpar02"\nplan = "%s/no-such-plan.toml"\n' "$work" >> c.toml
    run_vt
    [ "$rc" = 2 ] || fail "exit $rc, expected 2"
    ! ls "$work"/*.cast >/dev/null 2>&1 || fail "transcripts were left: $(ls "$work"/*.cast)" ;;

  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok ($case)"
