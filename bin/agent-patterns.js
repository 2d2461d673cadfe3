#!/usr/bin/env node
// The CLI runs from the compiled output (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('agent-patterns: not built yet; run `npm run build` (npm ci does it for you)');
  process.exit(1);
}
// A reader that goes away (`agent-patterns demo | head`) is not a failure: stop quietly, as Unix tools do.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv);
