#!/usr/bin/env python3
"""`vtpilot run --config c.toml --serve 127.0.0.1:0` on the loopback HMC serve_hmc.sh set up.

usage: WORK=DIR PASSWORD=PW serve_hmc.py CASE VTPILOT N   (CASE: config | many; see serve_hmc.sh)
While the run goes on: /api/status is polled (each answer timed), each LPAR's transcript is
fetched once it has events and compared with the file on disk, one viewer per LPAR plays its
console. At the end the last status pushed (the server's last word before it closes) must hold
every LPAR's outcome; each viewer must have got exactly its transcript.
"""
import json, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from viewlib import Fail, StatusWatcher, Viewer, check_stream, get, start  # noqa: E402

CASE, V, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
WORK, PW = os.environ["WORK"], os.environ["PASSWORD"]


def main():
    args = ["run", "--config", os.path.join(WORK, "c.toml"), "--power-on", "--quiet", "--serve", "127.0.0.1:0"]
    if CASE == "config":
        args += ["--verify", "--password-file", os.path.join(WORK, "pw")]
    t0 = time.time()
    p, err, host, port, _ = start(V, args, cwd=WORK)
    watcher = StatusWatcher(host, port)
    watcher.start()
    viewers = [Viewer(host, port, "/api/lpar/%d/events" % i) for i in range(N)]
    for v in viewers:
        v.start()
    slowest, polls, fetched, states = 0.0, 0, {}, [set() for _ in range(N)]
    while p.poll() is None:
        t = time.time()
        try:
            st, _, body = get(host, port, "/api/status")
        except OSError:
            break  # the run ended between poll() and the request
        if st != 200:
            break
        slowest = max(slowest, time.time() - t)
        polls += 1
        rows = json.loads(body)["lpars"]
        fetches = len(fetched)  # at most 4 transcripts a poll: the polls stay frequent
        if len(rows) != N:
            raise Fail("/api/status lists %d LPARs, the config %d" % (len(rows), N))
        for r in rows:
            states[r["index"]].add(r["state"])
            # Each transcript once it has events: the bytes served are the file's bytes.
            i = r["index"]
            if i not in fetched and r.get("last_event_s", -1) > 0 and len(fetched) < fetches + 4:
                try:
                    st, head, cast = get(host, port, r["cast_url"])
                except OSError:
                    break  # the run ended: the server with it
                if st != 200 or "application/x-asciicast" not in head:
                    raise Fail("%s: %d %s" % (r["cast_url"], st, head))
                with open(r["transcript"], "rb") as f:
                    disk = f.read()
                length = int([h for h in head.split("\r\n") if h.lower().startswith("content-length:")][0].split(":")[1])
                if len(cast) != length or disk[:len(cast)] != cast or cast.count(b"\n") < 2:
                    raise Fail("%s (%d bytes) is not the first bytes of %s (%d bytes)" % (r["cast_url"], len(cast), r["transcript"], len(disk)))
                fetched[i] = len(cast)
        time.sleep(0.1)
    rc = p.wait(timeout=170)
    wall = time.time() - t0
    watcher.join(20)
    if watcher.error or not watcher.statuses:
        raise Fail("the status stream: %s (%d statuses)" % (watcher.error, len(watcher.statuses)))
    last = watcher.statuses[-1]["lpars"]
    err.seek(0)
    said = err.read()
    for v in viewers:
        v.join(20)
    n = 0
    for i, v in enumerate(viewers):
        n += check_stream(v, last[i]["transcript"], "the viewer of %s" % last[i]["name"])
    for blob in [v.raw for v in viewers] + [watcher.raw, said.encode()]:
        if PW.encode() in blob:
            raise Fail("the console password was served or printed")
    # config: every LPAR runs for seconds. many: --fast consoles may end between two polls, and
    # once all have ended the server is gone: those seen are checked.
    if len(fetched) < (N if CASE == "config" else 1):
        raise Fail("only %d of %d transcripts were seen with events while the run went on" % (len(fetched), N))
    by = {r["name"]: r for r in last}
    if CASE == "config":
        if rc != 3:
            raise Fail("exit %d, expected 3 (lpar02 refused): %s" % (rc, said[-2000:]))
        a, b, c = by["lpar01"], by["lpar02"], by["lpar03"]
        if not (a["state"] == "done" and a["exit"] == 0 and a.get("verify", {}).get("ok") is True):
            raise Fail("lpar01 (migrates, checks pass): " + json.dumps(a)[:1500])
        passed = [x["id"] for x in a["verify"]["checks"] if x["status"] == "pass"]
        if "oslevel" not in passed or "lppchk" not in passed:
            raise Fail("lpar01's checks: " + json.dumps(a["verify"]))
        if not a["keys"] or any(k["verdict"] != "sent" for k in a["keys"]) or a["keys_sent"] < 10:
            raise Fail("lpar01's keys: " + json.dumps(a["keys"]))
        if a["keys"][-1]["keys"] == PW or any(PW in k["keys"] for k in a["keys"]):
            raise Fail("the password is among lpar01's keys")
        if not (b["state"] == "refused" and b["exit"] == 3 and b.get("code") == "altinst-disk" and "verify" not in b):
            raise Fail("lpar02 (clone is hdisk0): " + json.dumps(b)[:1500])
        refused = [k for k in b["keys"] if k["verdict"] == "refused"]
        if not refused or refused[-1].get("code") != "altinst-disk" or b["keys_refused"] < 1:
            raise Fail("lpar02's keys: " + json.dumps(b["keys"]))
        failed = [x for x in c.get("verify", {}).get("checks", []) if x["status"] == "fail"]
        if not (c["state"] == "check-failed" and c["exit"] == 7 and c["verify"]["ok"] is False and
                failed and failed[0]["id"] == "lppchk" and "bos.rte.security" in failed[0]["detail"]
                and c.get("code") == "verify:lppchk"):
            raise Fail("lpar03 (a broken fileset): " + json.dumps({k: v for k, v in c.items() if k != "keys"})[:2500])
        # What was seen on the way: the install, then the end.
        for i in range(N):
            if "installing" not in states[i] and i != 1:
                raise Fail("%s was never seen installing: %s" % (last[i]["name"], sorted(states[i])))
        print("ok: exit 3; lpar01 done, verify ok (%s); lpar02 refused [altinst-disk], key %r refused; "
              "lpar03 check-failed [verify:lppchk] (bos.rte.security)" % (", ".join(passed), refused[-1]["keys"]))
    else:
        if rc != 0:
            raise Fail("exit %d: %s" % (rc, said[-2000:]))
        bad = [(r["name"], r["state"], r.get("exit")) for r in last if r["state"] != "done" or r["exit"] != 0]
        if len(last) != N or bad:
            raise Fail("%d tiles; not done: %s" % (len(last), bad))
        if max(len(s) for s in states) < 2:
            raise Fail("no LPAR was seen changing state during the run")
        # The page answered while the 64 ran: every poll within a bound (alone it is under 1 s; a
        # page held until the run's end, 10-20 s, fails; six times wider under the sanitizers).
        bound = 30.0 if "ASAN_OPTIONS" in os.environ else 5.0
        if polls < 3 or slowest > bound:
            raise Fail("/api/status: %d polls, slowest %.2f s (bound %.0f s)" % (polls, slowest, bound))
    print("ok: %d LPARs in %.1f s; /api/status answered %d times during the run, slowest %.3f s; "
          "%d transcripts served as on disk; %d viewers got exactly their transcripts (%d events)"
          % (N, wall, polls, slowest, len(fetched), len(viewers), n))


try:
    main()
except Fail as e:
    print("FAIL: %s" % e)
    sys.exit(1)
