#!/usr/bin/python3
"""readme_examples.py README EXAMPLES_DIR: the README's "Many LPARs with Ansible" shows the
example files as they are (the test then runs them as written)."""
import re
import sys

readme = open(sys.argv[1]).read()
sec = readme[readme.index("## Many LPARs with Ansible"):]
sec = sec[:sec.index("\n## ", 1)]
bad = []
for name in ("inventory-sim.yml", "migrate.yml", "inventory-hmc01.yml"):
    m = re.search(r"`ansible/docs/examples/" + re.escape(name) + r"`(?:(?!```).)*?```yaml\n(.*?)```", sec, re.S)
    if not m or m.group(1) != open(sys.argv[2] + "/" + name).read():
        bad.append(f"README's {name} differs from {sys.argv[2]}/{name}")
for cmd in ("scripts/sim-hmc /tmp/vtpilot-hmc-sim &",
            "VTPILOT=$PWD/build/vtpilot ansible-playbook -i ansible/docs/examples/inventory-sim.yml ansible/docs/examples/migrate.yml"):
    if cmd not in sec:
        bad.append(f"README does not say: {cmd}")
print("\n".join(bad) or "the README shows the examples as they are")
sys.exit(1 if bad else 0)
