#!/bin/sh
# A driver for ../shared/bench/run-peers.sh (its README has the contract): the console command
# comes as the trailing words; vtpilot runs it on a pty with its real engine (recognizer,
# guard on every key, a complete transcript flushed per event) at pacing 0, and this exits 0
# only if vtpilot reached the login prompt and the console program exited 0.
#
# The wrapper's own CPU is measured with vtpilot's, so it is plain sh (dash) using builtins
# only: no bash, sed, mktemp or rm (together about 3 ms a run, a tenth of a 20k-line run).
# Transcripts go to $VTPILOT_CAST_DIR (bench/run.sh makes one and removes it), else $TMPDIR.
V=${VTPILOT:-${0%/*}/../build/vtpilot}
[ "${1:-}" = "--" ] && shift
cast=${VTPILOT_CAST_DIR:-${TMPDIR:-/tmp}}/vtpilot-drive.$$.cast
out=$("$V" run --quiet --pacing 0 --timeout 300 --plan "${0%/*}/console-sim.toml" \
  --transcript "$cast" --events json --spawn "$*")
rc=$?
# The last line is the summary: {"event":"summary",...,"child_status":N}
case $rc$out in
  0*'"child_status":0}') exit 0 ;;
esac
echo "drive_vtpilot: vtpilot exit $rc; summary: ${out##*
}" >&2
exit 1
