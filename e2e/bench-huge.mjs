// Where the browser ends: the benchmark's largest book (50,000 customers, about 5,000,000
// invoices and 5,000,000 payments, `?seed=huge`) on a desktop profile (1280 px, headless
// Chromium). The book is written as it is made (a thousand customers at a time); then a cold
// start on the same profile prints the list, every figure, the ledger read, the memory, aging over
// the whole ledger and a rescore of every customer. Prints; asserts nothing.
import { browser, longestTask, serve } from "./lib.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const mib = (b) => `${(b / 1048576).toFixed(0)} MiB`;
const LONG = 1_800_000;

const server = await serve();
const dir = mkdtempSync(join(tmpdir(), "cd-bench-huge-"));
try {
  let b = await browser({ dir, now: null });
  const t = Date.now();
  await b.page.goto(server.url + "/customers?seed=huge", { timeout: LONG });
  await b.page.waitForFunction(() => window.__cd_timings?.bootDone && window.__cd_timings.backgroundDone, null, { timeout: LONG, polling: 1000 });
  const seed = await b.page.evaluate(() => window.__cd_timings.seedMs);
  const counts = JSON.parse(await b.page.evaluate(() => window.wasmBindings.cd_counts_json()));
  const chunks = await b.page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open("creditdesk");
    r.onsuccess = () => {
      const q = r.result.transaction(["chunks"], "readonly").objectStore("chunks").count();
      q.onsuccess = () => ok(q.result);
    };
  }));
  const usage = await b.page.evaluate(() => navigator.storage.estimate().then((e) => e.usage));
  console.log(`the largest book: ${counts.customers} customers, ${counts.invoices} invoices, ${counts.payments} payments, ` +
    `${counts.orders} orders, ${counts.credit_notes} credit notes in ${chunks} chunks (${(usage / 1e9).toFixed(2)} GB of the browser's storage); ` +
    `generated and written a thousand customers at a time in ${fmt(seed)}; its first start done after ${fmt(Date.now() - t)}`);
  await b.close();

  // A cold start on the same profile: a new browser process, the data in IndexedDB.
  b = await browser({ dir, now: null, longTasks: true });
  const { page } = b;
  await page.goto(server.url + "/customers", { timeout: LONG });
  await page.waitForFunction(() => window.__cd_timings?.listReady && window.__cd_timings.ledgerReady && window.__cd_timings.figuresReady,
    null, { timeout: LONG, polling: 500 });
  await page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: LONG, polling: 500 });
  const tm = await page.evaluate(() => ({ ...window.__cd_timings }));
  const mem = await page.evaluate(() => ({ js: performance.memory ? performance.memory.usedJSHeapSize : 0, wasm: window.wasmBindings.cd_wasm_memory_bytes() }));
  const long = await longestTask(page);
  console.log(`cold start of the largest book: interactive list ${fmt(tm.listReady)}, every figure and grade ${fmt(tm.figuresReady)} ` +
    `(${tm.keptApplyMs !== undefined && tm.figuresReady < tm.ledgerReady ? "kept" : "computed"}), ledger read ${fmt(tm.ledgerReady)} ` +
    `(read chunks ${fmt(tm.readMs)}, decode ${fmt(tm.decodeMs)}, index ${fmt(tm.ledgerMs)}, figures ${fmt(tm.summariesMs)}), ` +
    `background work done ${fmt(tm.backgroundDone)}; longest main-thread task ${fmt(long.max)} (${long.count} over 50 ms)`);
  console.log(`memory of the largest book after start: wasm ${mib(mem.wasm)} (before the ledger is read ${tm.memBeforeLedgerMiB?.toFixed(0)} MiB, ` +
    `once it is built ${tm.memLedgerMiB?.toFixed(0)} MiB), JS heap ${mib(mem.js)}`);
  const rep = JSON.parse(await page.evaluate(() => window.wasmBindings.cd_bench_reports()));
  const web = JSON.parse(await page.evaluate(() => window.wasmBindings.cd_bench_rescore()));
  console.log(`kernels on the largest book, median of 11: aging of every invoice ${fmt(rep.aging_ms)} as one total, ` +
    `${fmt(rep.aging_by_customer_ms)} as a row per customer; the list's figures ${fmt(rep.summaries_ms)}; dashboard figures after a change ` +
    `${fmt(rep.dashboard_all_ms)}; rescore every customer ${fmt(web.metrics_ms + web.score_ms)}`);
  await b.close();
} finally {
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
