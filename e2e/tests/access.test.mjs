// End-to-end: field-level permissions. The administrator adds a "disputed balance" field and, on
// the same page, hides it from sales reps and makes the phone read-only for them. Finance fills
// both in. The rep's phone, signed in to the same server, never receives the disputed balance:
// not on Customer 360, not on the form, not in the device's own store. The phone is shown but
// cannot be changed. The rep saves the customer from the phone, and the value they never had is
// still on the server. The registered capital and the report score, rating inputs, are hidden
// from reps too: the phone never holds them, yet grades the customer exactly as the desk does,
// from the part of the score the server sends sealed in their place.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { appErrors, browser, ready, signIn, startServer, until } from "../lib.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test("a field hidden from sales reps never reaches a rep's phone, and a read-only one cannot be changed there", async () => {
  const desk = await browser();
  const phone = await browser({ width: 360, height: 760, mobile: true });
  try {
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
    await page.goto(server.url + "/fields");
    await page.waitForSelector("[data-testid=fields-editor]");
    await page.click("[data-testid=add-field]");
    const card = page.locator("[data-testid=field-0]");
    await card.locator("[data-testid=field-key]").fill("disputed_balance");
    await card.locator("[data-testid=field-kind]").selectOption("money");
    await card.locator("[data-testid=field-zh]").fill("争议余额");
    await card.locator("[data-testid=field-en]").fill("Disputed balance");
    // The matrix lists the new field once the editor is redrawn: save it first.
    await page.fill("#fields-why", "Disputes are finance's");
    await page.click("[data-testid=save-fields]");
    await page.waitForFunction(() => /v1$/.test(document.querySelector("[data-testid=fields-editor] h1")?.textContent ?? ""));
    // The name cannot be hidden: the choice is not offered.
    const nameChoices = await page.$$eval("[data-testid=access-name-sales_rep] option", (os) => os.map((o) => o.value));
    assert.deepEqual(nameChoices, ["", "read", "edit"]);
    await page.selectOption("[data-testid=access-custom\\.disputed_balance-sales_rep]", "hidden");
    await page.selectOption("[data-testid=access-phone-sales_rep]", "read");
    // A rating input may be hidden from reps, never from a role that edits scorecards.
    const financeChoices = await page.$$eval("[data-testid=access-registered_capital-finance_specialist] option", (os) => os.map((o) => o.value));
    assert.deepEqual(financeChoices, ["", "read", "edit"]);
    await page.selectOption("[data-testid=access-registered_capital-sales_rep]", "hidden");
    await page.selectOption("[data-testid=access-report_score-sales_rep]", "hidden");
    await page.fill("#fields-why", "Disputes are finance's; numbers come from the ERP");
    await page.click("[data-testid=save-fields]");
    await page.waitForFunction(() => /v2$/.test(document.querySelector("[data-testid=fields-editor] h1")?.textContent ?? ""));
    assert.equal(await page.inputValue("[data-testid=access-custom\\.disputed_balance-sales_rep]"), "hidden");

    // The administrator fills both in on the rep's customer.
    await page.goto(customerUrl + "/edit");
    await page.waitForSelector("#f-custom-disputed_balance");
    await page.fill("#f-custom-disputed_balance", "12,000.5");
    await page.fill("#f-phone", "13800000000");
    await page.click("[data-testid=save]");
    await page.waitForSelector("[data-testid=customer-360]");

    // The rep's phone: the phone number arrives, the disputed balance never does.
    await until(
      async () => {
        await rp.goto(customerUrl);
        await rp.waitForSelector("[data-testid=customer-360]");
        return /13800000000/.test(await rp.textContent("[data-testid=customer-360]"));
      },
      { timeout: 60_000, interval: 1000, what: "the phone number on the rep's phone" },
    );
    const text = await rp.textContent("[data-testid=customer-360]");
    assert.doesNotMatch(text, /12,000\.50|争议余额|Disputed balance/);
    const stored = JSON.parse(await rp.evaluate(() => window.wasmBindings.cd_test_stored_customers()));
    const id = new URL(customerUrl).pathname.split("/").pop();
    const held = stored.find((c) => c.id === id);
    assert.equal(held.phone, "13800000000", "the hook reads the device's store");
    assert.deepEqual(held.custom, {}, "no copy of the disputed balance on the device");
    assert.ok(stored.every((c) => !("disputed_balance" in c.custom)));
    assert.ok(
      stored.every((c) => c.profile.registered_capital === null && c.profile.report_score === null && c.sealed),
      "no registered capital or report score on the device, a sealed part instead",
    );
    // The rating: the hidden inputs as one row, the score the desk shows.
    await rp.waitForSelector("[data-testid=hidden-inputs]");
    assert.ok(await rp.isVisible("[data-testid=profile-hidden]"));
    const repScore = (await rp.textContent("[data-testid=score]")).trim();
    const repGrade = (await rp.textContent("[data-testid=rating] .grade")).trim();
    await page.goto(customerUrl);
    await page.waitForSelector("[data-testid=rating] [data-testid=score]");
    assert.equal(await page.locator("[data-testid=hidden-inputs]").count(), 0, "the desk sees every input");
    assert.equal((await page.textContent("[data-testid=score]")).trim(), repScore);
    assert.equal((await page.textContent("[data-testid=rating] .grade")).trim(), repGrade);

    // The form: no disputed balance, the phone shown but locked.
    await rp.goto(customerUrl + "/edit");
    await rp.waitForSelector("[data-testid=customer-form]");
    assert.equal(await rp.locator("#f-custom-disputed_balance").count(), 0);
    assert.ok(await rp.isDisabled("#f-phone"));
    await rp.fill("#f-contact_person", "李雷");
    await rp.click("[data-testid=save]");
    await rp.waitForSelector("[data-testid=customer-360]");

    // On the desk: the rep's change arrived, and the value the rep never had is still there.
    await until(
      async () => {
        await page.goto(customerUrl);
        await page.waitForSelector("[data-testid=customer-360]");
        return /李雷/.test(await page.textContent("[data-testid=customer-360]"));
      },
      { timeout: 60_000, interval: 1000, what: "the rep's change on the desk" },
    );
    assert.match(await page.textContent("[data-testid=customer-360]"), /12,000\.50/);

    assert.deepEqual(appErrors(desk.errors), []);
    assert.deepEqual(appErrors(phone.errors), []);
  } finally {
    await desk.close();
    await phone.close();
  }
});
