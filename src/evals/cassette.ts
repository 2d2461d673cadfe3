/**
 * Record and replay: `recordModel` saves every response a real provider gives
 * (JSONL, one call a line, keyed by a hash of the request), and `replayModel`
 * serves them again offline — so an eval made against a real model runs in CI
 * without keys or cost. A request the recording does not hold is a typed
 * error that shows the first difference from the nearest recorded request.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, ModelError } from '../core/errors.js';
import { streamFromGenerate, type CallOptions, type Model, type ModelRequest, type ModelResponse, type StreamEvent } from '../core/model.js';

interface CassetteHeader {
  cassette: 1;
  provider: string;
  modelId: string;
  recordedAt: string;
}

interface CassetteEntry {
  key: string;
  request: unknown;
  response: ModelResponse;
}

/** A replayed request that the recording does not hold (the prompt, the input or the workflow changed). */
export class CassetteMismatch extends ModelError {
  constructor(
    readonly path: string,
    readonly difference: string,
  ) {
    super('replay', `the request is not in the recording ${path}: ${difference}`, { retryable: false });
  }
}

/** What identifies a request: everything the provider is sent, bytes as base64, keys in a fixed order. */
function requestView(request: ModelRequest): unknown {
  return JSON.parse(JSON.stringify(request, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)));
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

function keyOf(view: unknown): string {
  return createHash('sha256').update(canonical(view)).digest('hex');
}

/** Wraps `model`: every response is appended to `path` as it arrives (the file starts anew). */
export function recordModel(model: Model, path: string): Model {
  mkdirSync(dirname(path), { recursive: true });
  const header: CassetteHeader = { cassette: 1, provider: model.provider, modelId: model.modelId, recordedAt: new Date().toISOString() };
  writeFileSync(path, `${JSON.stringify(header)}\n`);
  const save = (request: ModelRequest, response: ModelResponse) => {
    const view = requestView(request);
    const entry: CassetteEntry = { key: keyOf(view), request: view, response };
    appendFileSync(path, `${JSON.stringify(entry)}\n`);
  };
  return {
    provider: model.provider,
    modelId: model.modelId,
    async generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
      const response = await model.generate(request, options);
      save(request, response);
      return response;
    },
    async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent> {
      for await (const event of model.stream(request, options)) {
        if (event.type === 'finish') save(request, event.response);
        yield event;
      }
    },
  };
}

/**
 * Serves the responses recorded at `path`. Identical requests get their
 * responses in recorded order, so concurrent cases replay whatever order they
 * arrive in. The model reports the recorded provider and model id, so cost is
 * the recorded run's.
 */
export function replayModel(path: string): Model {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  } catch (err) {
    throw new ConfigError('replay', `cannot read the recording ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const header = JSON.parse(lines[0] ?? '{}') as Partial<CassetteHeader>;
  if (header.cassette !== 1) throw new ConfigError('replay', `${path} is not a recording made by --record (no cassette header)`);
  const entries = lines.slice(1).map((l) => JSON.parse(l) as CassetteEntry);
  const unused = new Map<string, CassetteEntry[]>();
  for (const e of entries) {
    const queue = unused.get(e.key);
    if (queue) queue.push(e);
    else unused.set(e.key, [e]);
  }
  const replay = (request: ModelRequest): ModelResponse => {
    const view = requestView(request);
    const hit = unused.get(keyOf(view))?.shift();
    if (hit) return hit.response;
    throw new CassetteMismatch(path, nearestDifference(view, [...unused.values()].flat()));
  };
  const model: Model = {
    provider: header.provider ?? 'replay',
    modelId: header.modelId ?? 'replay',
    generate: (request) => {
      try {
        return Promise.resolve(replay(request));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    stream: (request, options) => streamFromGenerate(model, request, options),
  };
  return model;
}

/** The first difference between `now` and the unreplayed recorded request that shares the most with it. */
function nearestDifference(now: unknown, candidates: CassetteEntry[]): string {
  if (candidates.length === 0) return 'every recorded response has already been replayed (the run makes more model calls than the recording)';
  let best: { at: string; recorded: unknown; current: unknown; depth: number } | undefined;
  for (const c of candidates) {
    const d = firstDifference(c.request, now, '');
    if (d && (!best || d.depth > best.depth)) best = d;
  }
  const b = best!;
  return `first difference at ${b.at || '(root)'}: recorded ${preview(b.recorded)}, now ${preview(b.current)}`;
}

function firstDifference(a: unknown, b: unknown, at: string, depth = 0): { at: string; recorded: unknown; current: unknown; depth: number } | undefined {
  if (a === b) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a) ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()].map(String) : [...new Set([...Object.keys(a), ...Object.keys(b)])];
    let same = 0;
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k, depth + same + 1);
      if (d) return d;
      same++;
    }
    return undefined;
  }
  return { at, recorded: a, current: b, depth };
}

function preview(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
