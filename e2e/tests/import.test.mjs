// End-to-end: a GBK-encoded CSV from Chinese Excel comes in (mapping fixed by hand, bad rows
// listed at their rows, skipped, in an error file), and a backup restored elsewhere exports the
// same data, with the restore in its audit trail.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { actAs, browser, cents, daysAfter, ready, serve } from "../lib.mjs";

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

/** Text to GBK bytes, with a table built from the platform's GBK decoder. */
function gbk(text) {
  const table = new Map();
  const dec = new TextDecoder("gbk");
  for (let a = 0x81; a <= 0xfe; a++) {
    for (let b = 0x40; b <= 0xfe; b++) {
      if (b === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([a, b]));
      if (ch.length === 1 && ch !== "\ufffd" && !table.has(ch)) table.set(ch, [a, b]);
    }
  }
  const out = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else if (table.has(ch)) out.push(...table.get(ch));
    else throw new Error(`not in GBK: ${ch}`);
  }
  return Buffer.from(out);
}

const iso = (d) => d.toISOString().slice(0, 10);

test("a GBK CSV with bad rows: fix the mapping, see every problem at its row, skip them, and find the invoices in the ledger and the aging report", async () => {
  const b = await browser();
  const { page, errors } = b;
  try {
    await page.goto(server.url + "/reports/aging");
    await ready(page);
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    const names = await page.$$eval("[data-testid=report-table] tbody tr td:first-child", (tds) => tds.slice(0, 2).map((td) => td.textContent));
    const day = (n) => iso(daysAfter(n));
    const [a, c] = names;
    const lines = [
      "发票号码,客户名称,开票日期,到期日,本币应收",
      `E2E-GBK-1,${a},${day(-10)},${day(20)},"1,000.00"`,
      `E2E-GBK-2,${a},${day(-5)},${day(25)},￥2500.50`,
      `E2E-GBK-3,${c},${day(-3)},${day(27)},300`,
      `E2E-GBK-4,${c},${day(-2)},${day(28)},400.25`,
      `E2E-GBK-5,${a},${day(-1)},${day(29)},99.99`,
      `E2E-GBK-6,不存在的公司,${day(-1)},${day(29)},10`,
      `E2E-GBK-7,${a},2026-13-01,${day(29)},10`,
      `E2E-GBK-8,${a},${day(-1)},${day(29)},-10`,
      `E2E-GBK-2,${c},${day(-1)},${day(29)},10`,
      `E2E-GBK-9,${a},${day(-1)},${day(-9)},10`,
    ];
    const file = gbk(lines.join("\r\n") + "\r\n");
    await page.goto(server.url + "/import");
    await ready(page);
    await page.waitForSelector("[data-testid=import-kind]");
    assert.equal(await page.inputValue("[data-testid=import-kind]"), "invoices");
    await page.setInputFiles("[data-testid=import-file]", { name: "应收-导出.csv", mimeType: "text/csv", buffer: file });
    await page.waitForSelector("[data-testid=mapping]");
    assert.match(await page.textContent("[data-testid=file-summary]"), /GBK.*10 行/);
    // The header "本币应收" is not guessed: the amount column is missing until it is mapped.
    assert.equal(await page.inputValue("[data-testid=map-4]"), "");
    assert.equal(await page.inputValue("[data-testid=map-1]"), "customer");
    assert.match(await page.textContent("[data-testid=file-problems]"), /金额/);
    assert.ok(await page.isDisabled("[data-testid=confirm-import]"), "nothing can be imported yet");
    await page.selectOption("[data-testid=map-4]", "amount");
    await page.waitForSelector("[data-testid=file-problems]", { state: "detached" });
    assert.match(await page.textContent("[data-testid=check-summary]"), /5 行可导入.*5 行有问题/);
    // Every problem at its row (as the spreadsheet numbers it) and column.
    const problems = await page.$$eval("[data-testid=problems] tbody tr", (trs) =>
      trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent, tr.dataset.code]));
    assert.deepEqual(problems, [
      ["7", "客户名称", "I-UNKNOWN-CUSTOMER"],
      ["8", "开票日期", "I-DATE"],
      ["9", "本币应收", "I-NEGATIVE"],
      ["10", "发票号码", "I-DUPLICATE"],
      ["11", "到期日", "I-DUE-BEFORE-ISSUE"],
    ]);
    assert.match(await page.textContent("[data-testid=problems] tbody tr:nth-child(4)"), /与第 3 行重复/);
    // The rows with problems, as a file to fix.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=download-errors]")]);
    const errorsCsv = readFileSync(await dl.path()).toString("utf8").replace(/^\ufeff/, "");
    const errorLines = errorsCsv.trim().split(/\r?\n/);
    assert.equal(errorLines.length, 6, errorsCsv);
    assert.ok(errorLines[0].startsWith("发票号码,客户名称"), errorLines[0]);
    assert.ok(errorLines[1].includes("不存在的公司") && errorLines[1].includes("I-UNKNOWN-CUSTOMER"), errorLines[1]);
    // Skip them and import the rest.
    await page.click("[data-testid=confirm-import]");
    await page.waitForSelector("[data-testid=import-done]");
    assert.match(await page.textContent("[data-testid=import-done]"), /已导入 5/);
    // The invoices are in the ledger and in the reports, also after a reload.
    await page.reload();
    await ready(page);
    await page.goto(server.url + "/reports/invoices");
    await page.waitForSelector("[data-testid=report-table] tbody tr");
    await page.fill("[data-testid=table-filter]", "E2E-GBK");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=report-table] tbody tr").length === 5);
    const total = await page.$eval("[data-testid=table-total] td[data-label='未结']", (td) => td.textContent);
    assert.equal(cents(total), 100000 + 250050 + 30000 + 40025 + 9999);
    await page.click(`[data-testid=report-table] tbody tr:has-text("E2E-GBK-1") td[data-label='公司名称'] a`);
    await page.waitForSelector("[data-testid=customer-360]");
    assert.match(await page.textContent("[data-testid=customer-360]"), /E2E-GBK-1/);
    assert.match(await page.textContent("[data-testid=customer-360]"), /E2E-GBK-2/);
    // The import is in the audit trail, which still verifies.
    await page.goto(server.url + "/audit");
    await page.waitForSelector("[data-testid=audit] tr[data-what='data.imported']");
    await page.click("[data-testid=verify]");
    await page.waitForSelector("[data-testid=verdict]");
    assert.match(await page.textContent("[data-testid=verdict]"), /哈希链完整/);
    // Importing the same file again finds every number taken.
    await page.goto(server.url + "/import");
    await ready(page);
    await page.setInputFiles("[data-testid=import-file]", { name: "again.csv", mimeType: "text/csv", buffer: file });
    await page.waitForSelector("[data-testid=check-summary]");
    assert.ok(await page.isChecked("[data-testid=remember-mapping]"));
    assert.equal(await page.inputValue("[data-testid=map-4]"), "amount", "the mapping was remembered");
    assert.match(await page.textContent("[data-testid=check-summary]"), /0 行可导入/);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
  }
});

