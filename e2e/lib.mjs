// Shared helpers for the end-to-end tests, the screenshots and the benchmark: Debian's Chromium
// driven by playwright-core, a fresh profile each time, and the built app served on loopback.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer } from "node:net";

export const SITE = resolve(process.env.SITE || "../target/site-test");

/** The moment every test's browser starts at: the app reads no other clock, so the tests give
 *  the same answers on any day they run. `E2E_NOW` (an ISO time) runs them at another moment. */
export const NOW = new Date(process.env.E2E_NOW || "2026-06-15T10:00:00+08:00");
/** `NOW` plus some days, for a test that comes back later. */
export const daysAfter = (n) => new Date(NOW.getTime() + n * 86_400_000);

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

/** Serves the built app on a free loopback port; returns { url, stop }. */
export async function serve(site = SITE) {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve("../tools/serve.mjs"), site, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((ok, fail) => {
    child.stdout.on("data", (d) => d.toString().includes("http://") && ok());
    child.on("exit", (code) => fail(new Error(`server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** A fresh browser profile (its own IndexedDB and service worker). */
export async function browser({ width = 1280, height = 860, mobile = false, dir = null, now = NOW, longTasks = false } = {}) {
  const keep = dir !== null;
  dir = dir || mkdtempSync(join(tmpdir(), "cd-e2e-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ARGS,
    viewport: { width, height },
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: mobile ? 2 : 1,
    locale: "zh-CN",
  });
  // The app's clock (dates, timers) starts at `now` and runs from there; `now: null` leaves the
  // real clock (the benchmark: a fake `performance.now` would round its timings).
  if (now) await context.clock.install({ time: now });
  // The benchmark: every main-thread task over 50 ms from the page's start, in
  // `window.__cd_longtasks` (see `longestTask`).
  if (longTasks) {
    await context.addInitScript(() => {
      window.__cd_longtasks = [];
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__cd_longtasks.push([e.startTime, e.duration]);
        }).observe({ type: "longtask", buffered: true });
      } catch {
        // A browser without the Long Tasks API reports none.
      }
      // Every frame the page draws (see `frameGaps`): a page whose tasks are all short can still
      // go without drawing, when its work's continuations run ahead of the browser's rendering.
      window.__cd_frames = [];
      const frame = (t) => {
        window.__cd_frames.push(t);
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
  }
  const page = opensLocked(context.pages()[0] || (await context.newPage()), dir);
  const newPage = context.newPage.bind(context);
  context.newPage = async () => opensLocked(await newPage(), dir);
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  // E2E_STACKS=1 prints where an uncaught error was thrown (the message alone rarely says).
  page.on("pageerror", (e) => {
    errors.push(String(e));
    if (process.env.E2E_STACKS) console.log("PAGEERROR", e.stack);
  });
  if (process.env.E2E_LOG_404) page.on("response", (r) => r.status() >= 400 && console.log("HTTP", r.status(), r.url()));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The longest main-thread task recorded on the page since the last call (and how many there
 *  were over 50 ms), then forgets them: one scenario's figure. */
export async function longestTask(page) {
  return (await longTasksAround(page, Infinity)).before;
}

/** The long tasks so far (and forgotten, like `longestTask`), as two summaries: those that began
 *  before `at` (ms since navigation) and those that began at or after it. */
export async function longTasksAround(page, at) {
  return page.evaluate((at) => {
    const all = window.__cd_longtasks || [];
    window.__cd_longtasks = [];
    // The five longest, with when they started (ms since navigation), to place them among the
    // start's published timings.
    const sum = (xs) => ({
      max: xs.length ? Math.max(...xs.map((t) => t[1])) : 0,
      count: xs.length,
      top: [...xs].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([at, ms]) => ({ at, ms })),
    });
    // `at` crosses to the page as null when it is Infinity.
    const cut = at ?? Infinity;
    return { before: sum(all.filter((t) => t[0] < cut)), after: sum(all.filter((t) => t[0] >= cut)) };
  }, Number.isFinite(at) ? at : null);
}

/** The longest time the page went without drawing a frame between `from` and `to` (ms since
 *  navigation), and when that gap began. */
export async function frameGaps(page, from, to) {
  return page.evaluate(([from, to]) => {
    // The window's ends count as frames: a page that drew nothing in it went all of it without.
    const f = [from, ...(window.__cd_frames || []).filter((t) => t >= from && t <= to), to];
    let max = 0;
    let at = from;
    for (let i = 1; i < f.length; i++) {
      if (f[i] - f[i - 1] > max) {
        max = f[i] - f[i - 1];
        at = f[i - 1];
      }
    }
    return { max, at, frames: f.length - 2 };
  }, [from, to]);
}

/** Moves the mouse over the page every `everyMs` until `stop()` returns true, and times how long
 *  the page takes to take each move (the browser acknowledges an input once the page's main
 *  thread has handled it): what a user's input meets while the page works. */
export async function inputWaits(page, stop, everyMs = 100) {
  const waits = [];
  const t0 = Date.now();
  for (let i = 0; !(await stop()) && Date.now() - t0 < 60_000; i++) {
    const t = performance.now();
    await page.mouse.move(200 + (i % 2) * 40, 300);
    waits.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return waits;
}

/** The secret that opens each profile's encrypted data (by profile folder): the password a test
 *  signed in with, or the PIN or passphrase it set (`rememberSecret`). */
const SECRETS = new Map();
const PROFILE = new WeakMap();

/** Remembers what opens this page's profile from now on. */
export function rememberSecret(page, secret) {
  SECRETS.set(PROFILE.get(page), secret);
}

/** Forgets it: the page's next start stays on the lock page (a test of the lock itself). */
export function forgetSecret(page) {
  SECRETS.delete(PROFILE.get(page));
}

/** Waits until the app has decided whether its data is locked; returns true if it is. */
export async function lockDecided(page) {
  const h = await page.waitForFunction(() => window.__cd_timings && (window.__cd_timings.locked || window.__cd_timings.lockChecked) ? (window.__cd_timings.locked ? "locked" : "open") : null, null, { timeout: 60_000 });
  return (await h.jsonValue()) === "locked";
}

/** Types the secret on the lock page and waits until it opens. */
export async function unlock(page, secret) {
  await page.fill("[data-testid=unlock-secret]", secret);
  await page.click("[data-testid=unlock-submit]");
  await page.waitForFunction(() => window.__cd_timings?.unlocked, null, { timeout: 60_000 });
}

/** A page whose loads (goto, reload) open the encrypted data with the profile's secret, as the
 *  person holding the device would: the tests written before encryption read on unchanged. */
function opensLocked(page, dir) {
  PROFILE.set(page, dir);
  for (const name of ["goto", "reload"]) {
    const original = page[name].bind(page);
    page[name] = async (...args) => {
      const r = await original(...args);
      const secret = SECRETS.get(dir);
      if (secret && (await lockDecided(page))) await unlock(page, secret);
      return r;
    };
  }
  return page;
}

/** Waits until the app has loaded its data and finished the start-up's background work (the
 *  demo's requests, expiry, the first run of the rules), so that a test acts on a settled app. */
export async function ready(page) {
  await page.waitForFunction(() => window.__cd_timings && window.__cd_timings.bootDone && window.__cd_timings.backgroundDone, null, { timeout: 120_000 });
}

/** Creates a customer of 王伟 (华东, 机械) with the new-customer form, as `user` when one is given;
 *  returns the address of its Customer 360. */
export async function newCustomer(page, url, name, user = null) {
  await page.goto(url + "/customers/new");
  await ready(page);
  if (user) await actAs(page, user);
  await page.fill("#f-name", name);
  await page.fill("#f-region", "华东");
  await page.fill("#f-industry", "机械");
  await page.selectOption("#f-sales_rep", { label: "王伟" });
  await page.click("[data-testid=save]");
  await page.waitForSelector("[data-testid=customer-360]");
  return page.url();
}

/** An amount as shown (`¥1,234.56`) in cents. */
export const cents = (s) => Math.round(Number(s.replace(/[^0-9.-]/g, "")) * 100);

/** The value shown by a tile: a compact amount's exact value (its `data-exact`), or its text. */
export const tile = (page, id) => page.$eval(`[data-testid=${id}] .tile-value`, tileText);

/** A tile's value, in the page: the exact amount behind a compact one, or the text shown. */
export const tileText = (el) => (el.querySelector("[data-exact]")?.dataset.exact ?? el.textContent).trim();

/** Acts as another user of the directory, through the switch in the top bar. */
export async function actAs(page, id) {
  await page.selectOption("[data-testid=user-switch]", id);
  await page.waitForFunction((v) => document.querySelector("[data-testid=user-switch]").value === v, id);
}

/** The password of every demo user on a test server. */
export const DEMO_PASSWORD = "creditdesk";

/** Starts the real CreditDesk server (SERVER_BIN) on a free loopback port with a fresh SQLite
 *  database, serving the test build, the demo company in English (or none: the first run),
 *  its clock at `NOW`. Returns { url, stop, kill, restart, dir }; `restart` starts it again on
 *  the same database and port. */
export async function startServer({ demo = "en", dir = null, large = false, sessionHours = null } = {}) {
  const bin = process.env.SERVER_BIN || resolve("../target/debug/creditdesk-server");
  const port = await freePort();
  dir = dir || mkdtempSync(join(tmpdir(), "cd-server-"));
  const day = new Date(NOW.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const args = ["--listen", `127.0.0.1:${port}`, "--site", SITE, "--data", dir, "--fake-today", day, "--demo-password", DEMO_PASSWORD];
  if (demo) args.push("--demo", demo);
  // The large book's daily backup (about 400 MB) would take the benchmark's machine at start.
  if (large) args.push("--demo-large", "--backup-keep", "0");
  if (sessionHours) args.push("--session-hours", String(sessionHours));
  let child = null;
  const launch = async () => {
    child = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((ok, fail) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d.toString();
        if (out.includes("CreditDesk server on")) ok();
      });
      child.on("exit", (code) => fail(new Error(`server exited with ${code}: ${out}`)));
    });
  };
  await launch();
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    /** Stops it the hard way (SIGKILL): what a crash or a pulled plug does. */
    kill: () => new Promise((ok) => { child.once("exit", ok); child.kill("SIGKILL"); }),
    restart: launch,
    stop: async () => {
      if (child.exitCode === null) await new Promise((ok) => { child.once("exit", ok); child.kill("SIGTERM"); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in on the sign-in page and waits for the first sync to land. */
export async function signIn(page, user, password = DEMO_PASSWORD) {
  await page.waitForSelector("[data-testid=sign-in]");
  // The password opens this device's encrypted data from now on.
  rememberSecret(page, password);
  await page.fill("[data-testid=sign-in-user]", user);
  await page.fill("[data-testid=sign-in-password]", password);
  await page.click("[data-testid=sign-in-submit]");
  try {
    await page.waitForSelector("[data-testid=signed-in-as]:not(:empty)", { state: "attached", timeout: 60_000 });
  } catch (e) {
    // Say what the page shows instead (an error on the sign-in page, a sync error).
    const shown = await page.evaluate(() => ({
      signIn: document.querySelector("[data-testid=sign-in-error]")?.textContent,
      sync: document.querySelector("[data-testid=sync-error]")?.textContent,
      body: document.body.innerText.slice(0, 400),
    }));
    throw new Error(`${user} did not get signed in: ${JSON.stringify(shown)}\n${e.message}`);
  }
  await ready(page);
}

/** Waits for the next successful sync after `since` (ms, from window.__cd_timings.syncDone). */
export async function synced(page, since = 0) {
  await page.waitForFunction((t) => (window.__cd_timings?.syncDone ?? 0) > t, since, { timeout: 60_000 });
}

/** Console errors that are not the app's: the browser logs every refused request (a 401 before
 *  signing in) and every request made offline. */
export const appErrors = (errors) => errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED/.test(e));

export const lastSync = (page) => page.evaluate(() => window.__cd_timings?.syncDone ?? 0);

/** Waits until `check()` (awaited: it may read IndexedDB through `page.evaluate`) gives a truthy
 *  value, asking again every `interval` ms; fails after `timeout` ms. For conditions a page
 *  cannot announce. (`page.waitForFunction` does not await a promise its function returns: a
 *  promise is truthy, so it would pass at once.) */
export async function until(check, { timeout = 30_000, interval = 10, what = "the condition" } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, interval));
  }
}

/** What Customer 360 shows of a customer's credit: its tiles in cents, whether it is frozen, and
 *  whether a limit request is open. */
export async function creditFacts(page) {
  await page.waitForSelector("[data-testid=credit]");
  return {
    url: page.url(),
    limit: cents(await tile(page, "limit")),
    available: cents(await tile(page, "available")),
    overdue: cents(await tile(page, "overdue")),
    openAr: cents(await tile(page, "open-ar")),
    frozen: (await page.locator("[data-testid=frozen]").count()) > 0,
    open: (await page.locator("[data-testid=limit-history][open]").count()) > 0,
  };
}

/** Opens the first customer of the list (under each grade filter of `grades` in turn, or
 *  unfiltered) whose `creditFacts` satisfy `fits`, and returns those facts. A test chooses its
 *  customer by the state it needs, not by its place, so it passes whatever day the demo was made
 *  for. At most `rows` rows of each list are tried. */
export async function openCustomerWhere(page, url, fits, { grades = [null], rows = 40, what = "a customer that fits" } = {}) {
  for (const grade of grades) {
    await page.goto(url + "/customers");
    await ready(page);
    if (grade) await page.selectOption("[data-testid=grade-filter]", grade);
    const hrefs = await page.$$eval(".vrow", (rs) => rs.map((r) => r.getAttribute("href")).filter(Boolean));
    for (const href of hrefs.slice(0, rows)) {
      await page.goto(new URL(href, url).href);
      const facts = await creditFacts(page);
      if (fits(facts)) return facts;
    }
  }
  throw new Error(`no ${what} in the demo`);
}

/** The codes of the audit entries shown (each row's `data-what`), newest first: the page tells
 *  them in sentences, the codes are what a test matches. */
export const auditCodes = (page) => page.$$eval("[data-testid=audit] tr[data-what]", (rs) => rs.map((r) => r.dataset.what));

/** The import benchmark's file: 100,000 invoices of the given customers, UTF-8 with a BOM. */
export function importCsv(names, asOf) {
  const base = new Date(asOf + "T00:00:00Z").getTime();
  const day = (n) => new Date(base + n * 86400000).toISOString().slice(0, 10);
  const lines = ["发票号码,客户名称,开票日期,到期日,金额"];
  for (let i = 0; i < 100000; i++) {
    const issue = -(i % 60) - 1;
    lines.push(`IMP-${String(i).padStart(7, "0")},"${names[i % names.length].replaceAll('"', '""')}",${day(issue)},${day(issue + 30)},"${(1000 + (i % 97) * 113.37).toFixed(2)}"`);
  }
  return Buffer.from("\ufeff" + lines.join("\r\n") + "\r\n", "utf8");
}

/** Makes a `File` in the page (`window.__cd_file`) from bytes, before a measure starts: Playwright's
 *  setInputFiles decodes the file on the page's main thread (a task of about a second for 5 MB), the
 *  harness's work, not the app's. `chooseFile` then gives it to a file input as a person would. */
export async function putFileInPage(page, name, buffer, type = "text/csv") {
  await page.evaluate(([b64, name, type]) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    window.__cd_file = new File([bytes], name, { type });
  }, [buffer.toString("base64"), name, type]);
}

export async function chooseFile(page, selector) {
  await page.evaluate((selector) => {
    const input = document.querySelector(selector);
    const files = new DataTransfer();
    files.items.add(window.__cd_file);
    input.files = files.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }, selector);
}

/** Pairs of weights for the scorecard draft's what-if that keep the total at 100%: the first of
 * each makes the draft invalid (its matrix stays, marked stale), the second valid again. */
export const WHAT_IF_EDITS = [["16", "2"], ["12", "6"], ["10", "8"], ["8", "10"]];

/** One pair of edits on the open draft: milliseconds from the second edit to the fresh matrix
 * on screen (`total`), the app's own time computing it (`compute`), and whether the matrix was
 * marked stale in between. */
export async function whatIfEdit(page, days, report) {
  return page.evaluate(async ([days, report]) => {
    const set = (id, v) => {
      const input = document.querySelector(`[data-testid=${id}]`);
      input.value = v;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    };
    set("weight-avg_days_to_pay", days);
    await new Promise((r) => requestAnimationFrame(r));
    const stale = !!document.querySelector("[data-testid=migration][data-stale]");
    const t = performance.now();
    set("weight-report_score", report);
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      if (document.querySelector("[data-testid=migration]:not([data-stale])")) break;
    }
    return { total: performance.now() - t, compute: window.__cd_what_if_ms, stale };
  }, [days, report]);
}
