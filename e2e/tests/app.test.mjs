// End-to-end: a person clicking through the built app in Chromium, online and offline.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { browser, openCustomerWhere, ready, serve, tile, until } from "../lib.mjs";

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

const money = (page, testid) => tile(page, testid);

async function openFirstCustomer(page) {
  await page.goto(server.url + "/customers");
  await ready(page);
  await page.click(".vrow >> nth=0");
  await page.waitForSelector("[data-testid=customer-360]");
}

test("a user adds a customer, records an invoice and a payment, reloads and sees them", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.click("[data-testid=new-customer]");
    await page.fill("#f-name", "E2E 测试机械有限公司");
    await page.fill("#f-uscc", "91350100m000100y43");
    await page.fill("#f-region", "华东");
    await page.fill("#f-industry", "机械");
    await page.selectOption("#f-sales_rep", { label: "王伟" });
    await page.click("[data-testid=save]");
    await page.waitForSelector("[data-testid=customer-360]");
    assert.equal(await page.textContent("[data-testid=customer-name]"), "E2E 测试机械有限公司");
    // The rep was chosen from the directory: the page shows the user's name.
    assert.match(await page.textContent("[data-testid=customer-360]"), /王伟/);
    const customerUrl = page.url();

    await page.click("[data-testid=new-invoice]");
    const number = await page.inputValue("#f-number");
    assert.match(number, /^INV-\d{4}-\d{7}$/);
    await page.fill("#f-amount", "12,345.60");
    await page.click("[data-testid=save]");
    await page.waitForURL(customerUrl);
    assert.equal(await money(page, "open-ar"), "¥12,345.60");

    await page.click("[data-testid=new-payment]");
    await page.fill("#f-amount", "2345.6");
    await page.fill("#f-reference", "BANK-E2E-1");
    await page.click("[data-testid=save]");
    await page.waitForURL(customerUrl);
    assert.equal(await money(page, "open-ar"), "¥10,000.00");

    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=customer-360]");
    assert.equal(await money(page, "open-ar"), "¥10,000.00");
    assert.ok((await page.textContent("[data-testid=invoices]")).includes(number));
    const payments = await page.textContent("[data-testid=payments]");
    assert.ok(payments.includes("BANK-E2E-1") && payments.includes("¥2,345.60"), payments);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("an order is recorded, shipped and invoiced, and each step shows in the figures", async () => {
  const b = await browser();
  const { page } = b;
  try {
    // A customer a new order of 10,000.00 passes for: nothing overdue, not frozen, the credit.
    await openCustomerWhere(page, server.url, (f) => f.overdue === 0 && !f.frozen && f.available >= 1_000_000, { what: "customer an order passes for" });
    const url = page.url();
    const cents = (s) => Math.round(Number(s.replace(/[¥,]/g, "")) * 100);
    const ordersBefore = cents(await money(page, "open-orders"));
    const arBefore = cents(await money(page, "open-ar"));
    await page.click("[data-testid=new-order]");
    const number = await page.inputValue("#f-number");
    assert.match(number, /^SO-\d{4}-\d{7}$/);
    await page.fill("#f-amount", "5,000");
    await page.fill("#f-category", "液压件");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    assert.equal(cents(await money(page, "open-orders")), ordersBefore + 500000);
    const row = page.locator("[data-testid=orders] tr", { hasText: number });
    assert.match(await row.textContent(), /待发货/);
    assert.match(await row.textContent(), /液压件/);
    await row.locator("button", { hasText: "发货" }).click();
    await page.waitForFunction((n) => [...document.querySelectorAll("[data-testid=orders] tr")].some((r) => r.textContent.includes(n) && r.textContent.includes("已发货")), number);

    await page.click("[data-testid=new-invoice]");
    const option = await page.locator("select[name=order] option", { hasText: number }).getAttribute("value");
    await page.selectOption("select[name=order]", option);
    assert.equal(await page.inputValue("#f-amount"), "5000.00", "choosing the order fills in its amount");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    assert.equal(cents(await money(page, "open-orders")), ordersBefore);
    assert.equal(cents(await money(page, "open-ar")), arBefore + 500000);
    assert.match(await page.locator("[data-testid=orders] tr", { hasText: number }).textContent(), /已开票/);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("bad input is refused at its field, in the user's language, and nothing is saved", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    const before = await page.textContent("[data-testid=row-count]");
    await page.click("[data-testid=new-customer]");
    await page.fill("#f-uscc", "91350100M000100Y44");
    await page.fill("#f-email", "not-an-email");
    await page.fill("#f-report_score", "120");
    await page.click("[data-testid=save]");
    await page.waitForSelector(".form-message");
    const err = async (f) => (await page.textContent(`[data-error-for=${f}]`)).trim();
    assert.equal(await err("name"), "必填");
    assert.match(await err("uscc"), /校验位/);
    assert.match(await err("email"), /邮箱/);
    assert.match(await err("report_score"), /0 到 100/);
    assert.equal(await page.getAttribute("#f-uscc", "aria-invalid"), "true");
    assert.ok(page.url().endsWith("/customers/new"));

    // The invoice form refuses a duplicate number and a zero amount; the ledger is unchanged.
    await openFirstCustomer(page);
    const openBefore = await money(page, "open-ar");
    await page.click("[data-testid=new-invoice]");
    await page.fill("#f-amount", "0");
    await page.fill("#f-term_days", "abc");
    await page.click("[data-testid=save]");
    await page.waitForSelector(".form-message");
    assert.equal((await page.textContent("[data-error-for=amount]")).trim(), "必须大于零");
    assert.equal((await page.textContent("[data-error-for=term_days]")).trim(), "不是有效数字");
    await page.goBack();
    await page.waitForSelector("[data-testid=customer-360]");
    assert.equal(await money(page, "open-ar"), openBefore);

    await page.goto(server.url + "/customers");
    await ready(page);
    assert.equal(await page.textContent("[data-testid=row-count]"), before);

    // The credit policy: a hold line typed as "85%" is not a number; saving names it and
    // changes nothing (it was saved as "no hold line" before).
    await page.goto(server.url + "/settings");
    await ready(page);
    const hold = page.locator("[data-testid=hold-over]");
    const holdBefore = await hold.inputValue();
    await hold.fill("85%");
    assert.equal(await hold.getAttribute("aria-invalid"), "true");
    await page.click("[data-testid=save-policy]");
    await page.waitForFunction(() => /不是有效数字/.test(document.querySelector("[data-testid=policy] .form-message")?.textContent || ""));
    await page.reload();
    await ready(page);
    assert.equal(await page.locator("[data-testid=hold-over]").inputValue(), holdBefore, "the policy is unchanged");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("after one visit the app opens and records a payment with the network off", async () => {
  const b = await browser();
  const { page, context } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await context.setOffline(true);
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=offline]");
    // Pick a customer that owes something, and pay 1.00 of it.
    await page.selectOption("select:has(option[value=open])", "open");
    await page.click(".vrow >> nth=0");
    await page.waitForSelector("[data-testid=customer-360]");
    const url = page.url();
    const before = await money(page, "open-ar");
    await page.click("[data-testid=new-payment]");
    await page.fill("#f-amount", "1.00");
    await page.fill("#f-reference", "OFFLINE-1");
    await page.click("[data-testid=save]");
    await page.waitForURL(url);
    const cents = (s) => Math.round(Number(s.replace(/[¥,]/g, "")) * 100);
    assert.equal(cents(await money(page, "open-ar")), cents(before) - 100);
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=customer-360]");
    assert.equal(cents(await money(page, "open-ar")), cents(before) - 100);
    assert.ok((await page.textContent("[data-testid=payments]")).includes("OFFLINE-1"));
    assert.deepEqual(b.errors.filter((e) => !e.includes("ERR_INTERNET_DISCONNECTED")), []);
  } finally {
    await b.close();
  }
});

test("Chromium finds the app installable: manifest, icons and an offline-capable service worker", async () => {
  const b = await browser();
  const { page, context } = b;
  try {
    await page.goto(server.url + "/");
    await ready(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, []);
    const at = server.url + "/manifest.webmanifest";
    const manifest = await (await page.request.get(at)).json();
    for (const icon of manifest.icons) {
      const r = await page.request.get(new URL(icon.src, at).href);
      assert.equal(r.status(), 200, icon.src);
    }
  } finally {
    await b.close();
  }
});

test("on a 360-pixel phone no page scrolls sideways", async () => {
  const b = await browser({ width: 360, height: 760, mobile: true });
  const { page } = b;
  try {
    // A phone widens its layout viewport to overflowing content, so compare with the client width.
    const wide = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.goto(server.url + "/");
    await ready(page);
    assert.equal(await wide(), 0, "dashboard");
    await openFirstCustomer(page);
    assert.equal(await wide(), 0, "customer 360");
    await page.goto(server.url + "/customers");
    await ready(page);
    assert.equal(await wide(), 0, "customer list");
    await page.click("[data-testid=new-customer]");
    await page.click("[data-testid=save]");
    await page.waitForSelector(".form-message");
    assert.equal(await wide(), 0, "form with errors");
    for (const path of ["/settings", "/held", "/inbox", "/audit", "/scorecard"]) {
      await page.goto(server.url + path);
      await ready(page);
      assert.equal(await wide(), 0, path);
    }
    await page.click("[data-testid=edit-draft]");
    await page.waitForSelector("[data-testid=migration]");
    assert.equal(await wide(), 0, "the scorecard draft editor");
    assert.ok(await page.isVisible(".nav-bottom"), "phones navigate from the bottom bar");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("the language switch translates the app and is remembered", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    assert.ok((await page.textContent(".nav-top")).includes("客户"));
    await page.click("[data-testid=lang-switch]");
    assert.ok((await page.textContent(".nav-top")).includes("Customers"));
    assert.equal(await page.getAttribute("html", "lang"), "en");
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=row-count]");
    assert.ok((await page.textContent("[data-testid=row-count]")).includes("shown"));
    assert.ok((await page.textContent(".nav-top")).includes("Customers"));
  } finally {
    await b.close();
  }
});

test("the customer list keeps only the rows in view in the page", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    assert.match(await page.textContent("[data-testid=row-count]"), /^200 /);
    const rows = await page.locator(".vrow").count();
    assert.ok(rows > 5 && rows < 40, `${rows} rows in the DOM`);
    await page.evaluate(() => {
      const list = document.querySelector("[data-testid=customer-list]");
      list.scrollTop = list.scrollHeight;
    });
    // The list has drawn its last row once one reaches the bottom of its scroll space.
    await page.waitForFunction(() => {
      const space = document.querySelector(".vspace").offsetHeight;
      return [...document.querySelectorAll(".vrow")].some((r) => {
        const y = /translateY\(([\d.]+)px\)/.exec(r.style.transform);
        return y && Number(y[1]) + r.offsetHeight >= space - 1;
      });
    });
    const lastName = await page.evaluate(() => {
      const rows = [...document.querySelectorAll(".vrow")];
      return rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).at(-1).querySelector(".cname").textContent;
    });
    assert.ok(lastName.length > 0);
    await page.fill("input[type=search]", lastName);
    // Found, and only what matches (another name may contain it, on some days' demo data).
    assert.match(await page.textContent("[data-testid=row-count]"), /^[1-3] /);
    const found = await page.$$eval(".vrow .cname", (ns) => ns.map((n) => n.textContent));
    assert.ok(found.includes(lastName) && found.every((n) => n.includes(lastName)), found.join(", "));
  } finally {
    await b.close();
  }
});

