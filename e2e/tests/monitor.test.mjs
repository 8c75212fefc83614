// End-to-end: monitoring as the days pass. An invoice falls due; the rules hold the customer's
// ordering, open a collection task for the rep and raise the alert; a payment closes the task.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auditCodes, browser, actAs, daysAfter, newCustomer, ready, serve } from "../lib.mjs";

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

test("an invoice falls overdue as the days pass: ordering is held, the rep gets a task and the alert; a payment closes the task", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cd-monitor-"));
  const name = "E2E 监控测试有限公司";
  let b;
  try {
    // Today: a new customer of 王伟 with an invoice due in three days.
    b = await browser({ dir });
    let { page } = b;
    const url = await newCustomer(page, server.url, name);
    await page.click("[data-testid=new-invoice]");
    await page.fill("#f-amount", "500");
    await page.fill("#f-term_days", "3");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    assert.equal(await page.locator("[data-testid=held-by-rule]").count(), 0, "nothing is due yet");
    assert.deepEqual(b.errors, []);
    await b.close();

    // Five days later the app opens again: the rules run for the new day.
    b = await browser({ dir, now: daysAfter(5) });
    page = b.page;
    await page.goto(url);
    await ready(page);
    await page.waitForSelector("[data-testid=held-by-rule]");
    assert.match(await page.textContent("[data-testid=held-by-rule]"), /W1002/);
    await page.click("[data-testid=new-order]");
    await page.fill("#f-amount", "1");
    await page.waitForSelector("[data-testid=check][data-outcome=block]");
    assert.match(await page.textContent("[data-testid=reasons]"), /冻结/);

    // The rep has the task and the alert.
    await actAs(page, "rep-1");
    await page.goto(server.url + "/tasks");
    await ready(page);
    const task = page.locator("[data-testid=task]", { hasText: name });
    await task.waitFor();
    assert.match(await task.textContent(), /待处理/);
    assert.match(await task.textContent(), /¥500\.00/);
    await page.goto(server.url + "/alerts");
    await ready(page);
    assert.match(await page.locator("[data-testid=alert]", { hasText: name }).textContent(), /W1002/);
    assert.ok(Number(await page.textContent("[data-testid=inbox-count]")) >= 2, "the badge counts the task and the alert");
    // The rep calls and notes it on the task (contacted is the form's first choice).
    await page.goto(server.url + "/tasks");
    await ready(page);
    await task.locator("input[aria-label='备注']").fill("电话联系，周五付款");
    await task.locator("button.primary").click();
    await page.waitForFunction((n) => [...document.querySelectorAll("[data-testid=task]")].some((t) => t.textContent.includes(n) && t.textContent.includes("已联系")), name);

    // Finance records the payment: the overdue is cleared and the task closes by itself.
    await actAs(page, "fs-1");
    await page.goto(url);
    await ready(page);
    await page.click("[data-testid=new-payment]");
    await page.fill("#f-amount", "500");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    await actAs(page, "rep-1");
    await page.goto(server.url + "/tasks");
    await ready(page);
    await page.waitForFunction(
      (n) => [...document.querySelectorAll("[data-testid=task]")].some((t) => t.textContent.includes(n) && t.textContent.includes("已付款")),
      name,
    );
    // The hold stays until an unfreeze request is approved (the rule does not lift it by itself).
    await page.goto(url);
    await ready(page);
    assert.equal(await page.locator("[data-testid=held-by-rule]").count(), 1);
    // Customer 360's history tells it all, newest first: the payment and the task closing, the
    // call with its note, the task and the alert of the day it fell overdue.
    const history = await page.$$eval("[data-testid=history-item]", (li) => li.map((l) => ({ kind: l.dataset.kind, text: l.textContent })));
    const kinds = history.map((h) => h.kind);
    for (const k of ["payment", "step", "task", "alert"]) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    assert.ok(kinds.indexOf("payment") < kinds.indexOf("alert"), `newest first: ${kinds}`);
    assert.match(history.find((h) => h.kind === "payment").text, /¥500\.00/);
    assert.ok(history.some((h) => h.kind === "step" && /已联系/.test(h.text) && h.text.includes("电话联系，周五付款")), JSON.stringify(history));
    assert.deepEqual(b.errors, []);
  } finally {
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the rule builder tests a rule on today's data and back-tests the rules before saving", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/rules");
    await ready(page);
    assert.equal(await page.locator("[data-testid=rule]").count(), 7, "the built-in rules");
    await page.click("text=新增规则");
    await page.waitForSelector("[data-testid=rule-editor]");
    await page.selectOption("[data-testid=rule-metric]", "max_days_overdue");
    await page.fill("[data-testid=rule-threshold]", "60");
    assert.match(await page.textContent("[data-testid=rule-words]"), /最长逾期天数 ≥ 60/);
    // Tested on today's data: as many customers as are 60 days overdue or more; none above any
    // real overdue; every customer with a ledger at 0.
    const wouldFire = async (threshold) => {
      await page.fill("[data-testid=rule-threshold]", threshold);
      await page.click("[data-testid=test-rule] >> nth=7");
      await page.waitForFunction(() => /该规则将触发的客户数：\s*\d+/.test(document.querySelector("[data-testid=would-fire]")?.textContent || ""));
      return Number((await page.textContent("[data-testid=would-fire]")).match(/该规则将触发的客户数：\s*(\d+)/)[1]);
    };
    const at60 = await wouldFire("60");
    assert.equal(await wouldFire("100000"), 0);
    const at0 = await wouldFire("0");
    assert.ok(at0 > at60 && at60 > 0, `0 days: ${at0}, 60 days: ${at60}`);
    await page.fill("[data-testid=rule-threshold]", "60");
    await page.click("[data-testid=backtest]");
    await page.waitForSelector("[data-testid=backtest-table] tbody tr");
    assert.equal(await page.locator("[data-testid=backtest-table] tbody tr").count(), 12);
    // Its CSV has the same twelve month ends, and a total per month that matches the page's.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-backtest]")]);
    const csv = readFileSync(await dl.path()).toString("utf8").replace(/^\ufeff/, "").trim().split(/\r?\n/);
    assert.equal(csv.length, 13, csv.join("\n"));
    assert.match(csv[0], /^月末,.*预警合计,暂扣客户,暂扣客户逾期$/);
    const shown = await page.$$eval("[data-testid=backtest-table] tbody tr td:nth-child(2)", (tds) =>
      tds.map((td) => td.textContent.split(" ").filter(Boolean).reduce((n, p) => n + Number(p.split("×")[1]), 0)));
    const total = csv[0].split(",").indexOf("预警合计");
    assert.deepEqual(csv.slice(1).map((l) => Number(l.split(",")[total])), shown);
    await page.fill("[data-testid=rule-threshold]", "abc");
    await page.click("[data-testid=save-rules]");
    assert.match(await page.textContent("[data-testid=rule-problems]"), /RU006 W1107/, "an unreadable threshold is refused, named");
    await page.fill("#rules-why", "E2E: long overdue");
    await page.fill("[data-testid=rule-threshold]", "60");
    await page.click("[data-testid=save-rules]");
    await page.waitForSelector("h1:has-text('v2')");
    await page.goto(server.url + "/audit");
    await ready(page);
    assert.ok((await auditCodes(page)).includes("rules.changed"));
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
