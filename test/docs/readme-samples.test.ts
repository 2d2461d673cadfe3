/**
 * README code samples compile: each ```ts block is preceded by a marker
 * naming the snippet file it was taken from (`<!-- docs/snippets/x.ts -->`),
 * the block must equal that file, and the snippet files are typechecked by `tsc` in `npm test`.
 * Snippets import the package by name (tsconfig `paths` map it to src/), so what the README
 * shows is exactly what compiles.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');
const blocks = [...readme.matchAll(/<!-- (docs\/snippets\/[\w.-]+\.ts)[^>]*-->\s*```ts\n([\s\S]*?)```/g)];

describe('README samples', () => {
  it('every ts block in the README names its snippet file', () => {
    const tsBlocks = readme.match(/```ts\n/g) ?? [];
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.length).toBe(tsBlocks.length);
  });

  for (const [, file, code] of blocks) {
    it(`${file} is what the README shows`, () => {
      expect(code!.trim()).toBe(readFileSync(file!, 'utf8').trim());
    });
  }
});
