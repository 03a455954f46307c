// The order size parameter the long-only strategies share: bought on each entry, the whole position sold
// on exit. ParamSpec bounds are inclusive, so "greater than 0" is checked in validate() with qtyProblem.
import type { ParamSpec } from '../../strategy.ts';

export const QTY_PARAM: ParamSpec = { type: 'number', default: 1, min: 0, description: 'Quantity bought on each entry (> 0); exits sell the whole position.' };

export function qtyProblem(qty: number): string | null {
  return qty > 0 ? null : `qty must be greater than 0, got ${qty}`;
}
