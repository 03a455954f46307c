// Progress of a long CLI command on stderr (stdout stays clean for --json): a bar redrawn in place at most
// 10 times a second when stderr is a terminal, otherwise one plain line per 10%, so a script's log stays short.
const WIDTH = 30;
const REDRAW_MS = 100;

export interface Progress {
  /** `detail` follows the percentage, e.g. "DEMO_ACME" or "120,000 / 525,600 rows". */
  update(done: number, total: number, detail?: string): void;
  /** Clears the bar (terminal); prints nothing otherwise. */
  finish(): void;
}

export function progress(title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total, detail = '') {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
      if (!tty) {
        const tenth = Math.floor(fraction * 10);
        if (tenth > lastTenth) stream.write(`${title} ${percent.trim()} ${detail}`.trimEnd() + '\n');
        lastTenth = Math.max(lastTenth, tenth);
        return;
      }
      const now = performance.now();
      if (now - lastDraw < REDRAW_MS && fraction < 1) return;
      lastDraw = now;
      const filled = Math.round(fraction * WIDTH);
      stream.write(`\r\x1b[2K${title} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent} ${detail}`);
      drawn = true;
    },
    finish() {
      if (tty && drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
