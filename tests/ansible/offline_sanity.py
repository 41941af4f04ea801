#!/usr/bin/python3
"""offline_sanity.py COLLECTION_DIR: the sanity tests that `ansible-test sanity --local` runs only
in virtualenvs it fills from the network (validate-modules, pep8, pylint, import), run here with
ansible-test's own programs and settings on Debian's packages (python3-voluptuous,
python3-pycodestyle, pylint): the same checks, offline. COLLECTION_DIR is the collection at
.../ansible_collections/vtpilot/power. tests/sanity/ignore-2.14.txt is applied as ansible-test
applies it (path, test:code). Exit 0 when clean, 1 with the findings, 77 when a tool is missing.
"""
import importlib
import json
import os
import subprocess
import sys

coll = os.path.abspath(sys.argv[1])
root = os.path.dirname(os.path.dirname(os.path.dirname(coll)))  # the folder holding ansible_collections
import ansible_test  # noqa: E402  (Debian's ansible-core ships it)
SANITY = os.path.join(os.path.dirname(ansible_test.__file__), "_util", "controller", "sanity")
PY = sys.executable  # the Python ansible-core is installed for (ansible_case.sh runs this with it)
for mod in ("voluptuous", "pycodestyle", "pylint"):
    if importlib.util.find_spec(mod) is None:
        print(f"SKIP: no {mod} (scripts/bootstrap installs it)")
        sys.exit(77)

ignored = set()
ignore_file = os.path.join(coll, "tests", "sanity", "ignore-2.14.txt")
if os.path.exists(ignore_file):
    for line in open(ignore_file):
        line = line.split("#", 1)[0].strip()
        if line:
            path, what = line.split()
            ignored.add((path, what))

env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root, PYTHONPATH=root)
modules = sorted(os.path.join("plugins", "modules", f) for f in os.listdir(os.path.join(coll, "plugins", "modules"))
                 if f.endswith(".py") and f != "__init__.py")
problems = []

# validate-modules: documentation, argument specs and their agreement, as ansible-test runs it.
out = subprocess.run([PY, os.path.join(SANITY, "validate-modules", "validate.py"), "--format", "json", "--arg-spec",
                      "--collection", "ansible_collections/vtpilot/power", *modules],
                     cwd=coll, env=env, capture_output=True, text=True)
if out.returncode not in (0, 3) or out.stderr.strip():
    problems.append("validate-modules did not run: " + out.stderr.strip()[-2000:])
else:
    for path, res in json.loads(out.stdout).items():
        for e in res["errors"]:
            if (path, "validate-modules:" + e["code"]) not in ignored:
                problems.append(f"{path}: validate-modules:{e['code']}: {e['msg']}")

# pep8: pycodestyle with ansible-test's settings.
with open(os.path.join(SANITY, "pep8", "current-ignore.txt")) as f:
    pep8_ignore = ",".join(sorted(l.strip() for l in f if l.strip() and not l.startswith("#")))
out = subprocess.run([PY, "-m", "pycodestyle", "--max-line-length", "160", "--config", "/dev/null", "--ignore", pep8_ignore,
                      "plugins", "tests"], cwd=coll, capture_output=True, text=True)
problems += [f"pep8: {l}" for l in out.stdout.splitlines()]

# pylint: ansible-test's collection config and its checkers.
pl = os.path.join(SANITY, "pylint")
out = subprocess.run([PY, "-m", "pylint", "--rcfile", os.path.join(pl, "config", "collection.cfg"), "--load-plugins",
                      "deprecated,string_format,unwanted", "--output-format", "parseable", "--score", "n", "plugins"],
                     cwd=coll, capture_output=True, text=True,
                     env=dict(env, PYTHONPATH=os.path.join(pl, "plugins") + os.pathsep + root,
                              ANSIBLE_TEST_MODULES_PATH=os.path.join(os.path.dirname(os.path.dirname(ansible_test.__file__)), "ansible", "modules"),
                              ANSIBLE_TEST_MODULE_UTILS_PATH=os.path.join(os.path.dirname(os.path.dirname(ansible_test.__file__)), "ansible", "module_utils")))
if out.returncode != 0:
    problems += [f"pylint: {l}" for l in (out.stdout + out.stderr).splitlines() if l.strip()]

# import: every module and module_util imports on its own (no side effects, nothing missing).
for path in modules + ["plugins/module_utils/vtpilot.py"]:
    name = "ansible_collections.vtpilot.power." + path[:-3].replace("/", ".")
    out = subprocess.run([PY, "-c", f"import {name}"], cwd="/", env=env, capture_output=True, text=True)
    if out.returncode != 0:
        problems.append(f"{path}: import: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}")

for p in problems:
    print(p)
print(f"offline sanity: {len(modules)} modules, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
