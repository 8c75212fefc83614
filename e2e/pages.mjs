// Every page of the app, for the screenshots (`./x shots`) and the screen check
// (tests/screens.test.mjs): a name, how to reach it, and what it waits for. The routes come from
// `src/ui/mod.rs`; the check fails on a page that shows "not found", so a renamed route shows up.
import { ready } from "./lib.mjs";

/** Ids the pages about one thing need: a customer with invoices and a limit, and a request (the
 *  first the inbox lists). */
export async function pageIds(page, url) {
  await page.goto(url + "/reports/aging");
  await ready(page);
  await page.waitForSelector("[data-testid=report-table] tbody tr");
  // The customer with the most open receivables (the aging report's second column): a customer
  // with a book to show.
  const customer = await page.$$eval("[data-testid=report-table] tbody tr", (rows) => {
    const open = (tr) => Number(tr.children[1].textContent.replace(/[^0-9.-]/g, ""));
    const top = rows.reduce((a, b) => (open(b) > open(a) ? b : a));
    return top.querySelector("a[href*='/customers/']").getAttribute("href").split("/customers/")[1];
  });
  await page.goto(url + "/inbox");
  await ready(page);
  const request = await page.evaluate(() => {
    const a = [...document.querySelectorAll("a[href*='/requests/']")][0];
    return a ? a.getAttribute("href").split("/requests/")[1] : null;
  });
  return { customer, request };
}

/** The pages, each `{ name, path(ids) }`. */
export const PAGES = [
  ["dashboard", () => "/"],
  ["customers", () => "/customers"],
  ["customer-360", (i) => `/customers/${i.customer}`],
  ["customer-edit", (i) => `/customers/${i.customer}/edit`],
  ["customer-new", () => "/customers/new"],
  ["order", (i) => `/customers/${i.customer}/order`],
  ["invoice", (i) => `/customers/${i.customer}/invoice`],
  ["payment", (i) => `/customers/${i.customer}/payment`],
  ["credit-note", (i) => `/customers/${i.customer}/credit-note`],
  ["limit-request", (i) => `/customers/${i.customer}/limit`],
  ["notice", (i) => `/customers/${i.customer}/notice`],
  ["request", (i) => (i.request ? `/requests/${i.request}` : null)],
  ["inbox", () => "/inbox"],
  ["alerts", () => "/alerts"],
  ["tasks", () => "/tasks"],
  ["held", () => "/held"],
  ["rules", () => "/rules"],
  ["fields", () => "/fields"],
  ["scorecard", () => "/scorecard"],
  ["report-aging", () => "/reports/aging"],
  ["report-invoices", () => "/reports/invoices"],
  ["report-dso", () => "/reports/dso"],
  ["report-collections", () => "/reports/collections"],
  ["report-days-to-pay", () => "/reports/days-to-pay"],
  ["report-utilisation", () => "/reports/utilisation"],
  ["report-forecast", () => "/reports/forecast"],
  ["report-disputes", () => "/reports/disputes"],
  ["import", () => "/import"],
  ["audit", () => "/audit"],
  ["settings", () => "/settings"],
  ["sync", () => "/sync"],
].map(([name, path]) => ({ name, path }));

/** Opens a page and waits until it has drawn its data (no spinner left). */
export async function openPage(page, url, path) {
  await page.goto(url + path);
  await ready(page);
  await page.waitForFunction(() => !document.querySelector(".loading") && document.querySelector("main, .page"), null, { timeout: 60_000 });
  // Charts and lists draw in the next frames; a chart on a page just opened in a task of its
  // own (its room held by a placeholder until then).
  await page.waitForFunction(() => [...document.querySelectorAll("figure.chart")].every((f) => f.querySelector(":scope > svg")), null, { timeout: 60_000 });
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

/** The app in a language: the top bar's switch toggles between zh-CN and English. */
export async function setLang(page, lang) {
  const now = await page.evaluate(() => document.documentElement.lang || "");
  if (!now.toLowerCase().startsWith(lang)) {
    await page.click("[data-testid=lang-switch]");
    await page.waitForFunction((l) => document.documentElement.lang.toLowerCase().startsWith(l), lang);
  }
}

/** What a person would see as broken on the page shown: a figure cut or wrapped, or the page
 *  scrolling sideways on a screen `width` px wide (a phone's browser widens its layout to fit a
 *  page too wide, so the width is the device's, not `innerWidth`). Returns a list of problems
 *  (empty when the page reads well). */
export function screenProblems(width) {
  const problems = [];
  const doc = document.documentElement;
  const wide = Math.max(doc.scrollWidth, window.innerWidth);
  if (wide > width + 1) problems.push(`the page is ${wide} px wide on a ${width} px screen`);
  if (/^(Not found|未找到)/.test(document.querySelector("main h1, .page h1")?.innerText || "")) problems.push("the page says not found");
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  for (const el of document.querySelectorAll(".money, .tile-value, .figure")) {
    if (!shown(el)) continue;
    const text = el.textContent.trim();
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) problems.push(`"${text}" is cut: ${el.scrollWidth} px in ${el.clientWidth}`);
    // One line: as tall as one line of its own text.
    const lh = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.3;
    if (el.getBoundingClientRect().height > lh * 1.6 && el.getClientRects().length >= 1 && !el.closest("svg")) {
      // A block holding a figure and a caption is not one figure: only text wraps count.
      const range = document.createRange();
      range.selectNodeContents(el);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) problems.push(`"${text}" wraps onto ${lines.size} lines`);
    }
    // Cut by an ancestor that hides what overflows it (a scroll box is fine: it can be scrolled).
    const r = el.getBoundingClientRect();
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (/hidden|clip/.test(s.overflowX)) {
        const ar = a.getBoundingClientRect();
        if (r.left < ar.left - 1 || r.right > ar.right + 1) problems.push(`"${text}" is cut by its ${a.className || a.tagName} box`);
        break;
      }
      if (/auto|scroll/.test(s.overflowX)) break;
    }
  }
  // A report's key figures (open, overdue) are in view without scrolling sideways.
  for (const th of document.querySelectorAll("table.report th.key")) {
    const box = th.closest(".table-scroll");
    if (!box || !shown(th) || getComputedStyle(th.closest("thead")).position === "absolute") continue;
    if (th.getBoundingClientRect().right > box.getBoundingClientRect().right + 1) problems.push(`the key column "${th.textContent.trim()}" is out of view`);
  }
  return [...new Set(problems)];
}
