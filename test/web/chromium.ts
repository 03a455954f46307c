// Where Debian's chromium is; browser tests skip, saying how to install it, when it is not there.
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.WEAVER_CHROMIUM ?? '/usr/bin/chromium';
export const NO_CHROMIUM = `browser tests skipped: no chromium at ${CHROMIUM} (install it: apt-get install -y chromium)`;

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}
