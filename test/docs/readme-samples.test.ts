/**
 * README code samples compile: each ```ts block is preceded by a marker
 * naming the snippet file it was taken from (`<!-- docs/snippets/x.ts -->`),
 * the block must equal that file (with the package name in place of the
 * relative import), and the snippet files are typechecked by `tsc` in `npm test`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');
const blocks = [...readme.matchAll(/<!-- (docs\/snippets\/[\w.-]+\.ts)[^>]*-->\s*```ts\n([\s\S]*?)```/g)];

function asPublished(source: string): string {
  return source
    .replace(/from '(\.\.\/)+src\/index\.js'/g, "from 'agent-patterns'")
    .replace(/from '(\.\.\/)+src\/([\w/-]+?)(\/index)?\.js'/g, "from 'agent-patterns/$2'"); // a subpath's index is the subpath
}

describe('README samples', () => {
  it('every ts block in the README names its snippet file', () => {
    const tsBlocks = readme.match(/```ts\n/g) ?? [];
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.length).toBe(tsBlocks.length);
  });

  for (const [, file, code] of blocks) {
    it(`${file} is what the README shows`, () => {
      expect(code!.trim()).toBe(asPublished(readFileSync(file!, 'utf8')).trim());
    });
  }
});
