// The event log: the only way actors talk. It owns the outbox, the consumer offsets and the dead letters;
// it never loses an event that committed and never lets two instances of one consumer both advance.
export * from './types.ts';
export { createMemoryEventLog, type MemoryEventLog } from './memory.ts';
