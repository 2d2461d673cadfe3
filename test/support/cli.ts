/** Runs the CLI in-process and captures what it prints on stdout and stderr (through process.*.write). */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    return { code: await main(['node', 'agent-patterns', ...args]), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}
