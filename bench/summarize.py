#!/usr/bin/env python3
"""bench/summarize.py RESULTS_DIR: the markdown summary of one bench/run.sh run.

Reads what run.sh wrote in RESULTS_DIR -- peers*/runs.csv and peers*/logs/*.lat (from
../shared/bench/run-peers.sh), multi.csv, replay.csv, machine.txt -- and writes
RESULTS_DIR/latency.csv (every prompt of every run, so the latency columns can be checked
without the logs) and RESULTS_DIR/summary.md, which it also prints. Standard library only.

Statistics: min and median over the ok runs of each driver and size (median of an even count
is the mean of the middle two); latency p50 / p99 are nearest-rank over all prompts of all ok
runs pooled (16 prompts a run); max RSS is the median and the largest of the runs' peaks.
"""
import csv
import glob
import math
import os
import statistics
import sys

MB = 1e6  # console output in MB (10^6 bytes)


def pctl(values, p):
    """nearest-rank percentile, as run-peers.sh computes it"""
    if not values:
        return float("nan")
    v = sorted(values)
    k = max(1, math.ceil(p / 100.0 * len(v)))
    return v[min(k, len(v)) - 1]


def fnum(x, digits=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}f}"


def load_peers(out):
    runs, lat_rows = [], []
    for csv_path in sorted(glob.glob(os.path.join(out, "peers*", "runs.csv"))):
        part = os.path.basename(os.path.dirname(csv_path))
        with open(csv_path, newline="") as f:
            for r in csv.DictReader(f):
                r["part"] = part
                runs.append(r)
                lat = os.path.join(os.path.dirname(csv_path), "logs", f"{r['driver']}.{r['lines']}.{r['rep']}.lat")
                if r["status"] == "ok" and os.path.exists(lat):
                    with open(lat) as lf:
                        for line in lf:
                            w = line.split()
                            if len(w) == 2:
                                lat_rows.append((r["driver"], int(r["lines"]), int(r["rep"]), w[0], int(w[1])))
    return runs, lat_rows


