// Fallback chains, images and documents, reasoning effort: one agent, two providers.
import { readFile } from 'node:fs/promises';
import { Agent, createModel, run } from 'agent-patterns';
import { fallback, file, image } from 'agent-patterns/models';

export async function main() {
  // Claude first; on a 429 / 5xx / timeout that outlasts its retries, GPT. Never on a 400 or a refusal.
  const model = fallback([await createModel('anthropic:claude-sonnet-5-5'), await createModel('openai:gpt-5')]);
  const agent = new Agent({ name: 'claims', instructions: 'Check the claim against the photo and the invoice.', model });
  const result = await run(agent, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'The grinder arrived broken. Refund?' },
        image(await readFile('parcel.jpg')), // bytes, base64, a data: URL or an https URL
        file(await readFile('invoice.pdf'), 'application/pdf', 'invoice.pdf'),
      ],
    },
  ]);
  // The model span says who served and why the others did not; cost is the serving model's.
  const span = result.trace.find((s) => s.kind === 'model');
  console.log(span?.attributes.servedBy, span?.attributes.fallbacks, result.usage.costUsd);
}
