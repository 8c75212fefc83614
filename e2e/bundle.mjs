// The size of what a first visit downloads: the app's wasm, script and stylesheet in the built
// folder, as stored and as the precompressed gzip and brotli copies the server sends.
// `node bundle.mjs [folder]` prints it alone; the benchmark prints it first.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export function bundleSizes(site) {
  const files = readdirSync(site).filter((f) => /\.(wasm|js|css)$/.test(f) && f !== "sw.js");
  const size = (f) => {
    try {
      return statSync(join(site, f)).size;
    } catch {
      return NaN;
    }
  };
  const sum = (ext) => files.reduce((n, f) => n + size(f + ext), 0);
  return { files, raw: sum(""), gzip: sum(".gz"), brotli: sum(".br") };
}

export function printBundle(site) {
  const b = bundleSizes(site);
  const kb = (n) => `${(n / 1000).toFixed(0)} KB`;
  console.log(`app bundle (${b.files.join(", ")}): ${kb(b.raw)} as built, ${kb(b.gzip)} gzip, ${kb(b.brotli)} brotli ` +
    `(target gzip <= 500 KB)`);
  return b;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  printBundle(resolve(process.argv[2] || process.env.SITE || "../target/site-test"));
}
