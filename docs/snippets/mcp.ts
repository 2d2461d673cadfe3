// MCP tools in (any server, safe by default) and our agents out (any MCP client).
import { Agent, createModel, run, step } from 'agent-patterns';
import { mcpServer, serveMcp } from 'agent-patterns/mcp';

export async function main() {
  // Started on first use, reused, restarted with backoff if it dies, never left running after the program.
  await using files = mcpServer({
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv/reports'],
    tools: {
      // The server marks write_file destructive: without a policy it would need a human approval.
      write_file: { guard: (args) => String(args.path).startsWith('/srv/reports/drafts/') },
      list_directory: 'read-only', // trust a tool as read-only: one line
    },
  });
  await using crm = mcpServer({ url: 'http://127.0.0.1:8808/mcp', headers: { authorization: `Bearer ${process.env.CRM_TOKEN}` }, policy: 'approval' });

  const agent = new Agent({
    name: 'reporter',
    instructions: 'Draft the weekly report from the files and the CRM.',
    model: await createModel('openai:gpt-4o'),
    tools: [...(await files.tools()), ...(await crm.tools())], // arguments checked against each server's JSON Schema
  });
  const result = await run(agent, 'Draft this week\'s report.', { budget: { maxToolCalls: 20 } }); // MCP calls count too
  console.log(result.output.text, result.trace.filter((s) => s.attributes['mcp.server']));

  // The other way: our steps and agents as MCP tools, for an IDE or a desktop assistant.
  const serving = await serveMcp(
    [agent, { step: step('word_count', (input: string) => input.split(/\s+/).length), description: 'Counts words.', annotations: { readOnlyHint: true } }],
    { transport: { http: { port: 3333, token: process.env.MCP_TOKEN } } }, // 127.0.0.1 unless you say otherwise
  );
  return serving; // serving.url = http://127.0.0.1:3333/mcp
}
