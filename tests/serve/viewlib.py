"""What the live view's loopback tests share: raw HTTP, an EventSource client, the view's URL.

No third-party module: sockets, as a browser's requests look on the wire.
"""
import json, re, socket, subprocess, threading, time


class Fail(Exception):
    pass


def start(v, args, cwd=None, stdin=subprocess.DEVNULL):
    """Starts `vtpilot ARGS`; returns (process, its stderr file, host, port, "?token=..." or None)."""
    err = open((cwd + "/" if cwd else "") + "stderr.txt", "w+")
    p = subprocess.Popen([v] + args, stdout=subprocess.DEVNULL, stderr=err, stdin=stdin, cwd=cwd)
    deadline = time.time() + 20
    while time.time() < deadline:
        err.seek(0)
        m = re.search(r"live view on http://([0-9.]+):(\d+)/(\?token=\w+)?", err.read())
        if m:
            return p, err, m.group(1), int(m.group(2)), m.group(3)
        if p.poll() is not None:
            err.seek(0)
            raise Fail("vtpilot ended before serving: " + err.read())
        time.sleep(0.02)
    p.kill()
    raise Fail("no 'live view on' line in 20 s")


def raw(host, port, data, timeout=10):
    """Sends bytes, returns everything the server sends until it closes."""
    s = socket.create_connection((host, port), timeout=timeout)
    s.sendall(data)
    parts = []
    try:
        while True:
            b = s.recv(1 << 20)
            if not b:
                break
            parts.append(b)
    except socket.timeout:
        pass
    s.close()
    return b"".join(parts)


def get(host, port, path, headers=None, method="GET", timeout=10):
    """(status, head, body) of one request (Connection: close)."""
    h = {"Host": "%s:%d" % (host, port), "Connection": "close"}
    h.update(headers or {})
    req = "%s %s HTTP/1.1\r\n" % (method, path) + "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
    resp = raw(host, port, req.encode(), timeout)
    head, _, body = resp.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, head.decode(errors="replace"), body


class Viewer(threading.Thread):
    """An EventSource client of /api/lpar/N/events: the data lines until `event: done`."""

    def __init__(self, host, port, path, read=True):
        super().__init__(daemon=True)
        self.host, self.port, self.path, self.read = host, port, path, read
        self.lines, self.done, self.error, self.sock = [], False, None, None
        self.raw = b""

    def run(self):
        try:
            s = socket.create_connection((self.host, self.port), timeout=120)
            if not self.read:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            self.sock = s
            s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (self.path, self.host, self.port)).encode())
            if not self.read:
                return  # never reads: the server must not wait for it
            parts, tail = [], b""
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                parts.append(b)
                if b"event: done\n" in tail + b:
                    self.done = True
                    break
                tail = b[-16:]
            buf = self.raw = b"".join(parts)
            head, _, body = buf.partition(b"\r\n\r\n")
            if b"text/event-stream" not in head:
                self.error = "not an event stream: " + head.decode(errors="replace")
            for msg in body.decode().split("\n\n"):
                if msg.startswith("event: done"):
                    break
                for ln in msg.split("\n"):
                    if ln.startswith("data: "):
                        self.lines.append(ln[6:])
            s.close()
        except Exception as e:  # noqa
            self.error = repr(e)


class StatusWatcher(threading.Thread):
    """/api/status/events: every status pushed, until the server closes at the run's end."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.statuses, self.error, self.raw = [], None, b""

    def run(self):
        try:
            s = socket.create_connection((self.host, self.port), timeout=300)
            s.sendall(("GET /api/status/events HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (self.host, self.port)).encode())
            buf = b""
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                buf += b
            s.close()
            self.raw = buf
            for msg in buf.partition(b"\r\n\r\n")[2].decode().split("\n\n"):
                for ln in msg.split("\n"):
                    if ln.startswith("data: "):
                        self.statuses.append(json.loads(ln[6:]))
        except Exception as e:  # noqa
            self.error = repr(e)


def cast_events(path):
    with open(path) as f:
        lines = f.read().split("\n")
    return [ln for ln in lines[1:] if ln]


def check_stream(v, cast, who, keep_end=False):
    """The viewer got the player's reset, then exactly the transcript's events; returns how many."""
    if v.error:
        raise Fail(who + ": " + v.error)
    if not v.done:
        raise Fail(who + ": the stream did not end with `event: done` (%d messages, the transcript has %d events)"
                   % (len(v.lines), len(cast_events(cast))))
    reset = json.loads(v.lines[0])
    if reset.get("width") != 80 or reset.get("height") != 24 or "time" not in reset:
        raise Fail(who + ": first message is not the player's reset: " + v.lines[0])
    got = v.lines[1:]
    want = cast_events(cast)
    # The transcript's `end` marker is written once the exit is known, after the view closed.
    if not keep_end:
        want = [w for w in want if '"m", "end ' not in w]
    if got != want:
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                raise Fail("%s: event %d differs from the transcript:\n  got  %s\n  want %s" % (who, i, g[:200], w[:200]))
        raise Fail("%s: %d events, the transcript has %d" % (who, len(got), len(want)))
    return len(got)
