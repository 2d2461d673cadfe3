/** Starts Redis and PostgreSQL once for the whole suite (see support/services.ts). */
import { execFileSync } from 'node:child_process';
import { startServices, type Services } from './support/services.js';

let services: Services | undefined;

export async function setup(): Promise<void> {
  // One build of dist/ for the suites that run the CLI or workers as separate processes
  // (building in each suite would race on the same files).
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  services = await startServices();
  if (services.pgUrl) process.env.AGENT_PATTERNS_TEST_PG_URL = services.pgUrl;
  if (services.redisUrl) process.env.AGENT_PATTERNS_TEST_REDIS_URL = services.redisUrl;
  if (services.problems.length) process.env.AGENT_PATTERNS_SERVICE_PROBLEMS = services.problems.join('; ');
}

export async function teardown(): Promise<void> {
  await services?.stop();
}
