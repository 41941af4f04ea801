// The live view in a real browser (issue 19): Debian's chromium, headless, driven by
// puppeteer-core (it uses the installed browser; nothing is downloaded). During
// `vtpilot run --sim --serve 127.0.0.1:0` it opens the page, watches the player until the BOS
// screens' text has shown in it, waits for the LPAR's tile to say `done`, and saves a screenshot.
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

const run = spawn(vtpilot, ["run", "--sim", "--sim-args", "--time-scale 0.4", "--pacing", "300", "--serve", "127.0.0.1:0",
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

const page = await browser.newPage();
await page.setViewport({ width: 1400, height: 900 });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
// The player draws its text in <pre class="ap-term-text">; the BOS screens pass in seconds, so
// the page itself samples it every frame and keeps what it saw.
const wanted = ["Welcome to Base Operating System", "Installation and Settings", "Migration Install"];
await page.evaluateOnNewDocument((wanted) => {
  window.__seen = [];
  const look = () => {
    const text = document.querySelector(".ap-term-text")?.innerText ?? "";
    for (const w of wanted) if (!window.__seen.includes(w) && text.includes(w)) window.__seen.push(w);
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}, wanted);
await page.goto(url, { waitUntil: "load" });
const seen = new Set();
let state = "";
const deadline = Date.now() + 150000;
while (Date.now() < deadline) {
  const r = await page.evaluate(() => ({
    seen: window.__seen,
    state: document.querySelector('.tile[data-lpar="0"]')?.dataset.state ?? "",
  }));
  for (const w of r.seen) seen.add(w);
  state = r.state;
  if (state === "done") break;
  await new Promise((res) => setTimeout(res, 100));
}
await page.screenshot({ path: shot });
const code = await exited;
await browser.close();
if (errors.length) fail("errors in the page: " + errors.join("; "));
if (state !== "done") fail(`the tile says "${state}", not done (vtpilot exit ${code})`);
const missing = wanted.filter((w) => !seen.has(w));
if (missing.length) fail("the player never showed: " + missing.join(", "));
if (code !== 0) fail("vtpilot run exited " + code);
console.log(`ok: the tile reached done; the player showed ${wanted.join(", ")}; screenshot ${shot}`);
