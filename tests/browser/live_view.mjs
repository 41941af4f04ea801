// The live view in a real browser (issue 19): Debian's chromium, headless, driven by
// puppeteer-core (it uses the installed browser; nothing is downloaded). During
// `vtpilot run --sim --serve 127.0.0.1:0` it opens the page, closes it mid-run and opens it again
// (a browser that reconnects), watches the player until the BOS screens' text has shown in it,
// waits for the LPAR's tile to say `done`, checks the page ran under its Content-Security-Policy
// without a violation, and saves a screenshot.
//
// usage: node live_view.mjs VTPILOT WORKDIR SCREENSHOT.png
// Exit 0 passed, 1 failed, 77 chromium cannot run here at all (ctest: skipped, with the reason).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const [vtpilot, work, shot] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const fail = (msg) => { console.error("FAIL: " + msg); process.exit(1); };
if (!fs.existsSync(chromium)) {
  console.error(`SKIP: ${chromium} is not installed (apt-get install chromium; scripts/bootstrap does)`);
  process.exit(77);
}
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

let browser;
try {
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // Root in a container: chromium's sandbox needs user namespaces that are not there.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
} catch (e) {
  console.error("SKIP: chromium cannot start here: " + e.message.split("\n")[0]);
  process.exit(77);
}

// --think: SMS and the BOS menus wait that long after an Enter before drawing the next screen,
// as real ones do while they scan: the page is closed and opened again in such a pause.
const run = spawn(vtpilot, ["run", "--sim", "--sim-args", "--time-scale 0.4 --think 2.5", "--pacing", "300", "--serve", "127.0.0.1:0",
                            "--transcript", path.join(work, "t.cast")], { stdio: ["ignore", "ignore", "pipe"] });
let said = "";
const exited = new Promise((resolve) => run.on("exit", (code) => resolve(code)));
const url = await new Promise((resolve) => {
  run.stderr.on("data", (d) => {
    said += d;
    const m = said.match(/live view on (http:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
  setTimeout(() => resolve(null), 20000);
});
if (!url) { await browser.close(); fail("no URL from vtpilot: " + said); }

const errors = [], violations = [];
// The player draws its text in <pre class="ap-term-text">; the BOS screens pass in seconds, so
// each page samples it every frame and keeps what it saw. Content-Security-Policy violations
// (the server's header, enforced by chromium) are kept too: the page must need none.
const wanted = ["Welcome to Base Operating System", "Installation and Settings", "Migration Install"];
async function open() {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push("console: " + m.text()); });
  await page.evaluateOnNewDocument((wanted) => {
    window.__seen = [];
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
    const look = () => {
      const text = document.querySelector(".ap-term-text")?.innerText ?? "";
      for (const w of wanted) if (!window.__seen.includes(w) && text.includes(w)) window.__seen.push(w);
      requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  }, wanted);
  const resp = await page.goto(url, { waitUntil: "load" });
  return { page, csp: resp.headers()["content-security-policy"] ?? "" };
}
const look = (page) => page.evaluate(() => ({
  seen: window.__seen,
  violations: window.__violations,
  state: document.querySelector('.tile[data-lpar="0"]')?.dataset.state ?? "",
  text: document.querySelector(".ap-term-text")?.innerText ?? "",
}));

// The first page watches until the BOS welcome menu shows, then goes away mid-run (its
// connections close with it); a second page opens while the console thinks after the Enter.
// The welcome menu is drawn once: the second page shows it only if it got the console from the
// start, then the later screens live, then the tile's done.
let { page, csp } = await open();
let first = null;
for (const deadline = Date.now() + 120000; Date.now() < deadline;) {
  const r = await look(page);
  violations.push(...r.violations);
  if (r.seen.includes(wanted[0])) { first = r; break; }
  if (r.state === "done") break;
  await new Promise((res) => setTimeout(res, 50));
}
if (!first) { await browser.close(); fail("the first page never showed the BOS welcome menu" + (violations.length ? "; CSP violations: " + violations.join("; ") : "")); }
await page.close();
({ page } = await open());
const seen = new Set();
let state = "", reopened = null;
for (const deadline = Date.now() + 150000; Date.now() < deadline;) {
  const r = await look(page);
  if (reopened === null && r.text.trim()) reopened = r.text;
  for (const w of r.seen) seen.add(w);
  state = r.state;
  if (state === "done") { violations.push(...r.violations); break; }
  await new Promise((res) => setTimeout(res, 100));
}
await page.screenshot({ path: shot });
const code = await exited;
await browser.close();
if (errors.length) fail("errors in the page: " + errors.join("; "));
if (!/default-src 'none'/.test(csp) || !/script-src 'self'/.test(csp)) fail("the page has no strict Content-Security-Policy: " + csp);
if (violations.length) fail("Content-Security-Policy violations: " + violations.join("; "));
if (state !== "done") fail(`the tile says "${state}", not done (vtpilot exit ${code})`);
const missing = wanted.filter((w) => !seen.has(w));
if (missing.length) fail("after reopening, the player never showed: " + missing.join(", ") +
                        " (first screen after reopening: " + JSON.stringify((reopened ?? "").slice(0, 300)) + ")");
if (code !== 0) fail("vtpilot run exited " + code);
console.log(`ok: the page closed at the BOS welcome menu and opened again: the player showed ${wanted.join(", ")} ` +
            `(the first from the start of the transcript), the tile reached done; no CSP violation; screenshot ${shot}`);
