// npm run bench:web [-- --json] [-- --repeat 5] [-- --days 70] [-- --fast 30 --slow 120]
// Dashboard figures (issue 5): time to first render of the dashboard and of a run's page with 100,800 1m
// candles (70 days of demo bars) and ~1,000 fills, in Debian's chromium against a real Weaver (backtest
// actors and gateway on an embedded Postgres); and the initial bundle in KB gzip. Targets: the run page
// interactive (its chart has its bars and fill markers) in ≤ 1.5 s; the initial bundle ≤ 250 KB gzip.
// Not a test: it prints numbers, it asserts nothing.
//
// Each page load is a fresh browser context (nothing cached: the worst case, a first visit), timed inside
// the page from navigation start (performance.now()): first contentful paint; the main heading; for the
// run page the moment the price chart is interactive (its latest bars drawn with their fill markers: its
// data-markers attribute turns positive, and the frame after) and the moment it is complete (all bars
// set: its data-bars attribute reaches the candles stored, and the frame after); and the last change to
// <main> once the page's API calls have settled (the page fully drawn). Median and max of
// --repeat loads (default 5) after one warm-up load of each page (the server's first queries).
// The bundle: every JS and CSS file the browser downloads for /ui/ (the dashboard), gzipped here (level 6,
// what a server would send), and what the run page loads on top of it (the chart library, its own chunks).
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import type { Browser } from 'playwright-core';
import { runWeaver } from '../e2e/weaver-process.ts';
import { CHROMIUM_ARGS, hasChromium, launchBrowser, NO_CHROMIUM, openPage } from '../web/browser.ts';
import { ensureWebBuild } from '../web/web-build.ts';
import { DEMO_SYMBOL, runReaches, startWebWeaver } from '../web/weaver.ts';
import { intFlag, json, say } from './flags.ts';

const REPEAT = intFlag('--repeat', 5, 'bench:web');
const FAST = intFlag('--fast', 30, 'bench:web');
const SLOW = intFlag('--slow', 120, 'bench:web');
const DAYS = intFlag('--days', 70, 'bench:web'); // 70 × 1,440 = 100,800 1m bars

if (!hasChromium()) {
  console.error(NO_CHROMIUM);
  process.exit(2);
}

interface Timings {
  fcp: number;
  heading: number;
  chart_data: number | null;
  chart_drawn: number | null;
  chart_complete: number | null;
  settled: number;
  /** GET /candles requests and when the first started and the last answered (the bars' share of the wait). */
  candles_requests: number | null;
  candles_first_request: number | null;
  candles_last_response: number | null;
}
type Summary = Record<keyof Timings, { median: number; max: number } | null>;

/**
 * Observes, from before the app's first script, when the heading shows, when the price chart has its data
 * (its data-markers attribute turns positive: the latest bars are set and their fills marked) and the
 * first frame after that (the chart drawn, interactive), the first frame after it has all `bars` bars
 * (data-bars), and the last change to <main>.
 */
const probe = (bars: number) => `(() => {
  const t = { heading: null, chart: null, chartPainted: null, completePainted: null, lastMain: 0 };
  window.__bench = t;
  const inMain = (r) => { const el = r.target.nodeType === 1 ? r.target : r.target.parentElement; return !!el && !!el.closest('main'); };
  const check = (records) => {
    const now = performance.now();
    if (t.heading === null && document.querySelector('main h1')) t.heading = now;
    if (t.chart === null) {
      const el = document.querySelector('[aria-label^="Price chart"][data-markers]');
      if (el && Number(el.getAttribute('data-markers')) > 0) {
        t.chart = now;
        requestAnimationFrame(() => setTimeout(() => (t.chartPainted = performance.now()), 0));
      }
    }
    if (t.completePainted === null && !t.completeSeen) {
      const el = document.querySelector('[aria-label^="Price chart"][data-bars]');
      if (el && Number(el.getAttribute('data-bars')) >= ${bars}) {
        t.completeSeen = true;
        requestAnimationFrame(() => setTimeout(() => (t.completePainted = performance.now()), 0));
      }
    }
    if (records.some(inMain)) t.lastMain = now;
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();`;

/** Waits for the price chart's data: data-markers above 0. */
const CHART_READY = (page: import('playwright-core').Page) =>
  page.waitForFunction(`Number(document.querySelector('[aria-label^="Price chart"]')?.getAttribute('data-markers') ?? 0) > 0`, null, { timeout: 60_000 });

