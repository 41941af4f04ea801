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
             the same pty), on q and on Ctrl-C; 24x80 is line mode, 40x100 full screen, 20x60 is
             said to be too small (line mode).
step_fits_80x24: in a real 80x24 terminal (tmux), every proposal from POST to the disk screen
             shows the console's rows that matter and the status without a wrapped line.
step_post_countdown: no answer on the POST banner: a countdown, then the plan's 1 goes (judged)
             before the firmware would boot the old disk; s on the banner stops the countdown.
step_skip_keys: s on a screen that does not change keeps a prompt and says which keys work;
             Enter there says it again; t then answers.
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
HELP = r"quit > "


def attach(simflags=""):
    if config:
        return ["--config", config, "--power-on"]
    return ["--sim", "--sim-args", f"--fast --exit-at-login --log {log} {simflags}".strip()]


def spawn(simflags="", pacing="0", extra=(), dimensions=(24, 80), wrap=False, tag="step", transcript=True):
    """vtpilot step on a pty. wrap: run it under sh, which prints its exit code and `stty -a`
    of the same pty once it has ended (the terminal vtpilot leaves behind)."""
    for f in (cast, log):
        if os.path.exists(f) and not config:
            os.remove(f)
    args = ["step", *attach(simflags), "--pacing", pacing, "--timeout", "20",
            *(["--transcript", cast] if transcript else []), *extra]
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
            child.expect("skipped: nothing sent")
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
    # 20x60: smaller than the console: said once, then line mode (no full-screen redraw).
    child = spawn(dimensions=(20, 60), tag="tiny")
    child.expect(r"this terminal is 60x20, smaller than the console's 80x24: line mode")
    if proposal(child) != "sms.post":
        fail("no first proposal", "tiny")
    child.send("q")
    if finish(child) != 4:
        fail("q did not exit 4", "tiny")
    if "\x1b[2J" in open(f"{work}/tiny.out").read():
        fail("a full-screen redraw on a 20x60 terminal", "tiny")
    print(f"ok: {case}")


# ---- an 80x24 terminal shows a whole proposal ---------------------------------------------------