test("a page reloaded in the middle of writes leaves every write whole", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    // Start 1,000 payment commits and reload while they run, once some have landed.
    const count = () => page.evaluate(() => new Promise((ok, fail) => {
      const open = indexedDB.open("creditdesk");
      open.onerror = () => fail(open.error);
      open.onsuccess = () => {
        const tx = open.result.transaction(["tail", "outbox"], "readonly");
        const tail = tx.objectStore("tail").count();
        const outbox = tx.objectStore("outbox").getAll();
        // A reader that throws fails the test at once (in an event handler the promise would
        // never settle, and the test wait for its timeout).
        tx.onabort = tx.onerror = () => fail(tx.error);
        // Each payment is one command in the outbox (the demo's records are others).
        tx.oncomplete = () => {
          try {
            // A record is its JSON as a string (as UTF-8 bytes in some earlier versions).
            const text = (v) => (typeof v === "string" ? v : new TextDecoder().decode(v));
            const payments = outbox.result.map((v) => JSON.parse(text(v))).filter((o) => o.entity === "command" && o.payload.command.type === "record_payment");
            ok({ tail: tail.result, outbox: payments.length });
          } catch (e) {
            fail(e);
          } finally {
            open.result.close();
          }
        };
      };
    }));
    await page.evaluate(() => { window.wasmBindings.cd_bench_commit(1000); });
    // Reload as soon as five payments have landed (while the commits run).
    await until(async () => (await count()).outbox >= 5, { what: "five payments" });
    await page.reload();
    await ready(page);
    const counts = await count();
    // Each commit writes one tail entry and one outbox record in one transaction.
    assert.equal(counts.tail, counts.outbox);
    assert.ok(counts.outbox >= 5 && counts.outbox < 1000, `the reload cut the run short (${counts.outbox} landed)`);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("the settings page says whether the browser keeps the data, and a granted request shows as kept", async () => {
  const b = await browser();
  const { page, context } = b;
  try {
    await page.goto(server.url + "/settings");
    await ready(page);
    await page.waitForSelector("[data-testid=durability]");
    // A fresh profile with no install, bookmark or notification permission: Chromium keeps its
    // data as best effort, and the page says so and offers to ask.
    assert.equal(await page.getAttribute("[data-testid=durability]", "data-persisted"), "false");
    assert.match(await page.textContent("[data-testid=durability]"), /未持久保存/);
    // The space the demo book takes, against the origin's quota.
    const used = await page.textContent("[data-testid=space-used]");
    assert.match(used, /^已用空间：[\d.]+ (KB|MB|GB) \/ [\d.]+ (KB|MB|GB)（[\d.]+%）$/);
    const browserSays = await page.evaluate(() => navigator.storage.estimate());
    assert.ok(browserSays.usage > 0, "the demo book takes space");
    // The browser grants persistent storage (as it would for an installed app); asking again
    // now gets it, and the page shows the data as kept.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Browser.grantPermissions", { origin: server.url, permissions: ["durableStorage"] });
    await page.click("[data-testid=ask-to-keep]");
    await page.waitForSelector("[data-testid=durability][data-persisted=true]");
    assert.match(await page.textContent("[data-testid=durability]"), /已持久保存/);
    assert.equal(await page.evaluate(() => navigator.storage.persisted()), true);
    assert.equal(await page.$("[data-testid=ask-to-keep]"), null);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

/** From the customer list: a new invoice of ¥1,234 for the first customer, then waits until the
 * figures are kept again (`kept()` counts the keeps). */
async function invoiceFirstCustomer(page, kept) {
  await page.click(".vrow >> nth=0");
  await page.waitForSelector("[data-testid=customer-360]");
  const customerUrl = page.url();
  const n = await kept();
  await page.click("[data-testid=new-invoice]");
  await page.fill("#f-amount", "1234");
  await page.click("[data-testid=save]");
  await page.waitForURL(customerUrl);
  await until(async () => (await kept()) > n, { what: "the figures kept after the write" });
}

test("the next start draws the dashboard the last one drew, with the last write in it, before the ledger is read", async () => {
  const b = await browser();
  const { page } = b;
  const kept = () => page.evaluate(() => window.__cd_timings?.keptCount ?? 0);
  const total = () => page.$eval("[data-testid=kpi-total-ar] .money", (e) => e.dataset.exact ?? e.textContent);
  const cents = (s) => Math.round(Number(s.replace(/[^0-9.-]/g, "")) * 100);
  const tiles = () => page.$eval(".tiles.kpis", (e) => e.innerText);
  const charts = () => page.$$eval(".charts [data-testid^=chart-]", (cs) => cs.map((c) => c.dataset.testid));
  try {
    await page.goto(server.url + "/");
    await ready(page);
    await page.waitForSelector("[data-testid=chart-aging] svg");
    await until(async () => (await kept()) >= 1, { what: "the figures kept after the start" });
    const before = cents(await total());
    // A write elsewhere: an invoice of the first customer; the dashboard is kept again.
    await page.goto(server.url + "/customers");
    await ready(page);
    await invoiceFirstCustomer(page, kept);

    // The next start, with the ledger held back: the dashboard is drawn, the write in it.
    await page.goto(server.url + "/?hold_ledger=1");
    await page.waitForSelector("[data-testid=dashboard-kept]");
    await page.waitForSelector("[data-testid=chart-aging] svg");
    assert.equal(cents(await total()), before + 123400, "the kept dashboard has the write in it");
    assert.equal(await page.evaluate(() => window.__cd_timings.ledgerReady), undefined, "the ledger is not read yet");
    // Every chart drawn, each in a task of its own.
    await page.waitForFunction(() => window.__cd_timings.dashboardDrawn);
    assert.equal(await page.evaluate(() => window.__cd_timings.dashboardKept), 1);
    const early = { tiles: await tiles(), charts: await charts() };
    assert.ok(early.charts.length >= 6, `charts drawn: ${early.charts}`);
    // A filtered view needs the ledger, and says so.
    const rep = await page.$$eval("[data-testid=filter-rep] option", (os) => os[1].value);
    await page.selectOption("[data-testid=filter-rep]", rep);
    await page.waitForSelector(".loading[role=status]");
    assert.equal(await page.$("[data-testid=dashboard-kept]"), null);
    await page.goto(server.url + "/?hold_ledger=1");
    await page.waitForSelector("[data-testid=dashboard-kept]");
    // Once the ledger is read, the dashboard computed from it is the one that was kept.
    await page.evaluate(() => { window.__cd_release_ledger = true; });
    await page.waitForFunction(() => window.__cd_timings.ledgerReady);
    await until(async () => (await page.$("[data-testid=dashboard-kept]")) === null, { what: "the note on kept figures gone" });
    // The kept figures stay, marked as updating, while the ledger's pass is made in slices.
    await until(async () => (await page.$("[data-testid=dashboard-updating]")) === null, { what: "the figures computed from the ledger" });
    await page.waitForSelector("[data-testid=chart-aging] svg");
    assert.deepEqual({ tiles: await tiles(), charts: await charts() }, early);
    await ready(page);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("the next start shows the list's figures and grades before the ledger is read, with the last write in them", async () => {
  const b = await browser();
  const { page } = b;
  const kept = () => page.evaluate(() => window.__cd_timings?.keptCount ?? 0);
  const firstRow = () => page.$eval(".vrow", (r) => ({
    name: r.querySelector(".cname").textContent,
    grade: r.querySelector(".grade")?.textContent ?? null,
    openAr: r.querySelector(".num .money").textContent,
  }));
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    await until(async () => (await kept()) >= 1, { what: "the figures kept after the start" });
    const before = await firstRow();
    assert.match(before.openAr, /^¥/);
    // A write: a new invoice of the first customer; the figures are kept again once it settles.
    await invoiceFirstCustomer(page, kept);
    const cents = (s) => Math.round(Number(s.replace(/[^0-9.-]/g, "")) * 100);
    const expected = cents(before.openAr) + 123400;

    // The next start, with the ledger held back: the list already has its figures and grades.
    await page.goto(server.url + "/customers?hold_ledger=1");
    await page.waitForFunction(() => window.__cd_timings?.listReady && window.__cd_timings.figuresReady);
    await page.waitForSelector(".vrow");
    assert.equal(await page.evaluate(() => window.__cd_timings.customersOneRecord), 1,
      "the customers read as one record: the invoice left them alone");
    const early = await firstRow();
    assert.equal(early.name, before.name);
    assert.equal(cents(early.openAr), expected, "the kept figures include the write");
    assert.equal(early.grade, before.grade);
    const placeholders = await page.$$eval(".vrow .money", (els) => els.filter((e) => e.textContent === "…").length);
    assert.equal(placeholders, 0, "no figure waits for the ledger");
    assert.equal(await page.evaluate(() => window.__cd_timings.ledgerReady), undefined, "the ledger is not read yet");
    // What needs the ledger still says so.
    await page.click(".vrow >> nth=0");
    await page.waitForSelector(".loading[role=status]");
    await page.evaluate(() => { window.__cd_release_ledger = true; });
    await page.waitForSelector("[data-testid=customer-360]");
    assert.equal(cents(await tile(page, "open-ar")), expected);
    await ready(page);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
