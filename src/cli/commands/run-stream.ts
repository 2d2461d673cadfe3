/** `agent-patterns run <example> --stream`: the example's run as it happens, as text or NDJSON. */
import { streamRun, withHooks } from '../../core/streaming/stream.js';
import type { ExampleOutcome, ExampleRunOptions, VendExample } from '../../../examples/vend/types.js';
import { SCRIPTED_NOTICE } from '../../models/scripted.js';
import { formatUsage } from '../format.js';
import { StreamPrinter } from '../stream-printer.js';

export async function streamExample(example: VendExample, input: string, options: ExampleRunOptions, opts: { json?: boolean; modelName?: string }): Promise<void> {
  const write = (text: string) => void process.stdout.write(text);
  let outcome: ExampleOutcome | undefined;
  // Examples build their own run: the stream's hooks go into its options.
  const events = streamRun((hooks) =>
    example.run(input, withHooks(options, hooks)).then((o) => {
      outcome = o;
      return o.result;
    }),
  );
  if (opts.json) {
    for await (const e of events) write(JSON.stringify(e) + '\n');
  } else {
    write([`${example.name} — pattern ${example.pattern} (${example.patternName})`, opts.modelName ? `[model: ${opts.modelName}]` : `[${SCRIPTED_NOTICE}]`, `input: ${input}`, '', ''].join('\n'));
    const printer = new StreamPrinter(write);
    for await (const e of events) printer.print(e);
    printer.finish();
  }
  const r = await events.result;
  if (opts.json) {
    // Every output made with the scripted model says so; the events' model-start lines say provider "scripted" too.
    if (r.scripted) process.stderr.write(`[${SCRIPTED_NOTICE}]\n`);
    return;
  }
  const lines = ['', `outcome: ${outcome?.outcome}`];
  if (r.scripted && opts.modelName) lines.push(`[${SCRIPTED_NOTICE}]`);
  lines.push(`usage: ${formatUsage(r.usage)}`, `run id: ${r.runId}`);
  write(lines.join('\n') + '\n');
}
