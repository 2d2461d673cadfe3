#!/usr/bin/env node
// Builds dist/ from a clean slate, so no file of a renamed or deleted source reaches the tarball.
// `--if-checkout` is the prepare script: it builds only inside a git checkout (`npm ci` in a clone, whose
// README runs the CLI from dist/ right after), never when the package is installed as a dependency, and
// not for `npm pack` / `npm publish`, which build through prepack.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

if (process.argv.includes('--if-checkout')) {
  const packing = process.env.npm_command === 'pack' || process.env.npm_command === 'publish';
  if (!existsSync('.git') || packing) process.exit(0);
}
rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// The library, then the studio's browser script (its own tsconfig: DOM lib, no Node types).
for (const project of ['tsconfig.build.json', 'src/studio/web/tsconfig.json']) {
  const built = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