def driver_table(runs, lat_rows, order):
    groups = {}
    for r in runs:
        groups.setdefault((r["driver"], int(r["lines"])), []).append(r)
    lat = {}
    for d, l, _rep, _pid, us in lat_rows:
        lat.setdefault((d, l), []).append(us / 1000.0)
    rows = []
    for (d, l), rs in groups.items():
        ok = [r for r in rs if r["status"] == "ok"]
        row = {"driver": d, "lines": l, "ok": len(ok), "runs": len(rs)}
        if ok:
            mb = statistics.median(float(r["bytes"]) for r in ok) / MB
            cpu = [float(r["cpu_driver_s"]) for r in ok]
            wall = [float(r["wall_s"]) for r in ok]
            rss = [float(r["rss_kb"]) / 1024.0 for r in ok]
            row.update(mb=mb, cpu_med=statistics.median(cpu), cpu_min=min(cpu),
                       wall_med=statistics.median(wall), wall_min=min(wall),
                       rss_med=statistics.median(rss), rss_max=max(rss))
            # Per MB only where there is output to speak of (0 lines: the conversation alone, 0.02 MB).
            row["cpu_mb_med"] = row["cpu_med"] * 1000 / mb if mb >= 0.5 else float("nan")
            row["cpu_mb_min"] = row["cpu_min"] * 1000 / mb if mb >= 0.5 else float("nan")
            ls = lat.get((d, l), [])
            row.update(lat_p50=pctl(ls, 50), lat_p99=pctl(ls, 99), prompts=len(ls))
        rows.append(row)
    rank = {d: i for i, d in enumerate(order)}
    rows.sort(key=lambda r: (r["lines"], rank.get(r["driver"], 99), r["driver"]))
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py RESULTS_DIR")
    out = sys.argv[1]
    runs, lat_rows = load_peers(out)
    with open(os.path.join(out, "latency.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["driver", "lines", "rep", "prompt", "latency_us"])
        w.writerows(lat_rows)

    order = ["baseline", "vtpilot", "expect", "expect-mm2000", "pexpect", "pexpect-nodelay", "pexpect-tuned"]
    rows = driver_table(runs, lat_rows, order)
    md = []
    md.append(f"# vtpilot benchmark: {os.path.basename(os.path.abspath(out))}\n")
    machine = os.path.join(out, "machine.txt")
    if os.path.exists(machine):
        md.append("```")
        md.append(open(machine).read().rstrip())
        md.append("```\n")

    md.append("## Drivers side by side (one run-peers.sh invocation per size group, runs interleaved)\n")
    md.append("| driver | install lines | MB | ok | driver CPU s med (min) | CPU ms/MB med (min) | wall s med (min) "
              "| max RSS MiB med (max) | latency p50 / p99 ms |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if "mb" not in r:
            md.append(f"| {r['driver']} | {r['lines']} | - | 0/{r['runs']} | failed or timed out | | | | |")
            continue
        md.append(f"| {r['driver']} | {r['lines']} | {r['mb']:.1f} | {r['ok']}/{r['runs']} "
                  f"| {r['cpu_med']:.3f} ({r['cpu_min']:.3f}) | {fnum(r['cpu_mb_med'])} ({fnum(r['cpu_mb_min'])}) "
                  f"| {r['wall_med']:.2f} ({r['wall_min']:.2f}) | {r['rss_med']:.1f} ({r['rss_max']:.1f}) "
                  f"| {fnum(r['lat_p50'], 3)} / {fnum(r['lat_p99'], 2)} |")
    md.append("")
    md.append("driver CPU = user+sys of the driver and the console program (the driver reaps it) minus the "
              "simulator's own CPU (its --stats-file); vtpilot's includes its sh wrapper. MB = console output "
              "(10^6 bytes). Latency: console-sim's time from the write that completes a prompt to the answer's line "
              "end, over all prompts of all ok runs.\n")

    # Ratios: peer CPU per MB over vtpilot's, per size.
    by = {(r["driver"], r["lines"]): r for r in rows if "mb" in r}
    sizes = sorted({r["lines"] for r in rows})
    found = {r["driver"] for r in rows}
    peers = [d for d in order if d not in ("baseline", "vtpilot") and d in found]
    peers += sorted(found - set(order))  # other drivers added with run.sh -a (another build, ...)
    md.append("## CPU per MB: each peer / vtpilot (median, and min / min); at 0 lines, of the whole run\n")
    md.append("| install lines | " + " | ".join(peers) + " |")
    md.append("|---:|" + "---:|" * len(peers))
    for l in sizes:
        v = by.get(("vtpilot", l))
        if not v:
            continue
        cells = []
        for d in peers:
            p = by.get((d, l))
            if not p or not v["cpu_med"] or not v["cpu_min"]:
                cells.append("-")
            else:
                cells.append(f"{p['cpu_med'] / v['cpu_med']:.1f}x ({p['cpu_min'] / v['cpu_min']:.1f}x)")
        md.append(f"| {l} | " + " | ".join(cells) + " |")
    md.append("")

    precise = os.path.join(out, "precise.csv")
    if os.path.exists(precise):
        with open(precise, newline="") as f:
            ps = [r for r in csv.DictReader(f) if r["rc"] == "0"]
        pg = {}
        for r in ps:
            pg.setdefault((r["driver"], int(r["lines"])), []).append(float(r["cpu_driver_s"]) * 1000)
        md.append("## Small sizes to the microsecond (bench/cputime.py, the same command lines again)\n")
        md.append("`/usr/bin/time` reports CPU in 10 ms steps, about all of a 20k-line run; these runs take the same "
                  "rusage (the driver and the console program it reaps) to the microsecond, minus console-sim's own "
                  "CPU, as above.\n")
        plines = sorted({l for _, l in pg})
        md.append("| driver | " + " | ".join(f"{l} lines: CPU ms med (min) | / vtpilot" for l in plines) + " |")
        md.append("|---|" + "---:|---:|" * len(plines))
        pdrivers = sorted({d for d, _ in pg}, key=lambda d: (order.index(d) if d in order else 99, d))
        for d in pdrivers:
            cells = []
            for l in plines:
                v = pg.get((d, l))
                ref = pg.get(("vtpilot", l))
                if not v:
                    cells += ["-", "-"]
                    continue
                med = statistics.median(v)
                cells.append(f"{med:.1f} ({min(v):.1f})")
                cells.append(f"{med / statistics.median(ref):.1f}x" if ref and statistics.median(ref) > 0 else "-")
            md.append(f"| {d} | " + " | ".join(cells) + " |")
        md.append("")

    # Linearity of vtpilot's CPU in output size.
    vs = [by[("vtpilot", l)] for l in sizes if ("vtpilot", l) in by]
    if len(vs) >= 2:
        md.append("## Is vtpilot's CPU linear in output size?\n")
        md.append("| from | to | MB added | CPU added s (median) | marginal ms/MB | CPU ratio / size ratio |")
        md.append("|---:|---:|---:|---:|---:|---:|")
        for a, b in zip(vs, vs[1:]):
            dmb = b["mb"] - a["mb"]
            dcpu = b["cpu_med"] - a["cpu_med"]
            ratio = (b["cpu_med"] / a["cpu_med"]) / (b["mb"] / a["mb"]) if a["cpu_med"] and a["mb"] else float("nan")
            md.append(f"| {a['lines']} | {b['lines']} | {dmb:.1f} | {dcpu:.3f} | {dcpu * 1000 / dmb:.2f} | {ratio:.2f} |")
        md.append("")
        md.append("Linear means a constant marginal cost per MB (a start-up cost plus bytes x rate): the last column "
                  "is below 1 when the fixed start-up cost is still being amortized, about 1 once it is negligible, "
                  "and above 1 for super-linear costs.\n")

    multi = os.path.join(out, "multi.csv")
    if os.path.exists(multi):
        with open(multi, newline="") as f:
            ms = list(csv.DictReader(f))
        md.append("## N consoles driven by one vtpilot process (bench/multi.cpp)\n")
        md.append("| consoles | lines each | ok runs | CPU s med (min) | CPU per console ms med | CPU ms/MB med "
                  "| max RSS MiB med | RSS per console KiB | wall s med | latency p50 / p99 ms |")
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        by_n = {}
        for r in ms:
            by_n.setdefault(int(r["consoles"]), []).append(r)
        base_rss = None
        for n in sorted(by_n):
            rs = by_n[n]
            ok = [r for r in rs if r["ok"] == r["consoles"]]
            if not ok:
                md.append(f"| {n} | | 0/{len(rs)} | | | | | | | |")
                continue
            cpu = [float(r["cpu_s"]) for r in ok]
            mb = statistics.median(float(r["bytes"]) for r in ok) / MB
            rss = statistics.median(float(r["maxrss_kb"]) / 1024.0 for r in ok)
            if base_rss is None:
                base_rss = (n, rss)
            per = (rss - base_rss[1]) * 1024 / (n - base_rss[0]) if n != base_rss[0] else float("nan")
            p50 = statistics.median(float(r["lat_p50_ms"]) for r in ok)
            p99 = statistics.median(float(r["lat_p99_ms"]) for r in ok)
            wall = statistics.median(float(r["wall_s"]) for r in ok)
            md.append(f"| {n} | {ok[0]['lines']} | {len(ok)}/{len(rs)} | {statistics.median(cpu):.3f} ({min(cpu):.3f}) "
                      f"| {statistics.median(cpu) * 1000 / n:.1f} | {statistics.median(cpu) * 1000 / mb:.2f} "
                      f"| {rss:.1f} | {fnum(per, 0)} | {wall:.2f} | {p50:.3f} / {p99:.2f} |")
        md.append("")
        md.append("CPU and RSS are the vtpilot process's own (getrusage RUSAGE_SELF; the simulators are not in it). "
                  "RSS per console: the growth over the single-console run, per added console. Latency: per run, "
                  "nearest-rank over every prompt of every console; the table shows the median run. With more "
                  "consoles than cores the simulators and vtpilot share 2 CPUs, so latency includes waiting for one.\n")

    for name, title in (("replay.csv", "Replay of a 2-hour transcript (vtpilot replay, virtual time)"),
                        ("replay-lines.csv", "The same transcript, one console line per output event (a real console's pace)")):
        replay = os.path.join(out, name)
        if not os.path.exists(replay):
            continue
        with open(replay, newline="") as f:
            rp = list(csv.DictReader(f))
        ok = [r for r in rp if r["rc"] == "0"]
        if not ok:
            continue
        wall = [float(r["wall_s"]) for r in ok]
        cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in ok]
        engine = [float(r["engine_s"]) for r in ok if r.get("engine_s")]
        rss = [float(r["rss_kb"]) / 1024.0 for r in ok]
        cast_mb = float(ok[0]["cast_bytes"]) / MB
        out_mb = float(ok[0]["output_bytes"]) / MB
        events = ok[0].get("events")
        md.append(f"## {title}\n")
        md.append("| transcript MB | console output MB | output events | ok runs | wall s med (min) | CPU s med (min) "
                  "| engine s med (min) | max RSS MiB med |")
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
        md.append(f"| {cast_mb:.1f} | {out_mb:.1f} | {events or ''} | {len(ok)}/{len(rp)} | {statistics.median(wall):.3f} ({min(wall):.3f}) "
                  f"| {statistics.median(cpu):.3f} ({min(cpu):.3f}) "
                  f"| {fnum(statistics.median(engine) if engine else None, 3)} ({fnum(min(engine) if engine else None, 3)}) "
                  f"| {statistics.median(rss):.1f} |")
        md.append("")
        md.append("wall and CPU: the whole `vtpilot replay` process (/usr/bin/time); engine: the time replay itself "
                  "reports (reading the cast and driving the engine, without process start-up).\n")

    paced = os.path.join(out, "ssh-paced.txt")
    if os.path.exists(paced):
        md.append("## Over ssh at real pacing (../shared/bench/ssh, SIMX=\"--time-scale 1\", 20000 lines)\n")
        md.append("```")
        md.append(open(paced).read().rstrip()[-6000:])
        md.append("```\n")

    rec = os.path.join(out, "recognize.txt")
    if os.path.exists(rec):
        md.append("## Recognition of one 80x24 screen (bench/recognize.cpp)\n")
        md.append("```")
        md.append(open(rec).read().rstrip())
        md.append("```\n")

    text = "\n".join(md) + "\n"
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
