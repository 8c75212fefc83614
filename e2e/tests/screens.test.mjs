// What a person reads: every page at 1280 and 360 px, in English and zh-CN, with the demo company
// on a real server. No figure is cut or wrapped, no page scrolls sideways, a report's key
// columns are in view; then the pieces that make the screens read well: compact amounts with the
// exact one at hand, the column chooser kept per report, Chinese names by pinyin, a partial DSO
// period labelled, toasts that stay on their page, a request not offered twice.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { NOW, appErrors, browser, signIn, startServer, until } from "../lib.mjs";
import { PAGES, openPage, pageIds, screenProblems, setLang } from "../pages.mjs";

const servers = {};
before(async () => {
  servers.en = await startServer({ demo: "en" });
  servers.zh = await startServer({ demo: "zh" });
});
after(async () => {
  await servers.en?.stop();
  await servers.zh?.stop();
});

/** A browser signed in as the administrator on the demo server of `lang`, in that language. */
async function adminIn(lang, size = { width: 1280, height: 800 }) {
  const b = await browser(size);
  await b.page.goto(servers[lang].url + "/");
  await signIn(b.page, "admin");
  await setLang(b.page, lang);
  return b;
}

for (const lang of ["en", "zh"]) {
  for (const [width, height, mobile] of [[1280, 800, false], [360, 740, true]]) {
    test(`every page reads whole at ${width} px in ${lang}: no figure cut or wrapped, no sideways scroll`, async () => {
      const server = servers[lang];
      const b = await adminIn(lang, { width, height, mobile });
      const { page } = b;
      try {
        const ids = await pageIds(page, server.url);
        assert.ok(ids.customer && ids.request, `a customer and a request to show (${JSON.stringify(ids)})`);
        const found = [];
        for (const p of PAGES) {
          await openPage(page, server.url, p.path(ids));
          for (const problem of await page.evaluate(screenProblems, width)) found.push(`${p.name}: ${problem}`);
        }
        assert.deepEqual(found, []);
        assert.deepEqual(appErrors(b.errors), []);
      } finally {
        await b.close();
      }
    });
  }
}

test("a large amount is compact on a tile, with the exact amount on hover and tap, and exact in the table", async () => {
  const server = servers.zh;
  const b = await adminIn("zh", { width: 360, height: 740, mobile: true });
  const { page } = b;
  try {
    await openPage(page, server.url, "/");
    const tile = page.locator("[data-testid=kpi-total-ar] .money");
    const short = (await tile.textContent()).trim();
    const exact = await tile.getAttribute("data-exact");
    assert.match(short, /^¥[\d,.]+(万|亿)$/, "counted in 万 or 亿 in Chinese");
    assert.match(exact, /^¥[\d,]+\.\d\d$/);
    assert.equal(await tile.getAttribute("title"), exact);
    // A first tap shows the exact amount beside it (the tile is a link: it stays); a second
    // follows the link.
    await tile.tap();
    const shown = await tile.evaluate((el) => getComputedStyle(el, "::after").content);
    assert.equal(shown, `"${exact}"`);
    assert.equal(new URL(page.url()).pathname, "/");
    await tile.tap();
    await page.waitForURL((u) => new URL(u).pathname === "/reports/aging");
    // The aging report's total is the exact amount.
    await setLang(page, "en");
    await openPage(page, server.url, "/");
    assert.match((await tile.textContent()).trim(), /^¥[\d.]+[MB]$/, "millions in English");
    await openPage(page, server.url, "/reports/aging");
    const total = (await page.textContent("[data-testid=table-total] td:nth-child(2)")).trim();
    assert.equal(total, exact);
  } finally {
    await b.close();
  }
});

test("a report keeps its key figures first, hides the columns a user chose, and remembers the choice", async () => {
  const server = servers.en;
  const b = await adminIn("en");
  const { page } = b;
  try {
    await openPage(page, server.url, "/reports/aging");
    const heads = () => page.$$eval("[data-testid=report-table] thead th", (ths) => ths.map((t) => t.dataset.column));
    assert.deepEqual((await heads()).slice(0, 3), ["Name", "OpenAr", "Overdue"]);
    // The shadow at the right edge says there is more to the side.
    await page.click("[data-testid=column-chooser] summary");
    for (const id of ["Region", "SalesRep"]) await page.uncheck(`[data-testid=column-chooser] input[data-column=${id}]`);
    assert.ok(!(await heads()).includes("Region"));
    // Another report is not affected; this one remembers after a reload.
    await openPage(page, server.url, "/reports/days-to-pay");
    assert.ok((await heads()).includes("SalesRep"));
    await page.reload();
    await openPage(page, server.url, "/reports/aging");
    assert.deepEqual((await heads()).filter((h) => ["Region", "SalesRep"].includes(h)), []);
    // The first column stays in view when the table scrolls sideways.
    await page.setViewportSize({ width: 700, height: 800 });
    await page.waitForFunction(() => document.querySelector(".table-frame").classList.contains("more-right"));
    await page.$eval(".table-scroll", (el) => (el.scrollLeft = 400));
    await page.waitForFunction(() => document.querySelector(".table-frame").classList.contains("more-left"));
    const [first, box] = await page.$eval("[data-testid=report-table] tbody tr td:first-child", (td) => [td.getBoundingClientRect().left, td.closest(".table-scroll").getBoundingClientRect().left]);
    assert.ok(Math.abs(first - box) <= 2, `the name column is pinned (${first} vs ${box})`);
    // On a phone a row is a card, with the key figures labelled.
    await page.setViewportSize({ width: 360, height: 740 });
    const card = await page.$eval("[data-testid=report-table] tbody tr", (tr) => ({ display: getComputedStyle(tr).display, label: getComputedStyle(tr.querySelector("td.key"), "::before").content }));
    assert.equal(card.display, "grid");
    assert.equal(card.label, '"Open receivables"');
  } finally {
    await b.close();
  }
});