def fits_80x24():
    """vtpilot step in tmux, an 80x24 terminal emulator: at each proposal the visible pane holds
    the console's title and prompt rows and the status, and no row wrapped."""
    import shlex
    import subprocess
    import time

    sock = f"vtpilot-step-{os.getpid()}"
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    for f in (cast, log):
        if os.path.exists(f):
            os.remove(f)
    args = ["step", *attach(), "--pacing", "0", "--timeout", "20", "--transcript", cast]
    cmd = " ".join(shlex.quote(a) for a in [vtpilot, *args]) + f" 2>&1; echo VTPILOT-EXIT=$? > {work}/tmux.rc"
    subprocess.run([*tmux, "new-session", "-d", "-x", "80", "-y", "24", "sh", "-c", cmd], check=True)
    # What each screen must show at its proposal (the console's title, the rows that decide, its prompt).
    want = {
        "sms.post": ["1 = SMS Menu"],
        "sms.main": ["PowerPC Firmware", "Main Menu", "5.   Select Boot Options", "Navigation key:"],
        "sms.boot_options": ["Multiboot", "Select Install/Boot Device", "Navigation key:"],
        "sms.device_type": ["Select Device Type", "List all Devices", "Navigation key:"],
        "sms.device_list": ["Select Device", "CD-ROM", "Navigation key:"],
        "bos.welcome": ["Welcome to Base Operating System", "Change/Show Installation Settings", "Choice ["],
        "bos.method": ["Change Method of Installation", "Migration Install", "Choice ["],
        "bos.disks": ["Change Disk(s) Where You Want to Install", "altinst_rootvg", "Choice ["],
    }
    seen = []

    def pane(join=False):
        out = subprocess.run([*tmux, "capture-pane", "-p", *(["-J"] if join else []), "-t", "0"],
                             capture_output=True, text=True).stdout
        return out

    try:
        while True:
            deadline = time.monotonic() + 20
            text = ""
            while time.monotonic() < deadline:
                text = pane()
                last = [l for l in text.splitlines() if l.strip()]
                if last and (last[-1].rstrip().endswith("quit >") or last[-1].strip() == ">") and "plan: " in text:
                    break
                if os.path.exists(f"{work}/tmux.rc"):
                    fail(f"vtpilot ended: {open(work + '/tmux.rc').read()}\n{text}")
                time.sleep(0.05)
            else:
                fail(f"no prompt in 20 s; the pane shows:\n{text}")
            found = re.findall(r"screen (\S+)\s+plan: ", text)
            if not found:
                fail(f"no status line in view:\n{text}")
            screen = found[-1]  # the latest proposal; earlier ones may still be in view above it
            # Only this proposal's block counts: from the line after the previous prompt.
            lines = text.splitlines()
            prompts = [i for i, l in enumerate(lines) if l.rstrip().endswith("quit >") or l.strip() == ">"]
            block = "\n".join(lines[prompts[-2] + 1:] if len(prompts) > 1 else lines)
            seen.append(screen)
            rows = text.splitlines()
            if len(rows) > 24 or any(len(r) > 80 for r in rows):
                fail(f"the pane is not 80x24:\n{text}")
            # -J keeps trailing blanks; a row that wrapped comes back joined to the next.
            if [r.rstrip() for r in pane(join=True).splitlines()] != [r.rstrip() for r in rows]:
                fail(f"a row wrapped on {screen} (tmux joins wrapped rows):\n{text}")
            for w in want.get(screen, []):
                if w not in block:
                    fail(f"on {screen} the 80x24 terminal does not show {w!r}:\n{text}")
            if screen == "bos.disks":
                break
            subprocess.run([*tmux, "send-keys", "-t", "0", "Enter"], check=True)
            # The next proposal replaces this one: wait until the status names another screen or moves.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and pane() == text:
                time.sleep(0.05)
        subprocess.run([*tmux, "send-keys", "-t", "0", "q"], check=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not os.path.exists(f"{work}/tmux.rc"):
            time.sleep(0.05)
        rc = open(f"{work}/tmux.rc").read().strip()
        if rc != "VTPILOT-EXIT=4":
            fail(f"q at the disk screen: {rc}")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    missing = [s for s in want if s not in seen and s not in ("sms.media_type", "sms.media_adapter")]
    if missing:
        fail(f"never saw a proposal on {missing}; saw {seen}")
    print(f"ok: {case} ({len(seen)} proposals fit 80x24)")


# ---- POST: the countdown ------------------------------------------------------------------------

def post_countdown():
    child = spawn(tag="post")
    child.expect(r"WARNING: with no key the firmware boots its boot list \(the old disk\)")
    child.expect(r"sending 1 \(SMS Menu\) in 3 s")
    # Nobody answers: the plan's 1 goes by itself, judged like any key.
    child.expect("no answer on the POST banner: sending the plan's 1", timeout=10)
    if proposal(child) != "sms.main":
        fail("after the countdown the Main Menu was not proposed", "post")
    child.send("q")
    if finish(child) != 4:
        fail("q did not exit 4", "post")
    if keys_on("sms.post") != "1":
        fail(f"lpar-sim got {keys_on('sms.post')!r} on the POST banner, expected 1", "post")
    if not any("post-countdown-accept" in m or "no operator answer within 3 s" in m for m in markers()):
        fail("the transcript does not say the key went after the countdown", "post")

    # s on the banner: the countdown stops and nothing is sent (the firmware would boot its list).
    child = spawn(tag="post-skip")
    child.expect(r"sending 1 \(SMS Menu\) in 3 s")
    child.send("s")
    child.expect("skipped: nothing sent")
    if child.expect(["no answer on the POST banner", pexpect.TIMEOUT], timeout=5) == 0:
        fail("the countdown went on after s", "post-skip")
    child.send("q")
    finish(child)
    if keys_on("sms.post") != "":
        fail(f"lpar-sim got {keys_on('sms.post')!r} on the POST banner after s", "post-skip")
    print(f"ok: {case}")


# ---- s on a screen that does not change ---------------------------------------------------------

def skip_keys():
    child = spawn(tag="skip")
    if proposal(child) != "sms.post":
        fail("no first proposal", "skip")
    child.send("\r")
    if proposal(child) != "sms.main":
        fail("no Main Menu proposal", "skip")
    child.send("s")
    child.expect(r"skipped: nothing sent\r?\nnothing proposed until the screen changes: \[t\] type keys")
    child.expect("\n> ")
    child.send("\r")  # Enter with nothing proposed: say again what works
    child.expect(r"nothing proposed until the screen changes: \[t\] type keys  \[w\] watch  \[q\] quit")
    child.expect("\n> ")
    child.send("t")
    child.expect("keys")
    child.send("5\r")
    if proposal(child) != "sms.boot_options":
        fail("the operator's 5 did not lead to Multiboot", "skip")
    child.send("q")
    if finish(child) != 4:
        fail("q did not exit 4", "skip")
    if keys_on("sms.main") != "5\r":
        fail(f"lpar-sim got {keys_on('sms.main')!r} on sms.main", "skip")
    print(f"ok: {case}")


# ---- quit at a BOS menu, leaving the LPAR there (then a resumed run takes it on) ---------------

def quit_at_bos():
    """Accepts every proposal up to the BOS welcome menu, quits there: exit 4, the LPAR left at
    that menu. Its transcript goes where the config says (lpar01-DATE-TIME.cast): the resumed
    run that follows (tests/ssh/ssh_case.sh resume_halted_at_menu) reads where it was left."""
    child = spawn(transcript=False)
    while True:
        screen = proposal(child)
        if screen in ("done", "halted", None):
            fail(f"ended ({screen}) before the BOS welcome menu")
        if screen == "bos.welcome":
            child.send("q")
            break
        child.send("\r")
    rc = finish(child)
    if rc != 4:
        fail(f"exit {rc}, expected 4")
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
    "step_fits_80x24": fits_80x24,
    "step_post_countdown": post_countdown,
    "step_skip_keys": skip_keys,
    "step_quit_at_bos": quit_at_bos,
}[case]()
