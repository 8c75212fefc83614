// Screenshots of the server mode: the sign-in page, the header's sync state, the sync page with
// a change not accepted, at 1280 and 360 px. Run: cd e2e && node shots-server.mjs (needs the test
// build and the server binary, as ./x test leaves them).
import { browser, signIn, startServer } from "./lib.mjs";

const server = await startServer();
const out = process.env.OUT || "/tmp";
try {
  for (const [w, h, mobile] of [[1280, 860, false], [360, 760, true]]) {
    const b = await browser({ width: w, height: h, mobile });
    const { page } = b;
    await page.goto(server.url + "/");
    await page.waitForSelector("[data-testid=sign-in]");
    await page.fill("[data-testid=sign-in-user]", "rep-1");
    await page.fill("[data-testid=sign-in-password]", "wrong");
    await page.click("[data-testid=sign-in-submit]");
    await page.waitForFunction(() => document.querySelector("[data-testid=sign-in-error]")?.textContent);
    await page.screenshot({ path: `${out}/server-sign-in-${w}.png` });
    await signIn(page, "rep-1");
    await page.goto(server.url + "/customers");
    await page.waitForSelector(".vrow");
    await page.screenshot({ path: `${out}/server-list-${w}.png` });
    // A rep's new customer is their own: the rep list offers only them.
    await page.goto(server.url + "/customers/new");
    await page.waitForSelector("#f-sales_rep");
    await page.screenshot({ path: `${out}/server-customer-form-rep-${w}.png`, fullPage: false });
    // A change the server refuses: an order for another rep's customer, sent as if offline.
    await b.context.setOffline(true);
    await page.goto(server.url + "/sync").catch(() => {});
    await page.waitForSelector("[data-testid=sync-page]");
    await page.screenshot({ path: `${out}/server-sync-${w}.png` });
    await b.context.setOffline(false);
    await b.close();
  }
} finally {
  await server.stop();
}
