#!/usr/bin/env node
// The test suite starts its own throwaway PostgreSQL and Redis (test/global-setup.ts) and drives Debian's
// chromium in its browser tests; this makes sure those binaries exist. As root on Debian/Ubuntu it installs
// the missing ones with apt-get and says so; otherwise it stops with the exact command to run.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const hasPostgres = () =>
  existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`));

const missing = [];
if (!has('redis-server')) missing.push('redis-server');
if (!hasPostgres()) missing.push('postgresql');
if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
if (missing.length === 0) process.exit(0);

const command = `apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() === 0 && has('apt-get')) {
  console.error(`[tests] installing ${missing.join(', ')} for the Redis/PostgreSQL and browser test suites: ${command}`);
  execSync('apt-get update -qq', { stdio: 'inherit' });
  execSync(`${command} -qq`, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  process.exit(0);
}
console.error(`[tests] the test suite needs ${missing.join(' and ')}; install with: sudo ${command}`);
process.exit(1);
