/**
 * The package as a user gets it: `npm pack` (its prepack builds dist/) on a copy of this checkout, then
 * `npm install <tarball>` from the npm registry into a new app with nothing else, and the README's promises
 * checked there. One pack and one install per suite run, shared by every case (the install compiles
 * better-sqlite3, the bulk of the cost).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
let work: string;
let app: string;
let tarball: string;

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  // No store or log level leaks in from the test environment: the app sees what a user's shell would.
  const base = { ...process.env };
  delete base.AGENT_PATTERNS_STORE;
  delete base.AGENT_PATTERNS_LOG_LEVEL;
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...base, ...env }, timeout: 600_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'agent-patterns-pack-'));
  // A copy of the checkout (tracked and new files, as git sees them), so packing rebuilds dist/ there and
  // never under the other suites that run the checkout's own dist/.
  const source = join(work, 'source');
  const files = ok(sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo), 'git ls-files').stdout.split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(repo, f))) continue; // deleted in the work tree, not yet in the index
    mkdirSync(dirname(join(source, f)), { recursive: true });
    cpSync(join(repo, f), join(source, f));
  }
  symlinkSync(join(repo, 'node_modules'), join(source, 'node_modules'));
  const packed = ok(sh('npm', ['pack', '--json', '--pack-destination', work], source), 'npm pack');
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[];
  tarball = join(work, info!.filename);

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  ok(sh('npm', ['install', '--no-audit', '--no-fund', tarball], app), 'npm install <tarball>');
}, 1_200_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed into a new app', () => {
  it('ships the build, the LICENSE and no source maps pointing at sources it does not ship', () => {
    const listed = ok(sh('tar', ['tzf', tarball], work), 'tar').stdout.split('\n').filter(Boolean);
    expect(listed).toContain('package/LICENSE');
    expect(listed).toContain('package/dist/src/cli/main.js');
    expect(listed).toContain('package/dist/src/studio/web/app.js'); // the studio's browser script, built by prepack
    expect(listed.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(listed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(readFileSync(join(app, 'node_modules/agent-patterns/LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('installs the SQLite driver as a dependency, and no optional peer', () => {
    const installed = readdirSync(join(app, 'node_modules'));
    expect(installed).toContain('better-sqlite3');
    expect(installed).toContain('zod'); // a required peer: npm installs it
    for (const peer of ['openai', 'pg', 'ioredis', '@modelcontextprotocol', 'ajv']) expect(installed).not.toContain(peer);
  });

  it('`npx agent-patterns demo` runs every example and exits 0; an MCP row without the optional MCP SDK is skipped with its install hint', () => {
    const r = sh('npx', ['agent-patterns', 'demo', '--json'], app);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { example: string; error?: string; skipped?: string; scripted: boolean });
    const examples = readdirSync(join(app, 'node_modules/agent-patterns/dist/examples/vend')).filter(
      (f) => f.endsWith('.js') && !['registry.js', 'types.js'].includes(f),
    );
    const [overMcp, own] = [rows.filter((x) => x.example.endsWith(' --mcp')), rows.filter((x) => !x.example.endsWith(' --mcp'))];
    expect(own.map((x) => x.example).sort()).toEqual(examples.map((f) => f.replace(/\.js$/, '')).sort());
    expect(rows.filter((x) => x.error)).toEqual([]);
    expect(overMcp.map((x) => x.example)).toEqual(['order-support --mcp']);
    expect(overMcp[0]!.skipped).toContain('npm install @modelcontextprotocol/sdk');
  }, 300_000);

  it('the README quickstart typechecks with skipLibCheck: false', () => {
    const readme = readFileSync(join(app, 'node_modules/agent-patterns/README.md'), 'utf8');
    const quickstart = /<!-- docs\/snippets\/quickstart\.ts[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quickstart).toContain("from 'agent-patterns'");
    writeFileSync(join(app, 'quickstart.ts'), quickstart!);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true,
          // Node's own types come from this checkout: the app installs nothing but the package.
          types: ['node'], typeRoots: [join(repo, 'node_modules/@types')],
        },
        files: ['quickstart.ts'],
      }),
    );
    const r = sh(process.execPath, [tsc, '--noEmit', '-p', '.'], app);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);

  it("createModel('openai:…') without the openai package fails at once with the install hint", () => {
    writeFileSync(
      join(app, 'create-model.mjs'),
      "import { createModel } from 'agent-patterns';\n" +
        "try { await createModel('openai:gpt-4o'); console.log('created'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }\n",
    );
    const r = ok(sh(process.execPath, ['create-model.mjs'], app, { OPENAI_API_KEY: 'sk-test' }), 'create-model.mjs');
    const err = JSON.parse(r.stdout) as { name: string; code: string; message: string };
    expect(err.name).toBe('ModelError');
    expect(err.code).toBe('MODEL_ERROR');
    expect(err.message).toContain('npm install openai@^6');
  }, 120_000);

  it('the CLI says the same in one line, exit 2', () => {
    const r = sh('npx', ['agent-patterns', 'run', 'order-support', '--model', 'openai:gpt-4o'], app, { OPENAI_API_KEY: 'sk-test' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('npm install openai@^6');
    expect(r.stdout).toBe('');
  }, 120_000);

  it('npm refuses the package in an app on zod 3 (zod 4 is a peer npm enforces)', () => {
    const zod3 = join(work, 'zod3-app');
    mkdirSync(zod3);
    writeFileSync(join(zod3, 'package.json'), JSON.stringify({ name: 'zod3-app', private: true, dependencies: { zod: '^3.25.0' } }));
    const r = sh('npm', ['install', '--dry-run', '--no-audit', '--no-fund', tarball], zod3);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ERESOLVE/);
    expect(r.stderr).toMatch(/peer zod@"\^4[^"]*" from agent-patterns/);
  }, 180_000);
});
