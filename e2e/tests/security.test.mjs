// End-to-end: a lost phone leaks nothing. The data on a device is encrypted, it locks when idle,
// the wrong PIN reads nothing and ten wipe it, a device reported lost erases itself, every answer
// carries the security headers and the page runs under its policy, and a name typed as a
// formula or as markup stays text everywhere (docs/security.md names the threat each answers).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { appErrors, browser, DEMO_PASSWORD, forgetSecret, lockDecided, ready, rememberSecret, serve, signIn, startServer, synced, lastSync, unlock, until } from "../lib.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** Every value of every store of the app's database as the browser holds it, as text (strings
 *  as they are, bytes decoded as UTF-8): what a copy of the browser profile shows. */
const rawIndexedDb = (page) =>
  page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open("creditdesk");
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const out = [];
    for (const name of Array.from(db.objectStoreNames)) {
      const all = await new Promise((ok, fail) => {
        const r = db.transaction(name, "readonly").objectStore(name).getAll();
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      for (const v of all) {
        if (typeof v === "string") out.push(v);
        else if (v instanceof Uint8Array || v instanceof ArrayBuffer) out.push(new TextDecoder().decode(v));
        else out.push(JSON.stringify(v));
      }
    }
    db.close();
    return { stores: Array.from(db.objectStoreNames), text: out.join("\n") };
  });

/** The customer names the list shows. */
const listedNames = async (page) => {
  await page.goto(server.url + "/customers");
  await ready(page);
  await page.waitForSelector(".vrow .cname");
  return page.$$eval(".vrow .cname", (els) => els.map((e) => e.textContent.trim()).filter((t) => t.length > 3));
};

/** Sets a PIN on the settings page; the profile opens with it from now on. */
async function setPin(page, pin) {
  await page.goto(server.url + "/settings");
  await page.waitForSelector("[data-testid=encrypted]");
  await page.fill("[data-testid=secret-new]", pin);
  await page.fill("[data-testid=secret-repeat]", pin);
  await page.click("[data-testid=secret-save]");
  await page.waitForFunction(() => document.querySelector("[data-testid=secret-note]")?.textContent.includes("已保存"));
  rememberSecret(page, pin);
}

test("a rep's phone keeps its data encrypted: it locks when idle, the wrong PIN reads nothing, the right one opens it", async () => {
  const b = await browser({ width: 360, height: 760, mobile: true });
  const { page } = b;
  try {
    await page.goto(server.url + "/");
    await signIn(page, "rep-1");
    const names = await listedNames(page);
    assert.ok(names.length >= 3, names.join(", "));

    // The rep sets a PIN instead of the password (a short one is refused first).
    await page.goto(server.url + "/settings");
    await page.waitForSelector("[data-testid=encrypted]");
    await page.fill("[data-testid=secret-new]", "2468");
    await page.fill("[data-testid=secret-repeat]", "2468");
    await page.click("[data-testid=secret-save]");
    await page.waitForFunction(() => document.querySelector("[data-testid=secret-note]")?.textContent.includes("至少 6 位"));
    await page.fill("[data-testid=secret-new]", "246813");
    await page.fill("[data-testid=secret-repeat]", "246813");
    await page.click("[data-testid=secret-save]");
    await page.waitForFunction(() => document.querySelector("[data-testid=secret-note]")?.textContent.includes("已保存"));
    rememberSecret(page, "246813");
    assert.match(await page.textContent("[data-testid=encrypted]"), /PIN/);

    // A copy of the profile: IndexedDB holds no customer's name, nor the rep's.
    const raw = await rawIndexedDb(page);
    assert.ok(raw.stores.includes("vault") && raw.text.length > 10_000, "the data is there");
    for (const name of names) assert.ok(!raw.text.includes(name), `${name} is in IndexedDB in the clear`);
    assert.ok(!raw.text.includes('"rep-1"'), "no user id in the clear");

    // Five minutes without a touch: the app locks, and nothing of the data stays on screen.
    await page.clock.fastForward(5 * 60_000 + 6_000);
    await page.waitForSelector("[data-testid=unlock]");
    const shown = await page.evaluate(() => document.body.innerText);
    for (const name of names) assert.ok(!shown.includes(name), `${name} is on the lock page`);
    assert.equal(await page.locator(".vrow, [data-testid=sync-state], .nav-bottom a:visible").count(), 0);

    // The wrong PIN says so and opens nothing; the right one opens the data.
    await page.fill("[data-testid=unlock-secret]", "135790");
    await page.click("[data-testid=unlock-submit]");
    await page.waitForFunction(() => document.querySelector("[data-testid=unlock-error]")?.textContent.includes("9"));
    assert.equal(await page.locator("[data-testid=unlock]").count(), 1);
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(names[0]));
    await unlock(page, "246813");
    await ready(page);
    assert.deepEqual((await listedNames(page)).slice(0, 3), names.slice(0, 3));
    assert.deepEqual(b.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  } finally {
    await b.close();
  }
});

