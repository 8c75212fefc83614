// End-to-end: credit limits hidden from sales reps. The administrator hides them in the field
// permission matrix (the finance specialist's cell, who reads the audit trail, does not offer it).
// The rep's phone, signed in to the same server, then holds no limit amount in its store and shows
// none: no limit, available credit or utilisation on Customer 360, nor on the dashboard. Offline,
// the rep takes an order far over the customer's limit: the phone cannot check the limit, says the
// server will, and saves it. Back online, the server checks it as the rep, holds it, and the phone
// says so; the desk sees it held.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { appErrors, browser, creditFacts, ready, signIn, startServer, synced, until } from "../lib.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

const shots = process.env.SHOTS_DIR;

test("limits hidden from sales reps never reach a rep's phone, whose orders the server then checks", async () => {
  const desk = await browser();
  const phone = await browser({ width: 360, height: 760, mobile: true });
  try {
    const rp = phone.page;
    await rp.goto(server.url + "/");
    await signIn(rp, "rep-1");
    await rp.goto(server.url + "/customers");
    await ready(rp);
    const hrefs = await rp.$$eval(".vrow", (rs) => rs.map((r) => r.getAttribute("href")).filter(Boolean));

    // On the desk, one of the rep's customers with credit left, not frozen, nothing overdue: an
    // order far over its limit would be held for that alone.
    const page = desk.page;
    await page.goto(server.url + "/");
    await signIn(page, "admin");
    let chosen = null;
    for (const href of hrefs.slice(0, 30)) {
      await page.goto(new URL(href, server.url).href);
      const f = await creditFacts(page);
      if (!f.frozen && f.overdue === 0 && f.available > 0) {
        chosen = f;
        break;
      }
    }
    assert.ok(chosen, "a customer of rep-1 with credit left");
    const customerUrl = chosen.url;

    // The matrix: limits hidden from reps; not offered for the finance specialist.
    await page.goto(server.url + "/fields");
    await page.waitForSelector("[data-testid=fields-editor]");
    const financeChoices = await page.$$eval("[data-testid=access-limits-finance_specialist] option", (os) => os.map((o) => o.value));
    assert.deepEqual(financeChoices, ["", "read"], "limits are never editable, nor hidden from finance");
    await page.selectOption("[data-testid=access-limits-sales_rep]", "hidden");
    await page.fill("#fields-why", "Limits are finance's to know");
    await page.click("[data-testid=save-fields]");
    await page.waitForFunction(() => /v1$/.test(document.querySelector("[data-testid=fields-editor] h1")?.textContent ?? ""));
    if (shots) {
      await page.reload();
      await page.waitForSelector("[data-testid=field-access]");
      await page.locator("[data-testid=field-access]").screenshot({ path: `${shots}/limits-matrix-1280.png` });
    }

    // The rep's phone: the limits arrive without their amounts.
    await until(
      async () => {
        await rp.goto(customerUrl);
        await rp.waitForSelector("[data-testid=credit]");
        return (await rp.locator("[data-testid=limits-hidden]").count()) > 0;
      },
      { timeout: 60_000, interval: 1000, what: "the limits hidden on the rep's phone" },
    );
    for (const tile of ["limit", "available", "utilisation"]) {
      assert.equal(await rp.locator(`[data-testid=credit] [data-testid=${tile}]`).count(), 0, tile);
    }
    const stored = JSON.parse(await rp.evaluate(() => window.wasmBindings.cd_test_stored_customers()));
    assert.ok(stored.length > 0);
    assert.ok(
      stored.every((c) => c.limits.hidden === true && c.limits.permanent === 0 && c.limits.temporary.every((t) => t.amount === 0)),
      "no limit amount on the device",
    );
    if (shots) await rp.locator("[data-testid=credit]").screenshot({ path: `${shots}/limits-rep-360-credit.png` });

    // Offline, an order far over the limit: the phone says the server checks the limit.
    await phone.context.setOffline(true);
    await rp.click("[data-testid=new-order]");
    const number = await rp.inputValue("#f-number");
    const amount = (chosen.limit + 100_000_000) / 100;
    await rp.fill("#f-amount", amount.toFixed(2));
    await rp.waitForSelector("[data-testid=check][data-outcome=warn]");
    const check = await rp.textContent("[data-testid=check]");
    assert.match(check, /额度对您隐藏，由服务器检查|The limit is hidden from you: the server checks it/);
    assert.doesNotMatch(check, /可用|Available/, "no available credit on the phone");
    if (shots) await rp.screenshot({ path: `${shots}/limits-rep-360-order.png` });
    await rp.click("[data-testid=save]");
    await rp.waitForFunction(() => document.querySelector("[data-testid=sync-pending]")?.textContent === "1");

    // Online again: the server holds it, and the phone says so.
    const since = await rp.evaluate(() => window.__cd_timings?.syncDone ?? 0);
    await phone.context.setOffline(false);
    await synced(rp, since);
    await rp.waitForFunction(
      (n) => {
        const t = document.querySelector("[data-testid=toast]")?.textContent ?? "";
        return t.includes(n) && /服务器信用检查暂扣|held by the server's credit check/.test(t);
      },
      number,
      { timeout: 60_000 },
    );
    await until(
      async () => {
        await page.goto(server.url + "/held");
        await ready(page);
        return (await page.textContent("main")).includes(number);
      },
      { timeout: 60_000, interval: 1000, what: "the order held on the desk" },
    );

    // The request form: a new permanent limit, no temporary one; the limit in force not named.
    await rp.goto(customerUrl + "/request");
    await rp.waitForSelector("[data-testid=request-form]");
    const actions = await rp.$$eval("select[name=action] option", (os) => os.map((o) => o.value));
    assert.deepEqual(actions, ["permanent", "freeze", "unfreeze", "override"]);
    assert.match(await rp.textContent("main"), /当前有效额度：已隐藏|Limit in force: hidden/);
    await rp.fill("#f-amount", "200000");
    assert.match(await rp.textContent("[data-testid=amount-note]"), /^新额度 ¥200,000\.00$|^New limit ¥200,000\.00$/);
    if (shots) await rp.screenshot({ path: `${shots}/limits-rep-360-request.png` });

    // The phone's dashboard: no utilisation, the chart says why.
    await rp.goto(server.url + "/");
    await rp.waitForSelector("[data-testid=chart-utilisation-hidden]");
    assert.equal(await rp.locator("[data-testid=kpi-avg-util]").count(), 0);
    assert.equal(await rp.locator("[data-testid=kpi-over-90]").count(), 0);
    if (shots) {
      await rp.screenshot({ path: `${shots}/limits-rep-360-dashboard.png` });
      await rp.locator("[data-testid=chart-utilisation-hidden]").screenshot({ path: `${shots}/limits-rep-360-util.png` });
    }
    // The utilisation report says why it has nothing to show, and draws no empty table (whose
    // totals would read ¥0.00).
    await rp.goto(server.url + "/reports/utilisation");
    await rp.waitForSelector("[data-testid=limits-hidden]");
    assert.equal(await rp.locator("[data-testid=report-table]").count(), 0);
    assert.equal(await rp.locator("[data-testid=table-total]").count(), 0);
    if (shots) await rp.screenshot({ path: `${shots}/limits-rep-utilisation-report.png` });
    // The desk sees them.
    await page.goto(server.url + "/");
    await page.waitForSelector("[data-testid=kpi-avg-util]");

    assert.deepEqual(appErrors(desk.errors), []);
    assert.deepEqual(appErrors(phone.errors), []);
  } finally {
    await phone.context.setOffline(false).catch(() => {});
    await desk.close();
    await phone.close();
  }
});
