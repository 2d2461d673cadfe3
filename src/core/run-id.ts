/**
 * Run ids: random UUID v4, as crypto.randomUUID() makes them, but as one flat
 * string. Node builds randomUUID()'s result by concatenating 20 pieces, and a
 * run keeps its id alive for its whole life: ~0.7 KB of string nodes per
 * concurrent run, all of it copied by every scavenge. Entropy comes in
 * batches, as Node's own randomUUID does.
 */
import { randomFillSync } from 'node:crypto';

const BATCH = 128;
const entropy = Buffer.allocUnsafe(16 * BATCH);
let offset = entropy.length;
const text = Buffer.allocUnsafe(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

export function newRunId(): string {
  if (offset === entropy.length) {
    randomFillSync(entropy);
    offset = 0;
  }
  const o = offset;
  offset += 16;
  entropy[o + 6] = (entropy[o + 6]! & 0x0f) | 0x40; // version 4
  entropy[o + 8] = (entropy[o + 8]! & 0x3f) | 0x80; // RFC 4122 variant
  let j = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[j++] = 0x2d; // '-'
    const b = entropy[o + i]!;
    text[j++] = HEX[b >> 4]!;
    text[j++] = HEX[b & 15]!;
  }
  return text.toString('latin1', 0, 36);
}
