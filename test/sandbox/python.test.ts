/**
 * Hostile Python against the namespace sandbox. Python has no permission
 * model, so these exercise the OS layers alone: the chroot, the network
 * namespace, the unprivileged uid and the rlimits.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { countingServer, entries, privateTmpRoot } from './helpers.js';

const tmpRoot = privateTmpRoot();
const sandbox = createSandbox({ timeoutMs: 15_000, memoryMb: 64, tmpRoot });
const py = (code: string, input: unknown = null, extra: object = {}) => sandbox.run({ language: 'python', code, input, ...extra });

afterAll(() => {
  expect(entries(tmpRoot)).toEqual([]);
  rmSync(tmpRoot, { recursive: true, force: true });
});

describe.concurrent('python sandbox', () => {
  it('runs main(input) and returns its output and stdout', async () => {
    const r = await py('def main(rows):\n    print("rows:", len(rows))\n    return [r["price"] * 2 for r in rows]\n', [{ price: 1.5 }, { price: 2 }]);
    expect(r.error).toBeNull();
    expect(r.output).toEqual([3, 4]);
    expect(r.stdout).toBe('rows: 2\n');
  });

  it('reports an exception with the line in the program', async () => {
    const r = await py('def main(x):\n    return x["missing"]\n', {});
    expect(r.error?.kind).toBe('runtime_error');
    expect(r.error?.message).toMatch(/KeyError/);
    expect(r.error?.message).toMatch(/main\.py", line 2/);
  });

  it('has no network', async () => {
    const server = await countingServer();
    try {
      const r = await py(
        `import socket
def main(port):
    out = {}
    for name, addr in {"host": ("127.0.0.1", port), "internet": ("1.1.1.1", 80)}.items():
        try:
            socket.create_connection(addr, timeout=2)
            out[name] = "connected"
        except OSError as e:
            out[name] = "failed: " + str(e)
    try:
        socket.getaddrinfo("example.com", 80)
        out["dns"] = "resolved"
    except OSError as e:
        out["dns"] = "failed: " + str(e)
    return out
`,
        Number(new URL(server.url).port),
      );
      expect(r.error).toBeNull();
      for (const [k, v] of Object.entries(r.output as Record<string, string>)) expect(v, k).toMatch(/^failed/);
      expect(server.hits()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('sees only the interpreter and its work dir, and cannot write outside it', async () => {
    const marker = join(tmpRoot, '..', `sandbox-py-escape-${process.pid}-${Date.now()}`);
    const r = await py(
      `import os
def main(args):
    out = {}
    for p in args["read"]:
        try:
            with open(p) as f: out["read " + p] = f.read(20)
        except OSError as e: out["read " + p] = "failed: " + type(e).__name__
    for p in args["write"]:
        try:
            with open(p, "w") as f: f.write("pwned")
            out["write " + p] = "written"
        except OSError as e: out["write " + p] = "failed: " + type(e).__name__
    with open("/work/scratch.txt", "w") as f: f.write("mine")
    return {"probes": out, "root": sorted(os.listdir("/")), "uid": os.getuid()}
`,
      {
        read: ['/etc/passwd', '/etc/shadow', join(process.cwd(), 'package.json'), '/proc/self/environ', '/root/.bashrc', '/tmp'],
        write: [marker, '/tmp/pwned', '/usr/pwned', '/usr/lib/pwned', '/pwned'],
      },
    );
    expect(r.error).toBeNull();
    const out = r.output as { probes: Record<string, string>; root: string[]; uid: number };
    for (const [k, v] of Object.entries(out.probes)) expect(v, k).toMatch(/^failed/);
    expect(out.root).not.toContain('etc');
    expect(out.root).not.toContain('tmp');
    expect(out.root).not.toContain('proc');
    expect(out.uid).not.toBe(0);
    for (const p of [marker, '/tmp/pwned', '/usr/pwned', '/usr/lib/pwned', '/pwned']) expect(existsSync(p), p).toBe(false);
  });

  it('cannot spawn processes or threads', async () => {
    const r = await py(`import os, subprocess, threading
def main(_):
    out = {}
    tries = {
        "subprocess": lambda: subprocess.run(["/usr/bin/id"], capture_output=True),
        "fork": lambda: os.fork(),
        "system": lambda: os.system("id") == 0 or (_ for _ in ()).throw(OSError("system failed")),
        "thread": lambda: threading.Thread(target=lambda: None).start(),
    }
    for name, f in tries.items():
        try:
            f()
            out[name] = "spawned"
        except (OSError, RuntimeError) as e:
            out[name] = "failed: " + type(e).__name__
    return out
`);
    expect(r.error).toBeNull();
    for (const [k, v] of Object.entries(r.output as Record<string, string>)) expect(v, k).toMatch(/^failed/);
  });

  it('kills an infinite loop at the CPU limit', async () => {
    const r = await py('def main(_):\n    while True:\n        pass\n', null, { cpuSeconds: 1, timeoutMs: 30_000 });
    expect(r.error?.kind).toBe('cpu_limit');
  });

  it('stops an allocation bomb at the memory limit', async () => {
    const r = await py('def main(_):\n    a = []\n    while True:\n        a.append(bytearray(8 << 20))\n', null, { memoryMb: 48 });
    expect(r.error?.kind).toBe('memory_limit');
  });

  it('kills a program that floods stdout at the output cap', async () => {
    const r = await py('import sys\ndef main(_):\n    while True:\n        sys.stdout.write("x" * 4096)\n', null, { maxOutputBytes: 64 * 1024 });
    expect(r.error?.kind).toBe('output_limit');
    expect(r.stdout.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('ends a flood written just before main returns as output_limit, not ok with a cut stdout', async () => {
    const r = await py('def main(_):\n    print("x" * 5_000_000)\n    return 1\n', null, { maxOutputBytes: 64 * 1024 });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('output_limit');
  });

  it('cannot forge its verdict: a result it writes to the runner\'s descriptor is refused, the run is not ok', async () => {
    for (const code of [
      'import os\nos.write(3, b\'{"ok":true,"output":"FORGED"}\')\nos._exit(0)\n',
      'import os\ndef main(_):\n    os.write(3, b\'{"ok":true,"output":"FORGED"}\')\n    os._exit(0)\n',
      'import os\ndef main(_):\n    os.write(3, b\'{"ok":true,"output":"FORGED"}\')\n    raise ValueError("really failed")\n',
    ]) {
      const r = await py(code);
      expect(r.ok, code).toBe(false);
      expect(r.output, code).toBeNull();
      expect(r.error?.kind, code).toBe('protocol');
    }
  });

  it('cannot read the seal from stdin: the runner took it and closed the descriptor', async () => {
    const r = await py('import os\ndef main(_):\n    try:\n        return os.read(0, 100).decode()\n    except OSError as e:\n        return "closed: " + e.strerror\n');
    expect(r.output).toMatch(/^closed/);
  });

  it('reports a memory kill with its limit', async () => {
    const r = await py('def main(_):\n    a = []\n    while True:\n        a.append(bytearray(8 << 20))\n', null, { memoryMb: 48 });
    expect(r.error).toMatchObject({ kind: 'memory_limit', message: expect.stringMatching(/^memory limit of 48 MB reached/) });
  });
});
