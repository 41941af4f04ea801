#!/usr/bin/env python3
"""line_cast.py IN.cast OUT.cast: the same transcript with its console output one line per event.

A recorded run at full speed holds few large output events; a real console sends its install
output a line per read (issue 21). This rewrites each "o" event as one event per line (split
after each LF), their times spread evenly up to the next event, so `vtpilot replay` of the
result pays what a line-at-a-time console costs. Keys, markers and the header are unchanged.
"""
import json
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        header = f.readline()
        events = [json.loads(line) for line in f if line.strip()]
    with open(dst, "w") as out:
        out.write(header)
        for i, (t, kind, data) in enumerate(events):
            if kind != "o":
                out.write(json.dumps([t, kind, data]) + "\n")
                continue
            lines = data.splitlines(keepends=True)
            nxt = events[i + 1][0] if i + 1 < len(events) else t
            step = (nxt - t) / len(lines) if lines else 0
            for k, piece in enumerate(lines):
                out.write(json.dumps([round(t + k * step, 6), "o", piece]) + "\n")


if __name__ == "__main__":
    main()
