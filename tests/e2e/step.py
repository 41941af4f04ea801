#!/usr/bin/python3
"""step.py CASE VTPILOT LPAR-SIM WORKDIR: vtpilot step on a pty (80x24), the operator played by pexpect.

step_accept: Enter on every proposal completes the migration.
step_refuse: on Change Method the operator types 1 (New and Complete Overwrite): refused, shown
             with its reason, and lpar-sim's log proves the key never arrived; the run continues.
step_quit:   q mid-way detaches cleanly: exit 4, the transcript is complete and says the operator quit.

Over ssh (tests/ssh/ssh_case.sh): STEP_CONFIG names a run --config file (the LPAR behind a real
sshd playing the HMC) and STEP_SIMLOG its console log; the vterm lock file says it was released.
"""
import json
import os
import sys

import pexpect

case, vtpilot, sim, work = sys.argv[1:5]
config = os.environ.get("STEP_CONFIG")
log = os.environ.get("STEP_SIMLOG", f"{work}/sim.log")
cast = f"{work}/step.cast"
attach = ["--config", config, "--power-on"] if config else ["--sim", "--sim-args", f"--fast --exit-at-login --log {log}"]
args = ["step", *attach, "--pacing", "0", "--timeout", "20", "--transcript", cast]
child = pexpect.spawn(vtpilot, args, dimensions=(24, 80), encoding="utf-8", timeout=20)
child.logfile_read = open(f"{work}/step.out", "w")


def sim_events():
    return [json.loads(line) for line in open(log)]


def keys_after(screen_id):
    evs = sim_events()
    start = max(i for i, e in enumerate(evs) if e.get("ev") == "screen" and e.get("id") == screen_id)
    return "".join(e["data"] for e in evs[start:] if e.get("ev") == "key")


def fail(msg):
    print(f"FAIL {case}: {msg}")
    print(open(f"{work}/step.out").read()[-3000:])
    sys.exit(1)


accepted = 0
refused_once = False
while True:
    i = child.expect([r"screen (\S+)\s+plan: ", r"done: ", r"halted: ", pexpect.EOF])
    if i == 0:
        screen = child.match.group(1)
        child.expect(r"\n> ")
        if case == "step_refuse" and screen == "bos.method" and not refused_once:
            child.send("t")
            child.expect("keys")
            child.send("1\r")
            child.expect("REFUSED 1")
            child.expect("New and Complete Overwrite")
            child.expect("never reach the console")
            if "1" in keys_after("bos.method"):
                fail("the refused key reached lpar-sim")
            refused_once = True
            child.send("\r")  # now accept the plan's Migration Install
            accepted += 1
            continue
        if case == "step_quit" and accepted == 4:
            child.send("q")
            continue
        child.send("\r")
        accepted += 1
    elif i == 1:
        child.expect(pexpect.EOF)
        break
    else:
        child.expect(pexpect.EOF)
        break
child.close()
rc = child.exitstatus
events = [json.loads(line) for line in open(cast).read().splitlines()[1:]]
markers = [e[2] for e in events if e[1] == "m"]
if case in ("step_accept", "step_refuse"):
    if rc != 0:
        fail(f"exit {rc}")
    if config:  # the LPAR keeps running after the vterm closes: its log says it migrated
        if not any(e.get("ev") == "migrated" for e in sim_events()):
            fail("lpar-sim did not log a migration")
    else:
        codes = [e["code"] for e in sim_events() if e.get("ev") == "exit"]
        if codes != [0]:
            fail(f"lpar-sim exit {codes}")
    if not any("operator accepted" in m for m in markers):
        fail("no operator marker in the transcript")
    if case == "step_refuse" and not (refused_once and any(m.startswith("refuse bos.method") for m in markers)):
        fail("the refusal is not in the transcript")
else:
    if rc != 4:
        fail(f"exit {rc}, expected 4")
    if not any("operator quit" in m for m in markers):
        fail("the transcript does not say the operator quit")
    if config:
        if os.path.exists(os.environ["STEP_VTERM_LOCK"]):
            fail("the vterm is still held")
    elif not any(e.get("ev") == "exit" for e in sim_events()):
        fail("lpar-sim did not end: the console was not released")
print(f"ok: {case} ({accepted} accepted)")
