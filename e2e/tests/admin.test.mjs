// End-to-end: the administrator's and finance's pages, and writes that meet each other: the credit
// policy editor, the user directory, two tabs writing to one audit trail, and an import cut off by
// a reload.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { actAs, appErrors, auditCodes, browser, daysAfter, ready, serve } from "../lib.mjs";

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

const iso = (d) => d.toISOString().slice(0, 10);
const counts = (page) => page.evaluate(() => JSON.parse(window.wasmBindings.cd_counts_json()));

test("the finance manager changes grade A's payment term in the policy editor, and a new invoice of a grade-A customer takes it", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/settings");
    await ready(page);
    await actAs(page, "fm-1");
    await page.waitForSelector("[data-testid=term-A]");
    assert.equal(await page.inputValue("[data-testid=term-A]"), "30");
    await page.fill("[data-testid=term-A]", "45");
    await page.click("[data-testid=save-policy]");
    await page.waitForFunction(() => /政策已保存|已保存/.test(document.querySelector("[data-testid=toast]")?.textContent || ""));
    // Kept after a reload, as the policy's next version.
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=term-A]");
    assert.equal(await page.inputValue("[data-testid=term-A]"), "45");
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.selectOption("[data-testid=grade-filter]", "A");
    await page.click(".vrow >> nth=0");
    await page.click("[data-testid=new-invoice]");
    await page.waitForSelector("#f-term_days");
    assert.equal(await page.inputValue("#f-term_days"), "45");
    // The change is in the audit trail, under the finance manager's name.
    await page.goto(server.url + "/audit");
    await page.waitForSelector("[data-testid=audit]");
    assert.ok((await auditCodes(page)).includes("policy.changed"));
    assert.deepEqual(appErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test("the administrator adds a user with a role in the directory, and the new user can be chosen", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/settings");
    await ready(page);
    await actAs(page, "admin");
    await page.waitForSelector("[data-testid=users-editor]");
    const rows = await page.locator("[data-testid=users-editor] tbody tr").count();
    await page.click("[data-testid=users-editor] button:has-text('新增用户')");
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=users-editor] tbody tr").length === n + 1, rows);
    const last = page.locator("[data-testid=users-editor] tbody tr").last();
    await last.locator("td:first-child input").fill("E2E 新同事");
    await page.click("[data-testid=save-users]");
    await page.waitForFunction(() => /已保存/.test(document.querySelector("[data-testid=toast]")?.textContent || ""));
    await page.reload();
    await ready(page);
    const options = await page.$$eval("[data-testid=user-switch] option", (os) => os.map((o) => o.textContent));
    assert.ok(options.some((o) => o.startsWith("E2E 新同事")), options.join(" | "));
    assert.deepEqual(appErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test("two tabs of one browser write payments in turn, and the audit trail stays one whole chain", async () => {
  const b = await browser();
  const { page, context } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.selectOption("select:has(option[value=open])", "open");
    const href = await page.getAttribute(".vrow >> nth=0", "href");
    const other = await context.newPage();
    other.on("console", (m) => m.type() === "error" && b.errors.push(m.text()));
    await other.goto(server.url + href);
    await ready(other);
    await page.goto(server.url + href);
    await ready(page);
    const pay = async (p, ref) => {
      await p.click("[data-testid=new-payment]");
      await p.fill("#f-amount", "1.00");
      await p.fill("#f-reference", ref);
      await p.click("[data-testid=save]");
      await p.waitForSelector("[data-testid=customer-360]");
    };
    // Each tab still holds the trail as it was when it loaded: the second writer must chain
    // after the first's entry, not beside it.
    await pay(page, "TAB-A-1");
    await pay(other, "TAB-B-1");
    await pay(page, "TAB-A-2");
    await pay(other, "TAB-B-2");
    await page.goto(server.url + "/audit");
    await ready(page);
    await page.click("[data-testid=verify]");
    await page.waitForSelector("[data-testid=verdict]");
    assert.match(await page.textContent("[data-testid=verdict]"), /哈希链完整/);
    // All four payments landed, once each.
    await page.goto(server.url + href);
    await page.waitForSelector("[data-testid=payments]");
    const payments = await page.textContent("[data-testid=payments]");
    for (const ref of ["TAB-A-1", "TAB-B-1", "TAB-A-2", "TAB-B-2"]) {
      assert.equal(payments.split(ref).length - 1, 1, `${ref} once`);
    }
    assert.deepEqual(appErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test("an import cut off by a reload writes all of its rows or none", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/reports/aging");
    await ready(page);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    const name = await page.$eval("[data-testid=report-table] tbody tr td:first-child", (td) => td.textContent);
    const before = await counts(page);
    // 20,000 invoices: a write long enough for the reload to land in the middle of it.
    const n = 20_000;
    const lines = ["Invoice No,Customer,Invoice date,Term,Amount"];
    for (let i = 0; i < n; i++) lines.push(`E2E-CUT-${i},"${name}",${iso(daysAfter(-1))},30,1.00`);
    await page.goto(server.url + "/import");
    await ready(page);
    await page.setInputFiles("[data-testid=import-file]", { name: "cut.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n") + "\n") });
    await page.waitForSelector("[data-testid=check-summary]");
    assert.match(await page.textContent("[data-testid=check-summary]"), /20000 行可导入|20,000 行可导入/);
    await page.click("[data-testid=confirm-import]");
    await page.reload();
    await ready(page);
    const after = await counts(page);
    const added = after.invoices - before.invoices;
    assert.ok(added === 0 || added === n, `${added} of ${n} invoices landed`);
    // The trail still verifies, with the import in it exactly when its rows are.
    await page.goto(server.url + "/audit");
    await ready(page);
    await page.click("[data-testid=verify]");
    await page.waitForSelector("[data-testid=verdict]");
    assert.match(await page.textContent("[data-testid=verdict]"), /哈希链完整/);
    const imported = (await auditCodes(page)).includes("data.imported");
    assert.equal(imported, added === n, "the audit entry goes with the rows");
  } finally {
    await b.close();
  }
});
