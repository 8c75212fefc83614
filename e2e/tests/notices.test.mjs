// End-to-end: notices from the server. The administrator sets who reports to whom and where to
// reach them on the settings page; a rep sets their own address (and cannot see anyone else's);
// a request a rep files reaches its approvers' Messages with nobody else's browser open, and the
// administrator's log lists the e-mail waiting for a relay. (E-mail itself is tested against a
// real SMTP server in src/server/tests/notices.rs.)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { browser, daysAfter, openCustomerWhere, signIn, startServer, until } from "../lib.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

const iso = (d) => d.toISOString().slice(0, 10);

test("the administrator sets addresses and managers, a rep sets their own, and a filed request reaches its approvers' messages", async () => {
  const admin = await browser();
  const rep = await browser({ width: 360, height: 760, mobile: true });
  const manager = await browser();
  try {
    // The administrator: sm-1's address, rep-1 reports to sm-1.
    let page = admin.page;
    await page.goto(server.url + "/");
    await signIn(page, "admin");
    await page.goto(server.url + "/settings");
    await page.waitForSelector("[data-testid=people-contacts]");
    const row = (user) => page.locator(`[data-testid=contact-row][data-user="${user}"]`);
    await row("sm-1").locator("[data-testid=contact-email]").fill("not an address");
    await row("sm-1").locator("[data-testid=contact-email]").dispatchEvent("change");
    await page.click("[data-testid=save-notices]");
    // A wrong address is refused with its code and place; nothing is saved.
    const refused = await page.waitForSelector("[data-testid=notices-error]");
    assert.match(await refused.textContent(), /N001 user sm-1: email/);
    await row("sm-1").locator("[data-testid=contact-email]").fill("sm1@example.com");
    await row("sm-1").locator("[data-testid=contact-email]").dispatchEvent("change");
    await row("rep-1").locator("[data-testid=contact-manager]").selectOption("sm-1");
    await page.click("[data-testid=save-notices]");
    await page.waitForSelector("[data-testid=notices-saved]");
    await page.reload();
    await page.waitForSelector("[data-testid=people-contacts]");
    assert.equal(await row("sm-1").locator("[data-testid=contact-email]").inputValue(), "sm1@example.com");
    assert.equal(await row("rep-1").locator("[data-testid=contact-manager]").inputValue(), "sm-1");
    // The log and the jobs are there; the schedule's first runs are listed.
    await page.waitForSelector("[data-testid=delivery-log]");

    // The rep on a phone: their own address and channels; nobody else's, no manager to pick.
    page = rep.page;
    await page.goto(server.url + "/");
    await signIn(page, "rep-1");
    await page.goto(server.url + "/settings");
    await page.waitForSelector("[data-testid=my-email]");
    assert.equal(await page.locator("[data-testid=people-contacts]").count(), 0);
    assert.equal(await page.locator("[data-testid=delivery-log]").count(), 0);
    await page.fill("[data-testid=my-email]", "rep1@example.com");
    await page.dispatchEvent("[data-testid=my-email]", "change");
    // Alerts of my customers: the app's messages only, not e-mail.
    const alerts = page.locator("[data-testid=my-channels-alert]");
    await alerts.locator("input[data-channel=email]").uncheck();
    await page.click("[data-testid=save-notices]");
    await page.waitForSelector("[data-testid=notices-saved]");
    // Who the session is may come after the settings on a reload (a slow answer, as once in CI):
    // the page shows nobody's blank address meanwhile, it waits.
    const slowMe = async (route) => {
      await new Promise((r) => setTimeout(r, 1_500));
      await route.continue();
    };
    await page.route("**/api/v1/me", slowMe);
    await page.reload();
    await page.waitForSelector("[data-testid=my-email]");
    await page.unroute("**/api/v1/me", slowMe);
    assert.equal(await page.inputValue("[data-testid=my-email]"), "rep1@example.com");
    assert.equal(await alerts.locator("input[data-channel=email]").isChecked(), false);
    assert.equal(await alerts.locator("input[data-channel=inbox]").isChecked(), true);

    // The rep files a temporary increase; the sales managers are its first approvers.
    const { limit, url } = await openCustomerWhere(page, server.url, (f) => f.limit > 0 && f.openAr > 0 && !f.open && !f.frozen, { what: "a customer with a limit, an open invoice and no request open" });
    await page.click("[data-testid=change-limit]");
    await page.waitForSelector("[data-testid=request-form]");
    await page.selectOption("select[name=action]", "temporary");
    await page.fill("#f-amount", ((limit + 1_000_000) / 100).toFixed(2));
    await page.fill("#f-end", iso(daysAfter(10)));
    await page.fill("#f-reason", "Trade fair orders");
    await page.click("[data-testid=submit-request]");
    await page.waitForSelector("[data-testid=timeline]");
    const customer = (await page.textContent("h1")).trim();

    // A reminder to the customer goes from the server, in the customer's language (the English
    // demo's customers are written to in English), and says where it went.
    await page.goto(url + "/notice");
    await page.waitForSelector("[data-testid=notice]");
    assert.match(await page.textContent("[data-testid=notice]"), /^Dear /);
    await page.click("[data-testid=send-reminder]");
    const toast = await page.waitForSelector("[data-testid=toast]");
    assert.match(await toast.textContent(), /(正在发送至|On its way to) \S+@\S+/);
    // A customer with nothing open gets no letter of "¥0.00 open": the page says so and offers
    // nothing to send.
    const paidUp = await openCustomerWhere(page, server.url, (f) => f.openAr === 0, { what: "a customer with no open invoice" });
    await page.goto(paidUp.url + "/notice");
    await page.waitForSelector("[data-testid=nothing-to-remind]");
    assert.equal(await page.locator("[data-testid=send-reminder], [data-testid=mailto]").count(), 0);
    // The page leads back to the customer.
    await page.click("[data-testid=notice-customer]");
    await page.waitForURL(paidUp.url);

    // sm-1 opens Messages: the request is there, with what it asks and who asked.
    page = manager.page;
    await page.goto(server.url + "/");
    await signIn(page, "sm-1");
    const text = await until(async () => {
      await page.goto(server.url + "/messages");
      await page.waitForSelector("[data-testid=messages], [data-testid=no-messages]");
      const all = await page.locator("[data-testid=message]").allTextContents();
      return all.find((t) => t.includes("待您审批") || t.includes("Waiting for your decision"));
    }, { timeout: 60_000, interval: 1_000, what: "the request in sm-1's messages" });
    assert.ok(text.length > 0);
    await page.locator("[data-testid=message] summary").first().click();
    const body = await page.locator("[data-testid=message] pre").first().textContent();
    assert.match(body, /Trade fair orders/);

    // The administrator's log: sm-1's e-mail waits for a relay (none is configured), kept.
    page = admin.page;
    const waiting = await until(async () => {
      await page.goto(server.url + "/settings");
      await page.waitForSelector("[data-testid=delivery-log]");
      const rows = await page.locator("[data-testid=delivery][data-status=pending]").allTextContents();
      return rows.find((t) => t.includes("sm1@example.com"));
    }, { timeout: 60_000, interval: 1_000, what: "the e-mail in the log" });
    assert.match(waiting, /--smtp-url|relay/);
    void customer;
  } finally {
    await admin.close();
    await rep.close();
    await manager.close();
  }
});

