#!/usr/bin/env python3
"""enter_landing.py SIM_LOG CAST: every Enter landed on the screen it was judged for (issue 20),
with the line it was judged with.

A bare Enter is a menu's default (BOS Welcome: Start Install Now with Default Settings;
Installation and Settings: Install), so an Enter judged for one screen must never be read by
another. Two records say where each Enter went:

- vtpilot's transcript (CAST, asciicast v2): a marker `send <screen> keys=...` for every send the
  guard allowed, then `i` events with the bytes written. Each CR written belongs to the last
  `send` marker before it: that marker names the screen it was judged for.
- lpar-sim's --log (SIM_LOG, JSON lines): a `key` event per byte when the console program reads
  it, with `screen`, the screen drawn last, where it landed (after any --link-latency and
  --think: a key typed while a menu thought is read by the screen drawn afterwards), and on an
  Enter the `line` it submitted.

The line an Enter was judged with is the answer the session proved typed: its marker says `the
screen shows "W" typed`, or the note before a re-send says `the console shows "S" typed, not
"W"`. An Enter sent with its text in one go has no such words; only its screen is checked.

Bytes keep their order through the pty or the ssh channel and the simulator's delay line, so the
n-th CR the console read is the n-th CR vtpilot wrote. Enters written but never read (in flight
when the run ended) prove nothing either way and are listed. Exit 0 if every Enter read landed
on its judged screen, 1 (with each one that did not) otherwise, 2 on unreadable input.
"""
import json
import re
import sys

SEND = re.compile(r"^send (?:(?P<screen>\S+) )?keys=")
SHOWS = re.compile(r'the screen shows "(?P<want>[^"]*)" typed')
NOT_WANT = re.compile(r'^note .*the console shows "[^"]*" typed, not "(?P<want>[^"]*)"')


def collapse(line):
    return " ".join(line.split())


def judged_enters(cast_path):
    """(time, screen judged for, line judged or None, the send marker) per CR written, in order."""
    out, current, noted = [], None, None
    with open(cast_path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("version") != 2:
            raise ValueError(f"{cast_path}: not an asciicast v2 transcript")
        for line in f:
            if not line.strip():
                continue
            t, kind, data = json.loads(line)
            if kind == "m":
                m = SEND.match(data)
                n = NOT_WANT.match(data)
                if n:
                    noted = n.group("want")
                elif m:
                    shows = SHOWS.search(data)
                    want = shows.group("want") if shows else noted if data.endswith(": recovery") else None
                    current = (m.group("screen") or "(unrecognized)", want, data)
                    noted = None
            elif kind == "i":
                for c in data:
                    if c == "\r":
                        screen, want, label = current if current else ("(no send marker)", None, "")
                        out.append((t, screen, want, label))
    return out


def landed_enters(log_path):
    """(time read, screen it landed on, log event) per CR the console received, in order."""
    out = []
    with open(log_path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            if e.get("ev") != "key" or e.get("data") != "\r" or e.get("dropped"):
                continue
            if "screen" not in e:
                raise ValueError(f"{log_path}: key events carry no screen (an lpar-sim without it)")
            out.append((e["t"], e["screen"], e))
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        sent = judged_enters(sys.argv[2])
        landed = landed_enters(sys.argv[1])
    except (OSError, ValueError, json.JSONDecodeError) as e:
        print(f"enter_landing: {e}", file=sys.stderr)
        return 2
    bad = []
    if len(landed) > len(sent):
        bad.append(f"the console read {len(landed)} Enters, vtpilot wrote {len(sent)}")
    for n, ((ts, judged, want, label), (tl, screen, ev)) in enumerate(zip(sent, landed), 1):
        held = f", arrived at lpar-sim t={ev['rx']} while a menu thought" if "rx" in ev else ""
        if screen != judged:
            bad.append(f"Enter #{n}: judged for {judged} (vtpilot t={ts:.3f}: {label!r}), "
                       f"landed on {screen} at lpar-sim t={tl}{held}")
        elif want is not None and "line" in ev and collapse(ev["line"]) != collapse(want):
            bad.append(f"Enter #{n}: judged on {judged} with \"{want}\" typed (vtpilot t={ts:.3f}: {label!r}), "
                       f"submitted \"{ev['line']}\" there at lpar-sim t={tl}{held}")
    for n, (ts, judged, want, label) in enumerate(sent[len(landed):], len(landed) + 1):
        print(f"note: Enter #{n} ({judged}, sent at {ts:.3f}) was never read by the console (in flight at the end)")
    if bad:
        print("Enters that did not land where they were judged:")
        for b in bad:
            print("  " + b)
        return 1
    print(f"ok: {len(landed)} Enters, each landed on the screen it was judged for, with the line it was judged with")
    return 0


if __name__ == "__main__":
    sys.exit(main())
