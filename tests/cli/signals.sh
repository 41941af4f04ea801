#!/usr/bin/env bash
# SIGINT / SIGTERM / SIGHUP during a run: exit 130 / 143 / 129, and the transcript is a valid,
# complete asciicast (asciinema can read it) ending with the stop marker.
set -u
V=$1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cd "$work"
for pair in INT:130 TERM:143 HUP:129; do
  sig=${pair%%:*}; want=${pair#*:}
  "$V" run --quiet --transcript "$sig.cast" --spawn "printf 'booting...\\r\\n'; sleep 30" &
  pid=$!
  for _ in $(seq 200); do grep -q booting "$sig.cast" 2>/dev/null && break; sleep 0.05; done
  # A second signal (the impatient operator) stops at once and must not upset the first.
  kill -"$sig" "$pid"; kill -"$sig" "$pid" 2>/dev/null; wait "$pid"; rc=$?
  [ "$rc" = "$want" ] || { echo "SIG$sig: expected exit $want, got $rc"; exit 1; }
  python3 - "$sig.cast" <<'PY' || exit 1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
header = json.loads(lines[0]); assert header["version"] == 2, header
events = [json.loads(l) for l in lines[1:]]
assert any(e[1] == "o" and "booting" in e[2] for e in events), "output missing"
assert any(e[1] == "m" and "stopped by signal" in e[2] for e in events), "stop marker missing"
PY
  if command -v asciinema >/dev/null && command -v script >/dev/null; then
    script -qec "asciinema cat $sig.cast" /dev/null | grep -q booting || { echo "asciinema cannot read $sig.cast"; exit 1; }
  fi
done
echo "signals: transcripts complete, exits 130/143/129"
