// Trunk post-build hook (runs in trunk's staging directory, TRUNK_STAGING_DIR):
// - lists every built file in sw.js (so the service worker precaches the whole shell) and stamps
//   sw.js with a hash of the build, so that a new build replaces the old cache; the URLs are
//   relative to sw.js, so the site works under any base path;
// - writes the base path pinned by CREDITDESK_PUBLIC_URL (`/creditdesk/`) into index.html, or
//   leaves index.html to find it at run time (empty), and moves trunk's stylesheet, wasm and
//   script tags into the script that sets the base;
// - copies index.html to 404.html: a static host without rewrite rules (GitHub Pages, an S3
//   bucket's error document, a plain nginx with `error_page 404`) serves it for a deep link,
//   and the app shell routes it;
// - writes csp-hashes.json: the hashes of the page's inline scripts, for the server's
//   Content-Security-Policy;
// - writes gzip and brotli copies of the text and wasm files beside them, for hosts that serve
//   precompressed files (nginx gzip_static / brotli_static, Caddy's precompressed, the server).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("precache.mjs: TRUNK_STAGING_DIR is not set (run it as a trunk hook)");
  process.exit(1);
}
const pinned = process.env.CREDITDESK_PUBLIC_URL || "";
if (pinned && !/^\/([^/?#"<>\\\s]+\/)*$/.test(pinned)) {
  console.error(`precache.mjs: CREDITDESK_PUBLIC_URL must be a path that starts and ends with "/" (like /creditdesk/), not ${JSON.stringify(pinned)}`);
  process.exit(1);
}

const indexPath = join(dir, "index.html");
const index = readFileSync(indexPath, "utf8");
if (!index.includes("__CREDITDESK_PUBLIC_URL__")) {
  console.error("precache.mjs: index.html has no __CREDITDESK_PUBLIC_URL__ placeholder");
  process.exit(1);
}
// Trunk's tags for the stylesheet, the wasm and its script move into the base script (see
// index.html), so that nothing is fetched before the page's base is set.
const boot = [
  /<link rel="stylesheet" href="\.\/[^"]+\.css"[^>]*>/,
  /<script type="module">[\s\S]*?<\/script>/,
  /<link rel="modulepreload"[^>]*>/,
  /<link rel="preload"[^>]*>/,
];
let shell = index.replace("__CREDITDESK_PUBLIC_URL__", pinned);
const tags = [];
for (const re of boot) {
  const m = shell.match(re);
  if (!m) {
    console.error(`precache.mjs: trunk's index.html has no tag like ${re} (did trunk change its output?)`);
    process.exit(1);
  }
  tags.push(m[0]);
  shell = shell.replace(m[0], "");
}
// Every other preload (wasm-bindgen's snippets, `snippets/<crate>/inline0.js`) moves too: left in
// the markup, a deep link's page would fetch it from the link's folder.
for (const m of shell.match(/<link rel="(modulepreload|preload)"[^>]*>/g) || []) {
  tags.push(m);
  shell = shell.replace(m, "");
}
if (!shell.includes("/*__CREDITDESK_BOOT__*/")) {
  console.error("precache.mjs: index.html has no /*__CREDITDESK_BOOT__*/ placeholder");
  process.exit(1);
}
const literal = JSON.stringify(tags.join("\n")).replace(/<\//g, "<\\/");
shell = shell.replace("/*__CREDITDESK_BOOT__*/", () => `document.write(${literal});`);
writeFileSync(indexPath, shell);
writeFileSync(join(dir, "404.html"), shell);

// The SHA-256 of every inline script the page runs (the base script, the service worker's
// registration, and trunk's module script that the base script writes), for the server's
// Content-Security-Policy: scripts only from the server itself and these (src/server/src/security.rs).
const inline = [...shell.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
for (const tag of tags) {
  const m = tag.match(/^<script[^>]*>([\s\S]*?)<\/script>$/);
  if (m) inline.push(m[1]);
}
const cspHashes = [...new Set(inline.map((text) => "sha256-" + createHash("sha256").update(text, "utf8").digest("base64")))];
writeFileSync(join(dir, "csp-hashes.json"), JSON.stringify(cspHashes) + "\n");

const files = [];
const walk = (d) => {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (!/\.(gz|br)$/.test(name)) files.push(p);
  }
};
walk(dir);
const hash = createHash("sha256");
const urls = ["./"];
for (const f of files) {
  const rel = relative(dir, f).split("\\").join("/");
  if (rel === "sw.js" || rel === "404.html" || rel === "csp-hashes.json") continue;
  hash.update(rel);
  hash.update(readFileSync(f));
  urls.push("./" + rel);
}
const version = hash.digest("hex").slice(0, 16);
const swPath = join(dir, "sw.js");
const sw = readFileSync(swPath, "utf8").replace("__VERSION__", version).replace("__PRECACHE__", JSON.stringify(urls));
writeFileSync(swPath, sw);

let raw = 0;
let br = 0;
for (const f of [...files, swPath, join(dir, "404.html")]) {
  if (!/\.(html|js|css|wasm|svg|webmanifest|json)$/.test(f)) continue;
  const body = readFileSync(f);
  const b = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  writeFileSync(f + ".br", b);
  writeFileSync(f + ".gz", gzipSync(body, { level: 9 }));
  raw += body.length;
  br += b.length;
}
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(`precache.mjs: ${urls.length} files, version ${version}, base ${pinned || "found at run time"}, ${kb(raw)} compressed to ${kb(br)} (brotli)`);
