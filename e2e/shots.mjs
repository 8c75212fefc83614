// Screenshots of every page (pages.mjs) at 1280 and 360 px, in English and in zh-CN, with the demo
// company on a real server, for people to look at: `./x shots [folder]` (default target/shots).
// Each file is `<lang>-<width>-<page>.png`; `index.html` in the folder shows them side by side.
// Also prints what the screen check (tests/screens.test.mjs) would find on each page.
import { browser, signIn, startServer } from "./lib.mjs";
import { PAGES, openPage, pageIds, screenProblems, setLang } from "./pages.mjs";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const out = resolve(process.argv[2] || "../target/shots");
const only = process.env.SHOTS_ONLY ? new RegExp(process.env.SHOTS_ONLY) : null;
mkdirSync(out, { recursive: true });
const files = [];
let found = 0;
for (const lang of ["en", "zh"]) {
  const server = await startServer({ demo: lang });
  try {
    for (const [width, height, mobile] of [[1280, 800, false], [360, 740, true]]) {
      const b = await browser({ width, height, mobile });
      const { page } = b;
      await page.goto(server.url + "/");
      await page.waitForSelector("[data-testid=sign-in]");
      await setLang(page, lang);
      await page.screenshot({ path: `${out}/${lang}-${width}-sign-in.png` });
      files.push(`${lang}-${width}-sign-in.png`);
      await signIn(page, "admin");
      await setLang(page, lang);
      const ids = await pageIds(page, server.url);
      for (const p of PAGES) {
        const path = p.path(ids);
        if (!path || (only && !only.test(p.name))) continue;
        await openPage(page, server.url, path);
        const file = `${lang}-${width}-${p.name}.png`;
        await page.screenshot({ path: `${out}/${file}`, fullPage: true });
        files.push(file);
        const problems = await page.evaluate(screenProblems, width);
        found += problems.length;
        console.log(`${file}${problems.length ? "\n  " + problems.join("\n  ") : ""}`);
      }
      await b.close();
    }
  } finally {
    await server.stop();
  }
}
writeFileSync(
  `${out}/index.html`,
  `<!doctype html><meta charset="utf-8"><title>CreditDesk screens</title><style>body{font:14px sans-serif}img{max-width:100%;border:1px solid #ccc}figure{display:inline-block;vertical-align:top;margin:8px;max-width:640px}</style>` +
    files.map((f) => `<figure><img src="${f}" loading="lazy"><figcaption>${f}</figcaption></figure>`).join("\n"),
);
console.log(`${files.length} screenshots in ${out} (open index.html); ${found} problem(s) found by the screen check`);
