/**
 * Fail closed: without namespaces the sandbox refuses to run unless the
 * caller opts in to the weaker `process` isolation, whose limits are tested
 * here too (including that it does NOT block the network, as documented).
 * And the user-namespace path a non-root user's machine takes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxUnavailable } from '../../src/sandbox/errors.js';
import type { HostFacts } from '../../src/sandbox/host.js';
import { chooseIsolation, createSandbox } from '../../src/sandbox/sandbox.js';
import { countingServer, entries, privateTmpRoot } from './helpers.js';

const tmpRoot = privateTmpRoot();
afterAll(() => {
  expect(entries(tmpRoot)).toEqual([]);
  rmSync(tmpRoot, { recursive: true, force: true });
});

function facts(over: Partial<HostFacts> = {}): HostFacts {
  const tools = { unshare: '/usr/bin/unshare', prlimit: '/usr/bin/prlimit', setpriv: '/usr/bin/setpriv', chroot: '/usr/sbin/chroot', mount: '/usr/bin/mount', cp: '/usr/bin/cp', chown: '/usr/bin/chown', sh: '/usr/bin/sh' };
  return { linux: true, root: false, tools, namespaces: { mode: 'userns' }, node: { executable: '/usr/bin/node', roots: [] }, ...over };
}

describe('choosing the isolation', () => {
  it('uses namespaces when the host has them', () => {
    expect(chooseIsolation({}, facts())).toBe('namespaces');
  });

  it('fails closed with a typed error naming what is missing', () => {
    const noUserns = facts({ namespaces: { mode: 'none', reason: 'not root and unprivileged user namespaces are unavailable' } });
    expect(() => chooseIsolation({}, noUserns)).toThrow(SandboxUnavailable);
    try {
      chooseIsolation({}, noUserns);
    } catch (err) {
      expect((err as SandboxUnavailable).missing).toBe('namespaces');
      expect((err as SandboxUnavailable).code).toBe('SANDBOX_UNAVAILABLE');
      expect((err as Error).message).toMatch(/allowWeakerIsolation/);
    }
    const noUnshare = facts({ tools: { ...facts().tools, unshare: undefined } });
    expect(() => chooseIsolation({}, noUnshare)).toThrow(/unshare/);
    expect(() => chooseIsolation({}, facts({ linux: false }))).toThrow(SandboxUnavailable);
  });

  it('falls back to process isolation only when the caller opts in', () => {
    const none = facts({ namespaces: { mode: 'none', reason: 'no user namespaces' } });
    expect(chooseIsolation({ allowWeakerIsolation: true }, none)).toBe('process');
    expect(chooseIsolation({ isolation: 'process' }, facts())).toBe('process');
    expect(() => chooseIsolation({ allowWeakerIsolation: true }, { ...none, tools: { ...none.tools, prlimit: undefined } })).toThrow(/prlimit/);
  });
});

describe.concurrent('process isolation (opt-in, weaker)', () => {
  const weak = createSandbox({ isolation: 'process', tmpRoot, timeoutMs: 15_000, memoryMb: 64 });

  it('runs JavaScript under the permission model: no reads outside its dir, no child processes', async () => {
    const r = await weak.run({
      language: 'javascript',
      code: `function main(x) {
        const fs = require('node:fs'); const out = { x };
        try { fs.readFileSync('/etc/passwd'); out.read = 'read'; } catch (e) { out.read = 'failed: ' + e.code; }
        try { fs.writeFileSync('/tmp/pwned-process-mode', 'x'); out.write = 'written'; } catch (e) { out.write = 'failed: ' + e.code; }
        try { require('node:child_process').execSync('id'); out.spawn = 'spawned'; } catch (e) { out.spawn = 'failed: ' + e.code; }
        return out;
      }`,
      input: 7,
    });
    expect(r.isolation).toBe('process');
    expect(r.output).toEqual({ x: 7, read: 'failed: ERR_ACCESS_DENIED', write: 'failed: ERR_ACCESS_DENIED', spawn: 'failed: ERR_ACCESS_DENIED' });
    expect(existsSync('/tmp/pwned-process-mode')).toBe(false);
  });

  it('still has the CPU limit', async () => {
    const r = await weak.run({ language: 'javascript', code: 'function main() { for (;;) {} }', cpuSeconds: 1, timeoutMs: 30_000 });
    expect(r.error?.kind).toBe('cpu_limit');
  });

  it('does NOT block the network (which is why it is opt-in)', async () => {
    const server = await countingServer();
    try {
      const r = await weak.run({
        language: 'javascript',
        code: `function main(url) { return new Promise((resolve) => require('node:http').get(url, (res) => resolve(res.statusCode)).on('error', (e) => resolve(e.code))); }`,
        input: server.url,
      });
      expect(r.output).toBe(200);
      expect(server.hits()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('refuses Python', async () => {
    await expect(weak.run({ language: 'python', code: 'def main(x):\n    return x\n' })).rejects.toBeInstanceOf(SandboxUnavailable);
  });
});

describe('a non-root user (user namespaces)', () => {
  it('gets the same isolation through an unprivileged user namespace', () => {
    // The suite's global setup builds dist/. The unprivileged uid may not be able to read the checkout
    // (e.g. under /root), so the sandbox's modules are copied to a world-readable dir first.
    const copy = mkdtempSync(join(tmpdir(), 'sandbox-userns-'));
    chmodSync(copy, 0o755);
    const dist = fileURLToPath(new URL('../../dist/src/', import.meta.url));
    cpSync(join(dist, 'sandbox'), join(copy, 'src/sandbox'), { recursive: true });
    // core/errors.js and what it imports (errors are born with secrets scrubbed).
    for (const f of ['errors.js', 'secrets.js']) cpSync(join(dist, 'core', f), join(copy, 'src/core', f));
    for (const d of [join(copy, 'src'), join(copy, 'src/sandbox'), join(copy, 'src/core')]) chmodSync(d, 0o755);
    const script = `
      import { createSandbox } from ${JSON.stringify(pathToFileURL(join(copy, 'src/sandbox/sandbox.js')).href)};
      const r = await createSandbox({ timeoutMs: 15_000 }).run({ language: 'javascript', input: 2, code: \`async function main(x) {
        const fs = require('node:fs'); let read; try { fs.readFileSync('/etc/passwd'); read = 'read'; } catch (e) { read = 'failed'; }
        const net = await new Promise((resolve) => require('node:net').connect(80, '1.1.1.1').on('connect', () => resolve('connected')).on('error', () => resolve('failed')));
        return { x: x * 2, read, net, files: fs.readdirSync('/work').length };
      }\` });
      process.stdout.write(JSON.stringify({ isolation: r.isolation, output: r.output, error: r.error, euid: process.geteuid() }));`;
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
    const argv = [...asUser, process.execPath, '--input-type=module', '-e', script];
    let stdout: string;
    try {
      stdout = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: '/tmp' }, timeout: 30_000, cwd: '/' });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.euid).not.toBe(0);
    expect(out.error).toBeNull();
    expect(out.isolation).toBe('namespaces');
    expect(out.output).toEqual({ x: 4, read: 'failed', net: 'failed', files: 3 });
  });
});
