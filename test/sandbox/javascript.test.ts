/**
 * Hostile JavaScript against the namespace sandbox: each test tries to break
 * one guarantee and checks the host side too (the server got no request, the
 * file was not written, the host keeps working).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunAborted } from '../../src/core/errors.js';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { countingServer, entries, leakedProcesses, privateTmpRoot } from './helpers.js';

const tmpRoot = privateTmpRoot();
const sandbox = createSandbox({ timeoutMs: 15_000, memoryMb: 64, tmpRoot });
const js = (code: string, input: unknown = null, extra: object = {}) => sandbox.run({ language: 'javascript', code, input, ...extra });

afterAll(() => {
  expect(entries(tmpRoot)).toEqual([]);
  rmSync(tmpRoot, { recursive: true, force: true });
});

describe.concurrent('javascript sandbox', () => {
  it('runs main(input) and returns its output and stdout', async () => {
    const r = await js('function main(rows) { console.log("rows:", rows.length); return rows.map((r) => r.price * 2); }', [{ price: 1.5 }, { price: 2 }]);
    expect(r.error).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.output).toEqual([3, 4]);
    expect(r.stdout).toBe('rows: 2\n');
    expect(r.isolation).toBe('namespaces');
  });

  it('accepts module.exports and async functions', async () => {
    const r = await js('module.exports = async (x) => { await new Promise((r) => setTimeout(r, 5)); return { doubled: x * 2 }; };', 21);
    expect(r.output).toEqual({ doubled: 42 });
  });

  it('reports a thrown error with the line in the program', async () => {
    const r = await js('function main(x) {\n  return x.missing.field;\n}', {});
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('runtime_error');
    expect(r.error?.message).toMatch(/TypeError/);
    expect(r.error?.message).toMatch(/main\.js:2/);
  });

  it('sees none of the host environment', async () => {
    process.env.SANDBOX_TEST_SECRET = 'hunter2';
    const r = await js('function main() { return process.env; }');
    expect(r.output).not.toHaveProperty('SANDBOX_TEST_SECRET');
    expect(JSON.stringify(r.output)).not.toContain('hunter2');
    expect(Object.keys(r.output as object).sort()).toEqual(expect.arrayContaining(['HOME', 'PATH']));
  });

  it('has no network: the host loopback, the internet and DNS are unreachable, the host server sees nothing', async () => {
    const server = await countingServer();
    try {
      const r = await js(
        `async function main(url) {
           const http = require('node:http');
           const net = require('node:net');
           const get = (u) => new Promise((resolve) => {
             const req = http.get(u, { timeout: 2000 }, (res) => resolve('status ' + res.statusCode));
             req.on('error', (e) => resolve('failed: ' + e.code));
             req.on('timeout', () => { req.destroy(); resolve('failed: timeout'); });
           });
           const out = { host: await get(url), internet: await get('http://1.1.1.1/') };
           out.socket = await new Promise((resolve) => {
             const s = net.connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
             s.on('connect', () => resolve('connected'));
             s.on('error', (e) => resolve('failed: ' + e.code));
           });
           out.dns = await require('node:dns').promises.lookup('example.com').then(() => 'resolved', (e) => 'failed: ' + e.code);
           out.fetch = await fetch(url).then(() => 'fetched', (e) => 'failed: ' + e.message);
           const addrs = Object.values(require('node:os').networkInterfaces()).flat().filter((a) => !a.internal);
           out.interfaces = addrs.length ? 'has ' + addrs.map((a) => a.address).join(',') : 'failed: none';
           return out;
         }`,
        server.url,
      );
      expect(r.error).toBeNull();
      for (const [k, v] of Object.entries(r.output as Record<string, string>)) expect(v, k).toMatch(/^failed/);
      expect(server.hits()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('cannot read outside its work dir', async () => {
    const r = await js(
      `function main(paths) {
         const fs = require('node:fs');
         const out = {};
         for (const p of paths) { try { out[p] = fs.readFileSync(p, 'utf8').slice(0, 20); } catch (e) { out[p] = 'denied: ' + e.code; } }
         try { out.list = fs.readdirSync('/'); } catch (e) { out.list = 'denied: ' + e.code; }
         out.own = fs.readdirSync('/work').sort();
         return out;
       }`,
      ['/etc/passwd', '/etc/hostname', join(process.cwd(), 'package.json'), '/proc/self/environ', '/root/.bashrc'],
    );
    const out = r.output as Record<string, unknown>;
    for (const [k, v] of Object.entries(out)) if (k !== 'own') expect(v, k).toMatch(/^denied/);
    expect(out.own).toEqual(['input.json', 'main.js', 'runner.cjs']);
  });

  it('cannot write anywhere but its work dir, and what it writes there vanishes', async () => {
    const marker = join(tmpRoot, '..', `sandbox-escape-${process.pid}-${Date.now()}`);
    const r = await js(
      `function main(targets) {
         const fs = require('node:fs');
         const out = {};
         for (const p of targets) { try { fs.writeFileSync(p, 'pwned'); out[p] = 'written'; } catch (e) { out[p] = 'denied: ' + e.code; } }
         fs.writeFileSync('/work/scratch.txt', 'mine');
         out.own = fs.readFileSync('/work/scratch.txt', 'utf8');
         return out;
       }`,
      [marker, '/tmp/pwned', '/usr/pwned', '/pwned', join(process.cwd(), 'pwned.txt')],
    );
    const out = r.output as Record<string, string>;
    expect(out.own).toBe('mine');
    for (const [k, v] of Object.entries(out)) if (k !== 'own') expect(v, k).toMatch(/^denied/);
    for (const p of [marker, '/tmp/pwned', '/usr/pwned', '/pwned', join(process.cwd(), 'pwned.txt')]) expect(existsSync(p), p).toBe(false);
  });

  it('cannot spawn processes or workers', async () => {
    const r = await js(`function main() {
      const out = {};
      const cp = require('node:child_process');
      for (const [name, f] of Object.entries({
        execSync: () => cp.execSync('id'),
        spawnSync: () => cp.spawnSync('/usr/bin/id').status,
        fork: () => cp.fork('/work/main.js'),
        worker: () => new (require('node:worker_threads').Worker)('1', { eval: true }),
      })) { try { f(); out[name] = 'spawned'; } catch (e) { out[name] = 'denied: ' + e.code; } }
      return out;
    }`);
    for (const [k, v] of Object.entries(r.output as Record<string, string>)) expect(v, k).toMatch(/^denied/);
  });

  it('kills an infinite loop at the CPU limit', async () => {
    const r = await js('function main() { for (;;) {} }', null, { cpuSeconds: 1, timeoutMs: 30_000 });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('cpu_limit');
  });

  it('kills a program that never finishes at the wall-clock limit', async () => {
    const r = await js('function main() { return new Promise(() => setInterval(() => {}, 1000)); }', null, { timeoutMs: 400 });
    expect(r.error?.kind).toBe('timeout');
  });

  it('kills a heap allocation bomb at the memory limit', async () => {
    const r = await js('function main() { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }', null, { memoryMb: 48 });
    expect(r.error?.kind).toBe('memory_limit');
  });

  it('stops an off-heap (Buffer) allocation bomb at the address-space limit', async () => {
    const r = await js('function main() { const a = []; for (;;) a.push(Buffer.alloc(32 << 20, 1)); }', null, { memoryMb: 48 });
    expect(r.error?.kind).toBe('memory_limit');
  });

  it('kills a program that floods stdout at the output cap', async () => {
    const r = await js('function main() { const fs = require("node:fs"); for (;;) fs.writeSync(1, "x".repeat(4096)); }', null, { maxOutputBytes: 64 * 1024 });
    expect(r.error?.kind).toBe('output_limit');
    expect(r.stdout.length).toBeLessThanOrEqual(64 * 1024);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('applies the output cap to the returned value too', async () => {
    const r = await js('function main() { return "y".repeat(200000); }', null, { maxOutputBytes: 64 * 1024 });
    expect(r.error?.kind).toBe('output_limit');
    expect(r.output).toBeNull();
  });

  it('keeps runs apart: one run cannot see another run\'s files', async () => {
    const writer = js('async function main() { require("node:fs").writeFileSync("/work/secret.txt", "A"); await new Promise((r) => setTimeout(r, 600)); return "done"; }');
    const reader = js('async function main() { await new Promise((r) => setTimeout(r, 200)); return require("node:fs").readdirSync("/work").sort(); }');
    const [w, rd] = await Promise.all([writer, reader]);
    expect(w.output).toBe('done');
    expect(rd.output).toEqual(['input.json', 'main.js', 'runner.cjs']);
  });

  it('reports a program that writes over the result channel as a protocol failure', async () => {
    const r = await js('function main() { require("node:fs").writeSync(3, "{not json"); return 1; }');
    expect(r.error?.kind).toBe('protocol');
  });

  it('ends a flood written just before main returns as output_limit, not ok with a cut stdout', async () => {
    for (const code of [
      'function main() { process.stdout.write("x".repeat(5e6)); return 2; }',
      'function main() { for (let i = 0; i < 1e6; i++) console.log(i); return 1; }',
      'console.log("x".repeat(5e6));',
    ]) {
      const r = await js(code, null, { maxOutputBytes: 64 * 1024 });
      expect(r.ok, code).toBe(false);
      expect(r.error?.kind, code).toBe('output_limit');
    }
  });

  it('cannot forge its verdict: a result it writes to the runner\'s descriptor is refused, the run is not ok', async () => {
    const forged = 'require("node:fs").writeSync(3, JSON.stringify({ ok: true, output: "FORGED" }))';
    for (const code of [
      `${forged}; process.exit(0);`,
      `function main() { ${forged}; process.exit(0); }`,
      `function main() { ${forged}; throw new Error("really failed"); }`,
    ]) {
      const r = await js(code);
      expect(r.ok, code).toBe(false);
      expect(r.output, code).toBeNull();
      expect(r.error?.kind, code).toBe('protocol');
    }
    // Replacing what the runner writes its result with changes nothing: it captured them before the program loaded.
    const patched = await js('function main() { require("node:fs").writeSync = () => 0; JSON.stringify = () => \'{"ok":true,"output":"FORGED"}\'; process.reallyExit = () => {}; return 1; }');
    expect(patched).toMatchObject({ ok: true, output: 1 });
  });

  it('cannot reach the seal: stdin is closed, and heap snapshots, vm, module and file modules are refused', async () => {
    const r = await js(`function main() {
      const out = {};
      const t = (k, f) => { try { out[k] = typeof f(); } catch (e) { out[k] = 'denied: ' + (e.code || e.message); } };
      try { out.stdin = /^[\\w-]{24}$/.test(require('node:fs').readFileSync(0, 'utf8')) ? 'read the seal' : 'denied: consumed'; } catch (e) { out.stdin = 'denied: ' + e.code; }
      t('v8', () => require('node:v8').getHeapSnapshot());
      t('vm', () => require('vm'));
      t('module', () => require('node:module'));
      t('builtin', () => process.getBuiltinModule('v8'));
      t('mainModule', () => process.mainModule.require('v8'));
      t('inspector', () => require('inspector'));
      t('file', () => { require('node:fs').writeFileSync('/work/x.js', 'module.exports = 1'); return require('/work/x.js'); });
      return out;
    }`);
    for (const [k, v] of Object.entries(r.output as Record<string, string>)) expect(v, k).toMatch(/^denied/);
  });

  it('says the network is blocked when the program calls fetch', async () => {
    const r = await js('function main() { return fetch("http://127.0.0.1:1/"); }');
    expect(r.error?.kind).toBe('runtime_error');
    expect(r.error?.message).toMatch(/^TypeError \[ERR_SANDBOX_NETWORK\]: fetch failed: network is blocked in the sandbox/);
    expect(r.error?.message).not.toMatch(/WebAssembly/);
  });

  it('reports a heap kill with its limit, and no V8 report in stderr', async () => {
    const r = await js('function main() { console.error("before"); const a = []; for (;;) a.push(new Array(1e5).fill(1)); }', null, { memoryMb: 48 });
    expect(r.error).toEqual({ kind: 'memory_limit', message: 'memory limit of 48 MB reached; the run was killed' });
    expect(r.stderr).toBe('before\n');
  });

  it('treats a script without main as null output, or as no_main when main is required', async () => {
    const script = await js('console.log("just a script")');
    expect(script.ok).toBe(true);
    expect(script.stdout).toBe('just a script\n');
    const strict = await sandbox.run({ language: 'javascript', code: 'const x = 1;' }, { requireMain: true });
    expect(strict.error?.kind).toBe('no_main');
  });

  it('stops a run when its signal aborts', async () => {
    const ctl = new AbortController();
    const pending = sandbox.run({ language: 'javascript', code: 'function main() { return new Promise(() => setInterval(() => {}, 1000)); }', timeoutMs: 20_000 }, { signal: ctl.signal });
    setTimeout(() => ctl.abort('stop'), 300);
    await expect(pending).rejects.toBeInstanceOf(RunAborted);
  });

  it('rejects with RunAborted when the signal aborts without a reason (not the DOMException)', async () => {
    const ctl = new AbortController();
    const pending = sandbox.run({ language: 'javascript', code: 'function main() { return new Promise(() => setInterval(() => {}, 1000)); }', timeoutMs: 20_000 }, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 300);
    await expect(pending).rejects.toBeInstanceOf(RunAborted);
  });

  it('rejects a run whose signal has already aborted with RunAborted, without starting it', async () => {
    const ctl = new AbortController();
    ctl.abort('gone');
    await expect(sandbox.run({ language: 'javascript', code: 'function main() { return 1; }' }, { signal: ctl.signal })).rejects.toBeInstanceOf(RunAborted);
  });
});

describe('the host after the hostile runs', () => {
  it('is healthy: a normal run works and nothing is left running', async () => {
    const r = await js('function main(x) { return x + 1; }', 1);
    expect(r.output).toBe(2);
    expect(leakedProcesses()).toEqual([]);
  });
});
