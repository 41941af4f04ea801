#!/usr/bin/env bash
# asciinema_play.sh VTPILOT: a whole run --sim's transcript plays in Debian's asciinema
# (`play` and `cat`, on a pty of their own: both want a terminal) to the login prompt.
set -u
V=$1
command -v asciinema >/dev/null && command -v script >/dev/null || { echo "SKIP: asciinema or script missing"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cd "$work"
"$V" run --sim --sim-args "--fast --exit-at-login --media-volumes 2" --pacing 0 --quiet --transcript run.cast \
  || { echo "FAIL: the run itself (exit $?)"; exit 1; }
timeout 60 script -qec "asciinema play -i 0.001 -s 1000 run.cast" /dev/null > play.out 2>&1 || { echo "FAIL: asciinema play"; tail -5 play.out; exit 1; }
grep -q "Console login" play.out || { echo "FAIL: asciinema play did not reach the login prompt"; exit 1; }
timeout 60 script -qec "asciinema cat run.cast" /dev/null > cat.out 2>&1 || { echo "FAIL: asciinema cat"; exit 1; }
grep -q "insert volume 2" cat.out && grep -q "Console login" cat.out || { echo "FAIL: asciinema cat lost output"; exit 1; }
# The header's extra "vtpilot" object and the end marker do not disturb it, and are there.
head -1 run.cast | grep -q '"vtpilot":{"command":"run"' || { echo "FAIL: no vtpilot header object"; exit 1; }
tail -1 run.cast | grep -q '"end done exit=0"' || { echo "FAIL: the last event is not the end marker"; exit 1; }
echo "ok: asciinema plays and cats the transcript"
