#!/usr/bin/env bash
# bench/run.sh: vtpilot side by side with Tcl Expect and pexpect, in one run, on this machine.
#
#   bench/run.sh [-r REPS] [-l "LINES..."] [-L "LINES..."] [-p "DRIVERS"] [-P "DRIVERS"] [-R REPS]
#                [-n "N..."] [-m LINES] [-t S] [-a NAME=COMMAND]...
#
#   -r  runs of every configuration (5); min and median are taken over them
#   -l  install lines for every driver ("0 20000 200000"; 0 = the conversation alone: start-up cost)
#   -L  install lines for the big size ("2000000"; "" to skip it)
#   -p  peers at the big size, -r runs each ("expect expect-mm2000 pexpect-tuned")
#   -P  slow peers at the big size, -R runs each ("pexpect", 1 run: 4-6 minutes a run here, its
#       sleeps (delaybeforesend, delayafterread) and its whole-buffer searches; "" to skip)
#   -n  consoles driven at once by one vtpilot process ("1 8 64"), -m install lines each (20000)
#   -t  time limit of one run in seconds (900)
#   -S  also the deployment path at a real console's pace: ../shared/bench/ssh at --time-scale 1,
#       20000 lines, vtpilot beside Expect (ControlMaster) and pexpect-tuned (about 10 minutes)
#   -a  one more driver beside ours in every peers run, e.g. another build of vtpilot:
#       -a "before=env VTPILOT=/path/to/old/vtpilot bench/drive_vtpilot.sh --"
# Environment: BUILD_DIR (build dir holding vtpilot and bench/, default build/, what
# scripts/bootstrap makes), SHARED_BENCH (../shared/bench).
#
# Steps: ../shared/bench/run-peers.sh with our driver (bench/drive_vtpilot.sh, the real engine
# through `vtpilot run`) at every size, the peers interleaved with it per repetition; the N-console
# run (bench/multi.cpp); replay of a 2-hour (~10 MB) transcript; the cost of recognizing one
# screen (bench/recognize.cpp). Writes bench/results/<date>/ (CSVs, logs, machine.txt) and
# summary.md from them (bench/summarize.py), and prints the summary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=${SHARED_BENCH:-$root/../shared/bench}
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build=$root/$build
reps=5 lines="0 20000 200000" big="2000000" big_peers="expect expect-mm2000 pexpect-tuned" consoles="1 8 64"
slow_peers="pexpect" slow_reps=1 multi_lines=20000 limit=900 precise_lines="0 20000"
extra=()
ssh_paced=0
while getopts "r:l:L:p:P:R:n:m:t:a:s:Sh" o; do
  case $o in
    a) extra+=(-a "$OPTARG") ;;
    r) reps=$OPTARG ;; l) lines=$OPTARG ;; L) big=$OPTARG ;; p) big_peers=$OPTARG ;;
    P) slow_peers=$OPTARG ;; R) slow_reps=$OPTARG ;; s) precise_lines=$OPTARG ;;
    n) consoles=$OPTARG ;; m) multi_lines=$OPTARG ;; t) limit=$OPTARG ;; S) ssh_paced=1 ;;
    *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
[ -x "$shared/run-peers.sh" ] || { echo "bench: $shared/run-peers.sh not found (set SHARED_BENCH)" >&2; exit 2; }
[ -f "$build/build.ninja" ] || { echo "bench: no build in $build (scripts/bootstrap, or set BUILD_DIR)" >&2; exit 2; }
cmake --build "$build" --target vtpilot bench_multi bench_recognize >/dev/null
vtpilot=$build/vtpilot
out=$here/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
py=$(/usr/bin/python3 -c 'import sys; print(sys.executable)')
# Transcripts of the driven runs (up to ~100 MB each at 2M lines): kept out of the results,
# removed at the end. One of the 200k-line ones is the replay benchmark's transcript.
casts=$(mktemp -d "${TMPDIR:-/tmp}/vtpilot-bench.XXXXXX")
trap 'rm -rf "$casts"' EXIT

machine() {
  echo "$1: $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uptime | sed 's/.*load average/load average/')"
  top -bn1 | sed -n '3p;8,12p' | sed 's/^/  /'
}
{
  # The binaries are what $build holds; the checkout is only described (a build dir made from
  # another tree, e.g. a clean git archive, is the user's to name).
  echo "checkout $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- src include CMakeLists.txt 2>/dev/null || echo ' (src/ has uncommitted changes)'); binaries from $build"
  echo "$(uname -srm), $(nproc) CPUs, $(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
  machine before
} > "$out/machine.txt"
cat "$out/machine.txt"

