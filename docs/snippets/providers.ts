// Real providers: pick one by "provider:model"; keys and URLs come from the environment unless passed.
import { Agent, createModel, run } from 'agent-patterns';
import { RateLimiter } from 'agent-patterns/models';

export async function main() {
  // OpenAI Responses API (OPENAI_API_KEY; OPENAI_BASE_URL optional).
  const gpt = await createModel('openai:gpt-4o');

  // Any Chat Completions server: vLLM, Ollama, llama.cpp (no key needed for a local one).
  const local = await createModel('openai-compatible:llama3.1', { baseUrl: 'http://127.0.0.1:11434/v1' });

  // Anthropic Messages API (ANTHROPIC_API_KEY), with retry and timeout tuned, and a client-side rate limit
  // shared with any other model built with the same limiter.
  const limiter = new RateLimiter({ requestsPerMinute: 50, tokensPerMinute: 40_000 });
  const claude = await createModel('anthropic:claude-sonnet-5-5', {
    maxRetries: 5,        // on 429 / 5xx / connection errors / timeouts; never on other 4xx
    timeoutMs: 30_000,    // per attempt: a hung connection fails and is retried
    rateLimiter: limiter,
  });

  const agent = new Agent({ name: 'support', instructions: 'You are a support agent.', model: claude });
  const result = await run(agent, 'Where is order 1042?');
  // Each model span carries providerRequestId (quote it to the provider) and `retries` when there were any.
  console.log(result.output.text, result.trace.filter((s) => s.kind === 'model').map((s) => s.attributes.providerRequestId));
  return { gpt, local };
}
