// End-to-end: a customer with no history. Its grade is provisional (too little data), shown as such
// on Customer 360 and in the list; an invoice paid the same day does not lift it past the model's
// ceiling; its first order is told it has no limit and is offered a first-limit request, not "an
// order of at most ¥0.00".
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { NOW, actAs, browser, cents, newCustomer, ready, serve } from "../lib.mjs";

const today = NOW.toISOString().slice(0, 10);

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

test("a new customer is graded provisionally, a same-day paid invoice does not lift it, and its first order asks for a first limit", async () => {
  const b = await browser();
  const { page } = b;
  const name = "E2E 新客户评级有限公司";
  try {
    const url = await newCustomer(page, server.url, name, "fs-1");

    // No history: provisional, with why in place of "what would lift the grade".
    await page.waitForSelector("[data-testid=rating] [data-testid=provisional]");
    assert.equal(await page.locator("[data-testid=rating] .grade.provisional").count(), 1);
    assert.match(await page.textContent("[data-testid=hint]"), /^暂定评级：首张发票起 0\/3 个月.*数据充足前评级最高为 B/);
    const gradeBefore = (await page.textContent("[data-testid=rating] .grade")).trim();
    assert.ok(["B", "C"].includes(gradeBefore), gradeBefore);

    // An invoice of ¥12,345.60 paid the same day: still provisional, still no better than B.
    await page.click("[data-testid=new-invoice]");
    await page.fill("#f-issue_date", today);
    await page.fill("#f-term_days", "30");
    await page.fill("#f-amount", "12345.60");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    await page.click("[data-testid=new-payment]");
    await page.fill("#f-amount", "12345.60");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    await page.waitForSelector("[data-testid=rating] [data-testid=provisional]");
    const gradeAfter = (await page.textContent("[data-testid=rating] .grade")).trim();
    assert.ok(["B", "C"].includes(gradeAfter), `a same-day paid invoice does not earn ${gradeAfter}`);

    // The list shows the grade as provisional too.
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.fill("input.search", name);
    const row = page.locator("[data-testid=customer-list] .vrow", { hasText: name });
    await row.waitFor();
    assert.equal(await row.locator(".grade.provisional").count(), 1);
    assert.match(await row.locator(".grade").getAttribute("title"), /暂定/);

    // Its first order: no limit yet, and the way to one.
    await page.goto(url);
    await ready(page);
    await actAs(page, "rep-1");
    await page.click("[data-testid=new-order]");
    await page.fill("#f-amount", "5000");
    await page.waitForSelector("[data-testid=check][data-outcome=block]");
    assert.match(await page.textContent("[data-testid=reasons]"), /客户尚无信用额度/);
    const remedies = await page.textContent("[data-testid=remedies]");
    assert.match(remedies, /申请首次额度 ¥[\d,]+\.\d\d（需审批）/);
    assert.doesNotMatch(remedies, /订单金额不超过/, "not offered an order of at most ¥0.00");
    await page.click("[data-testid=request-first-limit]");
    await page.waitForSelector("[data-testid=request-form]");
    assert.equal(await page.inputValue("select[name=action]"), "first");
    assert.ok(cents(await page.inputValue("#f-amount")) >= 500000, "the first limit that lets the order pass is prefilled");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
