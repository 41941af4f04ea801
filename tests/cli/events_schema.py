#!/usr/bin/python3
"""events_schema.py VTPILOT LPAR-SIM README: the README's `--events json` table is the contract.
A whole simulated run (two volumes) and a refused one: every event is in the table and carries
only the fields the table gives it (plus t, event, lpar); lpar-sim's log uses the same names."""
import json
import os
import re
import subprocess
import sys
import tempfile

vtpilot, sim, readme = sys.argv[1:4]
text = open(readme).read()
table = text[text.index("### `--events json`"):text.index("## Against a real HMC")]
schema = {}
for row in re.findall(r"^\| `(\w+)` \|[^|]*\| (.*) \|$", table, re.M):
    schema[row[0]] = set(re.findall(r"(?:^|, )`(\w+)`", row[1])) | {"t", "event", "lpar"}
assert {"screen", "send", "refuse", "progress", "note", "halt", "done", "summary"} <= set(schema), schema

work = tempfile.mkdtemp()
bad = []
for args in (["--sim-args", f"--fast --exit-at-login --media-volumes 2 --log {work}/sim.log"],
             ["--sim-args", "--fast --exit-at-login --disks hdisk0:altinst_rootvg,hdisk1:rootvg"]):
    out = subprocess.run([vtpilot, "run", "--sim", *args, "--events", "json", "--quiet"], cwd=work,
                         capture_output=True, text=True).stdout
    kinds = set()
    for line in out.splitlines():
        e = json.loads(line)
        kinds.add(e["event"])
        if e["event"] not in schema:
            bad.append(f"undocumented event {e['event']}: {line}")
        elif set(e) - schema[e["event"]]:
            bad.append(f"undocumented fields {set(e) - schema[e['event']]} on {e['event']}: {line}")
    if "summary" not in kinds:
        bad.append(f"no summary with {args}")
log = [json.loads(l) for l in open(f"{work}/sim.log")]
if not all(e.get("event") == e.get("ev") for e in log):
    bad.append("an lpar-sim log line without the event name vtpilot uses")
if not all(e.get("screen") == e["id"] for e in log if e.get("ev") == "screen"):
    bad.append("an lpar-sim screen line without `screen`")
if not all("keys" in e and "screen" in e for e in log if e.get("ev") == "key"):
    bad.append("an lpar-sim key line without `keys`")
if bad:
    print("FAIL:\n" + "\n".join(bad[:20]))
    sys.exit(1)
print(f"ok: events match the README's table ({len(schema)} events)")
