// Each main-thread task over 45 ms of the large book's cold start (SCEN=start; on the dashboard
// SCEN=dashboard; the first start, which writes the book, SCEN=first), of the write of
// its 100,000-row import after the check (SCEN=import), of its backup (SCEN=backup), of the
// scorecard draft's what-if after four weight edits (SCEN=whatif; tasks over 20 ms), or of a backup file's check (SCEN=check) or restore after its check (SCEN=restore)
// in a new browser with the demo book, as the browser ran it: a DevTools trace (its events within the task over 2 ms:
// an IndexedDB result opened, a message turn, a collection, a forced layout) and, on the same
// clock, the CPU profile's samples within the task (self time by function, the wasm named, see
// named-site.mjs). Where profile.mjs joins tasks that follow each other without idle, this says
// what one task was made of.
//
//   cd e2e && SCEN=start node trace.mjs      (or SCEN=backup; after ./x bench or ./x test built target/site-test)
//   cd e2e && BACKUP=file.json SCEN=check node trace.mjs   (or SCEN=restore; a large book's file is
//     kept by `KEEP_BACKUP=file.json BENCH_ONLY=import node bench.mjs`)
//
// INCL=1 also prints, for each task, the time within it of each of the app's functions with
// what it called (and of IndexedDB's put and add), to find which caller a self time belongs to.
//
// Prints; asserts nothing. Profiling and tracing slow the page: the tasks are longer than the
// bench's; the first line is the page's own longest tasks (`longestTask`) in the same run.
import { serve, ready, longestTask, browser, chooseFile, importCsv, putFileInPage, WHAT_IF_EDITS, whatIfEdit } from "./lib.mjs";
import { namedSite, onLargeBook } from "./named-site.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const site = namedSite(resolve(process.env.SITE || "../target/site-test"));
const server = await serve(site);
const dir = mkdtempSync(join(tmpdir(), "cd-trace-"));
// The copies go whatever happens.
process.on("exit", () => {
  rmSync(site, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});
const scen = process.env.SCEN || "start";
const restoring = scen === "check" || scen === "restore";
if (restoring && !process.env.BACKUP) throw new Error(`SCEN=${scen} reads the backup file named by BACKUP`);
// The traced start is the one after the large book was written; a restore's is a new browser's,
// and so is the first start's (SCEN=first: the seed written in the page, then the start's own work
// after it, its rules over every customer; the tasks after the `seedDone` mark are the start's).
const fresh = restoring || scen === "first";
const b = fresh ? await browser({ dir, now: null, longTasks: true }) : await onLargeBook(server, dir);
const cdp = await b.context.newCDPSession(b.page);
const events = [];
cdp.on("Tracing.dataCollected", (e) => { for (const x of e.value) events.push(x); });
const checked = () => b.page.waitForSelector("[data-testid=backup-ready], [data-testid=backup-problems]", { timeout: 300_000 });
if (restoring) {
  await b.page.goto(server.url + "/import");
  await ready(b.page);
  if (scen === "restore") {
    await b.page.setInputFiles("[data-testid=restore-file]", process.env.BACKUP);
    await checked();
  }
  await longestTask(b.page);
}
if (scen === "backup") {
  await b.page.goto(server.url + "/import");
  await ready(b.page);
  await longestTask(b.page);
}
if (scen === "whatif") {
  await b.page.goto(server.url + "/scorecard");
  await ready(b.page);
  await b.page.click("[data-testid=edit-draft]");
  await b.page.waitForSelector("[data-testid=migration]");
  await longestTask(b.page);
}
if (scen === "import") {
  // The file read and checked before the trace: the write is traced.
  await b.page.goto(server.url + "/import");
  await ready(b.page);
  const names = await b.page.evaluate(() => Array.from(window.wasmBindings.cd_bench_customer_names(500)));
  const asOf = JSON.parse(await b.page.evaluate(() => window.wasmBindings.cd_counts_json())).as_of;
  await putFileInPage(b.page, "bench.csv", importCsv(names, asOf));
  await chooseFile(b.page, "[data-testid=import-file]");
  await b.page.waitForSelector("[data-testid=check-summary]", { timeout: 300_000 });
  await longestTask(b.page);
}
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
await cdp.send("Profiler.start");
await cdp.send("Tracing.start", { categories: "devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink", transferMode: "ReportEvents" });
if (scen === "check") {
  await b.page.setInputFiles("[data-testid=restore-file]", process.env.BACKUP);
  await checked();
} else if (scen === "restore") {
  await b.page.click("[data-testid=confirm-restore]");
  await b.page.waitForSelector("[data-testid=restore-note]", { timeout: 300_000 });
} else if (scen === "import") {
  await b.page.click("[data-testid=confirm-import]");
  await b.page.waitForSelector("[data-testid=import-done]", { timeout: 300_000 });
} else if (scen === "whatif") {
  for (const [days, report] of WHAT_IF_EDITS) {
    console.log(`what-if matrix on screen in ${(await whatIfEdit(b.page, days, report)).total.toFixed(1)} ms`);
  }
} else if (scen === "backup") {
  await Promise.all([b.page.waitForEvent("download", { timeout: 300_000 }), b.page.click("[data-testid=download-backup]")]);
} else {
  // SCEN=start on the list, SCEN=dashboard on the home page until its charts are drawn; SCEN=first
  // on the list, the large book seeded by this start.
  await b.page.goto(server.url + (scen === "dashboard" ? "/" : scen === "first" ? "/customers?seed=large" : "/customers"));
  await ready(b.page);
  if (scen === "dashboard") await b.page.waitForFunction(() => window.__cd_timings?.dashboardDrawn, null, { timeout: 300_000 });
  await b.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 300_000 });
}
const { profile } = await cdp.send("Profiler.stop");
const complete = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
await cdp.send("Tracing.end");
await complete;
console.log(JSON.stringify((await longestTask(b.page)).top));
if (scen === "first") {
  const at = await b.page.evaluate(() => window.__cd_timings.seedDone);
  if (at === undefined) throw new Error("the page published no seedDone: rebuild target/site-test");
  console.log(`the seed written at ${at.toFixed(0)} ms`);
}

