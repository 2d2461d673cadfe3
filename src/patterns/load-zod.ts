/**
 * zod for the patterns that build their own schemas (route, decompose, planAndExecute), loaded on
 * their first run: importing the library must not load zod (cold start, docs/bench.md S7). A program
 * that defines tools has loaded zod already, so this costs it nothing.
 */
import type { z } from 'zod';

export type Zod = typeof z;

let zod: Promise<Zod> | undefined;

export function loadZod(): Promise<Zod> {
  return (zod ??= import('zod').then((m) => m.z));
}
