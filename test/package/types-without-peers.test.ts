/**
 * The published declarations compile for a user who installed only what the package declares
 * (issue 14, item 8): `skipLibCheck: false`, no optional peer (openai, @anthropic-ai/sdk, pg, ioredis,
 * better-sqlite3, @opentelemetry/api) present. Each entry below is imported in a new app whose
 * node_modules holds the package's declarations and its `dependencies` closure, nothing else; the
 * subpaths that wrap an optional peer (/events/redis, /postgres, /sqlite, /otel, /models/openai …) are
 * left out on purpose: their types are the peer's.
 *
 * Focused on types: the declarations are emitted straight from src/ (no pack, no registry); the
 * packed-and-installed package is tested in pack.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  exports: Record<string, unknown>;
};

/** Entries a user may import with no optional peer installed. */
const PEERLESS = ['.', './durable', './hitl', './events', './store', './testing', './sandbox', './models', './stream', './evals', './studio', './sessions'];

let work: string;
let app: string;

/** The directory of `name` as Node resolves it from `from` (nearest node_modules upwards). */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} not found from ${from}`);
  }
}

/**
 * The package's `dependencies` and required peers (zod: npm installs those too), and their dependencies,
 * transitively: what `npm install agent-patterns` brings.
 */
function dependencyClosure(): Map<string, string> {
  const found = new Map<string, string>();
  const requiredPeers = Object.keys(pkg.peerDependencies).filter((name) => !pkg.peerDependenciesMeta[name]?.optional);
  const queue: [string, string][] = [...Object.keys(pkg.dependencies), ...requiredPeers].map((name) => [name, repo]);
  while (queue.length > 0) {
    const [name, from] = queue.pop()!;
    if (found.has(name)) continue;
    const dir = packageDir(name, from);
    found.set(name, dir);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(meta.dependencies ?? {})) queue.push([dep, dir]);
  }
  return found;
}

function compile(source: string): { status: number | null; output: string } {
  writeFileSync(join(app, 'main.ts'), source);
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'agent-patterns-types-'));
  app = join(work, 'app');
  const installed = join(app, 'node_modules', pkg.name);
  const built = spawnSync(
    process.execPath,
    [tsc, '-p', join(repo, 'tsconfig.build.json'), '--emitDeclarationOnly', '--declarationMap', 'false', '--sourceMap', 'false', '--outDir', join(installed, 'dist')],
    { cwd: repo, encoding: 'utf8', timeout: 300_000 },
  );
  if (built.status !== 0) throw new Error(`declarations did not build:\n${built.stdout}${built.stderr}`);
  cpSync(join(repo, 'package.json'), join(installed, 'package.json'));
  for (const [name, dir] of dependencyClosure()) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
    symlinkSync(dir, join(app, 'node_modules', name), 'dir');
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      // The app has no @types/node either: the declarations must not need it for these entries.
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: [] },
      files: ['main.ts'],
    }),
  );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('declarations without optional peers (skipLibCheck: false)', () => {
  it('the app really has no optional peer and the package declares every entry tested', () => {
    const optional = Object.entries(pkg.peerDependenciesMeta).filter(([, m]) => m.optional).map(([name]) => name);
    expect(optional.length).toBeGreaterThan(0);
    for (const peer of optional) expect(existsSync(join(app, 'node_modules', peer)), peer).toBe(false);
    for (const entry of PEERLESS) expect(Object.keys(pkg.exports)).toContain(entry);
  });

  it('every peerless entry compiles, imported as a user would', () => {
    const imports = PEERLESS.map((entry, i) => `import * as entry${i} from '${pkg.name}${entry.slice(1)}';`);
    const r = compile(`${imports.join('\n')}\nexport const all = [${PEERLESS.map((_, i) => `entry${i}`).join(', ')}];\n`);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  }, 180_000); // tsc over every entry: half a minute on a quiet machine, more on a loaded one

  it('the check bites: an entry whose types need ioredis fails without it', () => {
    const r = compile(`import { redisStreamSource } from '${pkg.name}/events/redis';\nexport const s = redisStreamSource;\n`);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/ioredis/);
  }, 180_000);
});
