/**
 * `serveMcp(steps, { transport })`: our Steps and Agents as MCP tools, for
 * any MCP client (an IDE, a desktop assistant, another agent). Each call is
 * a run of its own (own budget and trace); a long run reports progress (one
 * notification per finished span); a client's cancellation aborts the run;
 * a run that waits for a human answers at once with the pending approval.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { BudgetLimits } from '../core/budget.js';
import { ConfigError, RunFailed, isAgentPatternsError } from '../core/errors.js';
import type { JsonSchema } from '../core/model.js';
import { toJsonSchema } from '../core/schema.js';
import { formatIssues } from '../core/schema.js';
import type { TraceSink } from '../core/span.js';
import { run } from '../core/run.js';
import type { Step } from '../core/step.js';
import type { Store } from '../store/types.js';
import { durableRun } from '../durable/run.js';
import { loadServerSdk, type CallToolResult, type Server, type ServerSdk, type ToolAnnotations, type Transport } from './sdk.js';

/** A step served as a tool, with what its caller needs to know. */
export interface McpToolEntry<I = any, O = any> {
  step: Step<I, O>;
  /** Default: the step's name. */
  name?: string;
  description?: string;
  /** The step's input schema; without one, the tool takes a single `input` string (an Agent's prompt). */
  input?: z.ZodType<I>;
  /** What the tool does to the world, as MCP annotations (e.g. `{ readOnlyHint: true }`). */
  annotations?: ToolAnnotations;
}

export type Servable = Step<any, any> | McpToolEntry;

export interface McpHttpListen {
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
  /** Default 0: a free port (read it from the result's `url`). */
  port?: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
}

export interface ServeMcpOptions {
  /** 'stdio' (default): this process's stdin/stdout; or Streamable HTTP. */
  transport?: 'stdio' | { http: McpHttpListen };
  /** The server's name for clients (default "agent-patterns"). */
  name?: string;
  /** The budget of each call (each call is a run of its own). */
  budget?: BudgetLimits;
  /** Runs become durable runs in this store: a tool that needs a human approval suspends the run instead of refusing. */
  store?: Store;
  /** Where each call's spans go besides progress notifications (a JSONL file, the store). */
  sinks?: readonly TraceSink[];
}

export interface McpServing {
  /** The HTTP endpoint (http://127.0.0.1:PORT/mcp); undefined over stdio. */
  url: string | undefined;
  /** Resolves when the server stops (stdio: the client went away). */
  closed: Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  name: string;
  step: Step<unknown, unknown>;
  input: z.ZodType | undefined;
  definition: { name: string; description: string; inputSchema: JsonSchema; annotations?: ToolAnnotations };
}

/** What each call's run gets, durable or not. */
interface CallOptions {
  signal: AbortSignal;
  sinks: TraceSink[];
  budget?: BudgetLimits;
}

const INPUT_STRING: JsonSchema = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The request, in plain words.' } },
  required: ['input'],
  additionalProperties: false,
};
const NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const MCP_PATH = '/mcp';

export async function serveMcp(steps: readonly Servable[], options: ServeMcpOptions = {}): Promise<McpServing> {
  const entries = steps.map(toEntry);
  const byName = new Map<string, Entry>();
  for (const e of entries) {
    if (byName.has(e.name)) throw new ConfigError('serveMcp.steps', `two tools named "${e.name}"`);
    byName.set(e.name, e);
  }
  const sdk = await loadServerSdk();
  const newServer = () => mcpServerFor(sdk, byName, options);
  const transport = options.transport ?? 'stdio';
  if (transport === 'stdio') {
    const server = newServer();
    const closed = new Promise<void>((resolve) => {
      server.onclose = () => resolve();
    });
    await server.connect(new sdk.StdioServerTransport());
    // The client closing our stdin is the end of the session (the MCP stdio lifecycle).
    process.stdin.once('end', () => void server.close());
    return { url: undefined, closed, close: () => server.close() };
  }
  return serveHttp(sdk, newServer, transport.http);
}

function toEntry(s: Servable): Entry {
  const entry: McpToolEntry = 'step' in s ? s : { step: s };
  const name = entry.name ?? entry.step.name;
  if (!NAME.test(name)) throw new ConfigError('serveMcp.name', `"${name}" must match ${NAME}`);
  const description = entry.description ?? `Runs the "${entry.step.name}" step of agent-patterns.`;
  const inputSchema = entry.input ? toJsonSchema(entry.input) : INPUT_STRING;
  return {
    name,
    step: entry.step as Step<unknown, unknown>,
    input: entry.input,
    definition: { name, description, inputSchema, ...(entry.annotations ? { annotations: entry.annotations } : {}) },
  };
}