test("a device's data is encrypted only while no other tab has it open: refused with nothing changed, then done, and a tab opened after finds it locked", async () => {
  const local = await serve();
  const b = await browser();
  const { page, context } = b;
  try {
    await page.goto(local.url + "/settings");
    await ready(page);
    const other = await context.newPage();
    await other.goto(local.url + "/customers");
    await ready(other);
    await other.waitForSelector(".vrow .cname");
    const name = (await other.textContent(".vrow .cname")).trim();
    const PASS = "two tabs passphrase";
    const save = async () => {
      await page.fill("[data-testid=secret-new]", PASS);
      await page.fill("[data-testid=secret-repeat]", PASS);
      await page.click("[data-testid=secret-save]");
    };
    // The other tab would go on writing in the clear: the passphrase is refused, the data stays
    // as it was, and the other tab still works.
    await save();
    await page.waitForFunction(() => document.querySelector("[data-testid=secret-note]")?.textContent.includes("其他标签页"));
    assert.ok((await rawIndexedDb(page)).text.includes(name), "nothing sealed");
    assert.equal(await page.locator("[data-testid=not-encrypted]").count(), 1);
    await other.reload();
    await ready(other);
    assert.equal(await other.locator("[data-testid=unlock]").count(), 0);
    // Closed there, it is done; a tab opened now asks for the passphrase.
    await other.close();
    await save();
    await page.waitForFunction(() => document.querySelector("[data-testid=secret-note]")?.textContent.includes("已保存"));
    assert.ok(!(await rawIndexedDb(page)).text.includes(name), "sealed");
    const third = await context.newPage();
    await third.goto(local.url + "/customers");
    await third.waitForSelector("[data-testid=unlock]");
    await third.close();
    rememberSecret(page, PASS);
    assert.deepEqual(appErrors(b.errors), []);
  } finally {
    await b.close();
    local.stop();
  }
});

