#!/usr/bin/env bash
# run_messages.sh CASE VTPILOT LPAR-SIM: what `run` says on stderr (not a terminal), read as a
# user reads it. Each case fails with the output it got.
#   labels_titles_progress: keys with what they choose ("sending 3 (Migration Install)"); a title
#       only on screens that have one; progress every 10 %, not per percent; "install done".
#   refused_swapped: a refusal is said once (no "Refused: ... Refused"), and on swapped disks the
#       pin that would fix it is named.
#   heartbeat: a silent console gets lines saying what is awaited and when --timeout halts.
#   ssh_cannot_connect: "could not connect", and no empty "Last screen" frame.
set -u
case=$1 V=$2 SIM=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cd "$work"
fail() { echo "FAIL $case: $1"; echo "--- output ---"; cat out; exit 1; }
case $case in
  labels_titles_progress)
    "$V" run --sim --sim-args "--time-scale 0.03 --exit-at-login --media-volumes 2" --pacing 0 >/dev/null 2>out
    [ $? = 0 ] || fail "exit $?"
    grep -Eq 'sending 3 \(Migration Install\)$' out || fail "the key 3 on Change Method is not named"
    grep -Eq 'sending 5 \(Select Boot Options\)$' out || fail "the key 5 on the Main Menu is not named"
    grep -Eq 'bos\.method +Change Method of Installation$' out || fail "a menu lost its title"
    for id in bos.media_swap aix.login sms.post bos.progress fw.starting_software; do
      grep -Eq "^ +[0-9.]+s  $id\$" out || fail "$id shows a title it does not have"
    done
    n=$(grep -c 'install [0-9]*% complete' out)
    [ "$n" -le 13 ] || fail "$n progress lines: one per percent on a log"
    grep -Eq 'install done: 100% after [0-9]+ min' out || fail "no install done line" ;;
  refused_swapped)
    "$V" run --sim --sim-args "--fast --exit-at-login --disks hdisk0:altinst_rootvg,hdisk1:rootvg" >/dev/null 2>out
    [ $? = 3 ] || fail "exit $?"
    [ "$(grep -ci 'refused' out)" -le 3 ] || fail "the refusal is said more than once"
    grep -q 'Refused: ' out && fail "Refused: after REFUSED"
    [ "$(grep -c 'installing there destroys your way back' out)" = 1 ] || fail "the reason is not said exactly once"
    grep -q 'run again with --target-location U[^ ]*-L8200000000000000 .*--target-disk hdisk1' out \
      || fail "the pin that fixes it is not named" ;;
  heartbeat)
    "$V" run --timeout 3 --spawn "sleep 30" >/dev/null 2>out
    [ $? = 4 ] || fail "exit $?"
    grep -Eq "waiting for the console's first screen: nothing new for [12] s, halts in [12] s \(--timeout 3\)" out \
      || fail "no heartbeat during the silence" ;;
  ssh_cannot_connect)
    # A closed port on loopback: refused at once.
    printf '[hmc]\nhost = "127.0.0.1"\nport = 1\nuser = "u"\nknown_hosts = "/dev/null"\n[[lpar]]\nname = "a"\nmanaged_system = "m"\ntranscripts = "."\n' > c.toml
    "$V" run --config c.toml >/dev/null 2>out
    [ $? = 5 ] || fail "exit $?"
    grep -q 'vtpilot: could not connect: ssh: cannot connect to u@127.0.0.1:1' out || fail "it does not say it could not connect"
    grep -q 'Last screen' out && fail "a Last screen for a console never reached"
    grep -q 'console lost' out && fail "says console lost" ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok: $case"
