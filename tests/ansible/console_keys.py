#!/usr/bin/python3
"""console_keys.py LOG: the keys lpar-sim's console read (its --log), Enter as '/', each as it
landed: the oracle of 'no key sent twice' (tests/ssh/lib.sh's console_keys, for playbooks)."""
import json
import sys

keys = "".join(e["data"] for e in map(json.loads, open(sys.argv[1]))
               if e.get("ev") == "key" and not e.get("dropped") and not e.get("ignored"))
print(keys.replace("\r", "/"))
