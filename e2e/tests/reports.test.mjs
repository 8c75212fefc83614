// End-to-end: the dashboard's charts drill down to the lists behind them, reports export CSV,
// filters live in the URL, and an as-of date reproduces what was open on that day.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { browser, cents, tile, ready, serve } from "../lib.mjs";

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

/** Parses a CSV export (UTF-8 with BOM, CRLF, quoted fields) into rows of cells. */
function parseCsv(bytes) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with a byte-order mark");
  const text = bytes.subarray(3).toString("utf8");
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; i++; }
    else cell += c;
  }
  return rows;
}

async function exportCsv(page) {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-csv]")]);
  return { name: dl.suggestedFilename(), rows: parseCsv(readFileSync(await dl.path())) };
}

/** The total row's amount under a column header of the report table. */
async function columnTotal(page, header) {
  return page.evaluate((header) => {
    const t = document.querySelector("[data-testid=report-table]");
    const i = [...t.querySelectorAll("thead th")].findIndex((th) => th.textContent.replace(/[▲▼]/g, "").trim() === header);
    return t.querySelectorAll("[data-testid=table-total] td")[i].textContent;
  }, header);
}

test("an aging bar opens the list of its invoices, whose CSV export adds up to the bar", async () => {
  const b = await browser();
  const { page, errors } = b;
  try {
    await page.goto(server.url + "/");
    await ready(page);
    // The last bar is the as-of date; its "1-30 days past due" segment.
    const segment = page.locator("[data-testid=chart-aging] g.mark[aria-label*='逾期 1–30 天']").last();
    const label = await segment.getAttribute("aria-label");
    const amount = cents(label.split(/[:：]\s*/).pop());
    assert.ok(amount > 0, label);
    await segment.hover();
    assert.equal((await page.textContent("[data-testid=chart-aging] .chart-tip")).trim(), label, "the tooltip shows on hover");
    await segment.click();
    await page.waitForURL(/\/reports\/invoices\?.*bucket=1-30/);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    assert.equal(cents(await columnTotal(page, "未结")), amount, "the list adds up to the bar");
    const shown = Number((await page.textContent("[data-testid=table-count]")).match(/\d+/)[0]);
    const { name, rows } = await exportCsv(page);
    assert.match(name, /^creditdesk-invoices-\d{4}-\d{2}-\d{2}\.csv$/);
    const header = rows[0];
    // The invoice, then what is owed and how late, then the rest.
    assert.deepEqual(header, ["发票号", "未结", "逾期天数", "公司名称", "到期日", "账龄段", "金额", "开票日期"]);
    const body = rows.slice(1);
    assert.equal(body.length, shown, "one line per invoice listed");
    const open = header.indexOf("未结");
    assert.equal(body.reduce((s, r) => s + cents(r[open]), 0), amount, "the file's total is the bar's");
    for (const r of body) {
      assert.equal(r[header.indexOf("账龄段")], "逾期 1–30 天");
      const days = Number(r[header.indexOf("逾期天数")]);
      assert.ok(days >= 1 && days <= 30, `${days} days past due`);
    }
    // Sorting by open amount puts the largest first.
    await page.click("[data-testid=report-table] th:has-text('未结') button");
    const first = cents(await page.textContent("[data-testid=report-table] tbody tr:first-child td[data-label='未结']"));
    assert.equal(first, Math.max(...body.map((r) => cents(r[open]))));
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
  }
});

