/**
 * Long-term memory: facts an agent saves for an owner with `remember` and
 * finds again with `recall`, across sessions. The store backs it with
 * full-text search (SQLite FTS5, PostgreSQL tsvector). `MemoryBackend` is the
 * seam for another backend (a vector index): two methods, nothing else.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { tool, type AnyTool } from '../core/tool.js';
import type { MemoryRecord, Store } from '../store/types.js';

export interface MemoryBackend {
  /** Saves a fact for the owner; undefined when the owner is at the cap. */
  remember(owner: string, content: string): Promise<MemoryRecord | undefined>;
  /** The owner's facts most relevant to `query`, best first. */
  recall(owner: string, query: string, limit: number): Promise<MemoryRecord[]>;
}

/** Memory in the store: full-text search, at most `cap` facts per owner (default 1000). */
export function storeMemory(store: Pick<Store, 'addMemory' | 'searchMemories'>, options: { cap?: number } = {}): MemoryBackend {
  const cap = options.cap ?? 1000;
  if (!Number.isInteger(cap) || cap < 1) throw new ConfigError('memory.cap', `must be a positive integer, got ${cap}`);
  return {
    remember: (owner, content) => store.addMemory(owner, content, cap),
    recall: (owner, query, limit) => store.searchMemories(owner, query, limit),
  };
}

export interface MemoryToolsOptions {
  backend: MemoryBackend;
  /** Whose memory the tools reach: fixed when the tools are made, never chosen by the model. */
  owner: string;
  /** Most facts `recall` returns (default 5). */
  limit?: number;
}

/** The `remember` and `recall` tools for one owner. */
export function memoryTools(options: MemoryToolsOptions): AnyTool[] {
  const { backend, owner } = options;
  if (!owner) throw new ConfigError('memory.owner', 'is required: memory is kept per owner');
  const limit = options.limit ?? 5;
  const remember = tool({
    name: 'remember',
    description: 'Save one durable fact about the user or their situation for later conversations. One short sentence per fact.',
    input: z.object({ fact: z.string().min(3).max(2000) }),
    execute: async ({ fact }) => {
      const saved = await backend.remember(owner, fact);
      if (!saved) throw new Error('memory is full for this user; the fact was not saved');
      return { saved: true, id: saved.id };
    },
  });
  const recall = tool({
    name: 'recall',
    description: 'Search the facts saved in earlier conversations. Returns the best matches for the words given.',
    input: z.object({ query: z.string().min(1).max(500) }),
    execute: async ({ query }) => ({ facts: (await backend.recall(owner, query, limit)).map((m) => m.content) }),
  });
  return [remember, recall];
}