let t0 = Infinity;
for (const e of events) if (e.ts > 0 && e.ts < t0) t0 = e.ts;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const name = (n) => (n.callFrame.functionName || `${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`).replace(/::h[0-9a-f]{16}$/, "");
// The renderers' main threads (the trace holds the browser's other threads too).
const main = new Set(events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
const over = scen === "whatif" ? 20_000 : 45_000;
for (const task of events.filter((e) => e.name === "RunTask" && e.dur > over && main.has(`${e.pid}:${e.tid}`))) {
  const end = task.ts + task.dur;
  console.log(`task ${(task.dur / 1000).toFixed(1)} ms @ ${((task.ts - t0) / 1000).toFixed(0)} ms`);
  const inside = events.filter((e) => e !== task && e.pid === task.pid && e.tid === task.tid && e.ts >= task.ts && e.ts + (e.dur || 0) <= end && (e.dur || 0) > 2000);
  for (const e of inside.slice(0, 25)) {
    const d = e.args?.data;
    const what = d ? [d.type, d.functionName].filter(Boolean).join(" ") : "";
    console.log(`   ${e.name} ${(e.dur / 1000).toFixed(1)} ms @+${((e.ts - task.ts) / 1000).toFixed(1)} ${what}`);
  }
  // The profile's samples within the task (its clock is the trace's).
  const self = new Map();
  let ts = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    ts += profile.timeDeltas[i];
    if (ts < task.ts || ts > end) continue;
    // A sample stands for the time until the next (the browser samples less often than asked
    // when it is busy).
    const n = name(byId.get(profile.samples[i]));
    self.set(n, (self.get(n) || 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  }
  for (const [n, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`      ${ms.toFixed(1).padStart(6)} ms ${n.slice(0, 140)}`);
  if (process.env.INCL) {
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
    const incl = new Map();
    let ts2 = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      ts2 += profile.timeDeltas[i];
      if (ts2 < task.ts || ts2 > end) continue;
      const seen = new Set();
      for (let id = profile.samples[i]; id != null; id = parent.get(id)) {
        const n = name(byId.get(id));
        if (!/creditdesk|rexie|^put$|^add$/.test(n) || seen.has(n)) continue;
        seen.add(n);
        incl.set(n, (incl.get(n) || 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
      }
    }
    for (const [n, ms] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`   incl ${ms.toFixed(1).padStart(6)} ms ${n.slice(0, 150)}`);
  }
}
await b.close();
server.stop();
process.exit(0);
