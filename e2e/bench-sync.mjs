// Browser benchmark of a new device's first sync: the real server (a release build, SQLite)
// seeded with the large book (10,000 customers, about 1,000,000 invoices and 1,000,000 payments),
// finance signing in on a fresh browser profile. Prints the time from "sign in" to an interactive
// customer list and to every figure, and the bytes on the wire; asserts nothing.
import { browser, DEMO_PASSWORD, startServer } from "./lib.mjs";

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;

const t = Date.now();
const server = await startServer({ demo: "zh", large: true });
console.log(`server seeded with the large book and started in ${fmt(Date.now() - t)}`);
try {
  const b = await browser({ now: null });
  const { page } = b;
  await page.goto(server.url + "/customers");
  await page.waitForSelector("[data-testid=sign-in]");
  const t0 = await page.evaluate(() => performance.now());
  await page.fill("[data-testid=sign-in-user]", "fs-1");
  await page.fill("[data-testid=sign-in-password]", DEMO_PASSWORD);
  await page.click("[data-testid=sign-in-submit]");
  // The list while the ledger still comes: the progress in the top bar.
  await page.waitForSelector("[data-testid=sync-progress]", { timeout: 60_000 }).catch(() => {});
  await page.screenshot({ path: `${process.env.OUT || "/tmp"}/first-sync-progress-1280.png` }).catch(() => {});
  await page.setViewportSize({ width: 360, height: 760 });
  await page.screenshot({ path: `${process.env.OUT || "/tmp"}/first-sync-progress-360.png` }).catch(() => {});
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.waitForFunction(() => window.__cd_timings?.listReady && window.__cd_timings?.ledgerReady, null, { timeout: 180_000 });
  const r = await page.evaluate(() => {
    const t = window.__cd_timings;
    const wire = performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/v1/pull"));
    const json = wire.filter((e) => !e.name.includes("/chunk")).reduce((n, e) => n + e.encodedBodySize, 0);
    const chunks = wire.filter((e) => e.name.includes("/chunk"));
    return {
      list: t.listReady, figures: t.ledgerReady, snapshot: t.pullSnapshotAt, synced: t.syncDone,
      fetched: t.pullFetchedAt, adopted: t.pullAdoptedAt,
      json, chunkBytes: chunks.reduce((n, e) => n + e.encodedBodySize, 0), chunks: chunks.length,
      customers: document.querySelector("[data-testid=row-count]")?.textContent,
    };
  });
  console.log(`first sync of the large book as finance, from "sign in" (${r.customers}): interactive customer list in ${fmt(r.list - t0)} ` +
    `(target < 5 s), every figure in ${fmt(r.figures - t0)}`);
  console.log(`  of which: snapshot answered at ${fmt(r.snapshot - t0)}, ledger chunks fetched at ${fmt(r.fetched - t0)}, ` +
    `stored at ${fmt(r.adopted - t0)}, then the start-up reads what was stored`);
  console.log(`  on the wire: snapshot ${mb(r.json)} of JSON, ledger ${r.chunks} chunks ${mb(r.chunkBytes)} of bytes; total ${mb(r.json + r.chunkBytes)}`);
  await b.close();
} finally {
  await server.stop();
}
