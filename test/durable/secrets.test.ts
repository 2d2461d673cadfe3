/**
 * Secrets never reach logs, traces, errors, the store or checkpoints
 * (issue 13, item 5). A provider (or a gateway in front of it) that echoes
 * the API key in its error, a tool whose result and arguments carry the key
 * in free text, and a step whose output holds it in an `apiKey` field run as
 * a durable run that fails, is resumed from its checkpoints (replay must not
 * diverge on the redacted values) and fails again on the provider; an event
 * consumer dead-letters a provider failure. Then every sink is searched for
 * the key: the log, the JSONL file, the in-memory traces, the thrown errors,
 * everything the store gives back, and the raw bytes of the SQLite file and
 * of a pg_dump of the PostgreSQL database. For all three providers.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/core/logger.js';
import type { Model } from '../../src/core/model.js';
import { JsonlTraceSink } from '../../src/core/sinks/jsonl.js';
import { MemoryTraceSink } from '../../src/core/sinks/memory.js';
import { runStep } from '../../src/core/run-step.js';
import { step } from '../../src/core/step.js';
import { tool } from '../../src/core/tool.js';
import { durableRun, resumeRun } from '../../src/durable/run.js';
import { WorkflowRegistry } from '../../src/durable/registry.js';
import { consume } from '../../src/events/consume.js';
import { memorySource } from '../../src/events/memory.js';
import { AnthropicModel } from '../../src/models/anthropic.js';
import { OpenAICompatibleModel } from '../../src/models/openai-compatible.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import { scripted, toolResults } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { requireService } from '../support/services.js';
import { anthropicErrorReply } from '../support/wire/anthropic-messages.js';
import { chatErrorReply } from '../support/wire/chat-completions.js';
import { errorReply } from '../support/wire/openai-responses.js';
import { startWireServer, type WireReply, type WireServer } from '../support/wire/server.js';

interface Provider {
  name: string;
  /** A fresh key: a real key's shape for OpenAI and Anthropic, a gateway's own token (no known shape) for the compatible server. */
  key: () => string;
  model: (origin: string, key: string) => Model;
  /** The error a careless gateway sends: the key quoted back, whole. */
  echo: (status: number, key: string) => WireReply;
  /** Where the key travelled to the server (proves the test's key was really used). */
  sent: (headers: Record<string, unknown>) => unknown;
}

const hex = (n: number) => randomBytes(n).toString('hex');
const providers: Provider[] = [
  {
    name: 'openai',
    key: () => `sk-proj-${hex(20)}`,
    model: (origin, key) => new OpenAIResponsesModel('gpt-4o', { baseUrl: `${origin}/v1`, apiKey: key, maxRetries: 1, retryBaseDelayMs: 1 }),
    echo: (status, key) => errorReply(status, `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`),
    sent: (h) => h.authorization,
  },
  {
    name: 'anthropic',
    key: () => `sk-ant-api03-${hex(20)}`,
    model: (origin, key) => new AnthropicModel('claude-sonnet-5-5', { baseUrl: origin, apiKey: key, maxRetries: 1, retryBaseDelayMs: 1 }),
    echo: (status, key) => anthropicErrorReply(status, `invalid x-api-key: ${key}`),
    sent: (h) => h.authorization ?? h['x-api-key'],
  },
  {
    name: 'openai-compatible',
    key: () => `gw_${hex(16)}`,
    model: (origin, key) => new OpenAICompatibleModel('llama3.1', { baseUrl: `${origin}/v1`, apiKey: key, maxRetries: 1, retryBaseDelayMs: 1 }),
    echo: (status, key) => chatErrorReply(status, `gateway: upstream refused request with header Authorization: Bearer ${key} (token ${key} unknown)`),
    sent: (h) => h.authorization,
  },
];

/** A 500 first (retried and logged), then a 401: both quote the key. */
async function echoingServer(p: Provider, key: string): Promise<WireServer> {
  return startWireServer((req) => p.echo(req.index % 2 === 0 ? 500 : 401, key));
}