test("filters live in the URL: a bookmarked view opens filtered, and every report keeps them", async () => {
  const b = await browser();
  const { page, errors } = b;
  try {
    await page.goto(server.url + "/");
    await ready(page);
    const all = cents(await tile(page, "kpi-total-ar"));
    // A rep is chosen by their user id; the reports show their name.
    const option = page.locator("[data-testid=filter-rep] option >> nth=1");
    const [rep, repName] = [await option.getAttribute("value"), (await option.textContent()).trim()];
    assert.match(rep, /^rep-\d$/);
    await page.selectOption("[data-testid=filter-rep]", rep);
    await page.waitForURL((u) => new URL(u).searchParams.get("rep") === rep);
    await page.waitForFunction((all) => {
      const el = document.querySelector("[data-testid=kpi-total-ar] .tile-value");
      const v = el.querySelector("[data-exact]")?.dataset.exact ?? el.textContent;
      return Math.round(Number(v.replace(/[^0-9.-]/g, "")) * 100) !== all;
    }, all);
    const mine = cents(await tile(page, "kpi-total-ar"));
    assert.ok(mine > 0 && mine < all);
    // Opened afresh from the URL, the view is the same.
    const url = page.url();
    await page.goto(url);
    await ready(page);
    assert.equal(await page.inputValue("[data-testid=filter-rep]"), rep);
    assert.equal(cents(await tile(page, "kpi-total-ar")), mine);
    // The total tile drills down to the aging report, filtered the same way: its total agrees,
    // and its buckets add up to it.
    await page.click("[data-testid=kpi-total-ar]");
    await page.waitForURL(/\/reports\/aging\?/);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    assert.equal(new URL(page.url()).searchParams.get("rep"), rep);
    assert.equal(cents(await columnTotal(page, "应收余额")), mine);
    let buckets = 0;
    for (const h of ["未到期", "逾期 1–30 天", "逾期 31–60 天", "逾期 61–90 天", "逾期 90 天以上"]) buckets += cents(await columnTotal(page, h));
    assert.equal(buckets, mine, "the buckets add up to the open receivables");
    const reps = await page.$$eval("[data-testid=report-table] tbody tr td[data-label='负责销售']", (tds) => [...new Set(tds.map((td) => td.textContent))]);
    assert.deepEqual(reps, [repName]);
    // The other reports keep the filter.
    await page.click("[data-testid=tab-collections]");
    await page.waitForURL(/\/reports\/collections\?/);
    assert.equal(new URL(page.url()).searchParams.get("rep"), rep);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    assert.equal(await page.locator("[data-testid=report-table] tbody tr").count(), 1);
    assert.equal(cents(await columnTotal(page, "应收余额")), mine);
    await page.click("[data-testid=filter-reset]");
    await page.waitForURL((u) => new URL(u).search === "");
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
  }
});

test("an as-of date reproduces what was open that day, whatever was paid since", async () => {
  const b = await browser();
  const { page, errors } = b;
  try {
    await page.goto(server.url + "/reports/aging");
    await ready(page);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    const today = await page.inputValue("[data-testid=filter-as-of]");
    const yesterday = new Date(Date.parse(today) - 86400000).toISOString().slice(0, 10);
    await page.fill("[data-testid=filter-as-of]", yesterday);
    await page.waitForURL((u) => new URL(u).searchParams.get("as_of") === yesterday);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    const before = cents(await columnTotal(page, "应收余额"));
    // Pay 100.00 today on the first customer with something open.
    await page.goto(server.url + "/reports/aging");
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    const todayBefore = cents(await columnTotal(page, "应收余额"));
    await page.click("[data-testid=report-table] tbody tr:first-child td:first-child a");
    await page.waitForSelector("[data-testid=customer-360]");
    const url = page.url();
    await page.click("[data-testid=new-payment]");
    await page.fill("#f-amount", "100.00");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    // Today's report shows the payment; yesterday's does not.
    await page.goto(server.url + "/reports/aging");
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    assert.equal(cents(await columnTotal(page, "应收余额")), todayBefore - 10000);
    await page.goto(server.url + `/reports/aging?as_of=${yesterday}`);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    assert.equal(cents(await columnTotal(page, "应收余额")), before);
    assert.match(await page.textContent("h1 .as-of"), new RegExp(yesterday.replaceAll("-", "/")));
    // The DSO report states its convention and has twelve months, the last ending that day.
    await page.click("[data-testid=tab-dso]");
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    assert.match(await page.textContent("[data-testid=convention]"), /倒推法 DSO/);
    assert.equal(await page.locator("[data-testid=report-table] tbody tr").count(), 12);
    // The newest period is the month up to that day: named, and marked when it is partial.
    const [y, m, d] = yesterday.split("-").map(Number);
    const monthEnd = new Date(Date.UTC(y, m, 0)).getUTCDate() === d;
    const newest = await page.textContent("[data-testid=report-table] tbody tr:first-child td:first-child");
    assert.equal(newest, monthEnd ? `${y}年${m}月` : `${y}年${m}月（本月至今，${d} 天）`);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
  }
});

