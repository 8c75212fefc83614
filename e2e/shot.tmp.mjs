import { browser, startServer } from "./lib.mjs";
const server = await startServer();
for (const [w, h, mobile] of [[1280, 860, false], [360, 740, true]]) {
  const b = await browser({ width: w, height: h, mobile });
  await b.context.route("**/api/v1/health", () => {});
  await b.page.goto(server.url + "/customers");
  await b.page.waitForSelector("[data-testid=server-silent]", { timeout: 30_000 });
  await b.page.screenshot({ path: `/tmp/shots/silent-${w}.png` });
  await b.close();
}
server.stop();
