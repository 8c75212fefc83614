// End-to-end: keeping the book right. A wrongly typed payment is voided and the customer's overdue
// comes back (and the rules hold it again); a payment moves to another invoice; a credit note is
// recorded against an invoice; an invoice a payment still settles is not voided; a sales rep has
// no correction at hand. A credit note on account lowers nothing until it is applied.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { NOW, actAs, browser, cents, daysAfter, newCustomer, ready, serve, tile } from "../lib.mjs";

/** A day as the date inputs and the CSV write it (`2026-06-15`). */
const iso = (d) => d.toISOString().slice(0, 10);
const today = iso(NOW);

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

/** Fills and saves the invoice form: issued `issue`, `term` days, `amount`; returns its number. */
async function invoice(page, url, issue, term, amount) {
  await page.click("[data-testid=new-invoice]");
  const number = await page.inputValue("#f-number");
  await page.fill("#f-issue_date", issue);
  await page.fill("#f-term_days", String(term));
  await page.fill("#f-amount", amount);
  await page.click("[data-testid=save]");
  await page.waitForURL(url);
  return number;
}

/** Opens the void form of the button `button`, gives `reason` and confirms. */
async function voidWith(page, button, reason) {
  await page.click(button);
  await page.fill("[data-testid=void-reason]", reason);
  await page.click("[data-testid=void-confirm]");
}

