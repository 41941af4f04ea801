#!/usr/bin/env python3
"""bench/serve.py [VTPILOT] [-r RUNS] [-l LINES]: what the live view costs the consoles.

Runs `vtpilot run --sim` (lpar-sim --fast, LINES install lines: 200000 is about 10 MB of
transcript, a 2-hour install's output, as fast as the pty carries it; --pacing 0) RUNS times
without --serve and RUNS times with --serve and 10 viewers reading the console's event stream,
interleaved. It reports, for each:
  - CPU: user+sys of vtpilot and everything it waited for (lpar-sim's share is the same in both),
    from wait4's rusage;
  - wall time of the run;
  - prompt -> key latency: for every key in the transcript, the time from the console output
    just before it to the key (the engine's reaction), median and 95th percentile;
  - viewers that got the whole stream (`event: done`) and viewers dropped for falling behind.
Nothing is asserted; bench/README.md quotes a run (kept with -o bench/results/DATE/).
"""
import argparse, json, os, re, socket, statistics, subprocess, sys, tempfile, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("vtpilot", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "build", "vtpilot"))
ap.add_argument("-r", "--runs", type=int, default=5)
ap.add_argument("-l", "--lines", type=int, default=200000)
ap.add_argument("-n", "--viewers", type=int, default=10)
ap.add_argument("-s", "--sim-args", default=None, help="lpar-sim's flags instead of --fast --install-lines LINES")
ap.add_argument("-p", "--pacing", default="0", help="--pacing MS (default 0)")
ap.add_argument("-o", "--out", default=None, help="a folder (bench/results/DATE/): each run as a CSV line, the table appended to summary.md")
ap.add_argument("--name", default="serve", help="the CSV's name in --out (default serve)")
a = ap.parse_args()
V = os.path.abspath(a.vtpilot)
work = tempfile.mkdtemp(prefix="vtpilot-bench-serve-")


def viewer(port, out):
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    s.sendall(b"GET /api/lpar/0/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
    n, tail, done = 0, b"", False
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        n += len(b)
        if b"event: done\n" in tail + b:
            done = True
            break
        tail = b[-16:]
    out.append((done, n))


def latencies(cast):
    out, last_o = [], None
    with open(cast) as f:
        next(f)
        for line in f:
            e = json.loads(line)
            if e[1] == "o":
                last_o = e[0]
            elif e[1] == "i" and last_o is not None:
                out.append(e[0] - last_o)
                last_o = None  # the first key after output only (later bytes are paced)
    return out


def one(k, serve):
    cast = os.path.join(work, "%s-%d.cast" % ("serve" if serve else "plain", k))
    sim = a.sim_args or "--fast --install-lines %d" % a.lines
    args = [V, "run", "--sim", "--sim-args", sim, "--pacing", a.pacing, "--quiet", "--transcript", cast]
    if serve:
        args += ["--serve", "127.0.0.1:0"]
    t0 = time.time()
    errf = open(cast + ".err", "w+")
    pid = os.posix_spawnp(V, args, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, errf.fileno(), 2),
                                                            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)])
    got, threads = [], []
    if serve:
        port = None
        while port is None and time.time() - t0 < 20:
            errf.seek(0)
            m = re.search(r"live view on http://127\.0\.0\.1:(\d+)/", errf.read())
            if m:
                port = int(m.group(1))
            else:
                time.sleep(0.005)
        for _ in range(a.viewers):
            t = threading.Thread(target=viewer, args=(port, got), daemon=True)
            t.start()
            threads.append(t)
    _, status, ru = os.wait4(pid, 0)
    wall = time.time() - t0
    for t in threads:
        t.join(10)
    if os.waitstatus_to_exitcode(status) != 0:
        errf.seek(0)
        sys.exit("run failed: " + errf.read())
    lat = latencies(cast)
    return {"cpu": ru.ru_utime + ru.ru_stime, "wall": wall, "lat_med": statistics.median(lat),
            "lat_p95": sorted(lat)[int(0.95 * (len(lat) - 1))], "keys": len(lat),
            "full": sum(1 for d, _ in got if d), "dropped": sum(1 for d, _ in got if not d),
            "bytes": os.path.getsize(cast)}


rows = {"plain": [], "serve": []}
for k in range(a.runs):
    for serve in (False, True):
        rows["serve" if serve else "plain"].append(one(k, serve))
        r = rows["serve" if serve else "plain"][-1]
        print("run %d %-5s cpu %.3f s  wall %.2f s  prompt->key median %.1f ms p95 %.1f ms  viewers full %d dropped %d"
              % (k, "serve" if serve else "plain", r["cpu"], r["wall"], 1000 * r["lat_med"], 1000 * r["lat_p95"],
                 r["full"], r["dropped"]), flush=True)

med = lambda key, which: statistics.median(r[key] for r in rows[which])
out = []
print_ = print


def print(*args, **kw):  # noqa: A001  the summary goes to the screen and to --out
    out.append(" ".join(str(x) for x in args))
    print_(*args, **kw)


print("\n%d runs each, lpar-sim %s, --pacing %s (%.1f MB of transcript), %d viewers with --serve:" %
      (a.runs, a.sim_args or "--fast --install-lines %d" % a.lines, a.pacing, rows["plain"][0]["bytes"] / 1e6, a.viewers))
print("| | CPU s (median) | wall s | prompt->key median ms | p95 ms | viewers with the whole stream / dropped |")
print("|---|---|---|---|---|---|")
for w in ("plain", "serve"):
    print("| %s | %.3f | %.2f | %.2f | %.2f | %s |" % (
        "without --serve" if w == "plain" else "--serve, %d viewers" % a.viewers, med("cpu", w), med("wall", w),
        1000 * med("lat_med", w), 1000 * med("lat_p95", w),
        "-" if w == "plain" else "%d / %d" % (sum(r["full"] for r in rows[w]), sum(r["dropped"] for r in rows[w]))))
print("\nCPU with the view: %+.1f %%" % (100 * (med("cpu", "serve") / med("cpu", "plain") - 1)))
# Each serve run against the plain run just before it: less sensitive to a machine whose load
# drifts during the bench than the ratio of the medians.
paired = statistics.median(s["cpu"] - p["cpu"] for p, s in zip(rows["plain"], rows["serve"]))
print("median of the paired differences: %+.3f s (%+.1f %%)" % (paired, 100 * paired / med("cpu", "plain")))
if a.out:
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, a.name + ".csv"), "w") as f:
        keys = ["cpu", "wall", "lat_med", "lat_p95", "keys", "full", "dropped", "bytes"]
        f.write("which,run," + ",".join(keys) + "\n")
        for w in ("plain", "serve"):
            for k, r in enumerate(rows[w]):
                f.write("%s,%d,%s\n" % (w, k, ",".join(str(r[x]) for x in keys)))
    with open(os.path.join(a.out, "summary.md"), "a") as f:
        f.write("## bench/serve.py %s\n\n%s\n\n" % (" ".join(sys.argv[1:]), "\n".join(out)))
