import { openai } from '@ai-sdk/openai'; // or @ai-sdk/google, @ai-sdk/amazon-bedrock, @ai-sdk/mistral, @ai-sdk/groq…
import { Agent } from 'agent-patterns';
import { fromAiSdk } from 'agent-patterns/models/ai-sdk';

export const agent = new Agent({ name: 'support', instructions: 'You are a support agent.', model: fromAiSdk(openai('gpt-5-mini')) });
