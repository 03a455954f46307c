// Haro, the dashboard, in Debian's chromium against one real Weaver (backtest actors and gateway on an
// embedded Postgres, 3 days of 1m demo bars): the shell, the live event feed, a backtest created from the
// form and watched to completion with its fills on the chart, a running run stopped from its page, an actor
// killed and restarted from the Actors page, and every page at laptop and phone widths without console
// errors, passing axe-core, screenshotted to test/web/screenshots/.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/events.ts';
import { DESKTOP, PHONE, expectAccessible, hasChromium, launchBrowser, NO_CHROMIUM, openPage, screenshot, withPage, type WatchedPage } from './browser.ts';
import { backtestBody, DEMO_SYMBOL, runReaches, startWebWeaver, type WebWeaver } from './weaver.ts';

if (!hasChromium()) console.warn(NO_CHROMIUM);

const UUID = /\/ui\/runs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
interface Accepted {
  run_id: string;
}
interface Result {
  status: string;
  instances: { fills: unknown[] }[];
}
interface Actor {
  id: string;
  state: string;
}

let weaver: WebWeaver;
let browser: Browser;
/** A completed backtest made over the API, so every page has something to show. */
let seeded: string;

describe.skipIf(!hasChromium())('the dashboard in a browser', () => {
  beforeAll(async () => {
    [weaver, browser] = await Promise.all([startWebWeaver({ demoDays: 3 }), launchBrowser()]);
    seeded = (await weaver.api<Accepted>('/runs', { method: 'POST', body: backtestBody({ fast: 10, slow: 30 }, { name: 'seeded sma 10/30' }) })).run_id;
    await runReaches(weaver, seeded, ['completed']);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await weaver?.stop();
  });

  /** A page open at `path` (under /ui), its main heading shown and (unless told) its API calls settled. */
  async function visit(w: WatchedPage, path: string, settle = true): Promise<void> {
    await w.page.goto(`${weaver.url}/ui${path}`);
    await w.page.locator('main h1').first().waitFor({ timeout: 15_000 });
    if (settle) await w.settle();
  }

  it('loads the shell at /ui/ without console errors, with its navigation, and passes axe', async () => {
    await withPage(browser, 'shell', {}, async (w) => {
      const res = await w.page.goto(`${weaver.url}/ui/`);
      expect(res?.status()).toBe(200);
      const nav = w.page.getByRole('navigation', { name: 'Main' });
      await nav.waitFor();
      for (const name of ['Dashboard', 'Runs', 'Backtests', 'Orders', 'Actors']) expect(await nav.getByRole('link', { name, exact: true }).count(), name).toBe(1);
      expect(await nav.getByRole('link', { name: 'Dashboard', exact: true }).getAttribute('aria-current')).toBe('page');
      await w.settle();
      expect(await w.page.getByText('Live updates lost').count()).toBe(0); // the SSE connection is up
      w.expectNoErrors('/ui/');
      await expectAccessible(w.page, '/ui/');
      // A link takes the app to the page without a reload (client-side routing under /ui).
      await nav.getByRole('link', { name: 'Runs', exact: true }).click();
      await w.page.waitForURL(`${weaver.url}/ui/runs`);
      expect(await nav.getByRole('link', { name: 'Runs', exact: true }).getAttribute('aria-current')).toBe('page');
      w.expectNoErrors('/ui/ → /ui/runs');
    });
  });

  it('shows a new event in the live feed within a second of it being created', async () => {
    await withPage(browser, 'event-feed', {}, async (w) => {
      await visit(w, '/');
      const feed = w.page.getByRole('region', { name: 'Live events' });
      await feed.waitFor({ timeout: 10_000 });
      // The SSE connection is open once the stream request has answered: wait for it before creating.
      await w.streamOpen();
      const created = await weaver.api<Accepted>('/runs', { method: 'POST', body: backtestBody({ fast: 10, slow: 30 }, { start: false, name: 'feed check' }) });
      const sent = performance.now();
      // ui.RunStatus "created" for that run: the feed names the run (its id or the id's tail).
      await feed.getByText(created.run_id.slice(-8)).first().waitFor({ timeout: 1_000 });
      const latency = performance.now() - sent;
      console.log(`[web e2e] event feed: run ${created.run_id} shown ${latency.toFixed(0)} ms after POST /runs answered`);
      expect(latency).toBeLessThanOrEqual(1_000);
      w.expectNoErrors('the dashboard with the live feed');
    });
  });

  it('creates a backtest from the form; its page reaches completed and the chart marks its fills', async () => {
    await withPage(browser, 'backtest-form', {}, async (w) => {
      await visit(w, '/runs/new');
      const page = w.page;
      await choose(page.getByLabel('Strategy', { exact: true }), 'sma_cross');
      await page.getByLabel('fast', { exact: true }).fill('10');
      await page.getByLabel('slow', { exact: true }).fill('40');
      await page.getByLabel('Symbols', { exact: true }).fill(DEMO_SYMBOL);
      await choose(page.getByLabel('Timeframe', { exact: true }), '1m');
      await fillWhen(page.getByLabel('From', { exact: true }), '2025-12-29T00:00');
      await fillWhen(page.getByLabel('To', { exact: true }), '2025-12-31T23:59');
      await page.getByLabel('Cash', { exact: true }).fill('100000');
      w.expectNoErrors('the new run form, filled in');
      await page.getByRole('button', { name: 'Create and start' }).click();
      await page.waitForURL(UUID, { timeout: 15_000 });
      const runId = UUID.exec(page.url())![1]!;

      const run = await weaver.api<{ status: string; instances: { strategy: string; params: Record<string, unknown>; symbols: string[] }[] }>(`/runs/${runId}`);
      expect(run.instances).toEqual([expect.objectContaining({ strategy: 'sma_cross', symbols: [DEMO_SYMBOL], params: expect.objectContaining({ fast: 10, slow: 40 }) })]);
      await runReaches(weaver, runId, ['completed', 'failed', 'stopped']);
      // The page follows by itself (live events, no reload).
      await statusShown(page, 'completed');

      const result = await weaver.api<Result>(`/backtests/${runId}`);
      expect(result.status).toBe('completed');
      const fills = result.instances.reduce((n, i) => n + i.fills.length, 0);
      expect(fills).toBeGreaterThan(0);
      const markers = await chartMarkers(page);
      console.log(`[web e2e] backtest from the form: ${fills} fills, ${markers} chart markers`);
      expect(markers).toBeGreaterThan(0);
      expect(markers).toBeLessThanOrEqual(fills); // one per fill at most (fills of one bar and side may share one)
      w.expectNoErrors('the run page of the new backtest');
    });
  });

  it('stops a running run from its page, after confirming', async () => {
    // A strategy that trades on nearly every bar: each order waits for the venue, so this runs for a while.
    const { run_id: runId } = await weaver.api<Accepted>('/runs', { method: 'POST', body: backtestBody({ fast: 1, slow: 2 }, { name: 'to be stopped' }) });
    await runReaches(weaver, runId, ['running']);
    await withPage(browser, 'stop-run', {}, async (w) => {
      await visit(w, `/runs/${runId}`, false); // a running run's page refetches as it progresses
      const page = w.page;
      const stop = page.getByRole('button', { name: 'Stop run' });
      await clickAndConfirm(page, stop);
      const ended = await runReaches(weaver, runId, ['stopped', 'completed', 'failed'], 60_000);
      expect(ended.status, 'the run ended before the stop took effect: give it more bars').toBe('stopped');
      await statusShown(page, 'stopped');
      w.expectNoErrors('stopping a run');
    });
  }, 120_000);

  it('kills walle from the Actors page and restarts it', async () => {
    await withPage(browser, 'actors-kill', {}, async (w) => {
      await visit(w, '/actors');
      const page = w.page;
      await clickAndConfirm(page, page.getByRole('button', { name: 'Kill walle', exact: true }));
      await eventually(async () => (await weaver.api<{ items: Actor[] }>('/actors')).items.find((a) => a.id === 'walle')?.state === 'stopped', 20_000, 'walle stopped');
      await actorRow(page, 'walle').filter({ hasText: /stopped/ }).waitFor({ timeout: 10_000 });

      await clickAndConfirm(page, page.getByRole('button', { name: 'Restart walle', exact: true }));
      await eventually(async () => (await weaver.api<{ items: Actor[] }>('/actors')).items.find((a) => a.id === 'walle')?.state === 'running', 30_000, 'walle running again');
      await actorRow(page, 'walle').filter({ hasText: /running/ }).filter({ hasNotText: /stopped/ }).waitFor({ timeout: 10_000 }); // state and desired
      w.expectNoErrors('killing and restarting walle');
    });
  });

  it('renders every page without console errors, passing axe, at 1280 and 375 px, light and dark; screenshots', async () => {
    const pages: [string, string][] = [
      ['dashboard', '/'],
      ['runs', '/runs'],
      ['runs-new', '/runs/new'],
      ['run-detail', `/runs/${seeded}`],
      ['backtests', '/backtests'],
      ['orders', '/orders'],
      ['actors', '/actors'],
    ];
    const variants = [
      { suffix: '1280', viewport: DESKTOP, colorScheme: 'light' as const },
      { suffix: '375', viewport: PHONE, colorScheme: 'light' as const },
      { suffix: '1280-dark', viewport: DESKTOP, colorScheme: 'dark' as const },
    ];
    const failures: string[] = [];
    for (const variant of variants) {
      const w = await openPage(browser, { viewport: variant.viewport, colorScheme: variant.colorScheme });
      try {
        for (const [name, path] of pages) {
          const what = `/ui${path} at ${variant.suffix}`;
          try {
            await visit(w, path);
            if (name === 'run-detail') await chartMarkers(w.page);
            await screenshot(w.page, `${name}-${variant.suffix}`);
            w.expectNoErrors(what);
            await expectAccessible(w.page, what);
            if (variant.viewport.width === PHONE.width) {
              const overflow = (await w.page.evaluate('document.documentElement.scrollWidth')) as number;
              if (overflow > PHONE.width) throw new Error(`${what}: the page is ${overflow} px wide (wide tables belong in a .table-wrap)`);
            }
          } catch (error) {
            failures.push((error as Error).message);
            w.problems.splice(0);
          }
        }
      } finally {
        await w.close();
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 240_000);
});

/** A <select> by its option's value or label; a text input by typing. */
async function choose(field: Locator, value: string): Promise<void> {
  const tag = await field.evaluate((el) => el.tagName.toLowerCase());
  if (tag === 'select') await field.selectOption(value);
  else await field.fill(value);
}

/** A date or date-time input in the format its type wants; `value` is YYYY-MM-DDTHH:MM. */
async function fillWhen(field: Locator, value: string): Promise<void> {
  const type = await field.getAttribute('type');
  await field.fill(type === 'date' ? value.slice(0, 10) : type === 'datetime-local' ? value : `${value.replace('T', ' ')}`);
}

/**
 * Clicks, then confirms if the page asks: a native confirm(), a dialog, or a confirming button in place of
 * the one clicked ("Really stop?"). An action that does not ask just goes ahead.
 */
async function clickAndConfirm(page: Page, button: Locator): Promise<void> {
  await button.waitFor({ timeout: 10_000 });
  const accept = (d: { accept(): Promise<void> }) => void d.accept();
  page.once('dialog', accept);
  await button.click();
  const dialog = page.getByRole('dialog').or(page.getByRole('alertdialog'));
  const inPlace = page.getByRole('button', { name: /^(really|confirm|yes)\b/i });
  const asked = await dialog.or(inPlace).first().waitFor({ timeout: 1_500 }).then(() => true, () => false);
  if (asked) {
    if (await dialog.count()) await dialog.first().getByRole('button', { name: /^(really|confirm|yes|stop|kill|restart)\b/i }).first().click();
    else await inPlace.first().click();
  }
  page.off('dialog', accept);
}

/** The row (table row, list item or card) of an actor: the innermost one holding its kill or restart button. */
function actorRow(page: Page, id: string): Locator {
  return page
    .locator('tr, [role="row"], li, article')
    .filter({ has: page.getByRole('button', { name: new RegExp(`^(Kill|Restart) ${id}$`) }) })
    .last();
}

/** Waits until the page shows the run's status (a badge or a line with the word). */
async function statusShown(page: Page, status: string): Promise<void> {
  await page.locator('main').getByText(status, { exact: true }).first().waitFor({ timeout: 15_000 });
}

/** The price chart's marker count once it has its data (data-markers, 0 until the bars and fills are set). */
async function chartMarkers(page: Page): Promise<number> {
  const chart = page.locator('[aria-label^="Price chart"]').first();
  await chart.waitFor({ timeout: 15_000 });
  let last: string | null = null;
  try {
    return await eventually(async () => {
      last = await chart.getAttribute('data-markers');
      return Number(last) > 0 ? Number(last) : undefined;
    }, 30_000, 'the price chart to show markers');
  } catch (error) {
    throw new Error(`${(error as Error).message}: its data-markers stayed ${JSON.stringify(last)}`);
  }
}
