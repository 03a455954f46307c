// Vitest globalSetup of the e2e project: the dashboard built once per test run, before any browser test
// starts a Weaver (not at all when chromium is missing: those tests skip).
import { hasChromium } from './chromium.ts';
import { ensureWebBuild } from './web-build.ts';

export default async function setup(): Promise<void> {
  if (!hasChromium()) return;
  console.log(`[web e2e] ${await ensureWebBuild()}`);
}
