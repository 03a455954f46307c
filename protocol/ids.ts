import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7, validate, version } from 'uuid';

// uuid's own v7 asks the OS for 16 random bytes per id (5.4 µs each here, 7% of a producer's CPU at
// 24k events/s); a 4 KiB pool refilled at once makes that ~0.3 µs. The sequence keeps ids monotonic within
// a millisecond, as uuid's default state does (RFC 9562 §6.2, method 1).
const pool = new Uint8Array(4096);
let offset = pool.length;
let lastMs = -1;
let seq = 0;

/** A new UUIDv7: time-ordered, so ids sort by creation and index well. */
export function newId(): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, offset + 16);
  offset += 16;
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // 31 random bits start the counter, leaving room to count up within the millisecond.
    seq = ((random[6]! << 23) | (random[7]! << 15) | (random[8]! << 7) | (random[9]! >>> 1)) >>> 0;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++;
  }
  return uuidv7({ random, msecs: lastMs, seq });
}

export function isUuidV7(value: string): boolean {
  return validate(value) && version(value) === 7;
}
