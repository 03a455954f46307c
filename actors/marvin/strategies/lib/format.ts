// How strategies write numbers into reasons and name their plotted series; shared so every strategy's
// decisions read the same way in the dashboard.

/** A price for a reason: cents for prices of 1 and more, four significant digits below (crypto, pennies). */
export function formatPrice(x: number): string {
  return Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(4);
}

/**
 * A plotted series' name. ctx.plot takes one flat record per bar, so an instance trading several
 * symbols prefixes each series with its symbol (`AAPL:sma_fast`); with one symbol it is the bare name.
 */
export function plotKey(symbols: readonly string[], symbol: string, name: string): string {
  return symbols.length > 1 ? `${symbol}:${name}` : name;
}
