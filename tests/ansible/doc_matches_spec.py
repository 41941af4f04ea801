#!/usr/bin/python3
"""doc_matches_spec.py COLLECTIONS_DIR MODULE...: each module's documented options (ansible-doc,
fragments merged) are exactly the options its AnsibleModule takes, suboptions too, with the same
type, required and default: the part of ansible-test's validate-modules that needs no download."""
import json
import subprocess
import sys

coll_dir = sys.argv[1]
sys.path.insert(0, coll_dir)
bad = []


class Captured(Exception):
    pass


def capture_spec(name):
    import importlib
    mod = importlib.import_module("ansible_collections.vtpilot.power.plugins.modules." + name)

    class Fake:
        def __init__(self, argument_spec, **kw):
            raise Captured(argument_spec)
    mod.AnsibleModule = Fake
    try:
        mod.main()
    except Captured as c:
        return c.args[0]
    raise SystemExit(f"{name}: main() made no AnsibleModule")


def compare(where, doc, spec):
    for k in sorted(set(doc) | set(spec)):
        if k not in spec:
            bad.append(f"{where}.{k}: documented, not taken")
            continue
        if k not in doc:
            bad.append(f"{where}.{k}: taken, not documented")
            continue
        d, s = doc[k], spec[k]
        for attr, dflt in (("type", "str"), ("required", False), ("default", None), ("elements", None)):
            dv, sv = d.get(attr, dflt), s.get(attr, dflt)
            if dv != sv:
                bad.append(f"{where}.{k}: {attr} documented {dv!r}, taken {sv!r}")
        if not d.get("description"):
            bad.append(f"{where}.{k}: no description")
        if d.get("suboptions") or s.get("options"):
            compare(f"{where}.{k}", d.get("suboptions") or {}, s.get("options") or {})


for name in sys.argv[2:]:
    out = subprocess.run(["ansible-doc", "--json", "vtpilot.power." + name], capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)["vtpilot.power." + name]
    compare(name, doc["doc"].get("options", {}), capture_spec(name))
    if not doc.get("return"):
        bad.append(f"{name}: no RETURN")
    if not doc.get("examples"):
        bad.append(f"{name}: no EXAMPLES")
print("\n".join(bad) if bad else "docs match the argument specs")
sys.exit(1 if bad else 0)
