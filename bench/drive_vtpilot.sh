#!/usr/bin/env bash
# A driver for ../shared/bench/run-peers.sh (its README has the contract): the console command
# comes as the trailing words; vtpilot runs it on a pty with its real engine (recognizer,
# guard on every key, transcript) at pacing 0, and this exits 0 only if the console program
# exited 0 after the login prompt.
here=$(cd "$(dirname "$0")" && pwd)
V=${VTPILOT:-$here/../build/vtpilot}
[ "${1:-}" = "--" ] && shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$V" run --quiet --pacing 0 --timeout 300 --plan "$here/console-sim.toml" \
  --transcript "$tmp/run.cast" --events json --spawn "$*" > "$tmp/events.jsonl"
rc=$?
status=$(sed -n 's/.*"child_status":\(-\{0,1\}[0-9]*\).*/\1/p' "$tmp/events.jsonl" | tail -1)
[ "$rc" = 0 ] && [ "$status" = 0 ] && exit 0
echo "drive_vtpilot: vtpilot exit $rc, console program exit ${status:-?}" >&2
exit 1
