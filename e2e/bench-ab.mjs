// Two builds of the app side by side in one run, so that this machine's noise falls on both
// alike: each seeds the large book in its own browser profile, then they take turns (A B, B A,
// ...): a cold start to an interactive list and to every figure, then 200 payments committed.
// Prints each build's runs, the medians and the ratios B/A. Asserts nothing.
//   SITE_A=../target/site-REV SITE_B=../target/site-test N=6 node bench-ab.mjs   (./x bench-ab REV)
import { browser, ready } from "./lib.mjs";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const builds = [
  { name: "A", site: resolve(process.env.SITE_A), port: 18731, runs: [] },
  { name: "B", site: resolve(process.env.SITE_B || "../target/site-test"), port: 18732, runs: [] },
];
const N = Number(process.env.N || 6);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (xs) => xs.map((x) => x.toFixed(1)).join(", ");

const servers = [];
try {
  for (const b of builds) {
    const c = spawn(process.execPath, [resolve("../tools/serve.mjs"), b.site, String(b.port)], { stdio: ["ignore", "pipe", "inherit"] });
    servers.push(c);
    await new Promise((ok) => c.stdout.once("data", ok));
    b.dir = mkdtempSync(join(tmpdir(), `cd-ab-${b.name}-`));
    const w = await browser({ dir: b.dir, now: null });
    await w.page.goto(`http://127.0.0.1:${b.port}/customers?seed=large`);
    await ready(w.page);
    await w.page.waitForFunction(() => window.__cd_timings.ledgerReady, null, { timeout: 300_000 });
    await w.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 300_000 });
    await w.close();
    console.log(`${b.name}: ${b.site}: large book seeded`);
  }
  for (let i = 0; i < N; i++) {
    for (const b of i % 2 ? [...builds].reverse() : builds) {
      const w = await browser({ dir: b.dir, now: null });
      await w.page.goto(`http://127.0.0.1:${b.port}/customers`);
      await ready(w.page);
      await w.page.waitForFunction(() => window.__cd_timings.listReady && window.__cd_timings.ledgerReady, null, { timeout: 60_000 });
      await w.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 120_000 });
      const t = await w.page.evaluate(() => ({ ...window.__cd_timings }));
      // The first commit after a start pays for what is not warm yet: not counted.
      await w.page.evaluate(() => window.wasmBindings.cd_bench_commit(1));
      const times = await w.page.evaluate(() => window.wasmBindings.cd_bench_commit(200).then((a) => Array.from(a)));
      const s = [...times].sort((x, y) => x - y);
      b.runs.push({ list: t.listReady, figures: t.ledgerReady, p50: s[Math.floor(s.length / 2)], p95: s[Math.floor(0.95 * s.length)] });
      await w.close();
    }
  }
  const of = (b, k) => b.runs.map((r) => r[k]);
  for (const b of builds) {
    console.log(`${b.name}: cold start to an interactive list, median ${median(of(b, "list")).toFixed(0)} ms (${ms(of(b, "list"))}); ` +
      `to every figure, median ${median(of(b, "figures")).toFixed(0)} ms (${ms(of(b, "figures"))})`);
    console.log(`${b.name}: 200 payments per run: p50 ${ms(of(b, "p50"))} ms; p95 ${ms(of(b, "p95"))} ms`);
  }
  const ratio = (k) => (median(of(builds[1], k)) / median(of(builds[0], k))).toFixed(2);
  console.log(`B/A (medians): cold start to the list ${ratio("list")}x, to every figure ${ratio("figures")}x, ` +
    `commit p50 ${ratio("p50")}x, commit p95 ${ratio("p95")}x`);
  for (const b of builds) rmSync(b.dir, { recursive: true, force: true });
} finally {
  for (const c of servers) c.kill();
}
