#!/usr/bin/env bash
# bench/run.sh: vtpilot side by side with Tcl Expect and pexpect, in one run, on this machine.
# Uses ../shared/bench/run-peers.sh (console-sim + peer drivers) with our driver added, then
# the concurrency run (N consoles, one vtpilot process), replay speed, and recognition cost.
# Writes bench/results/<date>/ and prints the tables. Usage: bench/run.sh [-r REPS] [-l "LINES..."]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=${SHARED_BENCH:-$root/../shared/bench}
reps=5
lines="20000 200000 2000000"
while getopts "r:l:" o; do case $o in r) reps=$OPTARG ;; l) lines=$OPTARG ;; *) exit 2 ;; esac; done
[ -x "$root/build/vtpilot" ] || { echo "bench: build first (scripts/bootstrap)" >&2; exit 2; }
[ -x "$shared/run-peers.sh" ] || { echo "bench: $shared/run-peers.sh not found" >&2; exit 2; }
cmake --build "$root/build" --target bench_recognize bench_multi >/dev/null
out=$here/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
py=$(/usr/bin/python3 -c 'import sys; print(sys.executable)')

echo "== peers and vtpilot, $reps runs each, lines: $lines" | tee "$out/summary.txt"
# The peers are slow and super-linear at 2M lines: they run at 20k and 200k; vtpilot and the
# bounded-window pexpect also at 2M.
PY=$py "$shared/run-peers.sh" -r "$reps" -l "20000 200000" \
  -d "baseline expect expect-mm2000 pexpect pexpect-nodelay pexpect-tuned" \
  -a "vtpilot=$here/drive_vtpilot.sh --" -o "$out/peers" | tee -a "$out/summary.txt"
if [[ " $lines " == *" 2000000 "* ]]; then
  PY=$py "$shared/run-peers.sh" -r "$reps" -l "2000000" -d "baseline pexpect-tuned" \
    -a "vtpilot=$here/drive_vtpilot.sh --" -o "$out/peers-2M" | tee -a "$out/summary.txt"
fi

echo "== N consoles driven by one vtpilot process (20000 lines each)" | tee -a "$out/summary.txt"
sim=$shared/console-sim
[ -x "$sim" ] || sim=${XDG_CACHE_HOME:-$HOME/.cache}/peer-bench/console-sim
for n in 1 8 64; do "$root/build/bench/bench_multi" "$n" 20000 "$sim" | tee -a "$out/summary.txt"; done

echo "== replay of a 200000-line (about 10 MB) transcript, $reps runs" | tee -a "$out/summary.txt"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$root/build/vtpilot" run --quiet --pacing 0 --plan "$here/console-sim.toml" --transcript "$tmp/big.cast" \
  --spawn "$sim --install-lines 200000 --quiet"
ls -l "$tmp/big.cast" | awk '{printf "transcript bytes: %s\n", $5}' | tee -a "$out/summary.txt"
for i in $(seq "$reps"); do
  /usr/bin/time -f "%e s wall, %U s user, %M KiB" "$root/build/vtpilot" replay --plan "$here/console-sim.toml" "$tmp/big.cast" 2>&1 >/dev/null
done | sort -n | tee -a "$out/summary.txt"

echo "== recognition of one 80x24 screen against all signatures" | tee -a "$out/summary.txt"
"$root/build/bench/bench_recognize" | tee -a "$out/summary.txt"
echo "results in $out"
