import { browser, ready, serve } from "./lib.mjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const server = await serve();
const dir = mkdtempSync(join(tmpdir(), "cd-idbp-"));
let b = await browser({ dir, now: null });
await b.page.goto(server.url + "/customers?seed=large");
await ready(b.page);
await b.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 300_000 });
await b.close();
for (let run = 0; run < 3; run++) {
  b = await browser({ dir, now: null });
  await b.page.goto(server.url + "/404.html");
  const r = await b.page.evaluate(async () => {
    const out = [];
    let t = performance.now();
    const db = await new Promise((ok) => { const r = indexedDB.open("creditdesk"); r.onsuccess = () => ok(r.result); });
    out.push(["open", performance.now() - t]);
    const req = (store, f) => new Promise((ok) => { const tx = db.transaction([store], "readonly"); const q = f(tx.objectStore(store)); q.onsuccess = () => ok(q.result); });
    for (const [name, f] of [
      ["meta keys", (s) => s.getAllKeys()],
      ["models", (s) => s.getAll()], ["requests", (s) => s.getAll()], ["audit last", (s) => s.openCursor(null, "prev")],
      ["meta all", (s) => s.getAll()],
    ]) {
      const store = name.split(" ")[0];
      t = performance.now();
      let res;
      try { res = await req(store, f); } catch (e) { res = String(e); }
      const n = Array.isArray(res) ? res.length : 0;
      const bytes = Array.isArray(res) ? res.reduce((a, v) => a + (typeof v === "string" ? v.length : (v?.byteLength ?? 0)), 0) : 0;
      out.push([name, performance.now() - t, n, bytes, name === "meta keys" ? res : undefined]);
    }
    out.push(["stores", [...db.objectStoreNames]]);
    return out;
  });
  console.log(JSON.stringify(r));
  await b.close();
}
server.stop();
