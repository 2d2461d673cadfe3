// A separate process for the session tests. argv: <build dir> <mode> <store target> <owner> <session> <text>
// Env: HOLD=1 keeps the process alive after it printed its result (to be SIGKILLed between turns);
// WAIT_MS waits for a busy session; LEASE_MS is the session lease; TURNS and DELAY_MS for mode "chat".
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [build, mode, target, owner, session, text] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(build, p)).href);
await load('src/sessions/run-options.js');
const { openStore } = await load('src/store/open.js');
const { run } = await load('src/core/run.js');
const { tool } = await load('src/core/tool.js');
const { Agent } = await load('src/patterns/agent.js');
const { scripted } = await load('src/models/scripted.js');
const { orderSupportAgent, orderSupportScript } = await load('examples/vend/order-support.js');
const { z } = await import('zod');

const store = await openStore(target);
const options = {
  store,
  session,
  owner,
  ...(process.env.WAIT_MS ? { sessionBusy: { waitMs: Number(process.env.WAIT_MS) } } : {}),
  ...(process.env.LEASE_MS ? { sessionLeaseMs: Number(process.env.LEASE_MS) } : {}),
};
const print = (value) => process.stdout.write(JSON.stringify(value) + '\n');

if (mode === 'turn') {
  const r = await run(orderSupportAgent(), text, options);
  print({ answer: r.output.text, actions: r.output.actions.map((a) => [a.tool, a.args]) });
} else if (mode === 'die-mid-turn') {
  // The order-support model, which prints a line and hangs once the tool turn is done (then the parent kills it).
  const inner = orderSupportScript();
  const model = {
    provider: inner.provider,
    modelId: inner.modelId,
    stream: (req, o) => inner.stream(req, o),
    generate: (req, o) => {
      if (req.messages.at(-1).role === 'tool') {
        print({ inFlight: true });
        return new Promise(() => {});
      }
      return inner.generate(req, o);
    },
  };
  await run(orderSupportAgent(model), text, options);
} else if (mode === 'chat') {
  // TURNS questions tagged with `text`, each answered after a tool call, DELAY_MS per model call.
  const delayMs = Number(process.env.DELAY_MS ?? 0);
  const echo = tool({ name: 'echo', description: 'Echoes.', input: z.object({ tag: z.string() }), execute: ({ tag }) => tag });
  const model = scripted((req) => {
    const last = req.messages.at(-1);
    const question = req.messages.filter((m) => m.role === 'user').at(-1).content;
    if (last.role === 'user') return { toolCalls: [{ name: 'echo', args: { tag: question } }], delayMs };
    return { text: `answer to ${question}`, delayMs };
  });
  const start = Date.now();
  for (let i = 0; i < Number(process.env.TURNS ?? 1); i++) {
    await run(new Agent({ name: 'chat', instructions: 'Echo.', model, tools: [echo] }), `${text}-${i}`, options);
  }
  print({ done: true, start, end: Date.now() });
}
await store.close();
if (process.env.HOLD) await new Promise(() => setInterval(() => {}, 1000));
