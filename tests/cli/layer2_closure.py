#!/usr/bin/env python3
"""Layer 2 of the guard sees only the raw screen (issue 17, design.md "Guard rules").

Follows every `#include "..."` of src/lib/guard/layer2.cpp, and of the sources of what it calls
(keys.cpp: the lines the keys type; policy.cpp: the plan's labels), through the headers they reach
(public ones under include/, private ones under src/lib/), and fails if any of them is a
recognizer or parser header (vtpilot/screens/*, src/lib/screens/*) or the guard's public
header, which brings the recognizer in. An include that cannot be found fails too: a check
that skips what it cannot read would pass on anything.

usage: layer2_closure.py SOURCE_DIR [FILE...]   (FILE: other files to check instead)
"""
import os
import re
import sys

root = sys.argv[1]
starts = sys.argv[2:] or [os.path.join(root, "src/lib/guard", f) for f in ("layer2.cpp", "keys.cpp", "policy.cpp")]
search = [os.path.join(root, "include"), os.path.join(root, "src/lib")]
forbidden = [re.compile(r"^vtpilot/screens/"), re.compile(r"^screens/"), re.compile(r"^vtpilot/guard/guard\.hpp$")]
include_re = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def resolve(name, here):
    for d in [os.path.dirname(here)] + search:
        p = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(p):
            return p
    return None


seen, todo, bad = set(), [(s, []) for s in starts], []
while todo:
    path, chain = todo.pop()
    if path in seen:
        continue
    seen.add(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for name in include_re.findall(text):
        via = chain + [f"{os.path.relpath(path, root)} includes \"{name}\""]
        if any(r.search(name) for r in forbidden):
            bad.append(" -> ".join(via))
            continue
        p = resolve(name, path)
        if p is None:
            bad.append(" -> ".join(via) + " (not found)")
            continue
        todo.append((p, via))

if bad:
    print("layer 2 must not see the recognizer or the parsers:")
    for b in bad:
        print("  " + b)
    sys.exit(1)
print(f"ok: {len(seen)} files in layer 2's include closure, none of the recognizer:")
for p in sorted(seen):
    print("  " + os.path.relpath(p, root))
