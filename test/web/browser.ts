// The browser side of the dashboard's end-to-end tests and benchmark: Debian's chromium driven by
// playwright-core, pages that record every console error and uncaught exception, an axe-core check that
// fails on serious and critical violations (and prints them), screenshots in test/web/screenshots/, and a
// wait for the page's API calls to settle (the SSE stream aside, which stays open).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AxeResults, Result as AxeViolation } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './chromium.ts';

export { hasChromium, NO_CHROMIUM } from './chromium.ts';

export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions so far, with the URL they happened at. */
  readonly problems: string[];
  /** Resolves once the page's SSE request has answered 200 (its stream is open); at once if it has. */
  streamOpen(timeoutMs?: number): Promise<void>;
  /** Throws when the page logged a console error or threw, listing them; clears the list. */
  expectNoErrors(what: string): void;
  /** Resolves once no API request (other than the SSE stream) has been in flight for `quietMs`. */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly viewport?: { width: number; height: number };
  readonly colorScheme?: 'light' | 'dark';
  /** Console messages that are expected (e.g. the browser's own note of a 401 in the API-key flow). */
  readonly allow?: readonly RegExp[];
}

/** A new page in a fresh context (its own sessionStorage), watched for errors. */
export async function openPage(browser: Browser, options: OpenOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, colorScheme: options.colorScheme ?? 'light', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed = (text: string) => (options.allow ?? []).some((re) => re.test(text));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || allowed(msg.text())) return;
    const where = msg.location().url ? ` (${msg.location().url}:${msg.location().lineNumber})` : '';
    problems.push(`console error at ${page.url()}: ${msg.text()}${where}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception at ${page.url()}: ${error.stack ?? error.message}`));
  let inFlight = 0;
  let lastChange = Date.now();
  const isApi = (url: string) => !new URL(url).pathname.startsWith('/events/stream');
  page.on('request', (r) => {
    if (!isApi(r.url())) return;
    inFlight += 1;
    lastChange = Date.now();
  });
  const done = (r: { url(): string }) => {
    if (!isApi(r.url())) return;
    inFlight = Math.max(0, inFlight - 1);
    lastChange = Date.now();
  };
  let streams = 0;
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/events/stream' && r.status() === 200) streams += 1;
  });
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return {
    page,
    problems,
    expectNoErrors(what) {
      const found = problems.splice(0);
      if (found.length > 0) throw new Error(`${what}: ${found.length} console error(s) or exception(s):\n${found.join('\n')}`);
    },
    async streamOpen(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (streams === 0) {
        if (Date.now() > deadline) throw new Error(`the page opened no SSE stream (GET /events/stream answering 200) within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async settle(quietMs = 300, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(inFlight === 0 && Date.now() - lastChange >= quietMs)) {
        if (Date.now() > deadline) throw new Error(`the page's API calls did not settle within ${timeoutMs} ms (${inFlight} in flight)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => context.close(),
  };
}

/** Runs `fn` on a new watched page; on failure leaves a screenshot (screenshots/failed-NAME.png) to look at. */
export async function withPage<T>(browser: Browser, name: string, options: OpenOptions, fn: (w: WatchedPage) => Promise<T>): Promise<T> {
  const w = await openPage(browser, options);
  try {
    const value = await fn(w);
    rmSync(path.join(SCREENSHOTS, `failed-${name}.png`), { force: true }); // an earlier failure's
    return value;
  } catch (error) {
    const file = await screenshot(w.page, `failed-${name}`).catch(() => null);
    if (file) (error as Error).message += `\n(screenshot: ${path.relative(process.cwd(), file)})`;
    throw error;
  } finally {
    await w.close();
  }
}

/** One violation as a readable line per affected element. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ') ?? ''}`).join('\n')}`)
    .join('\n');
}

/** Runs axe-core on the page; gives back the serious and critical violations, printing them. */
export async function axeViolations(page: Page, what: string): Promise<AxeViolation[]> {
  // (Strings: this file is type-checked for Node, without the DOM's types.)
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.addScriptTag({ path: AXE });
  const results = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as AxeResults;
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) console.error(`axe-core, ${what}:\n${describeViolations(bad)}`);
  return bad;
}

/** Throws, listing them, when axe-core finds serious or critical violations. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const bad = await axeViolations(page, what);
  if (bad.length > 0) throw new Error(`axe-core found ${bad.length} serious or critical violation(s) on ${what}:\n${describeViolations(bad)}`);
}

/** A full-page screenshot to test/web/screenshots/NAME.png; gives back its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}
