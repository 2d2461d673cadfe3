/** Starts Redis and PostgreSQL once for the whole suite (see support/services.ts). */
import { spawnSync } from 'node:child_process';
import { startServices, type Services } from './support/services.js';

let services: Services | undefined;

export async function setup(): Promise<void> {
  // One build of dist/ for the suites that run the CLI or workers as separate processes
  // (building in each suite would race on the same files).
  // tsc emits even when it finds type errors; those are the typecheck step's to report, not a reason to stop every suite.
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (build.status !== 0) process.stderr.write(`[global-setup] tsc reported errors while building dist/ (the typecheck step reports them):\n${build.stdout.slice(0, 2000)}\n`);
  // The studio's browser script is its own build (DOM types, no Node).
  const web = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'src/studio/web/tsconfig.json'], { encoding: 'utf8' });
  if (web.status !== 0) process.stderr.write(`[global-setup] the studio page did not build:\n${web.stdout.slice(0, 2000)}\n`);
  services = await startServices();
  if (services.pgUrl) process.env.AGENT_PATTERNS_TEST_PG_URL = services.pgUrl;
  if (services.redisUrl) process.env.AGENT_PATTERNS_TEST_REDIS_URL = services.redisUrl;
  if (services.problems.length) process.env.AGENT_PATTERNS_SERVICE_PROBLEMS = services.problems.join('; ');
}

export async function teardown(): Promise<void> {
  await services?.stop();
}