async function loadOnce(b: Browser, url: string, chart: boolean, bars: number): Promise<Timings> {
  const w = await openPage(b);
  try {
    await w.page.addInitScript(probe(bars));
    await w.page.goto(url);
    if (chart) {
      await CHART_READY(w.page);
      await w.page.waitForFunction('window.__bench.chartPainted !== null && window.__bench.completePainted !== null', null, { timeout: 60_000 });
    }
    else await w.page.locator('main h1').first().waitFor({ timeout: 60_000 });
    await w.settle(500, 60_000);
    const t = (await w.page.evaluate(`(() => {
      const candles = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/candles');
      return {
        ...window.__bench,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        candlesRequests: candles.length,
        candlesFrom: candles.length ? Math.min(...candles.map((e) => e.startTime)) : null,
        candlesTo: candles.length ? Math.max(...candles.map((e) => e.responseEnd)) : null,
      };
    })()`)) as { heading: number; chart: number | null; chartPainted: number | null; completePainted: number | null; lastMain: number; fcp: number; candlesRequests: number; candlesFrom: number | null; candlesTo: number | null };
    if (w.problems.length > 0) say(`  note: ${w.problems.join('; ')}`);
    return {
      fcp: t.fcp,
      heading: t.heading,
      chart_data: chart ? t.chart : null,
      chart_drawn: chart ? t.chartPainted : null,
      chart_complete: chart ? t.completePainted : null,
      settled: t.lastMain,
      candles_requests: chart ? t.candlesRequests : null,
      candles_first_request: chart ? t.candlesFrom : null,
      candles_last_response: chart ? t.candlesTo : null,
    };
  } finally {
    await w.close();
  }
}

async function measure(b: Browser, url: string, chart: boolean, bars = 0): Promise<Summary> {
  await loadOnce(b, url, chart, bars); // warm-up: the server's first queries
  const runs: Timings[] = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await loadOnce(b, url, chart, bars));
  const summary = {} as Summary;
  for (const key of ['fcp', 'heading', 'chart_data', 'chart_drawn', 'chart_complete', 'settled', 'candles_requests', 'candles_first_request', 'candles_last_response'] as const) {
    const xs = runs.map((r) => r[key]).filter((x): x is number => typeof x === 'number').sort((a, c) => a - c);
    summary[key] = xs.length === 0 ? null : { median: Math.round(xs[Math.floor((xs.length - 1) / 2)]!), max: Math.round(xs[xs.length - 1]!) };
  }
  return summary;
}

/** KB gzip of the JS and CSS the browser fetches for a page: { url → gzipped bytes }. */
async function assets(b: Browser, url: string, ready: string | ((page: import('playwright-core').Page) => Promise<unknown>)): Promise<Map<string, number>> {
  const w = await openPage(b);
  const sizes = new Map<string, number>();
  const pending: Promise<void>[] = [];
  w.page.on('response', (res) => {
    const path = new URL(res.url()).pathname;
    if (!/\.(m?js|css)$/.test(path)) return;
    pending.push(res.body().then((body) => void sizes.set(path, gzipSync(body).length), () => {}));
  });
  try {
    await w.page.goto(url);
    if (typeof ready === 'string') await w.page.locator(ready).first().waitFor({ timeout: 60_000 });
    else await ready(w.page);
    await w.settle(500, 60_000);
    await Promise.all(pending);
    return sizes;
  } finally {
    await w.close();
  }
}

async function bundleSizes(b: Browser, base: string, runId: string) {
  const initial = await assets(b, `${base}/ui/`, 'main h1');
  const run = await assets(b, `${base}/ui/runs/${runId}`, CHART_READY);
  const kb = (n: number) => Number((n / 1024).toFixed(1));
  const sum = (m: Map<string, number>, only?: (p: string) => boolean) => [...m].filter(([p]) => !only || only(p)).reduce((n, [, s]) => n + s, 0);
  const extra = new Map([...run].filter(([p]) => !initial.has(p)));
  const largest = [...run].sort((a, c) => c[1] - a[1]).slice(0, 3).map(([p, s]) => ({ file: p.split('/').pop()!, kb: kb(s) }));
  return {
    initial: kb(sum(initial)),
    initial_js: kb(sum(initial, (p) => /\.m?js$/.test(p))),
    initial_css: kb(sum(initial, (p) => p.endsWith('.css'))),
    initial_files: initial.size,
    run_page_extra: kb(sum(extra)),
    run_page_extra_files: extra.size,
    largest_on_run_page: largest,
  };
}

