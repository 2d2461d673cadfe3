// A conversation that lasts: history in the store, one writer at a time, scoped by owner, trimmed to a token budget.
import { Agent, run } from 'agent-patterns';
import { tokenBudget } from 'agent-patterns/sessions';
import { openStore } from 'agent-patterns/store';
import { scripted } from 'agent-patterns/testing';

export async function main() {
  const store = await openStore(':memory:'); // or a file, or a postgres:// URL shared by many workers
  const model = scripted((req) => `You said: ${req.messages.filter((m) => m.role === 'user').map((m) => m.content).join(' / ')}`);
  const agent = new Agent({ name: 'chat', instructions: 'Be brief.', model });
  const chat = { store, session: 'user-42:chat-7', owner: 'user-42', context: tokenBudget(4000) };
  await run(agent, 'My order is 1042.', chat);
  const second = await run(agent, 'When will it arrive?', chat); // the first turn is in the history
  await store.close();
  return second.output.text; // "You said: My order is 1042. / When will it arrive?"
}
