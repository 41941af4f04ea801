#!/usr/bin/env python3
"""junit_check.py FILE NAME=KIND...: FILE is well-formed JUnit XML (python's own parser) with
exactly one testcase per NAME (the end of its name attribute), no other, and each a pass (KIND
ok) or a <failure> of that type whose message and text are not empty."""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
want = dict(a.split("=", 1) for a in sys.argv[2:])
assert root.tag == "testsuites", root.tag
cases = list(root.iter("testcase"))
assert int(root.get("tests")) == len(cases) == len(want), (root.attrib, len(cases), want)
fails = 0
for name, kind in want.items():
    match = [c for c in cases if c.get("name", "").endswith(name)]
    assert len(match) == 1, f"{name}: {len(match)} test cases"
    c = match[0]
    f = c.find("failure")
    if kind == "ok":
        assert f is None, f"{name}: expected a pass, got {ET.tostring(c)!r}"
        continue
    fails += 1
    assert f is not None, f"{name}: a {kind} cast reported as a pass"
    assert f.get("type") == kind, f"{name}: failure type {f.get('type')}, expected {kind}"
    assert f.get("message") and (f.text or "").strip(), f"{name}: a failure without its reason"
assert int(root.get("failures")) == fails, (root.get("failures"), fails)
print(f"ok: {len(cases)} test cases, {fails} failures")