test("Chinese names sort by pinyin in the customer list and the reports, and so do the filters' choices", async () => {
  const server = servers.zh;
  const b = await adminIn("zh");
  const { page } = b;
  const byPinyin = (xs) => [...xs].sort(new Intl.Collator("zh-CN").compare);
  // Each select's choices after its first ("all"), for those of at least two.
  const choices = (selector) => page.$$eval(selector, (ss) => ss.map((s) => [...s.options].slice(1).map((o) => o.textContent)));
  try {
    await openPage(page, server.url, "/customers");
    const names = await page.$$eval(".vrow .cname", (els) => els.map((e) => e.textContent));
    assert.deepEqual(names, byPinyin(names));
    // 北京 (Běijīng) before 上海 (Shànghǎi), though 上 has the smaller code point.
    const first = (p) => names.findIndex((n) => n.startsWith(p));
    if (first("北京") >= 0 && first("上海") >= 0) assert.ok(first("北京") < first("上海"));
    // The regions and the sales reps (华北 … 西部; 陈静, 黄敏, 李娜 …: not by code point).
    const [regions, reps] = await choices(".filters select");
    assert.ok(regions.length >= 2 && reps.length >= 2, `${regions} / ${reps}`);
    assert.deepEqual(regions, byPinyin(regions));
    assert.deepEqual(reps, byPinyin(reps));
    await openPage(page, server.url, "/reports/aging");
    const rows = await page.$$eval("[data-testid=report-table] tbody td:first-child", (tds) => tds.map((t) => t.textContent));
    assert.deepEqual(rows, byPinyin(rows));
    for (const [k, values] of Object.entries(await choices("select[data-testid=filter-rep], select[data-testid=filter-region], select[data-testid=filter-industry]"))) {
      assert.ok(values.length >= 2, `filter ${k}: ${values}`);
      assert.deepEqual(values, byPinyin(values), `filter ${k}`);
    }
  } finally {
    await b.close();
  }
});

test("the month to date is labelled as such in the DSO report and leaves the trend's standard DSO", async () => {
  const server = servers.en;
  const b = await adminIn("en");
  const { page } = b;
  try {
    await openPage(page, server.url, "/reports/dso");
    const periods = await page.$$eval("[data-testid=report-table] tbody td:first-child", (tds) => tds.map((t) => t.textContent));
    // The newest period is the month to the demo's day: partial unless that day ends its month;
    // the others are whole months, by name.
    const day = new Date(NOW.getTime() + 8 * 3_600_000);
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()];
    const name = (k) => `${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][(k + 12) % 12]} ${k < 0 ? y - 1 : y}`;
    const monthEnd = new Date(Date.UTC(y, m + 1, 0)).getUTCDate() === d;
    assert.equal(periods[0], monthEnd ? name(m) : `${name(m)} (month to date, ${d} ${d === 1 ? "day" : "days"})`);
    assert.equal(periods[1], name(m - 1));
    assert.ok(periods.slice(1).every((p) => !p.includes("month to date")));
  } finally {
    await b.close();
  }
});

test("a saved form's toast shows on the page it moved to and not on the next", async () => {
  const server = servers.en;
  const b = await adminIn("en", { width: 360, height: 740, mobile: true });
  const { page } = b;
  try {
    const ids = await pageIds(page, server.url);
    await openPage(page, server.url, `/customers/${ids.customer}/edit`);
    await page.fill("#f-phone", "13800138000");
    await page.click("[data-testid=save]");
    await page.waitForSelector("[data-testid=customer-360]");
    await page.waitForSelector("[data-testid=toast]");
    await page.click("[data-testid=new-order]");
    await page.waitForSelector("#f-amount");
    await until(async () => (await page.locator("[data-testid=toast]").count()) === 0, { timeout: 1_000, what: "the toast to leave with its page" });
  } finally {
    await b.close();
  }
});

test("a temporary increase already asked for is shown with its link, not offered again", async () => {
  const server = servers.en;
  const b = await adminIn("en");
  const { page } = b;
  try {
    const ids = await pageIds(page, server.url);
    await openPage(page, server.url, `/customers/${ids.customer}/request?action=temporary`);
    // The amount typed is the new limit: the form says so, with the change.
    await page.fill("#f-amount", "5000000");
    assert.match(await page.textContent("[data-testid=amount-note]"), /^New limit ¥5,000,000\.00 \([+-]¥[\d,]+\.\d\d on today's ¥[\d,]+\.\d\d\)$/);
    if (!(await page.locator("[data-testid=open-request]").count())) {
      await page.fill("#f-end", await page.inputValue("#f-start"));
      await page.fill("#f-reason", "Season peak");
      await page.click("[data-testid=submit-request]");
      await page.waitForURL(/\/requests\//);
    }
    // Back on the form: the open request is shown and the form cannot be sent.
    await openPage(page, server.url, `/customers/${ids.customer}/request?action=temporary`);
    await page.waitForSelector("[data-testid=open-request] a[href*='/requests/']");
    assert.equal(await page.isDisabled("[data-testid=submit-request]"), true);
  } finally {
    await b.close();
  }
});
