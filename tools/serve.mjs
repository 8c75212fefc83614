// A static file server for the built app: serves a folder on 127.0.0.1, falls back to
// index.html for the app's routes, and never caches index.html or sw.js. A file's precompressed
// copy (`.br`, `.gz`, written by tools/precache.mjs) is sent when the browser accepts it, as the
// Rust server does.
// Usage: node tools/serve.mjs <folder> [port]
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

const root = resolve(process.argv[2] || "target/site");
const port = Number(process.argv[3] || process.env.PORT || 8080);
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
};

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = normalize(join(root, path));
  if (!file.startsWith(root)) {
    res.writeHead(403).end("forbidden");
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
  } catch {
    // Not a file: an app route, served by the shell (assets with an extension are real 404s).
    file = extname(path) ? null : join(root, "index.html");
  }
  if (!file) {
    res.writeHead(404).end("not found");
    return;
  }
  try {
    const accepts = String(req.headers["accept-encoding"] || "");
    let body = null;
    let encoding = null;
    for (const [enc, ext] of [["br", ".br"], ["gzip", ".gz"]]) {
      if (!new RegExp(`\\b${enc}\\b`).test(accepts)) continue;
      try {
        body = await readFile(file + ext);
        encoding = enc;
        break;
      } catch {
        // No such copy: the next, or the file itself.
      }
    }
    body ??= await readFile(file);
    const name = file.slice(root.length);
    const noStore = name.endsWith("index.html") || name.endsWith("sw.js");
    const headers = {
      "content-type": types[extname(file)] || "application/octet-stream",
      "cache-control": noStore ? "no-cache" : "public, max-age=31536000, immutable",
      vary: "accept-encoding",
    };
    if (encoding) headers["content-encoding"] = encoding;
    res.writeHead(200, headers);
    res.end(body);
  } catch {
    res.writeHead(404).end("not found");
  }
});
server.listen(port, "127.0.0.1", () => console.log(`CreditDesk: http://127.0.0.1:${port}/ (serving ${root})`));
