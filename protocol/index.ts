// The protocol: the envelope, ids, the error model and the registry of payload schemas.
// Everything may import it; it imports nothing of Weaver's. Changes are additive; a breaking change is a new `*.v2` type.
export * from './envelope.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './registry.ts';
export * from './actor.ts';
export * from './demo.ts';
export * from './timeframes.ts';
export * from './market.ts';
export * from './orders.ts';
export * from './run.ts';
export * from './data.ts';
export * from './clock.ts';
export * from './strategy.ts';
export * from './backtest.ts';
export * from './ui.ts';
