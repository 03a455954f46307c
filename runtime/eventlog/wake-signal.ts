/**
 * A latched wake-up: `wake()` resolves the current wait, or, if nobody waits, makes the next wait
 * return at once, so a NOTIFY that lands while a batch is being handled is never missed.
 */
export class WakeSignal {
  #pending = false;
  #resolve: ((how: 'woken' | 'timeout') => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  wake(): void {
    if (this.#resolve) this.#settle('woken');
    else this.#pending = true;
  }

  wait(ms: number): Promise<'woken' | 'timeout'> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve('woken');
    }
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => this.#settle('timeout'), ms);
    });
  }

  #settle(how: 'woken' | 'timeout'): void {
    if (this.#timer) clearTimeout(this.#timer);
    const resolve = this.#resolve;
    this.#resolve = null;
    this.#timer = null;
    resolve?.(how);
  }
}