test("customers imported with their sales reps by name: each becomes that user, a name no user has is reported at its row, and the rep sees their new customer", async () => {
  const b = await browser();
  const { page, errors } = b;
  try {
    await page.goto(server.url + "/import");
    await ready(page);
    await page.waitForSelector("[data-testid=import-kind]");
    await page.selectOption("[data-testid=import-kind]", "customers");
    const csv = [
      "客户名称,区域,行业,销售代表,首次合作日期",
      "E2E 导入客户甲,华东,机械,王伟,2020-03-01",
      "E2E 导入客户乙,华东,机械,无此人,2020-03-01",
    ].join("\r\n") + "\r\n";
    await page.setInputFiles("[data-testid=import-file]", { name: "客户.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
    await page.waitForSelector("[data-testid=problems]");
    const problems = await page.$$eval("[data-testid=problems] tbody tr", (trs) =>
      trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent, tr.dataset.code]));
    assert.deepEqual(problems, [["3", "销售代表", "I-UNKNOWN-USER"]]);
    assert.match(await page.textContent("[data-testid=problems]"), /用户目录中没有此姓名或账号/);
    await page.click("[data-testid=confirm-import]");
    await page.waitForSelector("[data-testid=import-done]");
    assert.match(await page.textContent("[data-testid=import-done]"), /已导入 1/);
    // 王伟 is the demo's rep-1: the customer is theirs, shown with their name.
    await actAs(page, "rep-1");
    await page.goto(server.url + "/customers");
    await ready(page);
    await page.fill("input.search", "E2E 导入客户");
    await page.waitForFunction(() => document.querySelector("[data-testid=row-count]")?.textContent.startsWith("1 "));
    await page.click("[data-testid=customer-list] >> text=E2E 导入客户甲");
    await page.waitForSelector("[data-testid=customer-360]");
    assert.match(await page.textContent("[data-testid=customer-360]"), /王伟/);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
  }
});

