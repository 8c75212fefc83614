// End-to-end: the customer's file. A rep logs a visit on Customer 360's history. A contract
// lapsing in 20 days goes on the file: finance gets the W1007 warning and opens the file.
// A disputed invoice. Two new customers each have an invoice due in three days; one
// customer disputes its invoice. Five days later both invoices are overdue: the rules hold the
// other customer's ordering and leave the disputed one out (the default policy), whose order
// passes the check although its receivables still count. The disputes report lists the dispute
// with its age; a credit note for part of it resolves it, and the rest, overdue again, is held.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { actAs, browser, cents, daysAfter, newCustomer, ready, serve, tile } from "../lib.mjs";

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

/** Records an invoice of `amount` due in `term` days on the customer page `url`; its number. */
async function invoice(page, url, amount, term) {
  await page.click("[data-testid=new-invoice]");
  const number = await page.inputValue("#f-number");
  await page.fill("#f-amount", amount);
  await page.fill("#f-term_days", String(term));
  await page.click("[data-testid=save]");
  await page.waitForURL(url);
  return number;
}

test("a disputed overdue invoice is left out of the holds but not the receivables; a credit note for part of it brings the rest back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cd-disputes-"));
  const name = "E2E 争议测试有限公司";
  const other = "E2E 无争议对照有限公司";
  let b;
  try {
    b = await browser({ dir });
    let { page } = b;
    const control = await newCustomer(page, server.url, other);
    await invoice(page, control, "5000", 3);
    const url = await newCustomer(page, server.url, name);
    const number = await invoice(page, url, "5000", 3);
    assert.equal(await page.locator("[data-testid=disputes]").count(), 0);

    // The form says what is wrong at its field and keeps what was typed.
    const row = `[data-testid=invoices] tr[data-invoice="${number}"]`;
    await page.click(`${row} [data-testid=dispute-invoice]`);
    await page.waitForSelector("[data-testid=dispute-form]");
    assert.match(await page.textContent("#dispute-title"), new RegExp(number));
    await page.fill("[data-testid=dispute-amount]", "6000");
    await page.click("[data-testid=dispute-save]");
    await page.waitForSelector("[data-testid=dispute-form] [data-field=amount]");
    assert.match(await page.textContent("[data-testid=dispute-form] [data-field=amount]"), /超过未结金额/);
    assert.match(await page.textContent("[data-testid=dispute-form] [data-field=reason]"), /必填/);
    assert.equal(await page.inputValue("[data-testid=dispute-amount]"), "6000");
    // All of it (an empty amount), for damaged goods.
    await page.fill("[data-testid=dispute-amount]", "");
    await page.selectOption("[data-testid=dispute-category]", "quality");
    await page.fill("[data-testid=dispute-reason]", "部分货物到货破损");
    await page.click("[data-testid=dispute-save]");
    await page.waitForSelector("[data-testid=disputes] [data-testid=dispute-row]");
    assert.equal(await page.locator("[data-testid=dispute-form]").count(), 0);
    assert.equal(cents(await tile(page, "disputed")), 500000);
    assert.match(await page.textContent(`${row} [data-testid=invoice-disputed]`), /争议中 ¥5,000\.00/);
    assert.equal(await page.locator(`${row} [data-testid=dispute-invoice]`).count(), 0, "one open dispute per invoice");
    assert.match(await page.textContent("[data-testid=history]"), /提出争议：.*¥5,000\.00 · 质量/);
    await b.close();

    // Five days later both invoices are two days overdue. The rules hold the other customer...
    b = await browser({ dir, now: daysAfter(5) });
    page = b.page;
    await page.goto(control);
    await ready(page);
    await page.waitForSelector("[data-testid=held-by-rule]");
    /** The order check's reasons for an order of ¥1 on the customer page open now. */
    const reasons = async () => {
      await page.click("[data-testid=new-order]");
      await page.fill("#f-amount", "1");
      await page.waitForSelector("[data-testid=check] [data-testid=reasons]");
      return page.textContent("[data-testid=check] [data-testid=reasons]");
    };
    assert.match(await reasons(), /有逾期 ¥5,000\.00/);
    // ...and leave the disputed one out: still owed and overdue on the ledger, shown apart.
    await page.goto(url);
    await ready(page);
    assert.equal(cents(await tile(page, "overdue")), 500000);
    assert.equal(cents(await tile(page, "disputed")), 500000);
    assert.equal(cents(await tile(page, "open-ar")), 500000);
    assert.equal(await page.locator("[data-testid=held-by-rule]").count(), 0);
    // Its order is not stopped by the overdue (only by having no limit yet).
    const why = await reasons();
    assert.doesNotMatch(why, /逾期|冻结/);
    assert.match(why, /额度/);

    // The disputes report lists it with its age and days past due; its CSV says the same.
    await page.goto(server.url + "/reports/disputes");
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    const line = page.locator("[data-testid=report-table] tbody tr", { hasText: name });
    assert.equal(await line.count(), 1);
    assert.match(await line.textContent(), new RegExp(`${number}.*¥5,000\\.00.*质量`));
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-csv]")]);
    const csv = readFileSync(await dl.path()).toString("utf8");
    assert.match(csv, new RegExp(`${name},${number},5000\\.00,5,2,质量,`), csv.slice(0, 400));

    // Resolved by a credit note of 1,000: the dispute closes, and 4,000 overdue holds ordering.
    await page.goto(url);
    await ready(page);
    await page.click("[data-testid=disputes] [data-testid=resolve-dispute]");
    await page.waitForSelector("[data-testid=dispute-form]");
    await page.check("input[name=resolve-outcome][value=credit_note]");
    await page.fill("[data-testid=resolve-amount]", "1000");
    await page.fill("[data-testid=resolve-note]", "同意折让 1000");
    await page.click("[data-testid=dispute-save]");
    await page.waitForFunction(() => /已开红字发票 ¥1,000\.00/.test(document.querySelector("[data-testid=dispute-status]")?.textContent || ""));
    assert.equal(cents(await tile(page, "open-ar")), 400000);
    assert.equal(await page.locator("[data-testid=disputed]").count(), 0);
    assert.equal(await page.locator("[data-testid=disputes] [data-testid=resolve-dispute]").count(), 0);
    await page.waitForSelector("[data-testid=held-by-rule]");
    assert.deepEqual(b.errors, []);
  } finally {
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a rep logs a visit on the customer's history: a problem is said at its field, and the visit stays after a reload", async () => {
  const b = await browser();
  const { page } = b;
  try {
    const url = await newCustomer(page, server.url, "E2E 联系记录有限公司", "rep-1");
    await page.click("[data-testid=history] [data-testid=log-contact]");
    await page.selectOption("[data-testid=contact-channel]", "visit");
    await page.fill("[data-testid=contact-with]", "采购部张经理");
    await page.click("[data-testid=contact-save]");
    await page.waitForSelector("[data-testid=contact-form] [data-field=note]");
    assert.match(await page.textContent("[data-testid=contact-form] [data-field=note]"), /必填/);
    assert.equal(await page.inputValue("[data-testid=contact-with]"), "采购部张经理", "nothing typed is lost");
    await page.fill("[data-testid=contact-note]", "本周五支付三月发票");
    await page.click("[data-testid=contact-save]");
    const item = page.locator("[data-testid=history-item][data-kind=contact]");
    await item.waitFor();
    assert.match(await item.textContent(), /王伟 · 拜访 · 采购部张经理.*本周五支付三月发票/);
    assert.equal(await page.locator("[data-testid=contact-form]").count(), 0);
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=history-item][data-kind=contact]");
    assert.equal(page.url(), url);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("a contract lapsing in 20 days goes on the customer's file: finance is warned and opens the file", async () => {
  const b = await browser();
  const { page } = b;
  try {
    const name = "E2E 合同到期有限公司";
    const url = await newCustomer(page, server.url, name, "rep-1");
    await page.click("[data-testid=add-document]");
    await page.click("[data-testid=document-save]");
    await page.waitForSelector("[data-testid=document-form] [data-field=file]");
    assert.match(await page.textContent("[data-testid=document-form] [data-field=title]"), /必填/);
    assert.match(await page.textContent("[data-testid=document-form] [data-field=file]"), /必填/);
    const pdf = Buffer.from("%PDF-1.4 framework supply contract");
    await page.fill("[data-testid=document-title]", "框架供货合同");
    await page.fill("[data-testid=document-expires-input]", daysAfter(20).toISOString().slice(0, 10));
    await page.setInputFiles("[data-testid=document-file-input]", { name: "contract.pdf", mimeType: "application/pdf", buffer: pdf });
    await page.click("[data-testid=document-save]");
    await page.waitForSelector("[data-testid=documents] [data-testid=document-row]");
    const row = page.locator("[data-testid=document-row]");
    assert.match(await row.textContent(), /合同.*框架供货合同.*contract\.pdf/);
    assert.equal(await row.locator("[data-testid=document-expires].pill.warn").count(), 1, "lapsing within 30 days shows amber");

    // Finance sees the warning, and the file opens with its bytes.
    await actAs(page, "fs-1");
    await page.goto(server.url + "/alerts");
    await ready(page);
    const alert = page.locator("[data-testid=alert]", { hasText: name });
    await alert.waitFor();
    assert.match(await alert.textContent(), /将在 20 天后到期.*W1007/);
    await page.goto(url);
    await ready(page);
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=document-file]")]);
    assert.equal(dl.suggestedFilename(), "contract.pdf");
    assert.deepEqual(readFileSync(await dl.path()), pdf);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