function printTable(f: {
  machine: { cores: number; load_average_before: number[]; load_average_after: number[] };
  data: { candles: number; fills: number; strategy: string };
  dashboard_ms: Summary;
  run_page_ms: Summary;
  bundle_kb_gzip: Awaited<ReturnType<typeof bundleSizes>>;
}): void {
  const ms = (s: { median: number; max: number } | null) => (s ? `${s.median} ms (max ${s.max})` : 'n/a');
  const rows: [string, string, string][] = [
    ['figure', 'value', 'target'],
    ['dashboard: first contentful paint', ms(f.dashboard_ms.fcp), ''],
    ['dashboard: heading shown', ms(f.dashboard_ms.heading), ''],
    ['dashboard: fully drawn (data in, API settled)', ms(f.dashboard_ms.settled), ''],
    [`run page (${f.data.candles.toLocaleString('en-US')} candles, ${f.data.fills.toLocaleString('en-US')} fills): first contentful paint`, ms(f.run_page_ms.fcp), ''],
    ['run page: chart has its latest bars and their markers', ms(f.run_page_ms.chart_data), ''],
    ['run page: chart interactive (latest bars and their markers drawn)', ms(f.run_page_ms.chart_drawn), '≤ 1500 ms'],
    ['run page: chart complete (all bars drawn)', ms(f.run_page_ms.chart_complete), ''],
    ['run page: fully drawn', ms(f.run_page_ms.settled), ''],
    [`run page: GET /candles (${f.run_page_ms.candles_requests?.median ?? 0} requests) first sent → last answered`, f.run_page_ms.candles_first_request && f.run_page_ms.candles_last_response ? `${f.run_page_ms.candles_first_request.median} → ${f.run_page_ms.candles_last_response.median} ms` : 'n/a', ''],
    [`initial bundle for /ui/ (${f.bundle_kb_gzip.initial_files} files: JS ${f.bundle_kb_gzip.initial_js} + CSS ${f.bundle_kb_gzip.initial_css})`, `${f.bundle_kb_gzip.initial} KB gzip`, '≤ 250 KB'],
    [`run page loads on top (${f.bundle_kb_gzip.run_page_extra_files} files)`, `${f.bundle_kb_gzip.run_page_extra} KB gzip`, ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  console.log(`largest files on the run page: ${f.bundle_kb_gzip.largest_on_run_page.map((x) => `${x.file} ${x.kb} KB`).join(', ')}`);
  console.log(`median of ${REPEAT} cold loads (fresh browser context each) after a warm-up; ${f.data.strategy}`);
  console.log(`load average before / after: ${f.machine.load_average_before.join(' ')} / ${f.machine.load_average_after.join(' ')} on ${f.machine.cores} cores`);
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((x) => Number(x.toFixed(2)));
  say(await ensureWebBuild());
  const t0 = performance.now();
  const weaver = await startWebWeaver({ demoDays: 0 });
  let browser: Browser | null = null;
  try {
    const demo = await runWeaver(['data', 'demo', '--symbols', '1', '--days', String(DAYS), '--json'], weaver.env, 300_000);
    if (demo.code !== 0) throw new Error(`weaver data demo failed: ${demo.stderr}`);
    const candles = (JSON.parse(demo.stdout) as { rows: number }).rows;
    say(`Weaver up with ${candles.toLocaleString('en-US')} 1m bars of ${DEMO_SYMBOL} in ${((performance.now() - t0) / 1000).toFixed(1)} s; backtesting sma_cross ${FAST}/${SLOW} over them…`);
    const t1 = performance.now();
    const { run_id: runId } = await weaver.api<{ run_id: string }>('/runs', {
      method: 'POST',
      body: { name: `bench sma ${FAST}/${SLOW}`, timeframe: '1m', instances: [{ strategy: 'sma_cross', symbols: [DEMO_SYMBOL], params: { fast: FAST, slow: SLOW } }] },
    });
    await runReaches(weaver, runId, ['completed'], 600_000);
    const result = await weaver.api<{ instances: { fills: unknown[]; orders: unknown[] }[] }>(`/backtests/${runId}`);
    const fills = result.instances.reduce((n, i) => n + i.fills.length, 0);
    say(`backtest ${runId}: ${fills} fills in ${((performance.now() - t1) / 1000).toFixed(1)} s; measuring in chromium…`);

    browser = await launchBrowser();
    const dashboard = await measure(browser, `${weaver.url}/ui/`, false);
    const runPage = await measure(browser, `${weaver.url}/ui/runs/${runId}`, true, candles);
    const bundle = await bundleSizes(browser, weaver.url, runId);
    const loadAfter = os.loadavg().map((x) => Number(x.toFixed(2)));

    const figures = {
      machine: { cores: os.cpus().length, load_average_before: loadBefore, load_average_after: loadAfter, chromium_args: CHROMIUM_ARGS },
      data: { candles, fills, run_id: runId, strategy: `sma_cross fast=${FAST} slow=${SLOW}` },
      repeat: REPEAT,
      dashboard_ms: dashboard,
      run_page_ms: runPage,
      bundle_kb_gzip: bundle,
      targets: { run_page_interactive_ms: 1500, initial_bundle_kb_gzip: 250 },
    };
    if (json) console.log(JSON.stringify(figures));
    else printTable(figures);
  } finally {
    await browser?.close();
    await weaver.stop();
  }
}

await main();
