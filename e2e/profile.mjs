// CPU profile of the large book's cold start or of its 100,000-row import, by main-thread task:
// for each of the longest tasks, the functions where the time went (self) and the calls it went
// through (inclusive), read from the DevTools protocol's sampling profiler. The wasm keeps its
// function names: this script makes a copy of the test site whose wasm is the release build's
// run again through wasm-bindgen and `wasm-opt -Oz -g --low-memory-unused`, as the build runs it
// (the app's code, names kept).
//
//   cd e2e && SCEN=start node profile.mjs     (or SCEN=import, SCEN=backup, SCEN=restore, or SCEN=kernels: rescore and
//                                              aging as the bench runs them; after ./x bench or ./x test built
//                                              target/site-test)
//
// Prints; asserts nothing. A profile's tasks are runs of samples without idle between them, so
// slices that follow each other with no idle show as one.
import { browser, chooseFile, importCsv, putFileInPage, serve, ready, longestTask } from "./lib.mjs";
import { namedSite, onLargeBook } from "./named-site.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const SITE_TEST = resolve(process.env.SITE || "../target/site-test");

function analyse(profile, label, top3 = 3) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const name = (x) => x.callFrame.functionName || `(${x.callFrame.url.split("/").pop()}:${x.callFrame.lineNumber})`;
  // Tasks: runs of non-idle samples.
  const tasks = [];
  let cur = null;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const n = byId.get(profile.samples[i]);
    if (n.callFrame.functionName === "(idle)") { if (cur) { tasks.push(cur); cur = null; } continue; }
    if (!cur) cur = { start: t, ms: 0, samples: [] };
    cur.ms += dt;
    cur.samples.push([profile.samples[i], dt]);
  }
  if (cur) tasks.push(cur);
  // TIMELINE=ms: every task of 3 ms or more in the profile's first ms, in order, with where most
  // of its time went (its three costliest functions, self).
  const until = Number(process.env.TIMELINE || 0);
  for (const task of tasks.filter((x) => x.ms >= 3 && x.start - profile.startTime < until * 1000)) {
    const self = new Map();
    for (const [sid, dt] of task.samples) self.set(name(byId.get(sid)), (self.get(name(byId.get(sid))) || 0) + dt);
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, v]) => `${n.replace(/::h[0-9a-f]{16}$/, "").slice(0, 70)} ${v.toFixed(0)}`);
    console.log(`@ ${((task.start - profile.startTime) / 1000).toFixed(0).padStart(5)} ${task.ms.toFixed(0).padStart(4)} ms: ${top.join("; ")}`);
  }
  tasks.sort((a, b) => b.ms - a.ms);
  console.log(`=== ${label}: longest tasks ${tasks.slice(0, 8).map((x) => `${x.ms.toFixed(0)} ms @ ${((x.start - profile.startTime) / 1000).toFixed(0)}`).join(", ")}`);
  for (const task of tasks.slice(0, top3)) {
    const self = new Map(), incl = new Map();
    for (const [sid, dt] of task.samples) {
      let id = sid;
      const n = byId.get(id);
      self.set(name(n), (self.get(name(n)) || 0) + dt);
      const seen = new Set();
      while (id !== undefined) {
        const nm = name(byId.get(id));
        if (!seen.has(nm)) { seen.add(nm); incl.set(nm, (incl.get(nm) || 0) + dt); }
        id = parent.get(id);
      }
    }
    const top = (m, k) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, v]) => `${v.toFixed(0).padStart(6)} ${n.slice(0, 150)}`).join("\n");
    console.log(`--- task ${task.ms.toFixed(0)} ms @ ${((task.start - profile.startTime) / 1000).toFixed(0)}: self\n${top(self, 15)}\n--- inclusive\n${top(incl, 45)}`);
  }
}
const site = namedSite(SITE_TEST);
const server = await serve(site);
const dir = mkdtempSync(join(tmpdir(), "cd-profile-"));
// The profiled start is the one after the large book was written.
const b = await onLargeBook(server, dir);
const scen = process.env.SCEN || "import";
const cdp = await b.context.newCDPSession(b.page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
if (scen === "kernels") {
  // The kernels the bench compares with native code, once each as the bench's hooks run them
  // (each hook times its kernel five times): rescore, then aging and the dashboard's figures.
  await b.page.goto(server.url + "/customers");
  await ready(b.page);
  await cdp.send("Profiler.start");
  await b.page.evaluate(() => { window.wasmBindings.cd_bench_rescore(); window.wasmBindings.cd_bench_reports(); });
  const { profile } = await cdp.send("Profiler.stop");
  analyse(profile, "kernels", 1);
} else if (scen === "backup") {
  // The whole book's backup, from the button to the browser's download.
  await b.page.goto(server.url + "/import");
  await ready(b.page);
  await longestTask(b.page);
  await cdp.send("Profiler.start");
  await Promise.all([b.page.waitForEvent("download", { timeout: 300_000 }), b.page.click("[data-testid=download-backup]")]);
  const { profile } = await cdp.send("Profiler.stop");
  console.log(JSON.stringify((await longestTask(b.page)).top));
  analyse(profile, "backup", Number(process.env.TASKS || 2));
} else if (scen === "restore") {
  // The whole book's backup restored into another browser (its own demo book): the replace,
  // from the button to the note (the check before it is not profiled).
  // BACKUP_FILE: a backup of the large book kept by the bench (KEEP_BACKUP=...), else one made here.
  let file = process.env.BACKUP_FILE;
  if (!file) {
    await b.page.goto(server.url + "/import");
    await ready(b.page);
    await b.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 300_000 });
    const [dl] = await Promise.all([b.page.waitForEvent("download", { timeout: 300_000 }), b.page.click("[data-testid=download-backup]")]);
    file = await dl.path();
  }
  const r = await browser({ now: null, longTasks: true });
  await r.page.goto(server.url + "/import");
  await ready(r.page);
  await r.page.setInputFiles("[data-testid=restore-file]", file);
  await r.page.waitForSelector("[data-testid=backup-ready]", { timeout: 300_000 });
  await longestTask(r.page);
  const rcdp = await r.context.newCDPSession(r.page);
  await rcdp.send("Profiler.enable");
  await rcdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await rcdp.send("Profiler.start");
  await r.page.click("[data-testid=confirm-restore]");
  await r.page.waitForSelector("[data-testid=restore-note]", { timeout: 300_000 });
  const { profile } = await rcdp.send("Profiler.stop");
  console.log(JSON.stringify((await longestTask(r.page)).top));
  analyse(profile, "restore", Number(process.env.TASKS || 3));
  await r.close();
} else if (scen === "start") {
  await cdp.send("Profiler.start");
  await b.page.goto(server.url + "/customers");
  await ready(b.page);
  const { profile } = await cdp.send("Profiler.stop");
  const long = await longestTask(b.page);
  console.log(JSON.stringify(long.top));
  analyse(profile, "start", Number(process.env.TASKS || 4));
} else {
  await b.page.goto(server.url + "/import");
  await ready(b.page);
  const names = await b.page.evaluate(() => Array.from(window.wasmBindings.cd_bench_customer_names(500)));
  const asOf = JSON.parse(await b.page.evaluate(() => window.wasmBindings.cd_counts_json())).as_of;
  const csv = importCsv(names, asOf);
  await putFileInPage(b.page, "bench.csv", csv);
  await longestTask(b.page);
  await cdp.send("Profiler.start");
  await chooseFile(b.page, "[data-testid=import-file]");
  await b.page.waitForSelector("[data-testid=check-summary]", { timeout: 300_000 });
  await b.page.click("[data-testid=confirm-import]");
  await b.page.waitForSelector("[data-testid=import-done]", { timeout: 300_000 });
  const { profile } = await cdp.send("Profiler.stop");
  const long = await longestTask(b.page);
  console.log(JSON.stringify(long.top), JSON.stringify(await b.page.evaluate(() => window.cdImport)));
  analyse(profile, "import", 4);
}
await b.close();
server.stop();
rmSync(site, { recursive: true, force: true });
rmSync(dir, { recursive: true, force: true });
