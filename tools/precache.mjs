// Trunk post-build hook: lists every built file in sw.js (so the service worker precaches the
// whole shell) and stamps sw.js with a hash of the build, so that a new build replaces the old
// cache. Runs in trunk's staging directory (TRUNK_STAGING_DIR).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("precache.mjs: TRUNK_STAGING_DIR is not set (run it as a trunk hook)");
  process.exit(1);
}
const files = [];
const walk = (d) => {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(dir);
const hash = createHash("sha256");
const urls = ["/"];
for (const f of files) {
  const rel = relative(dir, f).split("\\").join("/");
  if (rel === "sw.js") continue;
  hash.update(rel);
  hash.update(readFileSync(f));
  urls.push("/" + rel);
}
const version = hash.digest("hex").slice(0, 16);
const swPath = join(dir, "sw.js");
const sw = readFileSync(swPath, "utf8").replace("__VERSION__", version).replace("__PRECACHE__", JSON.stringify(urls));
writeFileSync(swPath, sw);
console.log(`precache.mjs: ${urls.length} files, version ${version}`);
