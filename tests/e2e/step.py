#!/usr/bin/python3
"""step.py CASE VTPILOT LPAR-SIM WORKDIR: vtpilot step on a pty (80x24), the operator played by pexpect.

step_accept: Enter on every proposal completes the migration.
step_refuse: on Change Method the operator types 1 (New and Complete Overwrite): refused, shown
             with its reason, and lpar-sim's log proves the key never arrived; the run continues.
step_quit:   q mid-way detaches cleanly: exit 4, the transcript is complete and says the operator quit.
step_skip_watch: s on the Main Menu sends nothing (the operator then types 5 himself); w on
             Multiboot accepts and stops at the next decision with its prompt; w on Migration
             Confirmation watches through the install and the media swap to the login prompt.
step_terminal: the operator's terminal is raw during the run and restored after it (stty -a on
             the same pty), on q and on Ctrl-C; 24x80 is line mode, 40x100 full screen.
step_quit_midanswer: q right after accepting, with --pacing 300 (the answer still in flight):
             the answer is completed or never started, never half-typed; also when its digit is
             lost (lpar-sim --drop-keys-under): then no Enter follows it.

Over ssh (tests/ssh/ssh_case.sh): STEP_CONFIG names a run --config file (the LPAR behind a real
sshd playing the HMC) and STEP_SIMLOG its console log; the vterm lock file says it was released.
"""
import json
import os
import re
import sys
import termios

import pexpect

case, vtpilot, sim, work = sys.argv[1:5]
config = os.environ.get("STEP_CONFIG")
log = os.environ.get("STEP_SIMLOG", f"{work}/sim.log")
cast = f"{work}/step.cast"
HELP = r"\[q\] or ~\. quit\r?\n> "


def attach(simflags=""):
    if config:
        return ["--config", config, "--power-on"]
    return ["--sim", "--sim-args", f"--fast --exit-at-login --log {log} {simflags}".strip()]


def spawn(simflags="", pacing="0", extra=(), dimensions=(24, 80), wrap=False, tag="step"):
    """vtpilot step on a pty. wrap: run it under sh, which prints its exit code and `stty -a`
    of the same pty once it has ended (the terminal vtpilot leaves behind)."""
    for f in (cast, log):
        if os.path.exists(f) and not config:
            os.remove(f)
    args = ["step", *attach(simflags), "--pacing", pacing, "--timeout", "20", "--transcript", cast, *extra]
    if wrap:
        # A trap (not an ignore: vtpilot must get SIGINT as usual) keeps sh alive through Ctrl-C.
        script = 'trap "echo sh-saw-int" INT; "$0" "$@"; echo "VTPILOT-EXIT=$?"; stty -a; echo STTY-DONE'
        child = pexpect.spawn("/bin/sh", ["-c", script, vtpilot, *args], dimensions=dimensions, encoding="utf-8", timeout=20)
    else:
        child = pexpect.spawn(vtpilot, args, dimensions=dimensions, encoding="utf-8", timeout=20)
    child.logfile_read = open(f"{work}/{tag}.out", "w")
    return child


def sim_events():
    return [json.loads(line) for line in open(log)]


def keys_after(screen_id, accepted_only=False):
    evs = sim_events()
    start = max(i for i, e in enumerate(evs) if e.get("ev") == "screen" and e.get("id") == screen_id)
    return "".join(e["data"] for e in evs[start:] if e.get("ev") == "key" and not (accepted_only and e.get("dropped")))


def keys_on(screen_id):
    """Key bytes lpar-sim accepted while screen_id was the screen last drawn (every visit)."""
    out, cur = "", None
    for e in sim_events():
        if e.get("ev") == "screen":
            cur = e["id"]
        elif e.get("ev") == "key" and cur == screen_id and not e.get("dropped") and not e.get("ignored"):
            out += e["data"]
    return out


def cast_events():
    return [json.loads(line) for line in open(cast).read().splitlines()[1:]]


def markers():
    return [e[2] for e in cast_events() if e[1] == "m"]


def fail(msg, tag="step"):
    print(f"FAIL {case}: {msg}")
    try:
        print(open(f"{work}/{tag}.out").read()[-3000:])
    except OSError:
        pass
    sys.exit(1)


def proposal(child):
    """Waits for the next proposal (its screen id) or the end ('done' / 'halted' / None at EOF)."""
    i = child.expect([r"screen (\S+)\s+plan: ", r"done: ", r"halted: ", pexpect.EOF])
    if i == 0:
        screen = child.match.group(1)
        child.expect(HELP)
        return screen
    return ["", "done", "halted", None][i]


