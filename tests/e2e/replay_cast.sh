#!/usr/bin/env bash
# replay_cast.sh CAST VTPILOT: a recorded run replays with exit 0; the same cast with one
# recorded key changed diverges (exit 6); with the disk rows' VG Status swapped (the clone
# now where the target was) the guard refuses (exit 3).
set -u
cast=$1; V=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$V" replay "$cast" > "$work/out" 2>&1; rc=$?
[ "$rc" = 0 ] || { echo "replay of $cast: exit $rc"; cat "$work/out"; exit 1; }

/usr/bin/python3 - "$cast" "$work" <<'PY'
import json, sys
cast, work = sys.argv[1:3]
lines = open(cast).read().splitlines()
head, events = lines[0], [json.loads(l) for l in lines[1:]]
# 1. The key typed on Change Method (3, Migration) becomes 1 (New and Complete Overwrite); its
#    Enter is recorded as a key of its own (sent once the screen showed the digit typed).
key_edit = [list(e) for e in events]
method_marker = next(i for i, e in enumerate(key_edit) if e[1] == "m" and e[2].startswith("screen bos.method"))
first_key = next(i for i in range(method_marker, len(key_edit)) if key_edit[i][1] == "i")
key_edit[first_key][2] = key_edit[first_key][2].replace("3", "1")
# 2. The disk table with VG Status swapped between hdisk0 and hdisk1.
row_edit = []
for e in events:
    e = list(e)
    if e[1] == "o" and "altinst_rootvg" in e[2]:
        e[2] = e[2].replace("altinst_rootvg", "@@CLONE@@").replace("rootvg        ", "altinst_rootvg").replace("@@CLONE@@", "rootvg        ")
    row_edit.append(e)
for name, evs in (("key-changed", key_edit), ("rows-swapped", row_edit)):
    with open(f"{work}/{name}.cast", "w") as f:
        f.write(head + "\n" + "".join(json.dumps(e) + "\n" for e in evs))
PY
"$V" replay "$work/key-changed.cast" > "$work/out" 2>&1; rc=$?
[ "$rc" = 6 ] || { echo "a changed key: expected exit 6, got $rc"; cat "$work/out"; exit 1; }
# The report names the event, the screen, and both keys (README: "event index, screen,
# recorded vs sent keys").
for want in "key-changed.cast:[0-9]+: replay diverged at event [0-9]+ \(t=[0-9.]+s\) on screen bos.method" \
            "recorded keys: 1" "engine sent: +3"; do
  grep -Eq "$want" "$work/out" || { echo "divergence report lacks /$want/"; cat "$work/out"; exit 1; }
done
# The clone where the target was: the guard refuses before anything diverges.
"$V" replay "$work/rows-swapped.cast" > "$work/out" 2>&1; rc=$?
[ "$rc" = 3 ] || { echo "swapped disk rows: expected exit 3, got $rc"; cat "$work/out"; exit 1; }
grep -q "the guard refused" "$work/out" || { echo "no refusal in the report"; cat "$work/out"; exit 1; }
echo "ok: $(basename "$cast") replays; a changed key gives 6; swapped disk rows give $rc"
