// Reflexion (pattern 13): write code, run the tests in the sandbox, reflect on failures, retry with the lessons.
import { run, type Model } from 'agent-patterns';
import { openStore } from 'agent-patterns/store';
import { createSandbox, reflexionAgent, type CodingTask } from 'agent-patterns/sandbox';
import { scriptedByRules } from 'agent-patterns/testing';

// Any Model works (openai, anthropic, an OpenAI-compatible server); this one is scripted and offline.
const model: Model = scriptedByRules([
  { match: 'Write a JavaScript function', reply: 'function main(x) { return x === null ? null : x * 2; }' }, // fenced code works too
  { match: 'Analyze why this code failed', reply: { object: { succeeded: false, error_analysis: '…', what_to_fix: '…' } } },
]);

const task: CodingTask = {
  description: 'Double a number; null stays null.',
  language: 'javascript', // or 'python'
  tests: [
    { name: 'two', input: 2, expected: 4 },
    { name: 'null', input: null, expected: null },
  ],
  family: 'doubling', // lessons persist in the store under reflexion:doubling
};

const agent = reflexionAgent(model, {
  maxAttempts: 3,
  sandbox: createSandbox(), // fails closed (SandboxUnavailable) where namespaces are unavailable
  limits: { timeoutMs: 5000, memoryMb: 64 },
});

const store = await openStore('reflexion.db');
const { output } = await run(agent, task, { store });
for (const a of output.attempts) console.log(a.attempt, a.passed ? 'passed' : a.error, a.reflection?.what_to_fix ?? '');
console.log(output.succeeded ? output.code : 'no passing attempt');
await store.close();