def finish(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def stty_after(child, tag):
    """The wrapper's report after vtpilot ended: its exit code and the pty's stty -a words."""
    child.expect(r"VTPILOT-EXIT=(\d+)")
    rc = int(child.match.group(1))
    child.expect("STTY-DONE")
    words = set(re.split(r"[\s;]+", child.before))
    for want in ("icanon", "echo", "icrnl"):
        if want not in words or f"-{want}" in words:
            fail(f"after vtpilot ended the terminal is not restored: stty -a lacks {want}", tag)
    child.expect(pexpect.EOF)
    return rc


def migrated_ok(rc):
    if rc != 0:
        fail(f"exit {rc}")
    if config:  # the LPAR keeps running after the vterm closes: its log says it migrated
        if not any(e.get("ev") == "migrated" for e in sim_events()):
            fail("lpar-sim did not log a migration")
    else:
        codes = [e["code"] for e in sim_events() if e.get("ev") == "exit"]
        if codes != [0]:
            fail(f"lpar-sim exit {codes}")


def whole_or_nothing(screen_id, what):
    """The answer on screen_id reached the console whole (digits and Enter) or not at all."""
    arrived = keys_after(screen_id, accepted_only=True)
    if arrived not in ("", "5\r"):
        fail(f"{what}: lpar-sim got {arrived!r} on {screen_id}: a half-typed answer")
    evs = cast_events()
    start = max(i for i, e in enumerate(evs) if e[1] == "m" and e[2].startswith(f"screen {screen_id}"))
    recorded = "".join(e[2] for e in evs[start:] if e[1] == "i")
    return arrived, recorded


# ---- the operator accepts, refuses, quits ----------------------------------------------------

def accept_refuse_quit():
    child = spawn()
    accepted = 0
    refused_once = False
    while True:
        screen = proposal(child)
        if screen in ("done", "halted", None):
            break
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
    rc = finish(child)
    ms = markers()
    if case in ("step_accept", "step_refuse"):
        migrated_ok(rc)
        if not any("operator accepted" in m for m in ms):
            fail("no operator marker in the transcript")
        if case == "step_refuse" and not (refused_once and any(m.startswith("refuse bos.method") for m in ms)):
            fail("the refusal is not in the transcript")
    else:
        if rc != 4:
            fail(f"exit {rc}, expected 4")
        if not any("operator quit" in m for m in ms):
            fail("the transcript does not say the operator quit")
        if config:
            if os.path.exists(os.environ["STEP_VTERM_LOCK"]):
                fail("the vterm is still held")
        elif not any(e.get("ev") == "exit" for e in sim_events()):
            fail("lpar-sim did not end: the console was not released")
    print(f"ok: {case} ({accepted} accepted)")


# ---- s and w ---------------------------------------------------------------------------------

def skip_watch():
    child = spawn("--media-volumes 2")
    seen = []
    while True:
        screen = proposal(child)
        if screen in ("done", "halted", None):
            break
        seen.append(screen)
        if screen == "sms.main" and seen.count("sms.main") == 1:
            # Skip: the plan's 5 is not sent; the operator answers himself.
            child.send("s")
            child.expect("skipped: waiting for the next screen")
            child.send("t")
            child.expect("keys")
            child.send("5\r")
            continue
        if screen == "sms.boot_options":
            # Watch on a decision: accept it, and stop with a prompt at the next decision (the
            # next proposal read by proposal() must be the very next menu, shown with its prompt).
            child.send("w")
            child.expect("watching until the next decision")
            child.expect(r"watch: sms\.device_type is a decision")
            continue
        if screen == "bos.migration_confirm":
            # Watch through the install: progress and the media swap go by without a prompt.
            child.send("w")
            child.expect("watching until the next decision")
            continue
        child.send("\r")
    rc = finish(child)
    migrated_ok(rc)
    if "bos.media_swap" in seen:
        fail("watching stopped at the media swap (no decision) with a prompt")
    if seen[seen.index("sms.boot_options") + 1] != "sms.device_type":
        fail(f"after w on Multiboot the next prompt was {seen[seen.index('sms.boot_options') + 1]}")
    ms = markers()
    main = [m for m in ms if " sms.main" in m]
    if not any("skipped" in m for m in main):
        fail("no skip marker on sms.main")
    sends = [m for m in main if m.startswith("send sms.main")]
    if any("operator accepted" in m for m in sends) or not any("operator typed" in m for m in sends):
        fail(f"on sms.main the plan's keys were sent after the skip, or not the operator's: {sends}")
    if keys_on("sms.main") != "5\r":
        fail(f"lpar-sim got {keys_on('sms.main')!r} on sms.main, expected the operator's 5<Enter> only")
    if not any("operator watching: accepting <Enter> on bos.media_swap" in m for m in ms):
        fail("the media swap was not accepted by watching")
    if keys_on("bos.media_swap") != "\r":
        fail(f"lpar-sim got {keys_on('bos.media_swap')!r} on the media swap")
    print(f"ok: {case} ({len(seen)} prompts: {' '.join(seen)})")


# ---- the operator's terminal ------------------------------------------------------------------

def terminal():
    # 24x80: line mode (no full-screen redraw); raw keys while it runs; q restores the terminal.
    child = spawn(wrap=True, tag="small")
    if proposal(child) != "sms.post":
        fail("no first proposal", "small")
    attrs = termios.tcgetattr(child.child_fd)
    if attrs[3] & (termios.ICANON | termios.ECHO):
        fail("the operator's terminal is not in raw mode during the run", "small")
    if "\x1b[2J" in open(f"{work}/small.out").read():
        fail("a full-screen redraw on a 24x80 terminal", "small")
    child.send("\r")  # accept POST's 1; the Main Menu is shown as a line-mode event too
    child.expect(r"-- sms\.main")
    if proposal(child) != "sms.main":
        fail("no second proposal", "small")
    child.send("q")
    if stty_after(child, "small") != 4:
        fail("q did not exit 4", "small")

    # 40x100: full screen (each proposal redraws from the top); Ctrl-C restores the terminal.
    child = spawn(dimensions=(40, 100), wrap=True, tag="big")
    if proposal(child) != "sms.post":
        fail("no first proposal", "big")
    before = open(f"{work}/big.out").read()
    if "\x1b[H\x1b[2J" not in before[: before.find("screen sms.post")]:
        fail("no full-screen redraw on a 40x100 terminal", "big")
    attrs = termios.tcgetattr(child.child_fd)
    if attrs[3] & (termios.ICANON | termios.ECHO):
        fail("the operator's terminal is not in raw mode during the run", "big")
    child.sendintr()  # Ctrl-C from the terminal: SIGINT through the line discipline
    if stty_after(child, "big") != 130:
        fail("Ctrl-C did not exit 130", "big")
    if not any("operator interrupt" in m for m in markers()):
        fail("the transcript does not say the operator interrupted", "big")
    print(f"ok: {case}")


# ---- quit with an answer in flight --------------------------------------------------------------

def quit_midanswer():
    # Paced at 300 ms, Enter and q in one write: q lands while 5<Enter> is still going out.
    child = spawn(pacing="300", tag="paced")
    if proposal(child) != "sms.post":
        fail("no first proposal", "paced")
    child.send("\r")
    if proposal(child) != "sms.main":
        fail("no Main Menu proposal", "paced")
    child.send("\rq")
    rc = finish(child)
    if rc != 4:
        fail(f"exit {rc}, expected 4", "paced")
    arrived, recorded = whole_or_nothing("sms.main", "paced")
    if recorded != arrived:
        fail(f"the transcript recorded {recorded!r}, lpar-sim got {arrived!r}", "paced")
    if arrived != "5\r":
        fail("the accepted answer was not finished before quitting", "paced")
    if not any("was completed first" in m for m in markers()):
        fail("the transcript does not say the answer was completed before the quit", "paced")

    # The digit lost (closer than 1000 ms to POST's 1): it never shows, so no Enter follows it.
    child = spawn("--drop-keys-under 1000", pacing="300", extra=["--confirm-timeout", "1"], tag="lost")
    if proposal(child) != "sms.post":
        fail("no first proposal", "lost")
    child.send("\r")
    if proposal(child) != "sms.main":
        fail("no Main Menu proposal", "lost")
    child.send("\rq")
    rc = finish(child)
    if rc != 4:
        fail(f"exit {rc}, expected 4", "lost")
    arrived, recorded = whole_or_nothing("sms.main", "lost")
    if arrived != "" or "\r" in recorded:
        fail(f"after a lost digit: lpar-sim got {arrived!r}, the transcript has {recorded!r}", "lost")
    if not any("no Enter was sent" in m for m in markers()):
        fail("the transcript does not say the answer was left unsent", "lost")
    print(f"ok: {case}")


{
    "step_accept": accept_refuse_quit,
    "step_refuse": accept_refuse_quit,
    "step_quit": accept_refuse_quit,
    "step_skip_watch": skip_watch,
    "step_terminal": terminal,
    "step_quit_midanswer": quit_midanswer,
}[case]()
