// End-to-end: the ERP link set up on screen. The administrator creates an API key on the settings
// page (a key without a name is refused with why, and what was typed stays), sees its secret once,
// and the key then works against the real server's ERP API until it is revoked on the same page;
// a webhook subscription is made and ended alike. A sales rep has neither card.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { appErrors, browser, signIn, startServer } from "../lib.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** The ERP API as an ERP calls it: GET with a key. */
async function erpGet(path, secret) {
  const r = await fetch(server.url + path, { headers: { Authorization: `Bearer ${secret}` } });
  return [r.status, await r.json().catch(() => null)];
}

test("the administrator makes an API key and a webhook on screen, the key works until revoked, and a rep sees neither", async () => {
  const admin = await browser();
  const rep = await browser({ width: 360, height: 760, mobile: true });
  try {
    let page = admin.page;
    page.on("dialog", (d) => d.accept());
    await page.goto(server.url + "/");
    await signIn(page, "admin");
    await page.goto(server.url + "/settings");
    await page.waitForSelector("[data-testid=api-keys]");
    assert.match(await page.textContent("[data-testid=api-keys]"), /尚无密钥|No key yet/);

    // No name: refused with the server's reason; the choices stay.
    await page.selectOption("#key-acts-as", "fs-1");
    await page.check("[data-testid=new-key] input[data-scope=check]");
    await page.click("[data-testid=create-key]");
    await page.waitForSelector("[data-testid=key-error]");
    assert.match(await page.textContent("[data-testid=key-error]"), /name.*SRV-API-KEY/);
    assert.equal(await page.inputValue("#key-acts-as"), "fs-1");
    assert.equal(await page.isChecked("[data-testid=new-key] input[data-scope=check]"), true);

    await page.check("[data-testid=new-key] input[data-scope=read]");
    await page.fill("#key-name", "金蝶 ERP");
    await page.click("[data-testid=create-key]");
    const shown = await page.waitForSelector("[data-testid=new-secret]");
    const secret = (await shown.$eval("pre", (p) => p.textContent)).trim();
    assert.ok(secret.length >= 32, secret);
    const row = page.locator('[data-testid=api-key][data-name="金蝶 ERP"]');
    await row.waitFor();
    const fsName = await page.$eval('#key-acts-as option[value="fs-1"]', (o) => o.textContent.replace(/ \(fs-1\)$/, ""));
    assert.ok((await row.textContent()).includes(fsName), fsName);
    assert.equal(await page.locator("[data-testid=api-keys] pre").count(), 1, "the secret is in the box only");

    // The key works: a customer's position as fs-1 (no such customer: the API's 404, not a 401).
    const [status, body] = await erpGet("/api/erp/v1/customers/NO-SUCH", secret);
    assert.equal(status, 404, JSON.stringify(body));

    // Revoked on the page: refused from then on; the row says so and keeps its place.
    await row.locator("[data-testid=revoke-key]").click();
    await page.waitForSelector('[data-testid=api-key][data-name="金蝶 ERP"].void');
    const [after, refused] = await erpGet("/api/erp/v1/customers/NO-SUCH", secret);
    assert.deepEqual([after, refused?.code], [401, "ERP-KEY-REVOKED"]);

    // A webhook subscription: a bad address is refused; a good one listed with its secret once.
    await page.fill("#hook-url", "not a url");
    await page.click("[data-testid=create-hook]");
    await page.waitForSelector("[data-testid=hook-error]");
    assert.equal(await page.inputValue("#hook-url"), "not a url");
    await page.fill("#hook-url", "http://127.0.0.1:9/creditdesk");
    await page.uncheck("[data-testid=new-hook] input[data-event=\"limit.temporary_ended\"]");
    await page.click("[data-testid=create-hook]");
    await page.waitForSelector("[data-testid=new-hook-secret]");
    const hook = page.locator("[data-testid=erp-hook]");
    await hook.waitFor();
    const listed = await hook.textContent();
    assert.match(listed, /127\.0\.0\.1:9\/creditdesk/);
    assert.doesNotMatch(listed, /临时额度到期|Temporary limit ended/);
    await hook.locator("[data-testid=end-hook]").click();
    await page.waitForSelector("[data-testid=erp-hook].void");
    assert.deepEqual(appErrors(admin.errors), []);

    // A sales rep's settings have neither card.
    page = rep.page;
    await page.goto(server.url + "/");
    await signIn(page, "rep-1");
    await page.goto(server.url + "/settings");
    await page.waitForSelector("[data-testid=my-email]");
    assert.equal(await page.locator("[data-testid=api-keys], [data-testid=erp-hooks]").count(), 0);
  } finally {
    await admin.close();
    await rep.close();
  }
});
