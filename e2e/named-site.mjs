// A copy of the test site whose wasm keeps its function names, for the profiles (profile.mjs,
// trace.mjs): the release build's wasm run again through wasm-bindgen and
// `wasm-opt -Oz -g --low-memory-unused`, as the build runs it. The caller removes the folder.
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