test("on a phone, charts stack, a first tap shows the tooltip and a second opens the list; report rows are cards; it works offline", async () => {
  const b = await browser({ width: 360, height: 760, mobile: true });
  const { page, context, errors } = b;
  try {
    await page.goto(server.url + "/");
    await ready(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await context.setOffline(true);
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=chart-grades] svg");
    const boxes = await page.$$eval(".chart-card", (cs) => cs.map((c) => c.getBoundingClientRect().width));
    assert.ok(boxes.every((w) => w <= 360), `charts fit the phone: ${boxes}`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, "no sideways scrolling");
    // Every chart has a title and a text alternative.
    for (const id of ["chart-aging", "chart-grades", "chart-utilisation", "chart-dso", "chart-reps", "chart-movement"]) {
      assert.ok((await page.textContent(`[data-testid=${id}] svg title`)).length > 0, id);
      assert.ok(await page.locator(`[data-testid=${id}] details table`).count(), id);
    }
    const slice = page.locator("[data-testid=chart-grades] g.mark[aria-label^='A：']");
    await slice.scrollIntoViewIfNeeded();
    await slice.tap();
    await page.waitForSelector("[data-testid=chart-grades] .chart-tip");
    assert.equal(new URL(page.url()).pathname, "/", "the first tap only shows the tooltip");
    await slice.tap();
    await page.waitForURL(/\/reports\/aging\?grade=A$/);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    const grades = await page.$$eval("[data-testid=report-table] tbody tr td[data-label='评级']", (tds) => [...new Set(tds.map((td) => td.textContent))]);
    assert.deepEqual(grades, ["A"]);
    // On a phone each row is a card with its key figures, labelled.
    const card = await page.$eval("[data-testid=report-table] tbody tr", (tr) => ({
      display: getComputedStyle(tr).display,
      shown: [...tr.children].filter((td) => getComputedStyle(td).display !== "none").map((td) => td.dataset.label),
    }));
    assert.equal(card.display, "grid");
    assert.deepEqual(card.shown.slice(0, 3), ["公司名称", "应收余额", "逾期"], "the key figures first");
    assert.ok(card.shown.includes("逾期 1–30 天"), "then the other columns");
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, "the page itself does not");
    assert.deepEqual(errors.filter((e) => !e.includes("ERR_INTERNET_DISCONNECTED")), []);
  } finally {
    await b.close();
  }
});

test("the forecast's chart and its CSV agree week by week, by customer and by sales rep, and the back-test states its error", async () => {
  const b = await browser();
  const { page, errors } = b;
  try {
    await page.goto(server.url + "/");
    await ready(page);
    await page.goto(server.url + "/reports/forecast");
    await page.waitForSelector("[data-testid=forecast-chart] svg g.mark");
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    // The chart's figures, from its table: expected, band low, band high, for 13 weeks.
    const chart = await page.$$eval("[data-testid=forecast-chart] .chart-table tbody tr", (rs) =>
      rs.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
    assert.equal(chart.length, 13);
    const expected = chart.map((r) => cents(r[0]));
    for (const [i, r] of chart.entries()) {
      const [e, lo, hi] = r.map(cents);
      assert.ok(lo <= e && e <= hi, `week ${i + 1}'s band holds it: ${r}`);
    }
    assert.ok(expected.some((x) => x > 0), "the demo expects cash");
    const weekSums = (rows) => {
      const header = rows[0];
      const weeks = header.flatMap((h, i) => (/^第\d+周 /.test(h) ? [i] : []));
      assert.equal(weeks.length, 13, header.join("|"));
      return { header, weeks, sums: weeks.map((i) => rows.slice(1).reduce((s, r) => s + cents(r[i]), 0)) };
    };
    const byCustomer = await exportCsv(page);
    assert.match(byCustomer.name, /^creditdesk-forecast-\d{4}-\d{2}-\d{2}\.csv$/);
    const { header, weeks, sums } = weekSums(byCustomer.rows);
    assert.deepEqual(sums, expected, "each week's bar is its column's total in the file");
    // Every customer's open amount is placed: in a week, later, or at risk.
    for (const r of byCustomer.rows.slice(1)) {
      const placed = weeks.reduce((s, i) => s + cents(r[i]), 0) + cents(r[header.indexOf("之后")]) + cents(r[header.indexOf("风险")]);
      assert.equal(placed, cents(r[header.indexOf("应收余额")]), r[0]);
    }
    // By sales rep: a row per rep, the same weeks.
    await page.click("[data-testid=forecast-by-rep]");
    await page.waitForURL(/by=rep/);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    const byRep = await exportCsv(page);
    assert.ok(byRep.rows.length - 1 >= 2 && byRep.rows.length < byCustomer.rows.length, "fewer rows, one per rep");
    assert.deepEqual(weekSums(byRep.rows).sums, expected);
    // The back-test says how far last quarter's forecast was off.
    assert.match(await page.textContent("[data-testid=backtest-summary]"), /误差 \d+\.\d%，偏差 [+−]?\d+\.\d%；13 周中有 \d+ 周落在区间内/);
    await page.waitForSelector("[data-testid=backtest-chart] g.mark");
    assert.equal(await page.locator("[data-testid=backtest-chart] g.mark").count(), 26, "13 weeks forecast, 13 collected");
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
  }
});
