/**
 * Finds every example in this folder (each file that exports `example`), so
 * adding an example is adding a file. Sorted by pattern number, then name.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { VendExample } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const SKIP = new Set(['registry', 'types', 'shared']);

let cache: Promise<VendExample[]> | undefined;

export function listExamples(): Promise<VendExample[]> {
  return (cache ??= load());
}

export async function findExample(name: string): Promise<VendExample | undefined> {
  return (await listExamples()).find((e) => e.name === name);
}

async function load(): Promise<VendExample[]> {
  const files = readdirSync(here).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !SKIP.has(f.replace(/\.(js|ts)$/, '')));
  const examples: VendExample[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { example?: VendExample };
    if (mod.example) examples.push(mod.example);
  }
  return examples.sort((a, b) => a.pattern - b.pattern || a.name.localeCompare(b.name));
}