export VTPILOT=$vtpilot VTPILOT_CAST_DIR=$casts
drv="vtpilot=$here/drive_vtpilot.sh --"
echo "== peers and vtpilot, $reps runs each, install lines: $lines"
PY=$py "$shared/run-peers.sh" -r "$reps" -l "$lines" -t "$limit" \
  -d "baseline expect expect-mm2000 pexpect pexpect-nodelay pexpect-tuned" -a "$drv" "${extra[@]}" -o "$out/peers"
grep '^# machine check' "$out/peers/header.txt" | sed 's/^# /peers /' >> "$out/machine.txt"
rm -f "$casts"/*.cast

# /usr/bin/time prints CPU in 10 ms steps, which is about all of a 20k-line run. At the small
# sizes every driver's command line (from run-peers.sh's commands.txt, rep 1) runs again under
# bench/cputime.py: the same rusage (the driver and the console program it reaps) to the
# microsecond, minus console-sim's own CPU (its stats file), as run-peers.sh subtracts it.
if [ -n "$precise_lines" ]; then
  echo "== CPU to the microsecond at install lines $precise_lines, $reps runs each"
  mkdir -p "$out/precise"
  echo "driver,lines,rep,rc,cpu_total_s,sim_cpu_s,cpu_driver_s,bytes" > "$out/precise.csv"
  for rep in $(seq "$reps"); do
    for L in $precise_lines; do
      # (a size not among -l has no commands: nothing to time, not a failure)
      { grep -- "/logs/[^ ]*\.$L\.1\.time " "$out/peers/commands.txt" || true; } | while read -r line; do
        d=$(echo "$line" | sed -n "s|.*/logs/\([^ ]*\)\.$L\.1\.time .*|\1|p")
        cmd=$(echo "$line" | sed "s|^.* timeout -k 5 [0-9]* ||; s| </dev/null\$||; s|/peers/logs/\([^ ]*\)\.$L\.1\.|/precise/\1.$L.$rep.|g")
        read -r -a words <<< "$cmd"
        tm=$out/precise/$d.$L.$rep.cpu st=$out/precise/$d.$L.$rep.stats
        set +e
        "$py" "$here/cputime.py" "$tm" -- timeout -k 5 "$limit" "${words[@]}" </dev/null >/dev/null 2>&1
        rc=$?
        set -e
        read -r u s _ < "$tm"
        awk -v d="$d" -v L="$L" -v rep="$rep" -v rc="$rc" -v u="$u" -v s="$s" -v st="$st" 'BEGIN {
          su = ss = b = 0
          while ((getline kv < st) > 0) { split(kv, a, "="); if (a[1] == "user_us") su = a[2]; if (a[1] == "sys_us") ss = a[2]; if (a[1] == "bytes") b = a[2] }
          sim = (su + ss) / 1e6; drv = u + s - sim; if (drv < 0) drv = 0
          printf "%s,%s,%s,%s,%.6f,%.6f,%.6f,%s\n", d, L, rep, rc, u + s, sim, drv, b }' >> "$out/precise.csv"
      done
    done
  done
  rm -f "$casts"/*.cast
fi
if [ -n "$big" ]; then
  echo "== install lines $big: baseline, vtpilot and ${big_peers:-no peers}, $reps runs each"
  PY=$py "$shared/run-peers.sh" -r "$reps" -l "$big" -t "$limit" -d "baseline $big_peers" -a "$drv" "${extra[@]}" -o "$out/peers-big"
  grep '^# machine check' "$out/peers-big/header.txt" | sed 's/^# /peers-big /' >> "$out/machine.txt"
  rm -f "$casts"/*.cast
  if [ -n "$slow_peers" ] && [ "$slow_reps" -gt 0 ]; then
    echo "== install lines $big: $slow_peers, $slow_reps run(s) each (slow), with vtpilot beside"
    PY=$py "$shared/run-peers.sh" -r "$slow_reps" -l "$big" -t "$limit" -d "$slow_peers" -a "$drv" "${extra[@]}" -o "$out/peers-big-slow"
    grep '^# machine check' "$out/peers-big-slow/header.txt" | sed 's/^# /peers-big-slow /' >> "$out/machine.txt"
    rm -f "$casts"/*.cast
  fi
fi

sim=$shared/console-sim
[ -x "$sim" ] || sim=${XDG_CACHE_HOME:-$HOME/.cache}/peer-bench/console-sim

echo "== N consoles driven by one vtpilot process ($multi_lines install lines each), $reps runs each"
echo "consoles,rep,ok,finished,lines,bytes,wall_s,cpu_s,cpu_per_console_s,maxrss_kb,prompts,lat_p50_ms,lat_p99_ms,lat_max_ms" > "$out/multi.csv"
for rep in $(seq "$reps"); do
  for n in $consoles; do
    line=$("$build/bench/bench_multi" "$n" "$multi_lines" "$sim" || true)
    echo "  rep $rep: $line"
    echo "$line" | awk -v rep="$rep" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      print v["consoles"] "," rep "," v["ok"] "," v["finished"] "," v["lines"] "," v["bytes"] "," v["wall_s"] "," v["cpu_s"] "," \
            v["cpu_per_console_s"] "," v["maxrss_kb"] "," v["prompts"] "," v["lat_p50_ms"] "," v["lat_p99_ms"] "," v["lat_max_ms"] }' >> "$out/multi.csv"
  done
done

echo "== replay of a 2-hour transcript (200000 install lines, about 10 MB), $reps runs"
replay_cast=$casts/replay.cast
"$vtpilot" run --quiet --pacing 0 --plan "$here/console-sim.toml" --transcript "$replay_cast" \
  --spawn "$sim --install-lines 200000 --quiet"
echo "rep,rc,wall_s,user_s,sys_s,rss_kb,engine_s,cast_bytes,output_bytes" > "$out/replay.csv"
cast_bytes=$(stat -c %s "$replay_cast")
for rep in $(seq "$reps"); do
  set +e
  /usr/bin/time -f '%e %U %S %M' -o "$casts/replay.time" "$vtpilot" replay --plan "$here/console-sim.toml" \
    "$replay_cast" > "$casts/replay.out" 2>&1
  rc=$?
  set -e
  read -r wall user sys rss < "$casts/replay.time"
  # "replay: FILE: keys agree (31 key bytes, 9685901 output bytes, 0.28 s)"
  engine=$(sed -n 's/.* output bytes, \([0-9.e-]*\) s).*/\1/p' "$casts/replay.out")
  obytes=$(sed -n 's/.*key bytes, \([0-9]*\) output bytes.*/\1/p' "$casts/replay.out")
  echo "  rep $rep: rc $rc, $wall s wall, $user s user, $sys s sys, $rss KiB; $(tail -1 "$casts/replay.out")"
  echo "$rep,$rc,$wall,$user,$sys,$rss,$engine,$cast_bytes,$obytes" >> "$out/replay.csv"