test("a void wrongly typed payment brings the overdue back; a payment moves, a credit note is recorded, a settled invoice stays", async () => {
  const b = await browser();
  const { page } = b;
  try {
    const url = await newCustomer(page, server.url, "E2E 更正测试有限公司", "fs-1");

    // Issued 45 days ago on 30 days: overdue for 15 days; then paid in full.
    const first = await invoice(page, url, iso(daysAfter(-45)), 30, "5000");
    assert.equal(cents(await tile(page, "overdue")), 500000);
    await page.click("[data-testid=new-payment]");
    await page.fill("#f-amount", "5000");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    await page.waitForFunction(() => document.querySelector("[data-testid=overdue] .tile-value")?.textContent.includes("0.00"));

    // The payment was typed against the wrong customer: void it, saying why.
    // The form names what it voids, will not void without a reason, and cancelling voids nothing.
    await page.click("[data-testid=payments] [data-testid=void-payment]");
    await page.waitForSelector("[data-testid=void-form]");
    assert.match(await page.textContent("#void-title"), /作废 .*¥5,000\.00/);
    await page.click("[data-testid=void-cancel]");
    assert.equal(await page.locator("[data-testid=void-form]").count(), 0);
    assert.equal(await page.locator("[data-testid=payments] tr.void").count(), 0);
    await voidWith(page, "[data-testid=payments] [data-testid=void-payment]", "录错客户");
    await page.waitForSelector("[data-testid=payments] tr.void");
    assert.equal(cents(await tile(page, "overdue")), 500000, "the overdue is back");
    assert.match(await page.textContent("[data-testid=payments] tr.void"), /已作废.*录错客户/);
    // The rules see it again: ordering is held.
    await page.waitForSelector("[data-testid=held-by-rule]");

    // A new payment of 2000 goes oldest first onto the first invoice; a second invoice comes, and
    // the payment moves onto it.
    const second = await invoice(page, url, iso(daysAfter(-5)), 30, "3000");
    await page.click("[data-testid=new-payment]");
    await page.fill("#f-amount", "2000");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    const standing = page.locator("[data-testid=payments] tbody tr:not(.void)");
    assert.match(await standing.textContent(), new RegExp(`${first} ¥2,000\\.00`));
    await standing.locator("[data-testid=reallocate]").click();
    await page.waitForSelector("[data-testid=reallocated-payment]");
    const option = await page.$eval("#f-invoice", (s, n) => [...s.options].find((o) => o.text.startsWith(n)).value, second);
    await page.selectOption("#f-invoice", option);
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    assert.match(await page.locator("[data-testid=payments] tbody tr:not(.void)").textContent(), new RegExp(`${second} ¥2,000\\.00`));
    assert.equal(cents(await tile(page, "overdue")), 500000, "the first invoice is whole again");

    // A credit note of 1000 against the second invoice.
    await page.click(`[data-testid=invoices] tr[data-invoice="${second}"] [data-testid=credit-note]`);
    await page.fill("#f-amount", "1000");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    assert.equal(cents(await tile(page, "open-ar")), 500000 + 300000 - 200000 - 100000);

    // The second invoice is still settled by the payment and the credit note: it is not voided,
    // and the page says what to do first.
    await voidWith(page, `[data-testid=invoices] tr[data-invoice="${second}"] [data-testid=void-invoice]`, "金额录错");
    await page.waitForFunction(() => /请先重新核销/.test(document.querySelector("[data-testid=void-error]")?.textContent || ""));
    await page.click("[data-testid=void-cancel]");
    assert.equal(await page.locator("[data-testid=invoices] tr.void").count(), 0);

    // The first invoice, settled by nothing now, is voided; it stays in the list, struck through.
    await voidWith(page, `[data-testid=invoices] tr[data-invoice="${first}"] [data-testid=void-invoice]`, "重复开票");
    await page.waitForSelector(`[data-testid=invoices] tr.void[data-invoice="${first}"]`);
    assert.equal(cents(await tile(page, "overdue")), 0);
    assert.equal(cents(await tile(page, "open-ar")), 300000 - 200000 - 100000);

    // The payments table as CSV says what the page says: the void one with its reason, the
    // moved one with its new invoice, exact amounts.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-payments]")]);
    assert.equal(dl.suggestedFilename(), `E2E 更正测试有限公司-payments-${today}.csv`);
    const csv = readFileSync(await dl.path()).toString("utf8").replace(/^\ufeff/, "").trim().split(/\r?\n/);
    assert.equal(csv[0], "日期,金额,银行流水号,核销,未核销,作废");
    assert.equal(csv.length, 3, csv.join("\n"));
    assert.ok(csv.some((l) => l.includes("5000.00") && l.endsWith(`${today} 录错客户`)), csv.join("\n"));
    assert.ok(csv.some((l) => l.includes(`${second} 2000.00`)), csv.join("\n"));

    // Every correction is on the trail.
    await page.goto(server.url + "/audit");
    await ready(page);
    const trail = await page.textContent("[data-testid=audit]");
    for (const what of ["payment.voided", "payment.reallocated", "credit_note.recorded", "invoice.voided"]) {
      assert.ok(trail.includes(what) || (await page.locator(`[data-testid=audit] tr[data-what="${what}"]`).count()) > 0, what);
    }

    // A sales rep sees the customer's ledger but has no correction at hand.
    await page.goto(url);
    await ready(page);
    await actAs(page, "rep-1");
    await page.waitForSelector("[data-testid=customer-360]");
    assert.equal(await page.locator("[data-testid=void-payment], [data-testid=void-invoice], [data-testid=reallocate], [data-testid=credit-note], [data-testid=new-credit-note], [data-testid=apply-credit]").count(), 0);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("a credit note on account lowers no invoice until it is applied, oldest first, and the CSV says so", async () => {
  const b = await browser();
  const { page } = b;
  try {
    const url = await newCustomer(page, server.url, "E2E 返利挂账有限公司", "fs-1");
    const first = await invoice(page, url, iso(daysAfter(-45)), 30, "5000");
    await invoice(page, url, iso(daysAfter(-5)), 30, "3000");

    // The form wants a choice: an invoice, or on account on purpose.
    await page.click("[data-testid=new-credit-note]");
    const number = await page.inputValue("#f-number");
    await page.fill("#f-amount", "1200");
    await page.click("[data-testid=save]");
    await page.waitForSelector("[data-error-for=invoice]");
    assert.match(await page.textContent("[data-error-for=invoice]"), /必填/);
    assert.equal(await page.inputValue("#f-amount"), "1200", "what was typed stays");
    await page.selectOption("#f-invoice", "-");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    const row = page.locator(`tr[data-credit-note="${number}"]`);
    assert.match(await row.locator("[data-testid=credit-applied]").textContent(), /挂账/);
    assert.equal(cents(await tile(page, "open-ar")), 800000, "on account, it lowers nothing");
    assert.equal(cents(await tile(page, "overdue")), 500000);
    assert.equal(cents(await tile(page, "unapplied")), 120000);

    // Applied oldest first: the overdue invoice takes it, from today.
    await row.locator("[data-testid=apply-credit]").click();
    await page.waitForSelector("[data-testid=applied-credit-note]");
    assert.match(await page.textContent("[data-testid=applied-credit-note]"), /未核销 ¥1,200\.00/);
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    await page.waitForFunction(() => !document.querySelector("[data-testid=unapplied]"));
    assert.equal(cents(await tile(page, "open-ar")), 680000);
    assert.equal(cents(await tile(page, "overdue")), 380000);
    assert.equal(await row.locator("[data-testid=credit-applied]").textContent(), `${first} ¥1,200.00`);

    // The credit notes as CSV: where it was recorded (nowhere), where it applies now, nothing left.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-credit-notes]")]);
    const csv = readFileSync(await dl.path()).toString("utf8").replace(/^\ufeff/, "").trim().split(/\r?\n/);
    assert.equal(csv[0], "红字发票号,日期,金额,原发票,核销,未核销,作废");
    assert.deepEqual(csv.slice(1), [`${number},${today},1200.00,,${first} 1200.00,0.00,`]);

    await page.goto(server.url + "/audit");
    await ready(page);
    assert.ok((await page.locator('[data-testid=audit] tr[data-what="credit_note.applied"]').count()) > 0 || (await page.textContent("[data-testid=audit]")).includes("credit_note.applied"));
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
