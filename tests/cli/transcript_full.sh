#!/usr/bin/env bash
# transcript_full.sh VTPILOT LPAR-SIM: the transcript's disk fills up in the middle of a run.
# vtpilot must never drive unrecorded: it halts before the next key (exit 4) and says why, and
# every key lpar-sim received (its --log is the oracle) is a key the transcript holds.
# A file size limit stands in for the full disk (no mount needed): writes then fail with EFBIG
# where a full disk gives ENOSPC, through the same failed-write path; vtpilot ignores SIGXFSZ
# so that the limit is a failed write, not a kill.
set -u
V=$1; SIM=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; cd "$work"
fail() { echo "FAIL: $*"; echo "--- vtpilot output (tail) ---"; tail -30 out.txt; exit 1; }

# 8 KiB: the POST banner and the first SMS menus fit, the rest of the migration does not.
# Only vtpilot is limited: the simulator raises its own soft limit back before it starts.
(
  ulimit -S -f 8
  exec "$V" run --quiet --transcript run.cast --timeout 20 --confirm-timeout 1 --pacing 5 \
    --spawn "ulimit -S -f unlimited; exec '$SIM' console --fast --exit-at-login --log '$work/sim.log'"
) > out.txt 2>&1 </dev/null
rc=$?
[ "$rc" = 4 ] || fail "expected exit 4, got $rc"
grep -q "the transcript cannot be written" out.txt || fail "no message about the transcript"
grep -q "write failed" out.txt || fail "the message does not say the write failed"
[ "$(stat -c %s run.cast)" -le 8192 ] || fail "the transcript grew past the limit"

python3 - run.cast sim.log <<'PY' || exit 1
import json, sys
cast, log = sys.argv[1:3]
lines = open(cast, encoding="utf-8", errors="replace").read().split("\n")
recorded = ""
for line in lines[1:]:
    try:
        e = json.loads(line)
    except ValueError:
        break  # the line the limit cut short, and nothing after it
    if e[1] == "i":
        recorded += e[2]
received = "".join(e["data"] for e in map(json.loads, open(log)) if e.get("ev") == "key")
assert received, "no key reached the console before the disk filled: the case tests nothing"
assert received == recorded, f"keys reached the console unrecorded: recorded {recorded!r}, received {received!r}"
assert not any(e.get("ev") == "install" for e in map(json.loads, open(log))), "the run went on to the install"
print(f"transcript full after {len(recorded)} recorded keys; the console received exactly those")
PY
