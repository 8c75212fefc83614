// End-to-end: the approval workflow. A rep files a temporary increase; the sales manager and the
// finance specialist approve it on a phone; the limit changes, the timeline and the audit trail
// show it; the rep cannot approve it; the temporary limit ends by itself on its end date.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auditCodes, browser, actAs, cents, daysAfter, openCustomerWhere, tile, ready, serve } from "../lib.mjs";

let server;
before(async () => {
  server = await serve();
});
after(() => server.stop());

const iso = (d) => d.toISOString().slice(0, 10);

test("a rep's temporary increase is approved by the sales manager and finance on a phone, then ends on its end date", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cd-approval-"));
  // The browser of the current phase: closed by `finally` too, so a failure cannot leave it
  // running (and the test runner waiting).
  let b = null;
  try {
    // The admin widens the first tier of the routes (routes are data, edited in settings), so
    // that the demo customer picked below takes the two-step route whatever its limit.
    b = await browser({ dir });
    let { page } = b;
    await page.goto(server.url + "/settings");
    await ready(page);
    await page.fill("[data-testid=routes-editor] [data-testid=tier] >> nth=0 >> input.num >> nth=0", "5000000");
    await page.fill("[data-testid=routes-editor] [data-testid=tier] >> nth=1 >> input.num >> nth=0", "8000000");
    await page.fill("#routes-why", "E2E: one tier for small and medium limits");
    await page.click("[data-testid=save-routes]");
    await page.waitForSelector("[data-testid=routes-editor] h2:has-text('v2')");

    // The rep sees only their own customers and files the request.
    await actAs(page, "rep-1");
    await page.goto(server.url + "/customers");
    await ready(page);
    const reps = await page.$$eval(".vrow .who small", (els) => [...new Set(els.map((e) => e.textContent))]);
    assert.ok(reps.length > 0 && reps.every((r) => r.includes("王伟")), `a rep sees only their customers: ${reps}`);
    let url = null;
    // A customer with a limit and no limit request open (the demo's requests and the rules'
    // limit reviews, which depend on the day, may already have one).
    pick: for (const grade of ["A", "AA", "B"]) {
      await page.selectOption("[data-testid=grade-filter]", grade);
      const rows = Math.min(await page.locator(".vrow").count(), 6);
      for (let i = 0; i < rows; i++) {
        await page.click(`.vrow >> nth=${i}`);
        await page.waitForSelector("[data-testid=credit]");
        const limit = cents(await tile(page, "limit"));
        // The limit history opens by itself when a limit request is open.
        const open = await page.locator("[data-testid=limit-history][open]").count();
        if (limit > 0 && limit < 400_000_000 && !open) {
          url = page.url();
          break pick;
        }
        await page.goBack();
        await page.waitForSelector(".vrow");
        await page.selectOption("[data-testid=grade-filter]", grade);
      }
    }
    assert.ok(url, "rep-1 has a customer graded A, AA or B with a limit");
    const limit = cents(await tile(page, "limit"));
    const wanted = limit + 1_000_000; // ten thousand yuan more
    await page.click("[data-testid=change-limit]");
    await page.waitForSelector("[data-testid=request-form]");
    await page.selectOption("select[name=action]", "temporary");
    await page.fill("#f-amount", (wanted / 100).toFixed(2));
    const end = daysAfter(3);
    await page.fill("#f-end", iso(end));
    // Before submitting, the route: each step, who can act, and the deadline.
    await page.waitForSelector("[data-testid=route-step]");
    const steps = await page.$$eval("[data-testid=route-step]", (els) => els.map((e) => e.textContent));
    assert.equal(steps.length, 2, steps.join(" | "));
    assert.match(steps[0], /销售经理.*周婷.*截止/);
    assert.match(steps[1], /财务专员.*孙悦/);
    await page.click("[data-testid=submit-request]");
    assert.match(await page.textContent("[data-error-for=reason]"), /必填/, "a request needs a reason");
    await page.fill("#f-reason", "年末备货，客户回款记录良好");
    await page.click("[data-testid=submit-request]");
    await page.waitForSelector("[data-testid=timeline]");
    const requestUrl = page.url();
    assert.match(await page.textContent("[data-testid=request-state]"), /审批中/);
    // The requester cannot approve their own request.
    assert.equal(await page.locator("[data-testid=approve]").count(), 0);
    assert.ok(await page.isVisible("[data-testid=own-request]"));
    await page.goto(url);
    await ready(page);
    assert.equal(cents(await tile(page, "limit")), limit, "nothing changes before approval");
    assert.deepEqual(b.errors, []);
    await b.close();

    // On a phone: the sales manager, then the finance specialist, approve from their inbox.
    b = await browser({ dir, width: 360, height: 760, mobile: true });
    page = b.page;
    await page.goto(server.url + "/inbox");
    await ready(page);
    for (const [who, comment] of [["sm-1", "同意"], ["fs-1", "已核对回款"]]) {
      await actAs(page, who);
      await page.goto(server.url + "/inbox");
      await ready(page);
      // The request waits in their inbox.
      const path = new URL(requestUrl).pathname;
      await page.click(`[data-testid=waiting] a[href='${path}']`);
      await page.waitForSelector("[data-testid=timeline]");
      await page.waitForSelector("[data-testid=approve]");
      await page.fill("[data-testid=comment]", comment);
      await page.click("[data-testid=approve]");
      await page.waitForFunction((c) => document.querySelector("[data-testid=timeline]").textContent.includes(c), comment);
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, "no sideways scrolling");
    }
    assert.match(await page.textContent("[data-testid=request-state]"), /已批准/);
    const timeline = await page.textContent("[data-testid=timeline]");
    assert.match(timeline, /周婷.*同意/);
    assert.match(timeline, /孙悦.*已核对回款/);
    await page.goto(url);
    await ready(page);
    assert.equal(cents(await tile(page, "limit")), wanted, "the temporary limit is in force");

    // The audit trail records the decisions and the change, and its chain verifies.
    await page.goto(server.url + "/audit");
    await ready(page);
    const codes = await auditCodes(page);
    for (const what of ["routes.changed", "request.submitted", "request.step_approved", "request.approved", "limits.changed"]) {
      assert.ok(codes.includes(what), what);
    }
    // Told in sentences in the user's language, with money formatted.
    const audit = await page.textContent("[data-testid=audit]");
    assert.match(audit, /批准了第 1\/\d 步/);
    assert.match(audit, /调整了 .+ 的额度：固定额度 ¥[\d,]+\.\d\d.* → /);
    assert.doesNotMatch(audit, /request\.|limits\.changed|permanent \d/);
    await page.click("[data-testid=verify]");
    assert.match(await page.textContent("[data-testid=verdict]"), /哈希链完整/);
    assert.deepEqual(b.errors, []);
    await b.close();

    // Four days later the temporary limit has ended by itself.
    b = await browser({ dir, now: daysAfter(4) });
    page = b.page;
    await page.goto(url);
    await ready(page);
    await page.waitForSelector("[data-testid=credit]");
    assert.equal(cents(await tile(page, "limit")), limit, "back to the permanent limit after the end date");
    // The ended temporary limit leaves the card, and the trail says so once.
    assert.equal(await page.locator("[data-testid=temporary-limits]").count(), 0);
    await page.goto(server.url + "/audit");
    await ready(page);
    assert.equal((await auditCodes(page)).filter((c) => c === "limit.temporary_ended").length, 1);
    assert.match(await page.textContent("[data-testid=audit]"), /的临时额度已到期：¥[\d,]+/);
  } finally {
    await b?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a rejection needs a comment, and an edited audit entry is named by verify", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/inbox");
    await ready(page);
    // The demo has a request waiting for the sales manager.
    await actAs(page, "sm-1");
    await page.click("[data-testid=waiting] [data-testid=inbox-row] a >> nth=0");
    await page.waitForSelector("[data-testid=reject]");
    await page.click("[data-testid=reject]");
    assert.match(await page.textContent("[data-testid=decide-error]"), /驳回时请填写意见/);
    assert.match(await page.textContent("[data-testid=request-state]"), /审批中/, "nothing changed");
    await page.fill("[data-testid=comment]", "回款记录不足，暂缓");
    await page.click("[data-testid=reject]");
    await page.waitForFunction(() => document.querySelector("[data-testid=request-state]").textContent.includes("已驳回"));
    // Someone edits a stored audit entry behind the app's back.
    await page.goto(server.url + "/audit");
    await ready(page);
    await page.click("[data-testid=verify]");
    assert.match(await page.textContent("[data-testid=verdict]"), /哈希链完整/);
    await page.evaluate(
      () =>
        new Promise((ok, fail) => {
          const open = indexedDB.open("creditdesk");
          open.onsuccess = () => {
            const tx = open.result.transaction("audit", "readwrite");
            const store = tx.objectStore("audit");
            const get = store.get(1);
            get.onsuccess = () => {
              const e = JSON.parse(get.result);
              e.why = "edited by hand";
              store.put(JSON.stringify(e), 1);
            };
            tx.oncomplete = () => ok();
            tx.onerror = () => fail(tx.error);
          };
        }),
    );
    await page.click("[data-testid=verify]");
    await page.waitForFunction(() => document.querySelector("[data-testid=verdict]").textContent.includes("#1"));
    assert.match(await page.textContent("[data-testid=verdict]"), /断裂.*#1/);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("a limit review comes due as the days pass: the rules raise W1006 and file the review with the suggested limit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cd-review-"));
  let b = null;
  try {
    b = await browser({ dir });
    let { page } = b;
    await page.goto(server.url + "/customers");
    await ready(page);
    // Of the first rows, the customer whose next review comes soonest, with no limit request open
    // (the nearest, so that the days skipped raise few other alerts).
    let url = null;
    let due = null;
    let name = null;
    const rows = Math.min(await page.locator(".vrow").count(), 12);
    for (let i = 0; i < rows; i++) {
      await page.click(`.vrow >> nth=${i}`);
      await page.waitForSelector("[data-testid=credit]");
      const calendar = await page.locator("[data-testid=limit-calendar]").textContent().catch(() => "");
      const m = /下次复核：(\d{4})\/(\d{2})\/(\d{2})(?! ⚠)/.exec(calendar || "");
      const open = await page.locator("[data-testid=limit-history][open]").count();
      const day = m && new Date(`${m[1]}-${m[2]}-${m[3]}T10:00:00+08:00`);
      if (day && !open && (!due || day < due)) {
        url = page.url();
        due = day;
        name = await page.textContent("[data-testid=customer-name]");
      }
      await page.goBack();
      await page.waitForSelector(".vrow");
    }
    assert.ok(url, "a demo customer with a review to come");
    assert.deepEqual(b.errors, []);
    await b.close();

    // The day after the review date, the app opens again: W1006 fires and the review is filed.
    b = await browser({ dir, now: new Date(due.getTime() + 86_400_000) });
    page = b.page;
    await page.goto(url);
    await ready(page);
    await page.waitForSelector("[data-testid=limit-history][open]");
    assert.match(await page.textContent("[data-testid=limit-calendar]"), /⚠/);
    await page.goto(server.url + "/alerts");
    await ready(page);
    assert.equal(await page.locator("[data-testid=alert]", { hasText: name }).filter({ hasText: "W1006" }).count(), 1);
    assert.deepEqual(b.errors, []);
  } finally {
    await b?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a permanent limit request states when the limit expires and its next review; a review after the expiry is refused in place", async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(server.url + "/customers");
    await ready(page);
    await actAs(page, "rep-1");
    const { limit } = await openCustomerWhere(page, server.url, (f) => f.limit > 0 && !f.open, { what: "a customer with a limit and no request open" });
    await page.click("[data-testid=change-limit]");
    await page.waitForSelector("[data-testid=request-form]");
    await page.selectOption("select[name=action]", "permanent");
    await page.fill("#f-amount", ((limit + 500_000) / 100).toFixed(2));
    const expires = iso(daysAfter(180));
    const review = iso(daysAfter(270));
    await page.fill("#f-expires", expires);
    await page.fill("#f-review", review);
    await page.fill("#f-reason", "Backed by a bank guarantee for six months");
    await page.click("[data-testid=submit-request]");
    // Refused where it is wrong, with nothing filed.
    await page.waitForFunction(() => /复核日不能晚于额度到期日/.test(document.querySelector("[data-testid=request-form]")?.textContent || ""));
    assert.equal(await page.getAttribute("#f-review", "aria-invalid"), "true");
    const early = iso(daysAfter(90));
    await page.fill("#f-review", early);
    await page.click("[data-testid=submit-request]");
    await page.waitForSelector("[data-testid=timeline]");
    const [y, m, d] = expires.split("-");
    const [ry, rm, rd] = early.split("-");
    const title = await page.textContent("h1");
    assert.ok(title.includes(`额度到期：${y}/${m}/${d}`) && title.includes(`下次复核：${ry}/${rm}/${rd}`), title);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
