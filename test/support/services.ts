/**
 * Real Redis and PostgreSQL servers for the test suite, started on free
 * loopback ports in temporary folders and stopped afterwards. An URL given
 * in the environment (AGENT_PATTERNS_TEST_PG_URL / _REDIS_URL) is used as is.
 * Missing server binaries are a clear failure of the suites that need them,
 * never a silent skip.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Services {
  pgUrl?: string;
  redisUrl?: string;
  problems: string[];
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function pgBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'postgres'))) return join(base, v, 'bin');
  return undefined;
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${ms} ms`);
}

/** Resolves true once the process has exited, false if it is still running after `ms`. */
function exited(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

function killPidFile(file: string): void {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function startServices(): Promise<Services> {
  const problems: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  let pgUrl = process.env.AGENT_PATTERNS_TEST_PG_URL;
  let redisUrl = process.env.AGENT_PATTERNS_TEST_REDIS_URL;

  if (!pgUrl) {
    const bin = pgBinDir();
    if (!bin) problems.push('PostgreSQL server not found: apt-get install -y postgresql');
    else {
      const dir = mkdtempSync(join(tmpdir(), 'ap-pg-'));
      chmodSync(dir, 0o777);
      const asRoot = process.getuid?.() === 0;
      const run = (cmd: string, args: string[]) =>
        asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
      const data = join(dir, 'data');
      run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      const port = await freePort();
      const proc: ChildProcess = asRoot
        ? spawn('runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'], { stdio: 'ignore' })
        : spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'], { stdio: 'ignore' });
      await waitFor(() => {
        try {
          run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]);
          return true;
        } catch {
          return false;
        }
      }, 20_000, 'PostgreSQL');
      pgUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
      stops.push(async () => {
        // Signals to `runuser` do not reach postgres: stop the server itself, then make sure.
        try {
          run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-t', '10']);
        } catch {
          killPidFile(join(data, 'postmaster.pid'));
        }
        await exited(proc, 5_000);
        rmSync(dir, { recursive: true, force: true });
      });
    }
  }

  if (!redisUrl) {
    let found = true;
    try {
      execFileSync('redis-server', ['--version'], { stdio: 'pipe' });
    } catch {
      found = false;
      problems.push('redis-server not found: apt-get install -y redis-server');
    }
    if (found) {
      const redis = await startRedisServer();
      redisUrl = redis.url;
      stops.push(() => redis.stop());
    }
  }

  return {
    pgUrl,
    redisUrl,
    problems,
    stop: async () => {
      await Promise.all(stops.map((s) => s()));
    },
  };
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL); its data is gone (no persistence). */
  stop(): Promise<void>;
}

/**
 * A real redis-server without persistence on a free loopback port (or `port`: the same address again after a
 * stop, i.e. a restart that comes back empty). The suite's shared server comes from here; a suite that kills
 * or restarts Redis starts its own, so other suites running at the same time are not disturbed.
 */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ap-redis-'));
  const p = port ?? (await freePort());
  const proc = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await waitFor(() => {
    try {
      return execFileSync('redis-cli', ['-p', String(p), 'ping'], { stdio: 'pipe' }).toString().trim() === 'PONG';
    } catch {
      return false;
    }
  }, 10_000, 'Redis');
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    stop: async () => {
      proc.kill('SIGTERM');
      if (!(await exited(proc, 5_000))) proc.kill('SIGKILL');
      await exited(proc, 5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For suites that need a service: the URL, or a thrown error that names what to install. */
export function requireService(name: 'pg' | 'redis'): string {
  const url = name === 'pg' ? process.env.AGENT_PATTERNS_TEST_PG_URL : process.env.AGENT_PATTERNS_TEST_REDIS_URL;
  if (!url) {
    throw new Error(
      `${name === 'pg' ? 'PostgreSQL' : 'Redis'} is needed by this suite and was not started: ${process.env.AGENT_PATTERNS_SERVICE_PROBLEMS ?? 'unknown reason'}`,
    );
  }
  return url;
}
