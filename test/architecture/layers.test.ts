/**
 * The layer rules bite: `npm test` runs dependency-cruiser on the real tree (npm run lint:layers); this
 * runs the same checked-in config on a small tree of wrong imports and checks each one fails with the
 * rule that names the broken arrow, while the allowed directions pass.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
let tree: string;

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
}

/** The violations dependency-cruiser reports for the tree, as "rule: from → to". */
function violations(): string[] {
  const r = spawnSync(process.execPath, [join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', 'examples', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: tree,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const report = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

beforeAll(() => {
  tree = mkdtempSync(join(tmpdir(), 'agent-patterns-layers-'));
  cpSync(join(repo, '.dependency-cruiser.cjs'), join(tree, '.dependency-cruiser.cjs'));
  write({
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', paths: { 'agent-patterns': ['./src/index.ts'] } },
    }),
    'src/index.ts': "export { a } from './core/a.js';\nexport { durable } from './durable/run.js';\n",
    'src/core/a.ts': "import type { Rec } from '../store/types.js';\nexport const a = (r: Rec) => r;\n",
    'src/store/types.ts': 'export interface Rec { id: string }\n',
    'src/patterns/p.ts': "import { durable } from '../durable/run.js';\nexport const p = durable;\n",
    'src/durable/run.ts': "import { gate } from '../hitl/gate.js';\nexport const durable = gate;\n",
    'src/hitl/gate.ts': "export const gate = 1;\n",
    'src/hitl/back.ts': "import { durable } from '../durable/run.js';\nexport const back = durable;\n",
    'src/events/x.ts': "import type { Y } from './y.js';\nexport interface X { y?: Y }\n",
    'src/events/y.ts': "import type { X } from './x.js';\nexport interface Y { x?: X }\n",
    'examples/vend/good.ts': "import { a } from 'agent-patterns';\nexport const good = a;\n",
    'examples/vend/bad.ts': "import { gate } from '../../src/hitl/gate.js';\nexport const bad = gate;\n",
  });
}, 60_000);

afterAll(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
});

describe('the layer rules (.dependency-cruiser.cjs)', () => {
  it('name the arrow each wrong import breaks, and let the right directions through', () => {
    expect(violations()).toEqual([
      'core-imports-only-core: src/core/a.ts → src/store/types.ts', // type-only, still outside core
      'examples-use-the-package: examples/vend/bad.ts → src/hitl/gate.ts',
      'hitl-imports-below-only: src/hitl/back.ts → src/durable/run.ts', // siblings point one way: durable → hitl
      'no-import-cycles: src/events/x.ts → src/events/y.ts', // a type-only cycle (reported once)
      'patterns-imports-below-only: src/patterns/p.ts → src/durable/run.ts',
      'root-entry-stays-small: src/index.ts → src/durable/run.ts',
    ]);
  });
});