test("a backup restored into another browser exports the same data with the restore audited, and a damaged one is refused with nothing changed", async () => {
  const one = await browser();
  const two = await browser();
  try {
    await one.page.goto(server.url + "/import");
    await ready(one.page);
    const [dl] = await Promise.all([one.page.waitForEvent("download"), one.page.click("[data-testid=download-backup]")]);
    const first = readFileSync(await dl.path());
    assert.match(dl.suggestedFilename(), /^creditdesk-backup-\d{4}-\d{2}-\d{2}\.json$/);
    assert.ok(first.toString().startsWith('{"format":"creditdesk-backup","schema":6'));

    const { page } = two;
    await page.goto(server.url + "/import");
    await ready(page);
    // A damaged copy is refused, every problem named, and nothing changes.
    const damaged = JSON.parse(first.toString());
    damaged.invoices[3].amount = "a lot";
    damaged.customers[0].first_cooperation = "yesterday";
    await page.setInputFiles("[data-testid=restore-file]", { name: "bad.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(damaged)) });
    await page.waitForSelector("[data-testid=backup-problems]");
    const text = await page.textContent("[data-testid=backup-problems]");
    assert.match(text, /BK-RECORD customers\[0\]/);
    assert.match(text, /BK-RECORD invoices\[3\]/);
    assert.equal(await page.locator("[data-testid=confirm-restore]").count(), 0);
    // The good one replaces everything; exported again, it is the same data, and its trail has
    // one more entry: the restore, naming the file and its SHA-256 (the trail it replaced is kept).
    // While another tab has the data open (it would go on writing from the book replaced), the
    // restore is refused before anything changes; with that tab closed it goes through.
    const other = await two.context.newPage();
    await other.goto(server.url + "/customers");
    await ready(other);
    await page.setInputFiles("[data-testid=restore-file]", { name: "good.json", mimeType: "application/json", buffer: first });
    await page.waitForSelector("[data-testid=backup-ready]");
    await page.click("[data-testid=confirm-restore]");
    await page.waitForSelector("[data-testid=restore-note].error");
    assert.match(await page.textContent("[data-testid=restore-note]"), /其他标签页/);
    await other.close();
    await page.setInputFiles("[data-testid=restore-file]", { name: "good.json", mimeType: "application/json", buffer: first });
    await page.waitForSelector("[data-testid=backup-ready]");
    await page.click("[data-testid=confirm-restore]");
    await page.waitForSelector("[data-testid=restore-note].ok");
    await page.reload();
    await ready(page);
    const [dl2] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=download-backup]")]);
    const second = JSON.parse(readFileSync(await dl2.path()).toString());
    const was = JSON.parse(first.toString());
    const archived = (e) => JSON.stringify(e).includes("audit_archive:");
    for (const key of Object.keys(was)) {
      if (key === "audit" || key === "meta") continue;
      assert.deepEqual(second[key], was[key], key);
    }
    assert.deepEqual(second.meta.filter((e) => !archived(e)), was.meta);
    assert.equal(second.meta.filter(archived).length, 1, "the replaced trail is kept");
    assert.deepEqual(second.audit.slice(0, was.audit.length), was.audit);
    const restored = second.audit[was.audit.length];
    assert.equal(second.audit.length, was.audit.length + 1);
    assert.equal(restored.what, "data.restored");
    const sha = createHash("sha256").update(first).digest("hex");
    assert.equal(restored.why, `good.json (sha-256 ${sha})`);

    assert.deepEqual(two.errors, []);
  } finally {
    await one.close();
    await two.close();
  }
});
