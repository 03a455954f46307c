// The dashboard against a Weaver started with WEAVER_API_KEY: the page asks for the key, a wrong key is
// refused in place, the right one loads the data, is sent in the X-API-Key header (the SSE stream's too,
// never in a URL) and is kept for the browser tab's session only.
import { randomBytes } from 'node:crypto';
import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, hasChromium, launchBrowser, NO_CHROMIUM, screenshot, withPage } from './browser.ts';
import { startWebWeaver, type WebWeaver } from './weaver.ts';

if (!hasChromium()) console.warn(NO_CHROMIUM);

const KEY = randomBytes(24).toString('hex');
/** The browser's own console note for each refused request is expected here. */
const ALLOW = [/status of 401/];
let weaver: WebWeaver;
let browser: Browser;

describe.skipIf(!hasChromium())('the API-key flow', () => {
  beforeAll(async () => {
    [weaver, browser] = await Promise.all([startWebWeaver({ apiKey: KEY, actors: ['gateway'], demoDays: 0 }), launchBrowser()]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await weaver?.stop();
  });

  it('asks for the key, refuses a wrong one in place, and loads the data with the right one', async () => {
    await withPage(browser, 'api-key', { allow: ALLOW }, async (w) => {
      const page = w.page;
      const requests: Request[] = [];
      page.on('request', (r) => requests.push(r));
      // The app itself loads without the key (the bundle holds no secret); the API refuses it.
      const res = await page.goto(`${weaver.url}/ui/actors`);
      expect(res?.status()).toBe(200);
      const prompt = page.getByRole('form', { name: 'API key' });
      await prompt.waitFor({ timeout: 10_000 });
      const key = prompt.getByLabel('Key', { exact: true });
      const use = prompt.getByRole('button', { name: 'Use this key' });
      await screenshot(page, 'api-key-prompt-1280');
      await expectAccessible(page, 'the API-key prompt');

      await key.fill('not-the-right-key-at-all');
      await use.click();
      const alert = prompt.getByRole('alert');
      await alert.waitFor({ timeout: 10_000 });
      expect(await alert.textContent()).toMatch(/not the one Weaver was started with|wrong API key/);
      expect(await page.evaluate('sessionStorage.getItem("weaver.apiKey")')).toBeNull(); // the wrong key is not kept
      await screenshot(page, 'api-key-wrong-1280');

      await key.fill(KEY);
      const reloaded = page.waitForEvent('load');
      await use.click();
      await reloaded;
      // The data: the Actors page lists the one actor this Weaver runs.
      await page.locator('main').getByText('gateway', { exact: true }).first().waitFor({ timeout: 15_000 });
      expect(await use.count()).toBe(0);
      await w.settle();
      expect(await page.evaluate('sessionStorage.getItem("weaver.apiKey")')).toBe(KEY);
      expect(await page.evaluate('localStorage.length')).toBe(0);

      // Every API call after the key was given carries it in the header; no URL carries it.
      const actors = requests.filter((r) => new URL(r.url()).pathname === '/actors');
      expect(actors.length).toBeGreaterThan(0);
      expect((await actors.at(-1)!.allHeaders())['x-api-key']).toBe(KEY);
      expect(requests.some((r) => r.url().includes(KEY))).toBe(false);
      await w.streamOpen();
      const streams = requests.filter((r) => new URL(r.url()).pathname === '/events/stream');
      expect((await streams.at(-1)!.allHeaders())['x-api-key']).toBe(KEY);

      // The same tab keeps the key across a reload: no prompt.
      w.problems.splice(0); // the browser's notes of the refused calls before the key was given
      await page.reload();
      await page.locator('main').getByText('gateway', { exact: true }).first().waitFor({ timeout: 15_000 });
      await w.settle();
      expect(await key.count()).toBe(0);
      w.expectNoErrors('the dashboard with its key');
    });
  });

  it('a new browser session asks again (the key is kept per tab session only)', async () => {
    await withPage(browser, 'api-key-new-session', { allow: ALLOW }, async (w) => {
      await w.page.goto(`${weaver.url}/ui/`);
      await w.page.getByLabel('Key', { exact: true }).waitFor({ timeout: 10_000 });
    });
  });
});
