// End-to-end: the built folder copied as it is onto plain static hosts, at the root and under a
// sub-path. Two hosts: Python's http.server (no fallback of any kind: an unknown path is its own
// 404 page) and a host that answers an unknown path with the site's 404.html, as GitHub Pages, an
// S3 bucket's error document or nginx's `error_page 404` do. Neither knows the app's routes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { SITE, appErrors, browser, ready } from "../lib.mjs";

const BASES = ["/", "/any/path/"];
let root;
before(() => {
  root = mkdtempSync(join(tmpdir(), "cd-static-"));
  for (const base of BASES) {
    const dir = join(root, base);
    mkdirSync(dir, { recursive: true });
    cpSync(SITE, dir, { recursive: true });
  }
});
after(() => rmSync(root, { recursive: true, force: true }));

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".webmanifest": "application/manifest+json" };

/** A host like GitHub Pages: a file, a folder's index.html, or else the nearest 404.html with
 *  status 404. */
async function pagesHost(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    if (path.endsWith("/")) file = join(file, "index.html");
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" }).end(body);
      return;
    } catch {
      // Not a file: the nearest 404.html up the path.
    }
    for (let d = join(dir, path, ".."); d.startsWith(dir); d = join(d, "..")) {
      try {
        const body = readFileSync(join(d, "404.html"));
        res.writeHead(404, { "content-type": TYPES[".html"] }).end(body);
        return;
      } catch {
        if (d === dir) break;
      }
    }
    res.writeHead(404).end("not found");
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() };
}

/** Python's http.server over the folder: files and folders only. */
async function pythonHost(dir) {
  const child = spawn("python3", ["-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir], { stdio: ["ignore", "pipe", "pipe"] });
  const port = await new Promise((ok, fail) => {
    let out = "";
    const seen = (d) => {
      out += d.toString();
      const m = out.match(/port (\d+)/);
      if (m) ok(Number(m[1]));
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", seen);
    child.on("exit", (code) => fail(new Error(`http.server exited with ${code}: ${out}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** Requests for the app's own files that failed (a URL that missed the base path). Not counted:
 *  the page itself (a deep link is the host's 404), the server's API (a static host has none:
 *  the app asks once and stays local-only), and requests a navigation cut short. */
function failedFiles(page, origin) {
  const failed = [];
  const mine = (url) => url.startsWith(origin) && !new URL(url).pathname.includes("/api/v1/");
  page.on("response", (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== "document" && mine(r.url())) failed.push(`${r.status()} ${r.url()}`);
  });
  page.on("requestfailed", (r) => mine(r.url()) && !["net::ERR_INTERNET_DISCONNECTED", "net::ERR_ABORTED"].includes(r.failure()?.errorText) && failed.push(`${r.failure()?.errorText} ${r.url()}`));
  return failed;
}

test("index.html names every first segment of the app's routes, so a deep link finds its base", () => {
  const routes = new Set([...readFileSync(resolve("../src/ui/mod.rs"), "utf8").matchAll(/path!\("\/([a-z]+)/g)].map((m) => m[1]));
  const listed = JSON.parse(readFileSync(resolve("../index.html"), "utf8").match(/var routes = (\[[^\]]*\])/)[1]);
  assert.ok(routes.size >= 10, `routes found in src/ui/mod.rs: ${[...routes]}`);
  assert.deepEqual([...routes].sort(), [...listed].sort());
});

for (const base of BASES) {
  test(`on a host that serves 404.html, under ${base}: a first visit to a deep link loads, then works offline`, async () => {
    const host = await pagesHost(root);
    const b = await browser();
    const { page, context } = b;
    const failed = failedFiles(page, host.url);
    try {
      const first = await page.goto(host.url + base + "reports/aging");
      assert.equal(first.status(), 404, "the host has no rewrite rule: the app comes from its 404.html");
      await ready(page);
      await page.waitForSelector("[data-testid=report-table]");
      // The app's own links carry the base path, and the router follows them.
      await page.click(".nav-top a[href$='/customers']");
      await page.waitForURL(host.url + base + "customers");
      await page.waitForSelector(".vrow");
      const href = await page.getAttribute(".vrow >> nth=0", "href");
      assert.ok(href.startsWith(base + "customers/"), `a row links to ${href}`);
      // The service worker takes the site's folder as its scope and precaches the shell.
      const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
      assert.equal(scope, host.url + base);
      const manifest = await page.evaluate(async () => {
        const m = document.querySelector("link[rel=manifest]").href;
        const j = await (await fetch(m)).json();
        return { start: new URL(j.start_url, m).href, icons: await Promise.all(j.icons.map(async (i) => (await fetch(new URL(i.src, m))).status)) };
      });
      assert.equal(manifest.start, host.url + base);
      assert.deepEqual(manifest.icons, manifest.icons.map(() => 200));
      // Offline, a deep link reloads from the service worker's cache.
      await context.setOffline(true);
      await page.goto(host.url + href);
      await ready(page);
      await page.waitForSelector("[data-testid=customer-360]");
      await page.waitForSelector("[data-testid=offline]");
      assert.deepEqual(failed, []);
      assert.deepEqual(appErrors(b.errors), []);
    } finally {
      await b.close();
      host.stop();
    }
  });

  test(`on Python's http.server, with no fallback at all, under ${base}: the app opens, and after one visit deep links load online and offline`, async () => {
    const host = await pythonHost(root);
    const b = await browser();
    const { page, context } = b;
    const failed = failedFiles(page, host.url);
    try {
      // Without the service worker, a deep link is the host's own 404: the documented limit.
      const before = await page.request.get(host.url + base + "customers");
      assert.equal(before.status(), 404);
      await page.goto(host.url + base);
      await ready(page);
      await page.evaluate(() => navigator.serviceWorker.ready);
      await page.reload();
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await page.goto(host.url + base + "reports/dso");
      await ready(page);
      await page.waitForSelector("[data-testid=report-table]");
      await context.setOffline(true);
      await page.goto(host.url + base + "customers");
      await ready(page);
      await page.waitForSelector(".vrow");
      await page.waitForSelector("[data-testid=offline]");
      assert.deepEqual(failed, []);
      assert.deepEqual(appErrors(b.errors), []);
    } finally {
      await b.close();
      host.stop();
    }
  });
}
