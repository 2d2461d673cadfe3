import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `agent-patterns` and its subpaths resolve to the sources, as tsconfig's `paths` do for the typecheck,
 * so tests, examples and docs snippets share one copy of each module. Derived from package.json
 * "exports" (./dist/src/x.js → ./src/x.ts), so a new subpath needs no second declaration here.
 */
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string | { default: string }>;
};
const selfReference = Object.entries(pkg.exports).flatMap(([subpath, target]) =>
  typeof target === 'string'
    ? []
    : [{
        find: new RegExp(`^agent-patterns${subpath.slice(1).replace(/[/.]/g, '\\$&')}$`),
        replacement: fileURLToPath(new URL(target.default.replace('./dist/src/', './src/').replace(/\.js$/, '.ts'), import.meta.url)),
      }],
);

export default defineConfig({
  resolve: { alias: selfReference },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: { AGENT_PATTERNS_LOG_LEVEL: process.env.AGENT_PATTERNS_LOG_LEVEL ?? 'error' },
  },
});
