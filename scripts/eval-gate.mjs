#!/usr/bin/env node
// The eval gate: every shipped dataset (evals/datasets/<example>.jsonl) against its baseline
// (evals/baselines/<example>.json), offline. Exits non-zero on any regression or new failure.
// `--update` writes the current reports as the new baselines instead (review the diff before committing).
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const update = process.argv.includes('--update');
const datasets = readdirSync('evals/datasets').filter((f) => f.endsWith('.jsonl')).sort();
let failed = 0;
for (const file of datasets) {
  const name = file.replace(/\.jsonl$/, '');
  const out = join('.agent-patterns', 'evals', name);
  const args = ['bin/agent-patterns.js', 'eval', name, '--dataset', join('evals/datasets', file), '--out', out];
  if (!update) args.push('--baseline', join('evals/baselines', `${name}.json`));
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (update) {
    copyFileSync(join(out, 'report.json'), join('evals/baselines', `${name}.json`));
    process.stdout.write(`baseline written: evals/baselines/${name}.json\n`);
  } else if (r.status !== 0) {
    failed++;
    process.stderr.write(r.stderr.split('\n').filter((l) => l.startsWith('agent-patterns:')).join('\n') + '\n');
  }
}
if (!update) process.stdout.write(`eval gate: ${datasets.length - failed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
