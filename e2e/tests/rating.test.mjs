// End-to-end: the scorecard explained, edited, published and exchanged; grade overrides.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { browser, ready, serve, until } from "../lib.mjs";

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

const gradeCounts = (page) =>
  page.$$eval("[data-testid=grade-counts] .grade-count", (els) => els.map((e) => e.textContent.replace(/\s+/g, " ").trim()).join(" | "));

test("Customer 360 explains the grade factor by factor, and the parts add up to the score", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.click(".vrow >> nth=3");
    await page.waitForSelector("[data-testid=rating]");
    const score = Number(await page.textContent("[data-testid=score]"));
    assert.ok(score >= 0 && score <= 100, `score ${score}`);
    const grade = (await page.textContent("[data-testid=rating] .grade")).trim();
    assert.match(grade, /^(AAA|AA|A|B|C)$/);
    const rows = await page.$$eval("[data-testid=factors] tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
    assert.equal(rows.length, 17, "every factor of the default model is shown");
    // Factor, contribution, points, value, weight, effective weight: what moves the score first.
    const sum = rows.reduce((s, r) => s + Math.round(Number(r[1]) * 100), 0);
    assert.equal(sum, Math.round(score * 100), "contributions add up to the score");
    const effective = rows.reduce((s, r) => s + Math.round(Number(r[5].replace("%", "")) * 100), 0);
    assert.equal(effective, 10000, "effective weights add up to 100%");
    for (const r of rows) assert.equal(r[3] === "无数据", r[2] === "—", `missing data has no points: ${r}`);
    const categories = rows.find((r) => r[0] === "采购品类数");
    assert.match(categories[3], /^(\d+|无数据)$/);
    await page.waitForSelector("svg.waterfall rect");
    assert.equal(await page.locator("svg.waterfall rect").count(), 18, "a bar per factor and the total");
    const hint = await page.textContent("[data-testid=hint]");
    if (grade === "AAA") assert.equal(hint, "已是最高评级。");
    else assert.ok(hint.startsWith("升至") || hint === "单靠任何一个因子都不足以提升一级评级。", hint);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("a finance manager edits a draft, sees the migration, publishes, and grades change", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/scorecard");
    await ready(page);
    const before = await gradeCounts(page);
    await page.click("[data-testid=edit-draft]");
    await page.waitForSelector("[data-testid=migration]");
    assert.equal(await page.textContent("[data-testid=change-count]"), "0", "an unchanged draft moves nobody");
    // Pay behaviour counts twice as much, the external report far less.
    await page.fill("[data-testid=weight-avg_days_to_pay]", "16");
    // On the way the weights add up to 108%: the draft cannot be graded, and the last valid
    // draft's migration stays on screen, marked stale.
    await page.waitForSelector("[data-testid=migration][data-stale] [data-testid=what-if-stale]");
    assert.equal(await page.textContent("[data-testid=change-count]"), "0");
    await page.fill("[data-testid=weight-report_score]", "2");
    await page.waitForSelector("[data-testid=migration]:not([data-stale])");
    assert.equal(await page.$("[data-testid=what-if-stale]"), null);
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=change-count]").textContent) > 0);
    const changed = Number(await page.textContent("[data-testid=change-count]"));
    const offDiagonal = await page.$$eval("[data-testid=migration] td[data-cell]", (tds) =>
      tds.filter((td) => { const [a, b] = td.dataset.cell.split("-"); return a !== b; })
        .reduce((n, td) => n + Number(td.querySelector("strong").textContent), 0));
    assert.equal(offDiagonal, changed, "the matrix and the list agree");
    // The what-if list exports every change (the page shows the first hundred).
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-what-if]")]);
    assert.match(dl.suggestedFilename(), /^what-if-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await dl.path()).toString("utf8").replace(/^\ufeff/, "").trim().split(/\r?\n/);
    assert.equal(csv[0], "客户,现评级,新评级,现得分,新得分,敞口");
    assert.equal(csv.length - 1, changed, "a row per customer whose grade moves");
    const whatIf = await page.evaluate(() => window.__cd_what_if_ms);
    assert.ok(typeof whatIf === "number");
    await page.click("[data-testid=publish]");
    await page.waitForSelector("[data-testid=draft]", { state: "detached" });
    assert.match(await page.textContent(".scorecard h2"), /v2/);
    const afterPublish = await gradeCounts(page);
    assert.notEqual(afterPublish, before, "grades moved");
    await page.reload();
    await ready(page);
    assert.match(await page.textContent(".scorecard h2"), /v2/, "the new version is kept");
    assert.equal(await gradeCounts(page), afterPublish);
    await page.click("details > summary");
    assert.equal(await page.locator("details.version").count(), 2, "old versions stay readable");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("a draft that breaks a rule cannot be published, and a bad file is refused with every problem", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/scorecard");
    await ready(page);
    await page.click("[data-testid=edit-draft]");
    await page.fill("[data-testid=weight-avg_days_to_pay]", "9");
    await page.waitForSelector("[data-testid=problems] ul.problems");
    const problems = await page.textContent("[data-testid=problems]");
    assert.match(problems, /权重合计须为 100%，现为 101%/);
    assert.match(problems, /W-SUM/);
    assert.ok(await page.isDisabled("[data-testid=publish]"));
    // A draft mid-edit is kept as it is, rule-breaking and all: reload once it is stored.
    const storedWeight = () =>
      page.evaluate(
        () =>
          new Promise((ok) => {
            const open = indexedDB.open("creditdesk");
            open.onsuccess = () => {
              const get = open.result.transaction("models", "readonly").objectStore("models").get("draft");
              get.onsuccess = () => {
                const f = get.result && JSON.parse(get.result).factors.find((f) => f.key === "avg_days_to_pay");
                open.result.close();
                ok(f ? Number(f.weight) : null);
              };
              get.onerror = () => ok(null);
            };
            open.onerror = () => ok(null);
          }),
      );
    await until(async () => (await storedWeight()) === 9, { what: "the draft stored" });
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=problems] ul.problems");
    assert.equal(await page.inputValue("[data-testid=weight-avg_days_to_pay]"), "9");
    await page.fill("[data-testid=weight-avg_days_to_pay]", "abc");
    assert.equal(await page.getAttribute("[data-testid=weight-avg_days_to_pay]", "aria-invalid"), "true");
    await page.fill("[data-testid=weight-avg_days_to_pay]", "8");
    await page.waitForSelector("[data-testid=problems] p.ok");

    const dir = mkdtempSync(join(tmpdir(), "cd-model-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({
      thresholds: { AAA: 80, AA: 90, A: 70, B: 60 },
      factors: [{ key: "avg_days_to_pay", weight: 50, bins: [{ max: 30, points: 100 }, { min: 40, points: 50 }] }],
    }));
    await page.setInputFiles("[data-testid=import]", bad);
    await page.waitForSelector("[data-testid=import-problems]");
    const text = await page.textContent("[data-testid=import-problems]");
    for (const code of ["B-GAP", "W-SUM", "T-ORDER"]) assert.match(text, new RegExp(code));
    assert.match(text, /factors\[0\]\.bins\[1\]/, "says where");
    assert.equal(await page.inputValue("[data-testid=weight-avg_days_to_pay]"), "8", "the draft being edited stays");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("a grade override is a request: its form checks every field and the grade stays until approved", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.click(".vrow >> nth=1");
    await page.waitForSelector("[data-testid=rating]");
    const url = page.url();
    const grade = (await page.textContent("[data-testid=rating] .grade")).trim();
    const target = grade === "AAA" ? "AA" : "AAA";
    await page.click("[data-testid=request-override]");
    await page.waitForSelector("[data-testid=request-form]");
    assert.equal(await page.inputValue("select[name=action]"), "override");
    await page.click("[data-testid=submit-request]");
    await page.waitForSelector("[data-testid=request-form] .form-message");
    assert.equal((await page.textContent("[data-error-for=reason]")).trim(), "必填");
    await page.selectOption("select[name=to]", grade);
    await page.fill("textarea[name=reason]", "母公司提供连带责任担保，已签署担保函。");
    await page.click("[data-testid=submit-request]");
    assert.equal((await page.textContent("[data-error-for=to]")).trim(), "与当前值相同");
    await page.selectOption("select[name=to]", target);
    await page.click("[data-testid=submit-request]");
    await page.waitForSelector("[data-testid=timeline]");
    await page.goto(url);
    await ready(page);
    await page.waitForSelector("[data-testid=requests]");
    const req = await page.textContent("[data-testid=requests]");
    assert.ok(req.includes("审批中") && req.includes(`${grade} → ${target}`) && req.includes("担保函"), req);
    assert.equal((await page.textContent("[data-testid=rating] .grade")).trim(), grade, "not applied silently");
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=requests]");
    assert.ok((await page.textContent("[data-testid=requests]")).includes("担保函"));
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