test("signing in on a new device while the app is open in another tab says to close it first, and signs in once it is closed", async () => {
  const b = await browser();
  const { page, context } = b;
  try {
    await page.goto(server.url + "/");
    await page.waitForSelector("[data-testid=sign-in]");
    const other = await context.newPage();
    await other.goto(server.url + "/");
    await other.waitForSelector("[data-testid=sign-in]");
    // Signing in encrypts the device's data under the password: not beside another tab.
    await page.fill("[data-testid=sign-in-user]", "rep-5");
    await page.fill("[data-testid=sign-in-password]", DEMO_PASSWORD);
    await page.click("[data-testid=sign-in-submit]");
    await page.waitForFunction(() => document.querySelector("[data-testid=sign-in-error]")?.textContent.includes("其他标签页"));
    assert.equal(await page.locator("[data-testid=signed-in-as]:not(:empty)").count(), 0);
    await other.close();
    await signIn(page, "rep-5");
    assert.ok((await listedNames(page)).length >= 3);
    assert.deepEqual(appErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test("locking at the button and signing out reach every tab of the app: none goes on showing the data", async () => {
  const b = await browser();
  const { page, context } = b;
  try {
    await page.goto(server.url + "/");
    await signIn(page, "rep-4");
    const other = await context.newPage();
    await other.goto(server.url + "/customers");
    await ready(other);
    await other.waitForSelector(".vrow .cname");
    await page.goto(server.url + "/settings");
    await page.click("[data-testid=lock-now]");
    await page.waitForSelector("[data-testid=unlock]");
    await other.waitForSelector("[data-testid=unlock]");
    assert.equal(await other.locator(".vrow").count(), 0, "the other tab shows no customer");
    await unlock(other, DEMO_PASSWORD);
    await unlock(page, DEMO_PASSWORD);
    await ready(page);
    await ready(other);
    await page.click("[data-testid=sync-state]");
    await page.click("[data-testid=sign-out]");
    await page.waitForSelector("[data-testid=sign-in]");
    await other.waitForSelector("[data-testid=sign-in]");
    assert.equal(await other.locator(".vrow").count(), 0, "the other tab shows no customer");
    assert.deepEqual(appErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test("ten wrong PINs erase the device and say how many changes were not sent", async () => {
  const b = await browser({ width: 360, height: 760, mobile: true });
  const { page, context } = b;
  try {
    await page.goto(server.url + "/");
    await signIn(page, "rep-2");
    await setPin(page, "135246");
    const names = await listedNames(page);
    // Offline, an order is taken: one change waits on the device.
    await context.setOffline(true);
    await page.click(".vrow >> nth=0");
    await page.waitForSelector("[data-testid=customer-360]");
    await page.click("[data-testid=new-order]");
    await page.fill("#f-amount", "10");
    // Passed or held (a blocked order is saved as held), it is one change waiting.
    await page.waitForSelector("[data-testid=check][data-outcome]");
    await page.click("[data-testid=save]");
    await page.waitForFunction(() => document.querySelector("[data-testid=sync-pending]")?.textContent === "1");

    forgetSecret(page);
    await page.reload();
    assert.ok(await lockDecided(page));
    assert.match(await page.textContent("[data-testid=unlock]"), /PIN/);
    for (let i = 1; i <= 9; i++) {
      await page.fill("[data-testid=unlock-secret]", `${100000 + i}`);
      await page.click("[data-testid=unlock-submit]");
      await page.waitForFunction((left) => document.querySelector("[data-testid=unlock-error]")?.textContent.trim().endsWith(` ${left}`), 10 - i);
    }
    // The count is kept across a reload: no fresh ten tries by starting again.
    await page.reload();
    assert.ok(await lockDecided(page));
    await page.fill("[data-testid=unlock-secret]", "100010");
    await page.click("[data-testid=unlock-submit]");
    await page.waitForSelector("[data-testid=erased]");
    assert.match(await page.textContent("[data-testid=erased-unsent]"), /1$/);
    const raw = await rawIndexedDb(page);
    for (const name of names) assert.ok(!raw.text.includes(name));
    assert.ok(!raw.stores.includes("customers") || raw.text.length < 200, "the database is gone");
  } finally {
    await context.setOffline(false).catch(() => {});
    await b.close();
  }
});

test("a device an administrator reports lost erases its data at its next sync", async () => {
  const phone = await browser({ width: 360, height: 760, mobile: true });
  const desk = await browser();
  try {
    await phone.page.goto(server.url + "/");
    await signIn(phone.page, "rep-3");
    const names = await listedNames(phone.page);

    await desk.page.goto(server.url + "/");
    await signIn(desk.page, "admin");
    await desk.page.goto(server.url + "/settings");
    await desk.page.waitForSelector("[data-testid=devices] [data-testid=device]");
    const row = desk.page.locator("[data-testid=device]", { hasText: "rep-3" });
    assert.equal(await row.count(), 1, await desk.page.textContent("[data-testid=devices]"));
    await row.locator("[data-testid=report-lost]").click();
    await desk.page.waitForFunction(() => [...document.querySelectorAll("[data-testid=device]")].some((d) => d.textContent.includes("rep-3") && d.querySelector("[data-testid=device-status]")));

    // The phone's next contact: it is told, and erases itself. The contact may come by itself
    // (its timer, its event stream) before the test asks for one.
    await until(async () => {
      if (await phone.page.locator("[data-testid=erased]").count()) return true;
      try {
        await phone.page.click("[data-testid=sync-state]", { timeout: 2_000 });
        await phone.page.click("[data-testid=sync-now]", { timeout: 2_000 });
      } catch {
        // Erased in between: the sync bar is gone.
      }
      return false;
    }, { timeout: 60_000, interval: 500, what: "the phone to erase itself" });
    assert.match(await phone.page.textContent("[data-testid=erased]"), /管理员已将本设备标记为丢失/);
    const raw = await rawIndexedDb(phone.page);
    for (const name of names) assert.ok(!raw.text.includes(name));
    // The administrator sees that it was told.
    await desk.page.reload();
    await desk.page.waitForFunction(() => [...document.querySelectorAll("[data-testid=device]")].some((d) => d.textContent.includes("rep-3") && d.textContent.includes("已清除")));
  } finally {
    await phone.close();
    await desk.close();
  }
});

test("every answer carries the security headers, the app runs under its policy without a violation, and a cross-site post is refused", async () => {
  const page0 = await fetch(server.url + "/customers");
  const csp = page0.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')+;/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(page0.headers.get("x-content-type-options"), "nosniff");
  assert.equal(page0.headers.get("referrer-policy"), "no-referrer");
  const forged = await fetch(server.url + "/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://evil.example" },
    body: JSON.stringify({ user: "admin", password: DEMO_PASSWORD }),
  });
  assert.equal(forged.status, 403);
  assert.equal((await forged.json()).code, "SRV-CROSS-SITE");

  const b = await browser();
  const { page } = b;
  try {
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(server.url + "/");
    await signIn(page, "fs-1");
    for (const path of ["/customers", "/reports/aging", "/inbox", "/settings"]) {
      await page.goto(server.url + path);
      await ready(page);
    }
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
  } finally {
    await b.close();
  }
});

test("a customer named like a formula or like markup stays text in the form, the list, the CSV export and a backup", async () => {
  const local = await serve();
  const b = await browser();
  const { page } = b;
  const names = ['=HYPERLINK("http://x.example","click")', "<img src=x onerror=alert(1)>"];
  try {
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      d.dismiss();
    });
    for (const [i, name] of names.entries()) {
      await page.goto(local.url + "/customers/new");
      await ready(page);
      await page.fill("#f-name", name);
      await page.fill("#f-uscc", ["91350100M000100Y43", "91110000600037341L"][i]);
      await page.fill("#f-region", "华东");
      await page.fill("#f-industry", "机械");
      await page.selectOption("#f-sales_rep", { index: 1 });
      await page.click("[data-testid=save]");
      await page.waitForSelector("[data-testid=customer-360]");
      assert.equal(await page.textContent("[data-testid=customer-name]"), name);
    }
    await page.goto(local.url + "/customers");
    await ready(page);
    await page.fill("input.search", "x");
    for (const name of names) await page.waitForFunction((n) => [...document.querySelectorAll(".vrow .cname")].some((e) => e.textContent === n), name);
    assert.equal(await page.locator(".vlist img").count(), 0, "no element was made from a name");

    // The CSV export: the formula is written as text (a leading '), the markup as it is.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-customers]")]);
    const csv = readFileSync(await dl.path(), "utf8");
    assert.ok(csv.includes(`"'=HYPERLINK(""http://x.example"",""click"")"`), csv.slice(0, 400));
    assert.ok(!/(^|,)=HYPERLINK/m.test(csv));
    assert.ok(csv.includes("<img src=x onerror=alert(1)>"));

    // A backup keeps the names exactly, as JSON strings.
    await page.goto(local.url + "/import");
    await ready(page);
    const [bk] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=download-backup]")]);
    const backup = JSON.parse(readFileSync(await bk.path(), "utf8"));
    for (const name of names) assert.ok(backup.customers.some((c) => c.name === name), name);
    assert.equal(dialogs, 0, "no script ran");
  } finally {
    await b.close();
    local.stop();
  }
});

test("a language setting that does not open on an encrypted device is left out: the app starts, in the browser's language", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await signIn(page, "rep-2");
    await page.waitForSelector(".vrow");
    // English chosen, then its record replaced by one in the clear where every value is sealed
    // (a damaged record): it does not open.
    await page.evaluate(() => new Promise((ok, fail) => {
      const r = indexedDB.open("creditdesk");
      r.onsuccess = () => {
        const tx = r.result.transaction(["meta"], "readwrite");
        tx.objectStore("meta").put("en", "lang");
        tx.oncomplete = () => { r.result.close(); ok(); };
        tx.onerror = () => fail(tx.error);
      };
    }));
    await page.reload();
    await ready(page);
    await page.waitForSelector(".vrow");
    assert.equal(await page.$(".load-failed"), null, "the start went on");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
    assert.deepEqual(appErrors(b.errors), []);
  } finally {
    await b.close();
  }
});