/**
 * The workflow: an agent (scripted) whose tool gets the key in its arguments and returns it in free text,
 * a step that returns it in an `apiKey` field, a crash on the first attempt, then an agent on the real provider.
 */
function secretFlow(model: Model, key: string, crash: { armed: boolean }) {
  const vault = tool({
    name: 'vault',
    description: 'Reads a credential note.',
    input: z.object({ note: z.string() }),
    execute: ({ note }) => `the key is ${key}; you said: ${note}`,
  });
  const clerk = new Agent({
    name: 'clerk',
    instructions: 'Use the vault.',
    model: scripted((req, turn) => (turn === 0 ? { toolCalls: [{ name: 'vault', args: { note: `Authorization: Bearer ${key}` } }] } : `read: ${toolResults(req)[0]!.content}`)),
    tools: [vault],
  });
  const caller = new Agent({ name: 'caller', instructions: 'Say hi.', model });
  return step('secret-flow', async (input: string, ctx) => {
    const read = await runStep(ctx, clerk, input);
    await runStep(ctx, step('credentials', () => ({ apiKey: key, user: 'vend', note: read.text })), null);
    if (crash.armed) {
      crash.armed = false;
      throw new Error('crashed between steps');
    }
    return (await runStep(ctx, caller, 'hi')).text;
  });
}

/** Everything the store gives back for a run and a consumer, as one text. */
async function storeDump(store: Store, runId: string, consumer: string): Promise<string> {
  return JSON.stringify({
    run: await store.getRun(runId),
    runs: await store.listRuns(),
    trace: await store.getTrace(runId),
    checkpoints: [...(await store.getCheckpoints(runId)).entries()],
    deadLetters: await store.listDeadLetters({ consumer }),
    decisions: await store.listDecisions({ consumer }),
  });
}

interface Outcome {
  /** Text of every sink but the store's raw bytes. */
  sinks: { log: string; jsonl: string; memory: string; errors: string; store: string };
  checkpoints: string;
  serverSaw: unknown;
  /** How the resumed run ended. */
  resumed: unknown;
}

async function exercise(p: Provider, key: string, store: Store, dir: string): Promise<Outcome> {
  const server = await echoingServer(p, key);
  const logFile = join(dir, `${p.name}.log`);
  const logger = createLogger({ level: 'debug', destination: logFile });
  const jsonl = new JsonlTraceSink(join(dir, `${p.name}.jsonl`));
  const memory = new MemoryTraceSink();
  const runId = `secret-${p.name}-${hex(4)}`;
  const consumer = `secrets-${p.name}`;
  try {
    const model = p.model(server.origin, key);
    const options = { store, logger, sinks: [jsonl, memory] };
    const first = await durableRun('secret-flow', secretFlow(model, key, { armed: true }), 'start', { ...options, runId }).catch((e: unknown) => e as Error);
    const registry = new WorkflowRegistry([{ name: 'secret-flow', step: secretFlow(model, key, { armed: false }) }]);
    const resumed = await resumeRun(runId, { ...options, registry }).catch((e: unknown) => e as Error);

    // An event whose handler calls the provider: retried, then dead-lettered.
    const events = memorySource<{ id: string }>();
    events.push('evt-1', { id: 'evt-1' });
    events.end();
    const caller = new Agent({ name: 'event-caller', instructions: 'x', model });
    await consume(events, step('decide', async (_e: { id: string }, ctx) => (await runStep(ctx, caller, 'decide')).text), {
      consumer,
      store,
      retries: 1,
      backoff: { initialMs: 1, maxMs: 2 },
      runOptions: { logger, sinks: [jsonl, memory] },
      logger,
    }).done;

    await jsonl.close();
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    // The errors as a caller would print or serialize them: message, stack, fields, causes, trace.
    const errors = [first, resumed].map((e) => `${inspect(e, { depth: 12 })}\n${JSON.stringify({ ...(e as object), trace: undefined })}\n${JSON.stringify((e as { trace?: unknown }).trace)}`);
    const checkpoints = JSON.stringify([...(await store.getCheckpoints(runId)).entries()]);
    return {
      sinks: {
        log: readFileSync(logFile, 'utf8'),
        jsonl: readFileSync(join(dir, `${p.name}.jsonl`), 'utf8'),
        memory: JSON.stringify(memory.spans),
        errors: errors.join('\n'),
        store: await storeDump(store, runId, consumer),
      },
      checkpoints,
      serverSaw: p.sent(server.requests[0]!.headers as Record<string, unknown>),
      resumed,
    };
  } finally {
    await server.close();
  }
}

