/** docs/snippets/streaming.ts does what the README says: SSE over Node's http, useChat's protocol from a fetch handler, break cancels. */
import type { AddressInfo } from 'node:net';
import { readUIMessageStream, type UIMessageChunk } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { POST, firstWords, server } from '../../docs/snippets/streaming.js';

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the README streaming snippet', () => {
  it('Node http: a server-sent event per run event, run-start first, run-end last', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const types = [...(await res.text()).matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-end');
    expect(types).toContain('text-delta');
  });

  it('fetch handler: the AI SDK reads the answer from a useChat-style request', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', parts: [{ type: 'text', text: 'Where is order 1042?' }] }] });
    const res = await POST(new Request('http://localhost/api/chat', { method: 'POST', body }));
    const chunks = res.body!.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TransformStream<string, UIMessageChunk>({
        transform(text, controller) {
          for (const frame of text.split('\n\n')) {
            const data = frame.replace(/^data: /, '');
            if (data && data !== '[DONE]') controller.enqueue(JSON.parse(data) as UIMessageChunk);
          }
        },
      }),
    );
    let last: { parts: { type: string; text?: string }[] } | undefined;
    for await (const message of readUIMessageStream({ stream: chunks })) last = message;
    expect(last!.parts.filter((p) => p.type === 'text').map((p) => p.text).join('')).toBe('Order 1042 has shipped with DHL.');
  });

  it('break stops the run after the first words', async () => {
    const text = await firstWords();
    expect(text.length).toBeGreaterThan(10);
    expect(text.length).toBeLessThan('Order 1042 has shipped with DHL.'.length);
  });
});
