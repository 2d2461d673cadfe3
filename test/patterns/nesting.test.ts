import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { spanTree, type SpanNode } from '../../src/core/tracer.js';
import { lastUserMessage, scriptedByRules } from '../../src/models/scripted.js';
import { critique, type DraftRequest, type JudgeRequest } from '../../src/patterns/critique.js';
import { loop, type LoopRound } from '../../src/patterns/loop.js';
import { parallel } from '../../src/patterns/parallel.js';
import { prompt } from '../../src/patterns/prompt.js';
import { sequence } from '../../src/patterns/sequence.js';

const Verdict = z.object({ ok: z.boolean(), change: z.string() });

const model = scriptedByRules(
  [
    { match: 'STAGE-A', reply: (req) => `a(${lastUserMessage(req)})` },
    { match: 'STAGE-B', reply: (req) => `b(${lastUserMessage(req)})` },
    { match: 'COUNTER', reply: (req) => `count ${lastUserMessage(req)}` },
    { match: 'WRITER', reply: (req) => (lastUserMessage(req).includes('CHANGE') ? 'final' : 'draft') },
    { match: 'JUDGE', reply: { object: { ok: false, change: 'be specific' } } },
  ],
  { delayMs: 2 },
);

function nested() {
  const a = prompt<string, string>({ name: 'stage-a', model, instructions: 'STAGE-A' });
  const b = prompt<string, string>({ name: 'stage-b', model, instructions: 'STAGE-B' });
  const counter = prompt<LoopRound<string, string>, string>({ name: 'counter', model, instructions: 'COUNTER', input: (r) => String(r.round) });
  const writer = prompt<DraftRequest<string, string, z.infer<typeof Verdict>>, string>({
    name: 'writer', model, instructions: 'WRITER', input: (r) => (r.previous ? `CHANGE ${r.previous.critique.change}` : r.input),
  });
  const judge = prompt<JudgeRequest<string, string>, z.infer<typeof Verdict>>({ name: 'judge', model, instructions: 'JUDGE', input: (r) => r.draft, output: Verdict });
  return sequence(
    step('intake', (s: string) => s.trim()),
    parallel(
      {
        pipe: sequence(a, b).named('pipe'),
        rounds: loop(counter, { until: (_o, round) => round === 2, maxRounds: 3, name: 'rounds' }),
      },
      { name: 'fan-out' },
    ),
    step('merge', (r: { pipe: string; rounds: { output: string } }) => `${r.pipe} + ${r.rounds.output}`),
    critique(writer, judge, { verdict: Verdict, accept: (v) => v.ok, name: 'review' }),
  ).named('nested');
}

/** name[kind] with its children (parallel branches start in any order, so siblings are put in a canonical order). */
function render(node: SpanNode): unknown {
  const label = `${node.span.name}[${node.span.kind}]`;
  if (node.children.length === 0) return label;
  // Sequence stages keep their order (attribute `stage`); other siblings are sorted by their rendering.
  const key = (n: SpanNode) => `${String(n.span.attributes.stage ?? 0).padStart(3, '0')} ${JSON.stringify(render(n))}`;
  return { [label]: [...node.children].sort((x, y) => key(x).localeCompare(key(y))).map(render) };
}

describe('nesting', () => {
  it('a parallel inside a sequence, with a sequence and a loop inside it, and a critique after: one trace tree', async () => {
    const result = await run(nested(), '  incident  ');
    expect(result.output.output).toBe('final');

    const ids = new Set(result.trace.map((s) => s.spanId));
    for (const s of result.trace) if (s.kind !== 'run') expect(ids.has(s.parentId!)).toBe(true);

    const roots = spanTree(result.trace);
    expect(roots).toHaveLength(1);
    expect(render(roots[0]!)).toEqual({
      'nested[run]': [
        'intake[step]',
        {
          'fan-out[step]': [
            { 'pipe[step]': [{ 'stage-a[step]': ['stage-a[model]'] }, { 'stage-b[step]': ['stage-b[model]'] }] },
            {
              'rounds[step]': [
                'loop:verdict[decision]',
                'loop:verdict[decision]',
                { 'counter[step]': ['counter[model]'] },
                { 'counter[step]': ['counter[model]'] },
              ],
            },
          ],
        },
        'merge[step]',
        {
          'review[step]': [
            'critique:verdict[decision]',
            { 'judge[step]': ['judge[model]'] },
            { 'writer[step]': ['writer[model]'] },
            { 'writer[step]': ['writer[model]'] },
          ],
        },
      ],
    });
    // The branches carry their key; the loop rounds their number; the stages their position.
    const fanOut = result.trace.find((s) => s.name === 'fan-out')!;
    expect(result.trace.filter((s) => s.parentId === fanOut.spanId).map((s) => s.attributes.branch).sort()).toEqual(['pipe', 'rounds']);
    expect(fanOut.attributes.stage).toBe(2);
  });
});
