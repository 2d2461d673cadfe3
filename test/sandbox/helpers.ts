/** Shared pieces of the sandbox tests: a private tmp root, a host HTTP server, process accounting. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxUidRange } from '../../src/sandbox/sandbox.js';

/** A directory of our own for per-run host dirs, so a leak check sees only our runs. */
export function privateTmpRoot(): string {
  return mkdtempSync(join(tmpdir(), 'sandbox-test-'));
}

export function entries(dir: string): string[] {
  return readdirSync(dir);
}

/** An HTTP server on the host's loopback that counts the requests it gets. */
export async function countingServer(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.end('host secret');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Proc {
  pid: number;
  ppid: number;
  uid: number;
  args: string;
}

function processes(): Proc[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,uid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
      return { pid: Number(m[1]), ppid: Number(m[2]), uid: Number(m[3]), args: m[4]! };
    });
}

/** Processes still alive that belong to our sandboxes: descendants of this process, or running as one of our sandbox uids. */
export function leakedProcesses(): Proc[] {
  const all = processes();
  const { min, max } = sandboxUidRange();
  const descendants = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!descendants.has(p.pid) && descendants.has(p.ppid)) {
        descendants.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter(
    (p) => p.pid !== process.pid && !/^ps /.test(p.args) && ((descendants.has(p.pid)) || (p.uid >= min && p.uid <= max)),
  );
}
