/**
 * `mcpServer(...)`: any MCP server's tools as our Tools, usable in any Agent
 * or pattern. Connects on first use; every call is a tool span (with the
 * server's name) that counts against the run's budget, its arguments are
 * validated against the server's JSON Schema first, progress becomes trace
 * events, and a cancelled run cancels the call on the server.
 */
import type { z } from 'zod';
import type { RunContext } from '../core/context.js';
import { ConfigError } from '../core/errors.js';
import type { JsonSchema } from '../core/model.js';
import { tool, type Tool, type ToolCallInfo } from '../core/tool.js';
import { McpConnection, type HttpTarget, type StdioTarget } from './connection.js';
import { MAX_DESCRIPTION_CHARS, toToolValue, untrustedDescription, type McpToolResult } from './content.js';
import { validatorFor } from './json-schema.js';
import { resolvePolicy, type McpEffect, type McpToolPolicy } from './policy.js';
import type { McpTool, ToolAnnotations } from './sdk.js';

export interface McpServerCommon {
  /** Shown in descriptions, spans and errors. Default: the command's or the host's name. */
  name?: string;
  /** The policy of every tool of this server (default: follow its annotations). */
  policy?: McpToolPolicy;
  /** Per-tool policies, by the server's tool name; they win over `policy`. */
  tools?: Record<string, McpToolPolicy>;
  /** Prepended to every tool name (two servers with a `search` tool in one agent). */
  prefix?: string;
  /** Per-call time limit (default 60 s); a call past it is cancelled on the server and is a tool error. */
  timeoutMs?: number;
  /** Cap on each tool description (default 1024 chars): descriptions are the server's text, not yours. */
  maxDescriptionChars?: number;
}

export type McpServerOptions = (StdioTarget | HttpTarget) & McpServerCommon;

/** What the library made of one of the server's tools. */
export interface McpToolInfo {
  server: string;
  /** The tool's name on the server. */
  tool: string;
  annotations: ToolAnnotations | undefined;
  effect: McpEffect;
  /** What runs it: "read-only", "destructive: human approval (default)"… */
  policy: string;
}

export type McpArgs = Record<string, unknown>;
export type McpServerTool = Tool<z.ZodType<McpArgs>, string | McpToolResult> & { readonly mcp: McpToolInfo };

export interface McpServerHandle {
  readonly name: string;
  /** The server's tools as our Tools (listed once, listed again after `notifications/tools/list_changed`). */
  tools(): Promise<McpServerTool[]>;
  /** Stops the server process (stdio) or ends the session (HTTP). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  /** The stdio server's process id while it runs (for operators and tests). */
  readonly pid: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const NAME = /[^a-zA-Z0-9_-]/g;

export function mcpServer(options: McpServerOptions): McpServerHandle {
  const name = options.name ?? defaultName(options);
  if ('command' in options && !options.command) throw new ConfigError('mcpServer.command', 'is required');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new ConfigError('mcpServer.timeoutMs', 'must be > 0');
  const connection = new McpConnection(name, options);
  let listed: Promise<McpServerTool[]> | undefined;
  // Bumped by notifications/tools/list_changed: a list made before the change is stale, even one still loading.
  let generation = 0;
  let listedGeneration = -1;
  connection.onToolsChanged = () => {
    generation++;
  };

  async function list(): Promise<McpServerTool[]> {
    const definitions: McpTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await connection.use((client) => client.listTools(cursor ? { cursor } : undefined));
      definitions.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return Promise.all(definitions.map((d) => toTool(d)));
  }

  async function toTool(definition: McpTool): Promise<McpServerTool> {
    const policy = resolvePolicy(definition.annotations, options.tools?.[definition.name] ?? options.policy);
    const info: McpToolInfo = { server: name, tool: definition.name, annotations: definition.annotations, effect: policy.effect, policy: policy.label };
    const parameters = definition.inputSchema as JsonSchema;
    const built = tool({
      name: `${options.prefix ?? ''}${definition.name}`.replace(NAME, '_').slice(0, 64),
      description: untrustedDescription(name, definition.description, options.maxDescriptionChars ?? MAX_DESCRIPTION_CHARS),
      input: await validatorFor(parameters),
      parameters,
      timeoutMs,
      irreversible: policy.irreversible,
      ...(policy.guard ? { guard: policy.guard } : {}),
      ...(policy.approval ? { approval: policy.approval } : {}),
      traceAttributes: { 'mcp.server': name, 'mcp.tool': definition.name, 'mcp.effect': policy.effect },
      execute: (args: McpArgs, ctx: RunContext, call: ToolCallInfo) => callTool(definition.name, args, ctx, call),
    });
    return Object.assign(built, { mcp: info });
  }

  async function callTool(toolName: string, args: McpArgs, ctx: RunContext, call: ToolCallInfo): Promise<string | McpToolResult> {
    const signal = ctx.signal;
    const result = await connection.use(
      (client) =>
        client.callTool({ name: toolName, arguments: args }, undefined, {
          // The SDK sends notifications/cancelled to the server when this fires.
          signal,
          timeout: timeoutMs,
          resetTimeoutOnProgress: true,
          maxTotalTimeout: timeoutMs,
          onprogress: (p) => {
            ctx.tracer.event('event', 'mcp.progress', ctx.spanId, {
              callId: call.id,
              'mcp.server': name,
              'mcp.tool': toolName,
              progress: p.progress,
              ...(p.total !== undefined ? { total: p.total } : {}),
              ...(p.message ? { message: p.message } : {}),
            });
          },
        }),
      signal,
    );
    // Outside use(): a tool's own error (isError) says nothing about the connection.
    return toToolValue(name, toolName, result);
  }

  return {
    name,
    tools() {
      if (listed && listedGeneration === generation) return listed;
      listedGeneration = generation;
      const pending = list().catch((err: unknown) => {
        if (listed === pending) listed = undefined;
        throw err;
      });
      return (listed = pending);
    },
    close: () => connection.close(),
    [Symbol.asyncDispose]: () => connection.close(),
    get pid() {
      return connection.pid;
    },
  };
}

const LAUNCHERS = /^(node|npx|bunx?|deno|uvx|pnpm|yarn|npm|python3?)(\.exe)?$/;
const NOISE = /^(dist|build|bin|src|lib|index\.\w+|main\.\w+)$/;

/** A readable name from the command line: `node …/server-everything/dist/index.js stdio` → "server-everything". */
function defaultName(options: StdioTarget | HttpTarget): string {
  if (!('command' in options)) return new URL(options.url).host;
  const words = [options.command, ...(options.args ?? [])].filter((a) => !a.startsWith('-'));
  const main = LAUNCHERS.test(words[0]!.split(/[\\/]/).pop()!) ? (words[1] ?? words[0]!) : words[0]!;
  const segments = main.split(/[\\/]/).filter((s) => s && !NOISE.test(s));
  return (segments.pop() ?? main).replace(/\.[cm]?[jt]s$/, '');
}
