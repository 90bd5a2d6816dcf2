import { randomFillSync } from "node:crypto";

/**
 * UUIDv7: time-ordered, so primary-key indexes stay append-mostly, yet not
 * guessable across tenants the way sequential integers are.
 */
let lastMs = 0;
let seq = 0;

// Random bytes drawn from the CSPRNG a few kilobytes at a time: several ids per
// stored message, and one call into the generator each costs more than the id.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function randomCopy(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + n));
  poolAt += n;
  return out;
}

/**
 * Monotonic within this process: ids made in the same millisecond (a frozen
 * test clock, a burst) still sort in creation order, which keyset pages on
 * (created_at, id) rely on.
 */
export function newId(atMs: number = Date.now()): string {
  let at = Math.floor(atMs);
  if (at > lastMs) {
    lastMs = at;
    seq = randomCopy(2).readUInt16BE() & 0x3ff;
  } else {
    at = lastMs;
    seq++;
    if (seq > 0xfff) {
      lastMs++;
      at = lastMs;
      seq = 0;
    }
  }
  const b = randomCopy(16);
  b[0] = (at / 2 ** 40) & 0xff;
  b[1] = (at / 2 ** 32) & 0xff;
  b[2] = (at >>> 24) & 0xff;
  b[3] = (at >>> 16) & 0xff;
  b[4] = (at >>> 8) & 0xff;
  b[5] = at & 0xff;
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
