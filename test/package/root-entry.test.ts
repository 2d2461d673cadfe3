/**
 * The root entry is the everyday vocabulary and costs little to import (issue 15, items 5 and 8):
 * internals stay out of it, and a fresh process importing `agent-patterns` loads no third-party module
 * at all (zod, pino, SDKs, drivers load with what uses them). The cold-start time itself is measured
 * by `npm run bench` (S7), never asserted here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as root from 'agent-patterns';
import { transpileProject } from '../durable/transpile.js';

const COLD_IMPORT = [
  "await import('agent-patterns');",
  "const { createRequire } = await import('node:module');",
  "for (const f of Object.keys(createRequire(import.meta.url).cache)) process.stderr.write(`LOADED ${f}\\n`);",
].join('\n');

const scratch = mkdtempSync(join(tmpdir(), 'agent-patterns-root-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the root entry', () => {
  it('exports the everyday vocabulary, not the internals', () => {
    for (const name of ['Agent', 'run', 'tool', 'step', 'sequence', 'parallel', 'route', 'Budget', 'createModel', 'redact', 'BudgetExceeded']) {
      expect(root, name).toHaveProperty(name);
    }
    for (const name of ['ActiveSpan', 'applyTimeout', 'approvalKey', 'canonicalJson', 'priceOf', 'renderTranscript', 'renderGenerateRequest', 'toJsonSchema', 'scripted', 'durableRun', 'openStore', 'SqliteStore', 'redisStreamSource']) {
      expect(root, name).not.toHaveProperty(name);
    }
  });

  it('a fresh process importing it loads no third-party module', { timeout: 120_000 }, () => {
    const build = transpileProject('root-entry');
    try {
      // Every ESM module the loader fetches, and every CommonJS module required, reported on stderr.
      writeFileSync(join(scratch, 'hooks.mjs'), "export async function load(url, context, next) { process.stderr.write(`LOADED ${url}\\n`); return next(url, context); }\n");
      writeFileSync(join(scratch, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
      const r = spawnSync(
        process.execPath,
        ['--import', pathToFileURL(join(scratch, 'register.mjs')).href, '--input-type=module', '-e', COLD_IMPORT],
        { cwd: build, encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
      expect(loaded.some((u) => u.includes('/src/index.js'))).toBe(true); // the hook saw the entry itself
      expect(loaded.filter((u) => u.includes('node_modules/') && !u.includes('node_modules/.cache/'))).toEqual([]);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  });
});