function mcpServerFor(sdk: ServerSdk, entries: ReadonlyMap<string, Entry>, options: ServeMcpOptions): Server {
  const server = new sdk.Server({ name: options.name ?? 'agent-patterns', version: '0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(sdk.types.ListToolsRequestSchema, () => ({ tools: [...entries.values()].map((e) => e.definition) as never }));
  server.setRequestHandler(sdk.types.CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const entry = entries.get(request.params.name);
    if (!entry) return errorResult(`unknown tool "${request.params.name}"; available: ${[...entries.keys()].join(', ')}`);
    const args = request.params.arguments ?? {};
    let input: unknown;
    if (entry.input) {
      const parsed = entry.input.safeParse(args);
      if (!parsed.success) return errorResult(`invalid arguments: ${formatIssues(parsed.error)}`);
      input = parsed.data;
    } else {
      if (typeof args.input !== 'string') return errorResult('invalid arguments: input: a string is required');
      input = args.input;
    }
    const token = extra._meta?.progressToken;
    let progress = 0;
    // Sent in order, and all of them before the result (a late one would name a request already answered).
    let sent: Promise<unknown> = Promise.resolve();
    const progressSink: TraceSink | undefined =
      token === undefined
        ? undefined
        : {
            onSpan(span) {
              if (span.kind === 'run') return;
              const params = { progressToken: token, progress: ++progress, message: `${span.kind} ${span.name}` };
              sent = sent.then(() => extra.sendNotification({ method: 'notifications/progress', params })).catch(() => undefined);
            },
            flush: () => sent.then(() => undefined),
          };
    const sinks = [...(options.sinks ?? []), ...(progressSink ? [progressSink] : [])];
    const common: CallOptions = { signal: extra.signal, sinks, ...(options.budget ? { budget: options.budget } : {}) };
    const result = await answer(entry, input, common, options.store);
    await sent;
    return result;
  });
  return server;
}

/** The run of one call, as an MCP result: its output, a pending approval, or its error. */
async function answer(entry: Entry, input: unknown, common: CallOptions, store: Store | undefined): Promise<CallToolResult> {
  try {
    if (store) {
      const result = await durableRun(entry.name, entry.step, input, { ...common, store });
      if (result.status === 'suspended') return suspended(result.runId, result.pending.map((p) => ({ approvalId: p.approvalId, tool: p.tool, reviewer: p.reviewer })));
      return okResult(result.output);
    }
    const result = await run(entry.step, input, common);
    if (result.status === 'suspended') return suspended(result.runId, result.pending.map((approvalId) => ({ approvalId })));
    return okResult(result.output);
  } catch (thrown) {
    // A step's own error comes wrapped by run() (RunFailed): the client is told the error itself.
    const err = isAgentPatternsError(thrown, RunFailed) ? thrown.cause : thrown;
    return errorResult(isAgentPatternsError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err));
  }
}

function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

function suspended(runId: string | undefined, pending: Record<string, unknown>[]): CallToolResult {
  const ids = pending.map((p) => p.approvalId).join(', ');
  return {
    content: [{ type: 'text', text: `Waiting for human approval (${ids}); the action was not taken yet. Run ${runId ?? '(not durable)'} resumes once it is decided.` }],
    structuredContent: { status: 'suspended', ...(runId ? { runId } : {}), pending },
  };
}

/** A step's output as an MCP result: its text, and its data as structured content (an Agent's conversation left out). */
function okResult(output: unknown): CallToolResult {
  if (typeof output === 'string') return { content: [{ type: 'text', text: output }] };
  if (output === null || typeof output !== 'object' || Array.isArray(output)) return { content: [{ type: 'text', text: JSON.stringify(output ?? null) }] };
  const { messages: _conversation, ...data } = output as Record<string, unknown>;
  const text = typeof data.text === 'string' ? data.text : JSON.stringify(data);
  return { content: [{ type: 'text', text }], structuredContent: JSON.parse(JSON.stringify(data)) as Record<string, unknown> };
}

async function serveHttp(sdk: ServerSdk, newServer: () => Server, listen: McpHttpListen): Promise<McpServing> {
  const host = listen.host ?? '127.0.0.1';
  const expected = listen.token ? digest(`Bearer ${listen.token}`) : undefined;
  const sessions = new Map<string, { transport: Transport & { handleRequest: (req: IncomingMessage, res: ServerResponse) => Promise<void> }; server: Server }>();
  let allowedHosts: string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (new URL(req.url ?? '/', 'http://x').pathname !== MCP_PATH) return reply(res, 404, 'not found; the MCP endpoint is /mcp');
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      res.setHeader('www-authenticate', 'Bearer');
      return reply(res, 401, 'a bearer token is required');
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return reply(res, 404, 'session not found; initialize a new one');
      return session.transport.handleRequest(req, res);
    }
    const server = newServer();
    const transport = new sdk.StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
      onsessionclosed: (id) => void sessions.delete(id),
      enableDnsRebindingProtection: allowedHosts.length > 0,
      allowedHosts,
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    // Not an initialization (the transport answered 400): nothing to keep.
    if (!transport.sessionId) await server.close();
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, 500, err instanceof Error ? err.message : String(err));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(listen.port ?? 0, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  // Loopback: only requests addressed to this host and port (DNS rebinding protection).
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const closed = new Promise<void>((resolve) => http.once('close', () => resolve()));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${MCP_PATH}`,
    closed,
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.server.close().catch(() => undefined)));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