function expectClean(outcome: Outcome, key: string): void {
  // The key really went out, and the run really got as far as the provider (its error is in the logs and the store).
  expect(String(outcome.serverSaw)).toContain(key);
  expect(outcome.sinks.errors).toMatch(/MODEL_ERROR|ModelError/);
  expect(outcome.sinks.log).toMatch(/retrying/);
  expect(outcome.sinks.store).toMatch(/deadLetters":\[\{/);
  // The checkpoints hold what was redacted: the apiKey field and the key inside the tool's text.
  expect(outcome.checkpoints).toContain('"apiKey":"[REDACTED]"');
  expect(outcome.checkpoints).toMatch(/the key is \[REDACTED\]/);
  for (const [sink, text] of Object.entries(outcome.sinks)) expect(text.includes(key), `${sink} holds the key`).toBe(false);
}

/** Runs the scenario on `store`, closes it, and checks every sink but the raw bytes. */
async function exerciseAndCheck(p: Provider, key: string, store: Store, dir: string): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await exercise(p, key, store, dir);
  } finally {
    await store.close();
  }
  expectClean(outcome, key);
  expectReplayed(outcome);
}

/** The resumed run replayed its recorded agent (no divergence on the redacted conversation) and reached the provider. */
function expectReplayed(outcome: Outcome): void {
  expect(outcome.resumed).toMatchObject({ name: 'ModelError', code: 'MODEL_ERROR', status: 401 });
}

describe('secrets are scrubbed by value from every sink (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ap-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const p of providers) {
    it(`${p.name}: an echoed key reaches no log, trace, error, table or byte of the database file`, async () => {
      const key = p.key();
      const file = join(dir, `${p.name}.db`);
      await exerciseAndCheck(p, key, await SqliteStore.open(file), dir);
      const files = readdirSync(dir).filter((f) => f.startsWith(`${p.name}.db`));
      expect(files).toContain(`${p.name}.db`);
      for (const f of files) expect(readFileSync(join(dir, f)).includes(key), `${f} holds the key`).toBe(false);
    });
  }
});

describe('secrets are scrubbed by value from every sink (PostgreSQL)', () => {
  const serverUrl = requireService('pg');
  const dbName = `ap_secrets_${process.pid}_${Date.now().toString(36)}`;
  const dbUrl = (() => {
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  const dir = mkdtempSync(join(tmpdir(), 'ap-secrets-pg-'));
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  beforeAll(() => admin(`CREATE DATABASE ${dbName}`));
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const p of providers) {
    it(`${p.name}: an echoed key reaches no log, trace, error, table or line of a pg_dump`, async () => {
      const key = p.key();
      await exerciseAndCheck(p, key, await PostgresStore.connect(dbUrl, { schema: `s_${p.name.replace(/-/g, '_')}`, max: 4 }), dir);
      const dump = execFileSync(pgDump(), ['--data-only', '--dbname', dbUrl], { maxBuffer: 64 << 20 }).toString('utf8');
      expect(dump).toMatch(/COPY s_/); // the dump really holds the tables
      expect(dump).toContain('[REDACTED]');
      expect(dump.includes(key), 'the pg_dump holds the key').toBe(false);
    });
  }
});

function pgDump(): string {
  for (const v of ['17', '16', '15', '14', '13']) {
    const p = `/usr/lib/postgresql/${v}/bin/pg_dump`;
    if (existsSync(p)) return p;
  }
  return 'pg_dump';
}
