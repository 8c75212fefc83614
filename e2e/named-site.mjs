// What the profiles (profile.mjs, trace.mjs) start from: a copy of the test site whose wasm keeps
// its function names (the release build's wasm run again through wasm-bindgen and
// `wasm-opt -Oz -g --low-memory-unused`, as the build runs it; the caller removes the folder), and
// a browser profile holding the large book.
import { browser, ready } from "./lib.mjs";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const WASM = resolve("../target/wasm32-unknown-unknown/release/creditdesk.wasm");

/** The test site `site` with a named wasm, in a temporary folder. */
export function namedSite(site) {
  const dir = mkdtempSync(join(tmpdir(), "cd-profile-site-"));
  cpSync(site, dir, { recursive: true });
  const bg = join(dir, "bindgen");
  execFileSync("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", bg, "--out-name", "creditdesk", WASM], { stdio: "inherit" });
  const target = readdirSync(dir).find((f) => f.endsWith("_bg.wasm"));
  execFileSync("wasm-opt", ["-Oz", "-g", "--low-memory-unused", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
    "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", join(bg, "creditdesk_bg.wasm"), "-o", join(dir, target)], { stdio: "inherit" });
  rmSync(join(dir, target + ".br"), { force: true });
  rmSync(join(dir, target + ".gz"), { force: true });
  return dir;
}

/** The large book written on a first start in a new browser profile `dir`, whose background work
 * keeps the figures and the customers as one record; then the browser started again on it, as
 * every later start runs: that browser. */
export async function onLargeBook(server, dir) {
  let b = await browser({ dir, now: null, longTasks: true });
  await b.page.goto(server.url + "/customers?seed=large");
  await ready(b.page);
  await b.page.waitForFunction(() => window.__cd_timings.backgroundDone, null, { timeout: 300_000 });
  await b.close();
  return browser({ dir, now: null, longTasks: true });
}