test("on a 360 px phone the administrator sees each person's address, manager and language without scrolling sideways", async () => {
  const phone = await browser({ width: 360, height: 760, mobile: true });
  try {
    const { page } = phone;
    await page.goto(server.url + "/");
    await signIn(page, "admin");
    await page.goto(server.url + "/settings");
    await page.waitForSelector("[data-testid=people-contacts]");
    // Nothing of the people's table lies beyond its frame.
    const frame = await page.$eval("[data-testid=people-contacts]", (t) => {
      const f = t.parentElement;
      return { scroll: f.scrollWidth, client: f.clientWidth };
    });
    assert.ok(frame.scroll <= frame.client, `the people's table is ${frame.scroll} px wide in a ${frame.client} px frame`);
    // Each field of a person is on the screen and says what it is.
    const row = page.locator("[data-testid=contact-row][data-user=rep-1]");
    for (const field of ["[data-testid=contact-email]", "[data-testid=contact-manager]", "select:not([data-testid])"]) {
      const box = await row.locator(field).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `${field} is on a 360 px screen: ${JSON.stringify(box)}`);
      assert.ok(await row.locator(field).getAttribute("aria-label"), `${field} has a label`);
    }
    await row.locator("[data-testid=contact-manager]").selectOption("sm-1");
    assert.equal(await row.locator("[data-testid=contact-manager]").inputValue(), "sm-1");
  } finally {
    await phone.close();
  }
});
