/**
 * `agent-patterns mcp tools <command...>`: a server's tools with the policy
 * each would get. `agent-patterns mcp serve [example ...]`: the Vend examples
 * as MCP tools, over stdio (stdout is the protocol) or Streamable HTTP.
 */
import type { Command } from 'commander';
import { findExample, listExamples } from '../../../examples/vend/registry.js';
import type { VendExample } from '../../../examples/vend/types.js';
import type { RunContext } from '../../core/context.js';
import type { Model } from '../../core/model.js';
import { mcpServer, serveMcp, type McpToolEntry } from '../../mcp/index.js';
import { CliError } from '../errors.js';
import { table, truncate } from '../format.js';
import { addModelOptions, modelFromOptions } from '../model-option.js';

export function registerMcp(program: Command): void {
  const mcp = program.command('mcp').description('Model Context Protocol: inspect a server\'s tools, or serve the Vend examples');

  mcp
    .command('tools')
    .description('list an MCP server\'s tools and the policy each gets (put -- before a command that has its own flags)')
    .argument('<command...>', 'the stdio server\'s command line, or an http(s):// URL')
    .option('--json', 'one JSON object per tool')
    .action(async (words: string[], opts: { json?: boolean }) => {
      const [first, ...args] = words;
      const server = /^https?:\/\//.test(first!) ? mcpServer({ url: first! }) : mcpServer({ command: first!, args });
      try {
        const tools = await server.tools();
        if (opts.json) {
          for (const t of tools) process.stdout.write(JSON.stringify({ name: t.name, ...t.mcp, description: t.description }) + '\n');
          return;
        }
        const rows = tools.map((t) => [t.name, t.mcp.effect, t.mcp.policy, truncate(t.description.replace(/^\[[^\]]*\] /, ''), 60)]);
        process.stdout.write(`MCP server "${server.name}": ${tools.length} tools\n\n${table(['tool', 'effect', 'policy', 'description (the server\'s)'], rows)}\n`);
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err), 1);
      } finally {
        await server.close();
      }
    });

  addModelOptions(
    mcp
      .command('serve')
      .description('serve Vend examples as MCP tools (default: all), over stdio or --http')
      .argument('[example...]', 'example names (see `agent-patterns list`)')
      .option('--http <host:port>', 'Streamable HTTP on this address instead of stdio (e.g. 127.0.0.1:3000)')
      .option('--token <token>', 'with --http: require Authorization: Bearer <token>'),
  ).action(async (names: string[], opts: { http?: string; token?: string; model?: string; baseUrl?: string }) => {
    const examples = names.length ? await Promise.all(names.map(exampleNamed)) : await listExamples();
    const model = await modelFromOptions(opts);
    const entries = examples.map((ex) => exampleTool(ex, model));
    const serving = await serveMcp(entries, { name: 'agent-patterns-vend', transport: opts.http ? { http: { ...parseAddress(opts.http), ...(opts.token ? { token: opts.token } : {}) } } : 'stdio' });
    // Over stdio, stdout belongs to the protocol: people read stderr.
    process.stderr.write(`agent-patterns: serving ${entries.length} Vend example(s) over MCP ${serving.url ?? 'stdio'}${model ? '' : ' (scripted model, offline)'}\n`);
    if (serving.url) process.stdout.write(`${serving.url}\n`);
    const stop = () => void serving.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await serving.closed;
  });
}

async function exampleNamed(name: string): Promise<VendExample> {
  const ex = await findExample(name);
  if (!ex) throw new CliError(`unknown example "${name}"; available: ${(await listExamples()).map((e) => e.name).join(', ')}`);
  return ex;
}

/** An example as a tool: its run shares the call's budget, cancellation and trace (so its spans become progress). */
function exampleTool(ex: VendExample, model: Model | undefined): McpToolEntry<string, { outcome: string; text: string }> {
  return {
    name: ex.name,
    description: `Vend example, pattern ${ex.pattern} (${ex.patternName}): ${ex.summary} Example input: "${ex.defaultInput}"`,
    step: {
      name: ex.name,
      async run(input: string, ctx: RunContext) {
        const out = await ex.run(input, {
          ...(model ? { model } : {}),
          budget: ctx.budget,
          signal: ctx.signal,
          sinks: [{ onSpan: (span) => ctx.tracer.finish(span.parentId ? span : { ...span, parentId: ctx.spanId }) }],
        });
        return { outcome: out.outcome, text: out.answer };
      },
    },
  };
}

function parseAddress(value: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(value);
  if (!m) throw new CliError(`--http wants host:port (e.g. 127.0.0.1:3000), got "${value}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(m[2]) };
}
