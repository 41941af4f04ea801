#!/usr/bin/python3
"""json_shape.py VTPILOT FILE...: `vtpilot identify --json` prints exactly the design's shape.

Checked independently of the goldens (which vtpilot itself wrote): one JSON object per FILE, per
line; the keys and types of design.md's identify contract; keys that are not there are left
out (never null), except "screen", which is null when nothing is recognized.
"""
import json
import subprocess
import sys

v, files = sys.argv[1], sys.argv[2:]
out = subprocess.run([v, "identify", "--json", *files], capture_output=True, text=True).stdout.splitlines()
errors = []


def need(cond, what):
    if not cond:
        errors.append(what)


need(len(out) == len(files), f"{len(out)} lines for {len(files)} files")
for line, f in zip(out, files):
    o = json.loads(line)
    at = f"{f}: "
    need(o.get("file") == f, at + "file")
    need("screen" in o and (o["screen"] is None or isinstance(o["screen"], str)), at + "screen is a string or null")
    for k, val in o.items():
        need(val is not None or k == "screen", at + f"{k} is null (leave it out instead)")
    if "title" in o:
        need(isinstance(o["title"], str), at + "title")
    for c in o.get("choices", []):
        need(isinstance(c.get("key"), str) and c["key"].isdigit(), at + f"choice key {c.get('key')!r}")
        need(isinstance(c.get("label"), str), at + "choice label")
        need(isinstance(c.get("default"), bool), at + "choice default")
        need(c.get("verdict") in ("allow", "refuse"), at + f"choice verdict {c.get('verdict')!r}")
        if c.get("verdict") == "refuse":
            need(isinstance(c.get("reason"), str) and c["reason"], at + "a refusal has its reason")
        else:
            need("reason" not in c, at + "an allow has no reason")
    for d in o.get("disks", []):
        need(isinstance(d.get("key"), str), at + "disk key")
        need(isinstance(d.get("selected"), bool), at + "disk selected")
        for k in ("name", "location", "vg"):
            need(k not in d or isinstance(d[k], str), at + f"disk {k}")
        need("size_mb" not in d or isinstance(d["size_mb"], int), at + "disk size_mb is an integer")
    if "settings" in o:
        s = o["settings"]
        need(isinstance(s.get("method", ""), str), at + "settings method")
        need(isinstance(s.get("disks", []), list) and all(isinstance(x, str) for x in s.get("disks", [])), at + "settings disks")
    if "progress" in o:
        p = o["progress"]
        need(all(isinstance(p.get(k), int) for k in ("percent", "elapsed_min") if k in p), at + "progress integers")
if errors:
    print("\n".join(errors[:40]))
    sys.exit(1)
print(f"ok: {len(files)} files, the identify --json shape")
