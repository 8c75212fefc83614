// Screenshots of the app's pages at desktop and phone width, for people to look at.
// Usage: node shots.mjs [outdir]   (needs the app built in ../target/site-test, as ./x test does)
import { browser, ready, serve } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const out = process.argv[2] || "artifacts";
mkdirSync(out, { recursive: true });
const server = await serve();
for (const [label, size] of [["desktop", { width: 1280, height: 860 }], ["phone", { width: 360, height: 760, mobile: true }]]) {
  const b = await browser(size);
  const { page } = b;
  await page.goto(server.url + "/customers");
  await ready(page);
  await page.waitForSelector(".vrow");
  await page.screenshot({ path: `${out}/customers-${label}.png` });
  await page.click(".vrow >> nth=2");
  await page.waitForSelector("[data-testid=customer-360]");
  await page.screenshot({ path: `${out}/customer360-${label}.png`, fullPage: label === "phone" ? false : true });
  await page.goto(server.url + "/");
  await ready(page);
  await page.screenshot({ path: `${out}/dashboard-${label}.png` });
  await page.goto(server.url + "/customers/new");
  await ready(page);
  await page.click("[data-testid=save]");
  await page.waitForSelector(".form-message");
  await page.screenshot({ path: `${out}/customer-form-errors-${label}.png` });
  await page.goto(server.url + "/scorecard");
  await ready(page);
  await page.click("[data-testid=edit-draft]");
  await page.fill("[data-testid=weight-avg_days_to_pay]", "16");
  await page.fill("[data-testid=weight-report_score]", "2");
  await page.waitForSelector("[data-testid=migration]");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${out}/scorecard-${label}.png`, fullPage: false });
  await page.goto(server.url + "/settings");
  await ready(page);
  await page.screenshot({ path: `${out}/settings-${label}.png`, fullPage: true });
  await page.goto(server.url + "/customers");
  await ready(page);
  await page.click(".vrow >> nth=2");
  await page.waitForSelector("[data-testid=credit]");
  await page.locator("[data-testid=credit]").screenshot({ path: `${out}/credit-card-${label}.png` });
  // The approval workflow: an approver's inbox, a request's timeline, the request form, the audit.
  await page.goto(server.url + "/inbox");
  await ready(page);
  await page.selectOption("[data-testid=user-switch]", "sm-1");
  await page.waitForSelector("[data-testid=waiting]");
  await page.screenshot({ path: `${out}/inbox-${label}.png`, fullPage: true });
  await page.click("[data-testid=waiting] a >> nth=0");
  await page.waitForSelector("[data-testid=timeline]");
  await page.screenshot({ path: `${out}/request-${label}.png`, fullPage: true });
  await page.selectOption("[data-testid=user-switch]", "admin");
  await page.goto(server.url + "/customers");
  await ready(page);
  for (let i = 2; i < 12; i++) {
    await page.click(`.vrow >> nth=${i}`);
    await page.waitForSelector("[data-testid=credit]");
    if (!(await page.locator("[data-testid=frozen]").count())) break;
    await page.goBack();
    await page.waitForSelector(".vrow");
  }
  await page.click("[data-testid=change-limit]");
  await page.selectOption("select[name=action]", "freeze");
  await page.waitForSelector("[data-testid=route]");
  await page.screenshot({ path: `${out}/request-form-${label}.png`, fullPage: true });
  await page.goto(server.url + "/audit");
  await ready(page);
  await page.click("[data-testid=verify]");
  await page.screenshot({ path: `${out}/audit-${label}.png` });
  // Payment before delivery: an order over the limit waits for its money on the Held page.
  await page.goto(server.url + "/customers");
  await ready(page);
  for (let i = 0; i < 12; i++) {
    await page.click(`.vrow >> nth=${i}`);
    await page.waitForSelector("[data-testid=credit]");
    if (!(await page.locator("[data-testid=frozen]").count())) break;
    await page.goBack();
    await page.waitForSelector(".vrow");
  }
  const available = Number((await page.textContent("[data-testid=available] .tile-value")).replace(/[^0-9.]/g, ""));
  await page.click("[data-testid=new-order]");
  await page.fill("#f-amount", (available + 12000).toFixed(2));
  await page.check("[data-testid=prepaid]");
  await page.waitForSelector("[data-testid=check]:not([data-outcome=block])");
  await page.screenshot({ path: `${out}/order-prepaid-${label}.png`, fullPage: true });
  await page.click("[data-testid=save]");
  await page.waitForSelector("[data-testid=credit]");
  await page.goto(server.url + "/held");
  await ready(page);
  await page.waitForSelector("[data-testid=awaiting-payment]");
  await page.screenshot({ path: `${out}/held-${label}.png`, fullPage: true });
  // A sales rep: another rep's customer by its link, and their own customer's form.
  await page.goto(server.url + "/customers");
  await ready(page);
  const other = await page.$$eval(".vrow", (rows) =>
    rows.filter((r) => !r.querySelector(".who small")?.textContent.includes("王伟")).map((r) => r.getAttribute("href"))[0]);
  await page.selectOption("[data-testid=user-switch]", "rep-1");
  await page.goto(server.url + other);
  await ready(page);
  await page.waitForSelector("[data-testid=unavailable]");
  await page.screenshot({ path: `${out}/not-yours-${label}.png` });
  await page.goto(server.url + "/customers");
  await ready(page);
  await page.click(".vrow >> nth=0");
  await page.click("a[href$='/edit']");
  await page.waitForSelector("[data-testid=profile-locked]");
  await page.screenshot({ path: `${out}/customer-form-rep-${label}.png`, fullPage: true });
  await page.selectOption("[data-testid=user-switch]", "admin");
  if (b.errors.length) console.log(label, "console errors:", b.errors);
  await b.close();
}
server.stop();
console.log("screenshots in", out);
