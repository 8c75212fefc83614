// Browser benchmark with a large company's ledger: 10,000 customers, about 1,000,000 invoices
// and 1,000,000 payments, in Debian's headless Chromium. Prints figures; asserts nothing.
//   cold start: navigation to an interactive customer list, with the browser relaunched each run
//   commit: one new payment (validate, allocate, one IndexedDB transaction), p50 / p95
//   baseline: the same 100,000 invoices read as one object each vs. as chunks, in the same run
//   encrypted: the book encrypted under a passphrase, cold starts that unlock it, commits
import { browser, chooseFile, frameGaps, importCsv, inputWaits, putFileInPage, lockDecided, longestTask, longTasksAround, ready, serve, SITE, WHAT_IF_EDITS, whatIfEdit } from "./lib.mjs";
import { printBundle } from "./bundle.mjs";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fmt = (ms) => `${(ms ?? NaN).toFixed(1)} ms`;

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs) => pct(xs, 50);

// The rows of the performance issue's table, each against its target, printed together at the
// end of a full run: a miss with the reason this run measured and what would close it.
const verdicts = [];
const verdict = (row, value, target, met, why = "", close = "") => verdicts.push({ row, value, target, met, why, close });
const kib = (n) => `${(n / 1000).toFixed(0)} KB`;

// The native baselines' programs, built before the browser runs anything: built in the middle
// (cargo on both cores), the browser's kernels measured after it ran 2-3x slower (aging 34-39 ms
// against 11.7 ms with the same build, 2026-12-06). They hold the customers in the app's order
// (by name): in the order the demo made them, which is the ledger's, a pass that visited them
// as given read memory front to back where the browser's jumped about (most of the 1.8-2.4x
// "wasm/native" measured before 2026-12-06; the passes now visit in the books' order).
for (const [pkg, examples] of [["creditdesk-domain", ["rescore", "import"]], ["creditdesk-storage", ["ledger_memory"]]]) {
  execFileSync("cargo", ["build", "-q", "--release", "--locked", "-p", pkg, ...examples.flatMap((e) => ["--example", e])],
    { cwd: "..", stdio: "inherit" });
}