done

echo "== the same transcript one console line per event (a real console's pace), $reps runs"
lines_cast=$casts/replay-lines.cast
"$py" "$here/line_cast.py" "$replay_cast" "$lines_cast"
echo "rep,rc,wall_s,user_s,sys_s,rss_kb,engine_s,cast_bytes,output_bytes,events" > "$out/replay-lines.csv"
cast_bytes=$(stat -c %s "$lines_cast")
events=$(grep -c '"o"' "$lines_cast" || true)
for rep in $(seq "$reps"); do
  set +e
  /usr/bin/time -f '%e %U %S %M' -o "$casts/replay.time" "$vtpilot" replay --plan "$here/console-sim.toml" \
    "$lines_cast" > "$casts/replay.out" 2>&1
  rc=$?
  set -e
  read -r wall user sys rss < "$casts/replay.time"
  engine=$(sed -n 's/.* output bytes, \([0-9.e-]*\) s).*/\1/p' "$casts/replay.out")
  obytes=$(sed -n 's/.*key bytes, \([0-9]*\) output bytes.*/\1/p' "$casts/replay.out")
  echo "  rep $rep: rc $rc, $wall s wall, $user s user, $sys s sys, $rss KiB, $events output events"
  echo "$rep,$rc,$wall,$user,$sys,$rss,$engine,$cast_bytes,$obytes,$events" >> "$out/replay-lines.csv"
done
rm -f "$lines_cast"

if ((ssh_paced)); then
  # The deployment path at a real console's pace (../shared/bench/ssh): vtpilot over a loopback
  # sshd to `lpar-sim hmc`, beside Expect through an OpenSSH ControlMaster and pexpect.
  echo "== over ssh at real pacing (20000 install lines, a line per read), $reps runs each"
  SIMX="--time-scale 1" bash "$shared/ssh/run.sh" -r "$reps" -l 20000 -d "vtpilot expect-mux pexpect-tuned" \
    > "$out/ssh-paced.txt" 2>&1 || echo "bench: the paced ssh run failed (see $out/ssh-paced.txt)" >&2
fi

echo "== recognition of one 80x24 screen against all signatures"
"$build/bench/bench_recognize" | tee "$out/recognize.txt"

machine after >> "$out/machine.txt"
echo
"$py" "$here/summarize.py" "$out"
echo "results in $out"
