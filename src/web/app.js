// vtpilot live view: tiles from /api/status/events, one console played from /api/lpar/N/events.
// Read-only: nothing here sends anything to a console (the server has no such path).
// Every text from a console goes in with textContent, never as HTML.
"use strict";
(function () {
  const token = new URLSearchParams(location.search).get("token");
  const withToken = (u) => (token ? u + (u.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : u);
  let status = null;
  let selected = Number((location.hash.match(/^#(\d+)$/) || [])[1] || 0);
  let player = null, playing = -1;

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const mmss = (s) => {
    s = Math.max(0, Math.round(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    return (h ? h + "h" : "") + String(m).padStart(h ? 2 : 1, "0") + "m" + String(x).padStart(2, "0") + "s";
  };

  function tile(l) {
    const t = el("div", "tile s-" + l.state + (l.index === selected ? " selected" : ""));
    t.dataset.lpar = l.index;
    t.dataset.state = l.state;
    const h = el("h3");
    h.append(el("span", "name", l.name), el("span", "state", l.state));
    t.append(h);
    if (l.screen) t.append(el("div", "screen", l.screen));
    if (l.title) t.append(el("div", "title", l.title));
    if (l.percent !== undefined) {
      const bar = el("div", "bar"), fill = el("div");
      fill.style.width = Math.min(100, Math.max(0, l.percent)) + "%";
      bar.append(fill);
      t.append(bar, el("div", "small", "install " + l.percent + "%" + (l.elapsed_min !== undefined ? ", " + l.elapsed_min + " min" : "") +
                                     (l.eta_min !== undefined ? ", about " + l.eta_min + " min left" : "")));
    }
    if (l.code || l.reason) t.append(el("div", "reason", (l.code ? "[" + l.code + "] " : "") + (l.reason || "")));
    if (l.note) t.append(el("div", "small", l.note));
    if (l.verify) {  // run --verify: the acceptance checks, as verify --json reports them
      const failed = l.verify.checks.filter((c) => c.status === "fail");
      const v = el("div", "verify " + (l.verify.ok ? "ok" : "failed"),
                   "verify: " + (l.verify.ok ? l.verify.checks.filter((c) => c.status === "pass").length + " checks passed"
                                             : failed.map((c) => c.title + ": " + c.detail).join("; ")) +
                   (l.verify.level ? " (oslevel " + l.verify.level + ")" : ""));
      t.append(v);
    }
    const last = l.keys.length ? l.keys[l.keys.length - 1] : null;
    t.append(el("div", "small", "keys: " + l.keys_sent + " sent, " + l.keys_refused + " refused" +
                                (last ? "; last " + last.keys + " " + last.verdict : "")));
    const time = l.finished ? "ended after " + mmss(l.seconds) + ", exit " + l.exit : l.last_event_s !== undefined ? "last event at " + mmss(l.last_event_s) : "";
    if (time) t.append(el("div", "small", time));
    const a = el("a", "small", l.transcript);
    a.href = withToken(l.cast_url);
    a.addEventListener("click", (e) => e.stopPropagation());
    t.append(a);
    t.addEventListener("click", () => select(l.index));
    return t;
  }

  function render() {
    if (!status) return;
    const counts = {};
    for (const l of status.lpars) counts[l.state] = (counts[l.state] || 0) + 1;
    document.getElementById("summary").textContent = status.lpars.length + " LPAR" + (status.lpars.length === 1 ? "" : "s") + " — " +
      Object.entries(counts).map(([k, v]) => v + " " + k).join(", ") + " — " + mmss(status.elapsed_s);
    const tiles = document.getElementById("tiles");
    tiles.replaceChildren(...status.lpars.map(tile));
    const l = status.lpars[selected];
    if (!l) return;
    document.getElementById("watch-title").textContent = l.name + " — " + l.state + (l.screen ? " — " + l.screen : "");
    const body = document.querySelector("#keys tbody");
    body.replaceChildren(...l.keys.slice().reverse().map((k) => {
      const tr = el("tr", k.verdict);
      tr.append(el("td", "", mmss(k.t)), el("td", "", k.screen || ""), el("td", "", k.keys), el("td", "", k.verdict),
                el("td", "", (k.code ? "[" + k.code + "] " : "") + (k.text || "")));
      return tr;
    }));
    if (playing !== selected) play(selected);
  }

  function play(n) {
    if (!status || !status.lpars[n]) return;
    if (player) player.dispose();
    const box = document.getElementById("player");
    box.replaceChildren();
    playing = n;
    player = AsciinemaPlayer.create({ driver: "eventsource", url: withToken(status.lpars[n].events_url), bufferTime: 0 }, box,
                                    { cols: 80, rows: 24, autoPlay: true, fit: "width", controls: false });
  }

  function select(n) {
    selected = n;
    history.replaceState(null, "", location.pathname + location.search + "#" + n);
    render();
  }

  function connect() {
    const link = document.getElementById("link");
    const es = new EventSource(withToken("/api/status/events"));
    es.onopen = () => { link.textContent = "live"; link.className = "link live"; };
    es.onmessage = (m) => { status = JSON.parse(m.data); render(); };
    es.onerror = () => {
      // The run ended (the server with it), or the network: keep the last status on screen.
      const over = status && status.lpars.every((l) => l.finished);
      link.textContent = over ? "run ended" : "reconnecting";
      link.className = "link lost";
      if (over) es.close();
    };
  }
  connect();
})();