const bundle = printBundle(SITE);
const server = await serve();
const dir = mkdtempSync(join(tmpdir(), "cd-bench-"));
try {
  // A phone's first visit on a slow mobile network (DevTools' throttling: 1.6 Mbps down, 750 kbps
  // up, 150 ms round trip), a fresh profile: the app's files (precompressed copies when the
  // browser accepts them, as the Rust server sends them), the first start's demo book, the list.
  // Then the repeat visit on the same profile (files from the cache and the service worker).
  {
    const f = await browser({ now: null, width: 360, height: 740, mobile: true });
    const cdp = await f.context.newCDPSession(f.page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (0.75e6 / 8),
    });
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
    await f.page.goto(server.url + "/customers", { timeout: 120_000 });
    await f.page.waitForFunction(() => window.__cd_timings?.listReady, null, { timeout: 120_000 });
    const first = await f.page.evaluate(() => window.__cd_timings.listReady);
    const at = await f.page.evaluate(() => window.__cd_timings);
    const firstBytes = bytes;
    await f.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 120_000 });
    bytes = 0;
    await f.page.reload({ timeout: 120_000 });
    await f.page.waitForFunction(() => window.__cd_timings?.listReady, null, { timeout: 120_000 });
    const repeat = await f.page.evaluate(() => window.__cd_timings.listReady);
    console.log(`first visit to an interactive list, throttled 1.6 Mbps / 150 ms, 360 px phone: ${fmt(first)} ` +
      `(${(firstBytes / 1e6).toFixed(2)} MB over the wire; target < 8000 ms); repeat visit ${fmt(repeat)} (${(bytes / 1e6).toFixed(3)} MB)`);
    console.log(`  of the first: the wasm started at ${fmt(at.wasmStart)}; then the server probe ${fmt(at.probeMs)} (asked as the page loads), ` +
      `IndexedDB open ${fmt(at.idbOnlyMs)}, the demo book made and written ${fmt(at.demoMs ?? NaN)}, the list ${fmt(first - at.wasmStart)} after the wasm's start`);
    const wire = (firstBytes * 8) / 1.6e6 * 1000;
    verdict("first visit to an interactive list, throttled", fmt(first), "< 8000 ms", first < 8000,
      `${(firstBytes / 1e6).toFixed(2)} MB over the wire is ${fmt(wire)} at 1.6 Mbps alone; the wasm started at ${fmt(at.wasmStart)}, the list ${fmt(first - at.wasmStart)} after`,
      "fewer bytes before the list: every 5 KB of brotli is about 25 ms here (the rarely used pages in a module of their own, ADR 0009)");
    verdict("app bundle, gzip (wasm + js + css)", kib(bundle.gzip), "<= 500 KB (stretch 300 KB)", bundle.gzip <= 500e3,
      `${kib(bundle.raw)} as built, ${kib(bundle.brotli)} brotli (what the server sends a browser that takes it); one module holds every page`,
      "splitting the rarely used pages (scorecard editor, rules, import, audit, settings) out of the first download: not possible with trunk 0.21 and wasm-bindgen's single module here (ADR 0009); past that, pages built from fewer generic instantiations");
    await f.close();
  }
  // BENCH_ONLY=visit: the bundle and the phone's first visit alone (while working on the bundle).
  if (process.env.BENCH_ONLY === "visit") {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }

  let b = await browser({ dir, now: null, longTasks: true });
  let t = Date.now();
  await b.page.goto(server.url + "/customers?seed=large");
  await ready(b.page);
  // The first start's background work (about 12,000 alerts raised and written) and the figures
  // kept for the next start.
  await b.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 300_000 });
  const firstBoot = await b.page.evaluate(() => ({ ...window.__cd_timings }));
  // The seed (the benchmark's side door: the book generated and written in the page, not a
  // user's path) apart from the first start's own work after it: its rules over every customer.
  if (firstBoot.seedDone === undefined) throw new Error("the page published no seedDone: rebuild target/site-test");
  const { before: seedLong, after: firstLong } = await longTasksAround(b.page, firstBoot.seedDone);
  const seed = firstBoot.seedMs;
  const counts = JSON.parse(await b.page.evaluate(() => window.wasmBindings.cd_counts_json()));
  console.log(`data set: ${counts.customers} customers, ${counts.invoices} invoices, ${counts.payments} payments, ` +
    `${counts.orders} orders, ${counts.credit_notes} credit notes (generated and written in ${(seed / 1000).toFixed(1)} s; ` +
    `first boot ${((Date.now() - t) / 1000).toFixed(1)} s)`);
  const stores = await b.page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open("creditdesk");
    r.onsuccess = () => {
      const tx = r.result.transaction(["chunks"], "readonly");
      const all = tx.objectStore("chunks").getAll();
      tx.oncomplete = () => ok({ chunks: all.result.length, bytes: all.result.reduce((n, c) => n + c.byteLength, 0) });
    };
  }));
  console.log(`stored as ${stores.chunks} chunks, ${(stores.bytes / 1e6).toFixed(1)} MB`);
  const at = (t) => `${fmt(t.ms)} @ ${t.at.toFixed(0)} ms`;
  console.log(`first start after the large book is written: every rule over every customer, with its writes, ${fmt(firstBoot.rulesMs)}; ` +
    `longest main-thread task from the book written to the start's background work done ${fmt(firstLong.max)} (${firstLong.count} over 50 ms` +
    `${firstLong.count ? `: ${firstLong.top.slice(0, 3).map(at).join(", ")}` : ""}; target <= 50 ms); ` +
    `the seed's own before it (generating and writing the book in the page, the benchmark's side door) ${fmt(seedLong.max)}, ${seedLong.count} over 50 ms`);
  verdict("longest main-thread task, the first start after a large book is written", fmt(firstLong.max), "<= 50 ms", firstLong.max <= 50,
    `from the book written (${(seed / 1000).toFixed(1)} s, the benchmark's seed, not a user's path) to the start's background work done: ${firstLong.top.slice(0, 3).map(at).join(", ") || "none over 50 ms"}; every rule over every customer, with its writes, ${fmt(firstBoot.rulesMs)}`,
    "the longest task's work in slices");
  await b.close();

  // BENCH_ONLY=kernels: one cold start, then the kernels in the browser and natively (while
  // working on the wasm build: rescore and aging, and their browser/native ratios).
  const kernelsOnly = process.env.BENCH_ONLY === "kernels";
  // BENCH_ONLY=import: one cold start, then the 100,000-row import and the backup alone (while
  // working on them).
  const importOnly = process.env.BENCH_ONLY === "import";
  const oneStart = kernelsOnly || importOnly;
  // Cold starts on the dashboard (the home page): until its tiles and charts are drawn.
  const dashRuns = [];
  for (let i = 0; i < (oneStart ? 0 : 2); i++) {
    b = await browser({ dir, now: null });
    await b.page.goto(server.url + "/");
    await b.page.waitForFunction(() => window.__cd_timings?.dashboardDrawn, null, { timeout: 60_000 });
    await b.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 120_000 });
    dashRuns.push(await b.page.evaluate(() => ({ ...window.__cd_timings })));
    await b.close();
  }

  // Cold starts: a new browser process each time, same profile (data stays in IndexedDB).
  const runs = [];
  const starts = oneStart ? 1 : 3;
  for (let i = 0; i < starts; i++) {
    b = await browser({ dir, now: null, longTasks: true });
    await b.page.goto(server.url + "/customers");
    await b.page.waitForFunction(() => window.__cd_timings?.listReady, null, { timeout: 60_000 });
    // The last start also meets a user: the mouse moves every 100 ms from the list on, until the
    // start's work is done (not in the runs before: it is work for the page, however small).
    let settled = false;
    const probe = i === starts - 1 ? inputWaits(b.page, () => settled) : Promise.resolve([]);
    try {
      await b.page.waitForFunction(() => window.__cd_timings.listReady && window.__cd_timings.ledgerReady && window.__cd_timings.figuresReady, null, { timeout: 60_000 });
      // The start-up's background work (demo requests, expiry, every rule over every customer),
      // and the figures kept for the next start.
      await b.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 120_000 });
    } finally {
      settled = true;
    }
    const inputs = await probe;
    await ready(b.page);
    const tm = await b.page.evaluate(() => ({ ...window.__cd_timings }));
    tm.inputs = inputs;
    tm.frames = await frameGaps(b.page, tm.listReady, tm.backgroundDone);
    // The JS heap as DevTools reads it (`performance.memory` is coarse and cached: it can show
    // the ledger's chunks long after they were collected), then again after a full collection:
    // what is still held, not what waits to be collected (the chunks, read into the browser's
    // memory and released as decoded, are garbage by now whether or not the collector came by).
    const heapCdp = await b.context.newCDPSession(b.page);
    const mem = { js: (await heapCdp.send("Runtime.getHeapUsage")).usedSize, wasm: await b.page.evaluate(() => window.wasmBindings.cd_wasm_memory_bytes()) };
    await heapCdp.send("HeapProfiler.collectGarbage");
    mem.jsCollected = (await heapCdp.send("Runtime.getHeapUsage")).usedSize;
    await heapCdp.detach();
    runs.push({ ...tm, mem, longest: await longestTask(b.page) });
    if (i < starts - 1) await b.close();
  }
  const ready_ms = runs.map((r) => r.listReady);
  const full_ms = runs.map((r) => r.ledgerReady);
  const figures_ms = runs.map((r) => r.figuresReady);
  console.log(`cold start to an interactive customer list: median ${fmt(median(ready_ms))} (runs ${ready_ms.map(fmt).join(", ")}; target < 500 ms)`);
  console.log(`cold start until every figure and grade is on the list: median ${fmt(median(figures_ms))} (runs ${figures_ms.map(fmt).join(", ")}; ` +
    `${runs.map((r) => (r.keptApplyMs !== undefined && r.figuresReady < r.ledgerReady ? "kept" : "computed")).join(", ")}; target < 1000 ms)`);
  console.log(`  kept figures: read ${fmt(median(runs.map((r) => r.keptReadMs)))}, applied ${fmt(median(runs.map((r) => r.keptApplyMs)))}; ` +
    `kept again after the start in ${fmt(median(runs.map((r) => r.keptMs)))} (encoding ${fmt(median(runs.map((r) => r.keptEncodeMs)))}, ${((runs.at(-1).keptBytes ?? 0) / 1e3).toFixed(0)} KB)`);
  const drawn_ms = dashRuns.map((r) => r.dashboardDrawn);
  if (dashRuns.length) console.log(`cold start on the dashboard until its tiles and charts are drawn: median ${fmt(median(drawn_ms))} (runs ${drawn_ms.map(fmt).join(", ")}; ` +
    `${dashRuns.map((r) => (r.dashboardKept ? "kept" : "computed")).join(", ")}); with the list's figures: ` +
    `${fmt(Math.max(median(drawn_ms), median(figures_ms)))} (target < 1000 ms)`);
  console.log(`cold start until the ledger is read (every page's figures; the dashboard, Customer 360 and the forms wait for it): median ${fmt(median(full_ms))} (runs ${full_ms.map(fmt).join(", ")})`);
  console.log(`longest main-thread task from navigation to the start's background work done: ${runs.map((r) => `${fmt(r.longest.max)} (${r.longest.count} over 50 ms)`).join(", ")} (target <= 50 ms)`);
  const last = runs.at(-1);
  console.log(`from the list to the start's background work done (${fmt(last.backgroundDone - last.listReady)}), the last run: the longest time without a drawn frame ` +
    `${fmt(last.frames.max)} (from ${last.frames.at.toFixed(0)} ms; ${last.frames.frames} frames), a mouse move every 100 ms taken within ` +
    `p50 ${fmt(median(last.inputs))}, max ${fmt(Math.max(...last.inputs))} (${last.inputs.length} moves)`);
  console.log(`  the last run's five longest tasks (ms long @ ms after navigation): ${last.longest.top.map((t) => `${fmt(t.ms)} @ ${t.at.toFixed(0)}`).join(", ") || "none over 50 ms"}; ` +
    `its marks: list ${fmt(last.listReady)}, figures ${fmt(last.figuresReady)}, ledger read ${fmt(last.ledgerReady)}, background done ${fmt(last.backgroundDone)}`);
  console.log(`  open database ${fmt(last.openMs)}: IndexedDB open and server probe ${fmt(last.idbMs)} (open ${fmt(last.idbOnlyMs)}, probe ${fmt(last.probeMs)}, navigation to wasm start ${fmt(last.wasmStart ?? NaN)}), then settings until ${fmt(last.settingsMs)}, ` +
    `configuration (models, requests, users, routes, policy, audit trail ${last.auditEntries ?? "?"} entries) ${fmt(last.configMs)}; ` +
      `read at once with it, each done after: the trail's head ${fmt(last.headMs)}, the customers ${fmt(last.customersReadMs)}, the kept figures ${fmt(last.keptReadMs)}`);
  console.log(`  of which: open database ${fmt(last.openMs)}, customers ${fmt(last.customersMs)}${last.customersOneRecord ? " (as one record)" : " (one record each)"} ` +
    `(the book made of them ${fmt(last.fromPartsMs)}, the kept figures applied ${fmt(last.keptApplyMs)}, the list's first drawing called ${fmt(last.drawCallMs)}), read ledger chunks ${fmt(last.readMs)}, ` +
    `decode ${fmt(last.decodeMs)}, index ledger ${fmt(last.ledgerMs)}, figures for every customer ${fmt(last.summariesMs)}, ` +
    `rating metrics ${fmt(last.metricsMs)} and grades ${fmt(last.scoreMs)}`);
  console.log(`after the list: every warning rule over every customer, with its writes, in the background: ${runs.map((r) => fmt(r.rulesMs)).join(", ")}`);
  console.log(`memory after start: wasm ${(last.mem.wasm / 1048576).toFixed(0)} MiB, JS heap ${(last.mem.js / 1048576).toFixed(0)} MiB, ` +
    `${(last.mem.jsCollected / 1048576).toFixed(0)} MiB after a full collection (target wasm <= 256 MiB); ` +
    `wasm before the ledger is read ${last.memBeforeLedgerMiB?.toFixed(0)} MiB, once it is built ${last.memLedgerMiB?.toFixed(0)} MiB`);
  // The same ledger natively, read through the same decoder (a counting allocator): its steady
  // state and the most it held while being read.
  const nativeMem = JSON.parse(execFileSync("cargo", ["run", "-q", "--release", "--locked", "-p", "creditdesk-storage", "--example", "ledger_memory"],
    { cwd: "..", encoding: "utf8" }).trim().split("\n").at(-1));
  console.log(`  the ledger natively (${nativeMem.invoices} invoices, ${nativeMem.payments} payments from ${nativeMem.chunks} chunks of ${nativeMem.chunk_mib} MiB): ` +
    `${nativeMem.ledger_mib} MiB once built, at most ${nativeMem.peak_mib} MiB while read (peak / steady ${(nativeMem.peak_mib / nativeMem.ledger_mib).toFixed(2)}x)`);
  // Commits: the page of the last run, with the whole data set loaded.
  const page = b.page;
  // The first commit after a start pays once for what is not warm yet (printed on its own);
  // the 200 after it are the figure.
  const keptBeforeCommits = await page.evaluate(() => window.__cd_timings.keptCount ?? 0);
  const [first] = await page.evaluate(() => window.wasmBindings.cd_bench_commit(1).then((a) => Array.from(a)));
  const times = await page.evaluate(() => window.wasmBindings.cd_bench_commit(200).then((a) => Array.from(a)));
  // Of each, the store's write transaction, and the rest (the command's own work and memory).
  const storeMs = await page.evaluate(() => Array.from(window.wasmBindings.cd_bench_commit_store_ms()));
  const restMs = times.map((t, i) => t - storeMs[i]);
  const slowest = times.map((t, i) => i).sort((a, b) => times[b] - times[a]).slice(0, Math.ceil(times.length / 20));
  // (The store's part counts any other write transaction of the page's that overlapped the commit.)
  const commitParts = `the store's write transaction p50 ${fmt(median(storeMs))}, p95 ${fmt(pct(storeMs, 95))}; the rest p50 ${fmt(median(restMs))}, ` +
    `p95 ${fmt(pct(restMs, 95))}; of the slowest 5%, the store's part ${fmt(median(slowest.map((i) => storeMs[i])))} and the rest ` +
    `${fmt(median(slowest.map((i) => restMs[i])))} (medians)`;
  // The figures kept once the payments settled (the next starts begin from them).
  await page.waitForFunction((n) => (window.__cd_timings.keptCount ?? 0) > n, keptBeforeCommits, { timeout: 120_000 });
  console.log(`commit one payment (validate, allocate oldest-first, one transaction): first after start ${fmt(first)}; then p50 ${fmt(median(times))}, ` +
    `p95 ${fmt(pct(times, 95))}, max ${fmt(Math.max(...times))} over ${times.length} (target p95 < 5 ms); ${commitParts}`);
  {
    const start = median(ready_ms);
    verdict("cold start to an interactive list", fmt(start), "< 500 ms", start < 500,
      `the last run: navigation to the wasm's start ${fmt(last.wasmStart)} (its download from the cache and compile), IndexedDB open ${fmt(last.idbOnlyMs)}, ` +
      `configuration ${fmt(last.configMs)} and customers ${fmt(last.customersMs)} read at once, the list drawn at ${fmt(last.listReady)}`,
      `the list's first screen drawn from a small record of its own before the customers' record (read ${fmt(last.customersReadMs)} after the start's reads began) and the rest; a smaller module to compile. ` +
      "Opening the database from the page's first script while the wasm compiles was measured not to help (bench-ab, 2026-12-06: 1.00x)");
    const all = Math.max(median(figures_ms), dashRuns.length ? median(drawn_ms) : 0);
    verdict("cold start to every figure and grade on the list and a drawn dashboard", fmt(all), "< 1000 ms", all < 1000,
      `the list's figures at ${fmt(median(figures_ms))}${dashRuns.length ? `, the dashboard drawn at ${fmt(median(drawn_ms))}` : ""}: both come with the customers (the figures kept between starts, ADR 0008), so what holds the list holds them`,
      "what would close the cold start to the list (above)");
    const wasm = last.mem.wasm / 1048576;
    verdict("wasm memory after start", `${wasm.toFixed(0)} MiB (JS heap ${(last.mem.js / 1048576).toFixed(0)} MiB)`, "<= 256 MiB", wasm <= 256,
      `the ledger natively ${nativeMem.ledger_mib} MiB`, "");
    const worst = Math.max(...runs.map((r) => r.longest.max));
    verdict("longest main-thread task, a cold start", runs.map((r) => fmt(r.longest.max)).join(", "), "<= 50 ms", worst <= 50,
      (() => {
        // The run with the longest task, its three longest placed among its marks.
        const r = runs.find((x) => x.longest.max === worst) ?? last;
        const where = (t) => t.at < (r.wasmStart ?? 0) ? "before the wasm's start" : t.at < r.listReady ? "before the list: the start's reads and the list's first drawing" : t.at < r.ledgerReady ? "while the ledger is read" : "after the ledger: its figures drawn, the rules";
        return `run ${runs.indexOf(r) + 1}'s longest: ${r.longest.top.slice(0, 3).map((t) => `${fmt(t.ms)} @ ${t.at.toFixed(0)} ms (${where(t)})`).join(", ") || "none over 50 ms"}`;
      })(),
      "the ledger's read, decode and index in a Web Worker running the same wasm (the main thread then only draws); the wasm's compile is the browser's, in one task");
    const p95 = pct(times, 95);
    verdict("commit one payment, p95", fmt(p95), "< 5 ms", p95 < 5,
      `p50 ${fmt(median(times))}, max ${fmt(Math.max(...times))} over ${times.length}; ${commitParts}; the same commit encrypted is printed below, in the same run`,
      "where the slowest commits spend it (above): in the store's transaction, fewer or smaller requests in it (the audit entry, the outbox record, the chunk's tail and the revision are each a request); in the rest, the command's own work");
  }

  // BENCH_ONLY=start: the cold starts and commits alone (while working on the start-up).
  if (process.env.BENCH_ONLY === "start") {
    await b.close();
  } else {

  if (!importOnly) {
  // The order-time credit check, with the whole data set loaded.
  // The browser's clock is coarse (0.1 ms), so the mean comes from timing all the checks at once.
  const checks = await page.evaluate(() => {
    const t = performance.now();
    const each = Array.from(window.wasmBindings.cd_bench_check(2000));
    return { total: performance.now() - t, max: Math.max(...each), n: each.length };
  });
  console.log(`order-time credit check (input from memory + check): mean ${((checks.total / checks.n) * 1000).toFixed(1)} µs, ` +
    `slowest ${fmt(checks.max)} (clock resolution 0.1 ms) over ${checks.n} (target < 1 ms)`);

  // Rating: metrics and grades for every customer, in the browser and natively (same data).
  const web = JSON.parse(await page.evaluate(() => window.wasmBindings.cd_bench_rescore()));
  const nativeOut = execFileSync("cargo", ["run", "-q", "--release", "--locked", "-p", "creditdesk-domain", "--example", "rescore", counts.as_of],
    { cwd: "..", encoding: "utf8", maxBuffer: 1 << 20 });
  const native = JSON.parse(nativeOut.trim().split("\n").pop());
  const webTotal = web.metrics_ms + web.score_ms;
  const nativeTotal = native.metrics_ms + native.score_ms;
  console.log(`rescore ${counts.customers} customers (metrics from the ledger + grades), median of 11: browser ${fmt(webTotal)} ` +
    `(metrics ${fmt(web.metrics_ms)}, grades ${fmt(web.score_ms)}); native ${fmt(nativeTotal)} (metrics ${fmt(native.metrics_ms)}, ` +
    `grades ${fmt(native.score_ms)}); browser/native ${(webTotal / nativeTotal).toFixed(2)}x (target < 50 ms in the browser)`);
  verdict("rescore every customer", fmt(webTotal), "< 16 ms (the issue's table; < 50 ms, the bench's first target, is printed above)", webTotal < 16,
    `natively ${fmt(nativeTotal)} in the same run (${nativeTotal < 16 ? "within" : "over"} the target); the metrics' pass over every customer's rows is ${fmt(web.metrics_ms)} of it in the browser. ` +
    `The app runs that pass at start (after the list, in the background) and when the day rolls over; publishing a scorecard grades from the metrics kept per customer ` +
    `(a write refreshes its own customer's): ${fmt(web.score_ms)} here`,
    `the metrics kept between starts with the list's figures (ADR 0008) would spare the start this pass (a new day would still run it); the pass itself is ${fmt(native.metrics_ms)} natively: ` +
    `a native profile puts most of it in reading every order of every customer (the product categories of the last 12 months), every settlement, and every customer's profile (held by name, visited in the books' order)`);

  // An analyst's additive model of 15 characteristics (12 metrics, 3 custom fields), against the
  // weighted model in force on the same metrics, same run.
  const add = JSON.parse(await page.evaluate(() => window.wasmBindings.cd_bench_rescore_additive()));
  console.log(`grade ${add.n} customers with an additive model of 15 characteristics (3 custom fields), median of 5: ` +
    `browser ${fmt(add.additive_ms)}; weighted model of 17 factors, same metrics: ${fmt(add.weighted_ms)}; ` +
    `additive/weighted ${(add.additive_ms / add.weighted_ms).toFixed(2)}x (target < 50 ms)`);

  // Monitoring: every rule over every customer (facts from the figures in memory, then the rules).
  const rules = JSON.parse(await page.evaluate(() => window.wasmBindings.cd_bench_rules()));
  console.log(`evaluate every warning rule over ${counts.customers} customers, median of 5: ${fmt(rules.facts_ms + rules.rules_ms)} ` +
    `(facts ${fmt(rules.facts_ms)}, rules ${fmt(rules.rules_ms)}; ${rules.hits} hits; target < 50 ms)`);

  // Reports: aging over the whole ledger, and the dashboard's figures, computed in memory.
  const rep = JSON.parse(await page.evaluate(() => window.wasmBindings.cd_bench_reports()));
  console.log(`aging of every invoice on the as-of date, median of 11: ${fmt(rep.aging_ms)} as one total, ` +
    `${fmt(rep.aging_by_customer_ms)} as a row per customer (target < 50 ms, stretch 20 ms); baseline, same run: ` +
    `the list's figures (Ledger::summaries) ${fmt(rep.summaries_ms)}, aging/baseline ${(rep.aging_by_customer_ms / rep.summaries_ms).toFixed(2)}x; ` +
    `natively (same data, same run) ${fmt(native.aging_ms)} and ${fmt(native.aging_by_customer_ms)}, browser/native ` +
    `${(rep.aging_ms / native.aging_ms).toFixed(2)}x and ${(rep.aging_by_customer_ms / native.aging_by_customer_ms).toFixed(2)}x (target <= 1.5x)`);
  verdict("aging over the whole ledger", fmt(rep.aging_ms), "< 20 ms (the issue's table; < 50 ms, the bench's first target, is printed above)", rep.aging_ms < 20,
    `natively ${fmt(native.aging_ms)} in the same run (${native.aging_ms < 20 ? "within" : "over"} the target); the list's figures, one pass over the same rows, ${fmt(rep.summaries_ms)} in the browser`,
    "the aging buckets kept per customer with the figures");
  {
    const ratios = [["aging", rep.aging_ms / native.aging_ms], ["aging a row per customer", rep.aging_by_customer_ms / native.aging_by_customer_ms], ["rescore", webTotal / nativeTotal]];
    verdict("wasm / native, same run: aging, rescore", ratios.map(([n, r]) => `${n} ${r.toFixed(2)}x`).join(", "), "<= 1.5x", ratios.every(([, r]) => r <= 1.5),
      "the same code, the domain at opt-level \"s\" in both, over the customers in the app's order (by name), each pass visiting them in their books' order; " +
      "the import check's ratio is printed with the import",
      "a profile of the wasm's hot loops against native's");
  }
  console.log(`dashboard figures (13 month-ends, DSO, CEI, ranks, utilisation), median of 11: after a change of the data or the as-of date ` +
    `(one pass over the ledger) ${fmt(rep.dashboard_all_ms)}; after a filter change (from the per-customer timeline): every customer ` +
    `${fmt(rep.dashboard_all_warm_ms)}, one sales rep ${fmt(rep.dashboard_rep_ms)}`);
  if (kernelsOnly) {
    await b.close();
    server.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
  // The dashboard on screen: from choosing a filter to the charts drawn.
  await longestTask(page);
  await page.goto(server.url + "/");
  await ready(page);
  // Every chart drawn (each is drawn in a task of its own), and the start's work done: the
  // ledger read, its figures, the rules.
  await page.waitForFunction(() => window.__cd_timings?.dashboardDrawn && window.__cd_timings.backgroundDone, null, { timeout: 120_000 });
  {
    const lt = await longestTask(page);
    console.log(`longest main-thread task while the dashboard starts and draws (the whole start, then its figures): ${fmt(lt.max)} (${lt.count} over 50 ms; target <= 50 ms)`);
    verdict("longest main-thread task, the dashboard's start and drawing", fmt(lt.max), "<= 50 ms", lt.max <= 50,
      `${lt.count} over 50 ms: ${lt.top.map((x) => fmt(x.ms)).join(", ")}; its figures after a change take ${fmt(rep.dashboard_all_ms)} (one pass over the ledger), in slices`,
      "the dashboard's pass in a Web Worker, with the start's ledger work");
  }
  const reps = await page.$$eval("[data-testid=filter-rep] option", (os) => os.map((o) => o.value));
  const changes = [];
  for (const value of [reps[1], reps[2], reps[3], "", reps[1], reps[2]]) {
    changes.push(await page.evaluate(async (value) => {
      const sel = document.querySelector("[data-testid=filter-rep]");
      const runs = window.cdDashboardRuns || 0;
      const t = performance.now();
      sel.value = value;
      sel.dispatchEvent(new Event("change", { bubbles: true }));
      for (let i = 0; i < 600 && (window.cdDashboardRuns || 0) === runs; i++) {
        await new Promise((r) => setTimeout(r, 0));
      }
      // The charts are drawn at their width after the figures, each in a task of its own: wait
      // until every one has its drawing, then for the next frame.
      const drawn = () => document.querySelectorAll(".charts figure.chart > svg").length === document.querySelectorAll(".charts figure.chart").length;
      for (let i = 0; i < 600 && !drawn(); i++) {
        await new Promise((r) => setTimeout(r, 0));
      }
      await new Promise((r) => requestAnimationFrame(r));
      return { total: performance.now() - t, inner: window.cdDashboardMs };
    }, value));
  }
  const line = (cs) => `${cs.map((c) => fmt(c.total)).join(", ")} (figures and views ${cs.map((c) => fmt(c.inner)).join(", ")})`;
  console.log(`dashboard after a filter change, to the next frame with the charts redrawn (target < 100 ms): ` +
    `one sales rep ${line(changes.slice(0, 3))}; every customer ${line(changes.slice(3, 4))}; two reps again ${line(changes.slice(4))}`);

  // What-if: from typing a weight in the draft (that makes it valid again) to its migration
  // matrix on screen, updated in place.
  await page.goto(server.url + "/scorecard");
  await ready(page);
  await page.click("[data-testid=edit-draft]");
  await page.waitForSelector("[data-testid=migration]");
  const latencies = [];
  for (const [days, report] of WHAT_IF_EDITS) latencies.push(await whatIfEdit(page, days, report));
  if (!latencies.every((l) => l.stale)) throw new Error("what-if: the invalid draft's matrix was not marked stale");
  console.log(`what-if after an edit: matrix on screen in ${latencies.map((l) => fmt(l.total)).join(", ")} ` +
    `(of which computing it for every customer: ${latencies.map((l) => fmt(l.compute)).join(", ")}; target < 100 ms)`);

  // Publishing the edited draft: every customer graded under the new model, the rules over the
  // grades that moved, the pages drawn again; from the click until the draft's editor is gone
  // and the page has drawn.
  {
    await longestTask(page);
    const t = Date.now();
    await page.click("[data-testid=publish]");
    await page.waitForSelector("[data-testid=draft]", { state: "detached", timeout: 120_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    const ms = Date.now() - t;
    // The rules' run over the customers whose grades moved comes after, in the background.
    await page.waitForTimeout(3000);
    const lt = await longestTask(page);
    console.log(`publish a scorecard (every customer graded again, then the rules over the grades that moved): ${fmt(ms)} to the page drawn; ` +
      `longest main-thread task in the 3 s after the click ${fmt(lt.max)} (${lt.count} over 50 ms: ${lt.top.map((x) => fmt(x.ms)).join(", ")}; target <= 50 ms)`);
    verdict("longest main-thread task, publishing a scorecard", fmt(lt.max), "<= 50 ms", lt.max <= 50,
      `${lt.count} over 50 ms`, "");
  }
  }

  // Import: 100,000 invoices from a CSV file, through the import page (read, parse, check every
  // row, write in one transaction and update memory), against 10,000 customers and 1M invoices.
  await page.goto(server.url + "/import");
  await ready(page);
  const names = await page.evaluate(() => Array.from(window.wasmBindings.cd_bench_customer_names(500)));
  const csv = importCsv(names, counts.as_of);
  // The import's kernels in one go each, as the native example runs them (nothing written).
  const kernels = JSON.parse(await page.evaluate((c) => window.wasmBindings.cd_bench_import_kernels(c), csv.toString("utf8")));
  if (kernels.error) throw new Error(`the import's kernels: ${kernels.error}`);
  await page.evaluate(() => { window.cdImport = {}; });
  await putFileInPage(page, "bench.csv", csv);
  await longestTask(page);
  await chooseFile(page, "[data-testid=import-file]");
  await page.waitForSelector("[data-testid=check-summary]", { timeout: 300_000 });
  const checkLong = await longestTask(page);
  await page.click("[data-testid=confirm-import]");
  await page.waitForSelector("[data-testid=import-done]", { timeout: 300_000 });
  const imp = await page.evaluate(() => window.cdImport);
  const writeLong = await longestTask(page);
  const impLong = checkLong.max >= writeLong.max ? checkLong : writeLong;
  const impTotal = imp.read_ms + imp.parse_ms + imp.check_ms + imp.write_ms;
  const nativeImp = JSON.parse(execFileSync("cargo", ["run", "-q", "--release", "--locked", "-p", "creditdesk-domain", "--example", "import", counts.as_of],
    { cwd: "..", encoding: "utf8", maxBuffer: 1 << 20 }).trim().split("\n").pop());
  console.log(`import ${imp.rows} invoices from CSV (${(csv.length / 1e6).toFixed(1)} MB) into the large set: ${fmt(impTotal)} ` +
    `(read ${fmt(imp.read_ms)}, parse ${fmt(imp.parse_ms)}, check every row ${fmt(imp.check_ms)}, write and update memory ${fmt(imp.write_ms)}; ` +
    `${Math.round(imp.rows / (impTotal / 1000))} rows/s; target < 3 s, stretch 1 s); the kernels each in one go, median of 5: parse ${fmt(kernels.parse_ms)}, check ${fmt(kernels.check_ms)} ` +
    `in the browser, natively (same data, same run) ${fmt(nativeImp.parse_ms)} and ${fmt(nativeImp.check_ms)}, browser/native ` +
    `${((kernels.parse_ms + kernels.check_ms) / (nativeImp.parse_ms + nativeImp.check_ms)).toFixed(2)}x`);
  console.log(`longest main-thread task during the import: ${fmt(impLong.max)} (target <= 50 ms); reading and checking the file ` +
    `${fmt(checkLong.max)} (${checkLong.count} over 50 ms), writing it and updating memory ${fmt(writeLong.max)} (${writeLong.count} over 50 ms)`);
  verdict("longest main-thread task, a 100,000-row import", fmt(impLong.max), "<= 50 ms", impLong.max <= 50,
    `reading and checking ${fmt(checkLong.max)} (${checkLong.count} over 50 ms; the parse, ${fmt(imp.parse_ms)}, and the check of every row, ${fmt(imp.check_ms)}, in slices), ` +
    `writing and updating memory ${fmt(writeLong.max)} (${writeLong.count} over 50 ms; a trace, SCEN=import node trace.mjs, names the write's longest (2026-12-07): ` +
    `the ledger's columns grown for the rows before the write (a copy of a million rows, about 45 ms traced), the rows put into memory with the figures of the customers ` +
    `they touch (about 60 ms traced); the ledger's rules scan the stored invoices in steps through a sieve, the command's JSON is written in slices, the chunks and the rules' ` +
    `writes are put a few at a time)`,
    "the ledger's columns in blocks of fixed size (grown without a copy), the rows put into memory in parts; or a Web Worker");
  {
    const r = (kernels.parse_ms + kernels.check_ms) / (nativeImp.parse_ms + nativeImp.check_ms);
    verdict("wasm / native, same run: the import's parse and check", `${r.toFixed(2)}x`, "<= 1.5x", r <= 1.5,
      `each in one go, median of 5: browser ${fmt(kernels.parse_ms)} + ${fmt(kernels.check_ms)}, natively ${fmt(nativeImp.parse_ms)} + ${fmt(nativeImp.check_ms)} ` +
      `(the page's, in slices with turns: ${fmt(imp.parse_ms)} + ${fmt(imp.check_ms)})`,
      "a profile of the check's hot paths in the wasm against native's (text: trimming, dates, amounts, document numbers, hashing)");
  }
  // Backup: the whole book as one file, from the button to the browser's download (the store
  // read in one transaction, the file written, handed over).
  {
    await longestTask(page);
    const t = Date.now();
    const clicked = await page.evaluate(() => performance.now());
    const [dl] = await Promise.all([
      page.waitForEvent("download", { timeout: 300_000 }),
      page.click("[data-testid=download-backup]"),
    ]);
    const ms = Date.now() - t;
    const frames = await frameGaps(page, clicked, clicked + ms);
    const size = statSync(await dl.path()).size;
    const lt = await longestTask(page);
    const dumpMs = await page.evaluate(() => window.__cd_timings.backupDumpMs);
    console.log(`backup of the whole book to a file: ${fmt(ms)} to the download (${(size / 1e6).toFixed(1)} MB; the store read and the ledger decoded ` +
      `${fmt(dumpMs)}); longest main-thread task ${fmt(lt.max)} (${lt.count} over 50 ms: ${lt.top.map((x) => `${fmt(x.ms)} @ ${(x.at - clicked).toFixed(0)}`).join(", ")} ` +
      `ms after the click; target <= 50 ms); the longest time without a drawn frame ${fmt(frames.max)} (${frames.frames} frames)`);
    verdict("longest main-thread task, a backup of the whole book", fmt(lt.max), "<= 50 ms", lt.max <= 50,
      `${lt.count} over 50 ms, at ${lt.top.map((x) => `${(x.at - clicked).toFixed(0)} ms`).join(", ")} after the click, of ${fmt(ms)} to the download; the store's read and the ledger's decoding took the first ${fmt(dumpMs)}`,
      "each long task found in a profile (SCEN=backup node profile.mjs) and cut into slices, as the writing of the file's parts already is");
    // Restore: that file into another browser (its own demo book), checked, then replacing
    // everything; the file is read a piece at a time, the page drawing between pieces.
    const r = await browser({ now: null, longTasks: true });
    try {
    await r.page.goto(server.url + "/import");
    await ready(r.page);
    await longestTask(r.page);
    let t0 = Date.now();
    let crashed = false;
    r.page.on("crash", () => { crashed = true; });
    await r.page.setInputFiles("[data-testid=restore-file]", await dl.path());
    const checked = await r.page.waitForSelector("[data-testid=backup-ready], [data-testid=backup-problems]", { timeout: 300_000 })
      .catch((e) => { throw new Error(`the restore's check of the backup gave no answer${crashed ? " (the page crashed)" : ""}: ${e.message}; errors: ${r.errors.slice(0, 3).join(" | ")}`); });
    if ((await checked.getAttribute("data-testid")) !== "backup-ready") {
      copyFileSync(await dl.path(), "/tmp/creditdesk-refused-backup.json");
      throw new Error(`the large book's backup was refused (kept at /tmp/creditdesk-refused-backup.json): ${(await checked.innerText()).slice(0, 1000)}`);
    }
    const checkMs = Date.now() - t0;
    const checkLt = await longestTask(r.page);
    const restoreMem = await r.page.evaluate(() => window.wasmBindings.cd_wasm_memory_bytes());
    const checkParts = await r.page.evaluate(() => [window.__cd_timings.restoreLongestPieceMs, window.__cd_timings.restoreFinishMs]);
    if (process.env.KEEP_BACKUP) copyFileSync(await dl.path(), process.env.KEEP_BACKUP);
    t0 = Date.now();
    const confirmed = await r.page.evaluate(() => performance.now());
    await r.page.click("[data-testid=confirm-restore]");
    const note = await r.page.waitForSelector("[data-testid=restore-note]", { timeout: 300_000 });
    const restoreMs = Date.now() - t0;
    // The note also tells a restore that failed: printed with the figures.
    const noteText = await note.innerText();
    const restoreLt = await longestTask(r.page);
    console.log(`restore of that file in another browser: read and checked in ${fmt(checkMs)} (longest task ${fmt(checkLt.max)}, ` +
      `${checkLt.count} over 50 ms${checkLt.count ? `: ${checkLt.top.map((x) => fmt(x.ms)).join(", ")}` : ""}; the longest piece's decoding (or step of a large record's check) ` +
      `${fmt(checkParts[0])}, the checks after the last piece ${fmt(checkParts[1])}; wasm memory then ` +
      `${(restoreMem / 1048576).toFixed(0)} MiB), everything replaced and loaded in ${fmt(restoreMs)} (longest task ${fmt(restoreLt.max)}, ` +
      `${restoreLt.count} over 50 ms; target <= 50 ms); "${noteText}"`);
    const marks = await r.page.evaluate((c) => [window.__cd_timings.restoreWrittenAt - c, window.__cd_timings.restoreBootedAt - c], confirmed);
    console.log(`  the replace: the stores written ${fmt(marks[0])} after the click, the start after it done at ${fmt(marks[1])}; ` +
      `its longest tasks (ms long @ ms after the click): ${restoreLt.top.map((x) => `${fmt(x.ms)} @ ${(x.at - confirmed).toFixed(0)}`).join(", ")}`);
    verdict("longest main-thread task, restoring that backup", `checking ${fmt(checkLt.max)}, replacing ${fmt(restoreLt.max)}`, "<= 50 ms", Math.max(checkLt.max, restoreLt.max) <= 50,
      `checking: the longest piece's decoding (or step of a large record's check) ${fmt(checkParts[0])}, the checks after the last piece ${fmt(checkParts[1])}; replacing: ${restoreLt.count} over 50 ms, everything put in one transaction`,
      "the remaining tasks traced (KEEP_BACKUP=f.json BENCH_ONLY=import node bench.mjs, then BACKUP=f.json SCEN=check or SCEN=restore node trace.mjs) and cut: " +
      "in the replace, the start after it (the audit trail and the alerts read back and parsed, 60-115 ms traced on 2026-12-06) and the put of the outbox's large file");
    } finally {
      await r.close();
    }
  }
  if (importOnly) {
    const top = (lt) => lt.top.map((t) => `${fmt(t.ms)} @ ${t.at.toFixed(0)}`).join(", ");
    console.log(`  the five longest (ms long @ ms after navigation): checking ${top(checkLong)}; writing ${top(writeLong)}`);
    await b.close();
    server.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }

  // Baseline in the same run: 100k invoices, one object each vs. the same rows in chunks.
  const base = await page.evaluate(async () => {
    const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const done = (tx) => new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    indexedDB.deleteDatabase("bench-baseline");
    const open = indexedDB.open("bench-baseline", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("invoices");
    const db = await req(open);
    let tx = db.transaction(["invoices"], "readwrite");
    const st = tx.objectStore("invoices");
    for (let i = 0; i < 100000; i++) {
      st.put({ id: crypto.randomUUID(), customer: crypto.randomUUID(), number: `INV-2026-${String(i).padStart(7, "0")}`,
        issue: 20000 + (i % 900), due: 20030 + (i % 900), amount: 1234567 + i, version: 1, updated_at: 1.7e12, device: "d" }, i);
    }
    await done(tx);
    let t = performance.now();
    tx = db.transaction(["invoices"], "readonly");
    const rows = await req(tx.objectStore("invoices").getAll());
    const perObject = performance.now() - t;
    db.close();
    indexedDB.deleteDatabase("bench-baseline");
    const cd = await req(indexedDB.open("creditdesk"));
    t = performance.now();
    tx = cd.transaction(["chunks"], "readonly");
    const chunks = await req(tx.objectStore("chunks").getAll(IDBKeyRange.bound("2:000000", "2:000009")));
    const chunked = performance.now() - t;
    return { perObject, rows: rows.length, chunked, chunks: chunks.length };
  });
  console.log(`baseline, same run: ${base.rows} invoices as one object each read in ${fmt(base.perObject)}; ` +
    `as ${base.chunks} chunks in ${fmt(base.chunked)} (${(base.perObject / base.chunked).toFixed(1)}x faster)`);
  await b.close();
  }

  // A working day's starts: each start follows a payment recorded in the one before it (and the
  // figures kept once it settled), as a rep's phone opens the app the next morning. The data has
  // changed since every keep, the customers have not: the list reads them as one record.
  {
    const dayRuns = [];
    for (let i = 0; i < 3; i++) {
      const d = await browser({ dir, now: null });
      await d.page.goto(server.url + "/customers");
      await ready(d.page);
      await d.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 120_000 });
      dayRuns.push(await d.page.evaluate(() => ({ ...window.__cd_timings })));
      const keptBefore = await d.page.evaluate(() => window.__cd_timings.keptCount ?? 0);
      await d.page.evaluate(() => window.wasmBindings.cd_bench_commit(1));
      await d.page.waitForFunction((n) => (window.__cd_timings.keptCount ?? 0) > n, keptBefore, { timeout: 120_000 });
      await d.close();
    }
    console.log(`cold start after a payment was recorded in the start before: list median ${fmt(median(dayRuns.map((r) => r.listReady)))} ` +
      `(runs ${dayRuns.map((r) => fmt(r.listReady)).join(", ")}; the customers ${dayRuns.map((r) => (r.customersOneRecord ? "as one record" : "one record each")).join(", ")}), ` +
      `every figure and grade median ${fmt(median(dayRuns.map((r) => r.figuresReady)))} (${dayRuns.map((r) => (r.keptApplyMs !== undefined && r.figuresReady < r.ledgerReady ? "kept" : "computed")).join(", ")})`);
  }

  // Encryption at rest: the same book encrypted under a passphrase (Settings, as a user does it),
  // then cold starts that unlock it. Baseline: the plain cold starts above, same profile, same run.
  // "Interactive" leaves out the time a person takes to type: lock page shown + (list ready -
  // passphrase submitted).
  {
    const PASS = "a benchmark passphrase";
    let e = await browser({ dir, now: null });
    await e.page.goto(server.url + "/settings");
    await ready(e.page);
    let t = Date.now();
    await e.page.fill("[data-testid=secret-new]", PASS);
    await e.page.fill("[data-testid=secret-repeat]", PASS);
    await e.page.click("[data-testid=secret-save]");
    await e.page.waitForSelector("[data-testid=encrypted]", { timeout: 600_000 });
    const encryptMs = Date.now() - t;
    await e.close();
    const eruns = [];
    for (let i = 0; i < 3; i++) {
      e = await browser({ dir, now: null });
      await e.page.goto(server.url + "/customers");
      if (!(await lockDecided(e.page))) throw new Error("the encrypted book opened without its passphrase");
      await e.page.fill("[data-testid=unlock-secret]", PASS);
      await e.page.click("[data-testid=unlock-submit]");
      await e.page.waitForFunction(() => window.__cd_timings.unlocked && window.__cd_timings.listReady > window.__cd_timings.unlocked && window.__cd_timings.ledgerReady && window.__cd_timings.figuresReady, null, { timeout: 120_000 });
      await e.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 120_000 });
      eruns.push(await e.page.evaluate(() => ({ ...window.__cd_timings })));
      if (i < 2) await e.close();
    }
    const interactive = eruns.map((r) => r.locked + (r.listReady - r.unlockStart));
    const full = eruns.map((r) => r.locked + (r.ledgerReady - r.unlockStart));
    const plain = median(ready_ms);
    console.log(`encrypting the large book in place (Settings, a passphrase): ${(encryptMs / 1000).toFixed(1)} s`);
    console.log(`encrypted cold start to an interactive customer list (lock page + unlock + list, typing left out): median ${fmt(median(interactive))} ` +
      `(runs ${interactive.map(fmt).join(", ")}; target < 1200 ms); plain, same run: ${fmt(plain)}, ratio ${(median(interactive) / plain).toFixed(2)}x`);
    console.log(`  of which: lock page shown ${fmt(median(eruns.map((r) => r.locked)))}, unlock (PBKDF2-SHA256 600,000 iterations + unwrap) ` +
      `${fmt(median(eruns.map((r) => r.unlockMs)))}, decrypting records during the start ${fmt(median(eruns.map((r) => r.openRecordsMs)))}`);
    const efigures = eruns.map((r) => r.locked + (r.figuresReady - r.unlockStart));
    console.log(`encrypted cold start until every figure and grade is on the list: median ${fmt(median(efigures))} (plain, same run: ${fmt(median(figures_ms))}); ` +
      `until the ledger is read: median ${fmt(median(full))} (plain, same run: ${fmt(median(full_ms))})`);
    const [efirst] = await e.page.evaluate(() => window.wasmBindings.cd_bench_commit(1).then((a) => Array.from(a)));
    const etimes = await e.page.evaluate(() => window.wasmBindings.cd_bench_commit(200).then((a) => Array.from(a)));
    console.log(`encrypted commit of one payment: first ${fmt(efirst)}; then p50 ${fmt(median(etimes))}, p95 ${fmt(pct(etimes, 95))}, ` +
      `max ${fmt(Math.max(...etimes))} over ${etimes.length} (target p95 < 5 ms); plain, same run: p95 ${fmt(pct(times, 95))}, ` +
      `ratio ${(pct(etimes, 95) / pct(times, 95)).toFixed(2)}x`);
    await e.close();
  }
} finally {
  // The issue's table, from this run (as far as it got).
  console.log("the performance issue's rows, this run (a miss with the reason measured and what would close it):");
  for (const v of verdicts) {
    console.log(`  ${v.met ? "met " : "MISS"} ${v.row}: ${v.value} (target ${v.target})`);
    if (!v.met && v.why) console.log(`         measured: ${v.why}`);
    if (!v.met && v.close) console.log(`         would close it: ${v.close}`);
  }
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
