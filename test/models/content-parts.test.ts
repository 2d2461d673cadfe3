/**
 * Images and PDFs reach each provider in its own wire format (the wire
 * servers answer 400 when a part is not what the real API accepts), and a
 * part a provider cannot take fails before any request with UnsupportedContent.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { describe, expect, it } from 'vitest';
import { UnsupportedContent } from '../../src/core/errors.js';
import { file, image, textOf, type Message } from '../../src/core/messages.js';
import type { Model } from '../../src/core/model.js';
import { fromAiSdk } from '../../src/models/ai-sdk.js';
import { AnthropicModel } from '../../src/models/anthropic.js';
import { OpenAICompatibleModel } from '../../src/models/openai-compatible.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import { anthropicErrorReply, anthropicJsonReply, anthropicMediaProblems, messageObject } from '../support/wire/anthropic-messages.js';
import { chatErrorReply, chatJsonReply, chatMediaProblems, completionObject } from '../support/wire/chat-completions.js';
import { errorReply, jsonReply, responseObject, responsesMediaProblems } from '../support/wire/openai-responses.js';
import { wireServerPerTest, type WireHandler } from '../support/wire/server.js';

const serve = wireServerPerTest();

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const PDF = new Uint8Array(Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const withMedia: Message[] = [
  { role: 'system', content: 'Read what you are given.' },
  { role: 'user', content: [{ type: 'text', text: 'What is in the photo, and what does the invoice say?' }, image(PNG), file(PDF, 'application/pdf', 'invoice.pdf')] },
];

/** A handler that answers 400 with the problems a real API would find, else `ok`. */
function checking(problems: (body: any) => string[], ok: () => any, bad: (msg: string) => any): WireHandler {
  return (req) => {
    const found = problems(req.body);
    return found.length ? bad(found.join('; ')) : ok();
  };
}

describe('content parts on each provider', () => {
  it('image and PDF as bytes and by URL, and an image in a tool result, as Responses input_image / input_file', async () => {
    const s = await serve(checking(responsesMediaProblems, () => jsonReply(responseObject([{ text: 'A cat; 42 EUR.' }])), (m) => errorReply(400, m)));
    const model = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${s.origin}/v1`, apiKey: 'sk' });
    const res = await model.generate({
      messages: [
        ...withMedia,
        { role: 'user', content: [image('https://example.test/cat.png'), file('https://example.test/spec.pdf', 'application/pdf')] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'screenshot', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'call_1', toolName: 'screenshot', content: [{ type: 'text', text: 'the screen:' }, image(PNG)] },
      ],
    });
    expect(res.text).toBe('A cat; 42 EUR.');
    const input = s.requests[0]!.body.input;
    expect(input[0].content).toEqual([
      { type: 'input_text', text: 'What is in the photo, and what does the invoice say?' },
      { type: 'input_image', detail: 'auto', image_url: `data:image/png;base64,${b64(PNG)}` },
      { type: 'input_file', filename: 'invoice.pdf', file_data: `data:application/pdf;base64,${b64(PDF)}` },
    ]);
    expect(input[1].content).toEqual([
      { type: 'input_image', detail: 'auto', image_url: 'https://example.test/cat.png' },
      { type: 'input_file', file_url: 'https://example.test/spec.pdf' },
    ]);
    expect(input.at(-1)).toMatchObject({ type: 'function_call_output', output: [{ type: 'input_text' }, { type: 'input_image' }] });
  });

  it('Chat Completions: image_url and file parts; an image in a tool result is refused before the request', async () => {
    const s = await serve(checking(chatMediaProblems, () => chatJsonReply(completionObject({ text: 'A cat; 42 EUR.' })), (m) => chatErrorReply(400, m)));
    const model = new OpenAICompatibleModel('llava', { baseUrl: `${s.origin}/v1` });
    expect((await model.generate({ messages: withMedia })).text).toBe('A cat; 42 EUR.');
    expect(s.requests[0]!.body.messages[1].content).toEqual([
      { type: 'text', text: 'What is in the photo, and what does the invoice say?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${b64(PNG)}` } },
      { type: 'file', file: { file_data: `data:application/pdf;base64,${b64(PDF)}`, filename: 'invoice.pdf' } },
    ]);

    const toolImage: Message[] = [
      { role: 'user', content: 'Look.' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'screenshot', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'c1', toolName: 'screenshot', content: [image(PNG)] },
    ];
    const err = await model.generate({ messages: toolImage }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedContent);
    expect(err).toMatchObject({ provider: 'openai-compatible', part: 'a image (image/png) in a tool result' });
    const streamErr = await (async () => {
      for await (const _ of model.stream({ messages: [{ role: 'user', content: [file('https://example.test/a.pdf', 'application/pdf')] }] })) void _;
    })().catch((e: unknown) => e);
    expect(streamErr).toBeInstanceOf(UnsupportedContent);
    expect(s.requests).toHaveLength(1); // neither refused request was sent
  });

  it('Anthropic: image and document blocks, in the user turn and inside tool_result; an unsupported image type is refused before the request', async () => {
    const s = await serve(checking(anthropicMediaProblems, () => anthropicJsonReply(messageObject([{ text: 'A cat; 42 EUR.' }])), (m) => anthropicErrorReply(400, m)));
    const model = new AnthropicModel('claude-sonnet-5-5', { baseUrl: s.origin, apiKey: 'sk-ant', promptCache: false });
    const res = await model.generate({
      messages: [
        ...withMedia,
        { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'screenshot', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'toolu_1', toolName: 'screenshot', content: [image(PNG), file('https://example.test/spec.pdf', 'application/pdf')] },
      ],
    });
    expect(res.text).toBe('A cat; 42 EUR.');
    const [first, , toolTurn] = s.requests[0]!.body.messages;
    expect(first.content).toEqual([
      { type: 'text', text: 'What is in the photo, and what does the invoice say?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: b64(PNG) } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: b64(PDF) } },
    ]);
    expect(toolTurn.content[0]).toMatchObject({ type: 'tool_result', content: [{ type: 'image' }, { type: 'document', source: { type: 'url' } }] });

    const bmp = await model.generate({ messages: [{ role: 'user', content: [image(new Uint8Array([0x42, 0x4d, 0, 0]), 'image/bmp')] }] }).catch((e: unknown) => e);
    expect(bmp).toBeInstanceOf(UnsupportedContent);
    expect((bmp as Error).message).toBe('anthropic cannot take an image of type image/bmp: images must be jpeg, png, gif or webp');
    expect(s.requests).toHaveLength(1);
  });

  it('through the AI SDK providers: @ai-sdk/openai and @ai-sdk/anthropic put the same parts in their own formats', async () => {
    const checks: [string, (origin: string) => Model, WireHandler][] = [
      [
        'openai',
        (o) => fromAiSdk(createOpenAI({ baseURL: `${o}/v1`, apiKey: 'sk' }).responses('gpt-4o')),
        checking(responsesMediaProblems, () => jsonReply(responseObject([{ text: 'ok' }])), (m) => errorReply(400, m)),
      ],
      [
        'anthropic',
        (o) => fromAiSdk(createAnthropic({ baseURL: `${o}/v1`, apiKey: 'sk' })('claude-sonnet-5-5')),
        checking(anthropicMediaProblems, () => anthropicJsonReply(messageObject([{ text: 'ok' }])), (m) => anthropicErrorReply(400, m)),
      ],
    ];
    for (const [name, make, handler] of checks) {
      const s = await serve(handler);
      expect((await make(s.origin).generate({ messages: withMedia })).text).toBe('ok');
      const body = JSON.stringify(s.requests[0]!.body);
      expect(body, name).toContain(b64(PNG));
      expect(body, name).toContain(b64(PDF));
      await s.close();
    }
  });

  it('string content keeps working everywhere, and textOf reads parts as text', () => {
    expect(textOf('plain')).toBe('plain');
    expect(textOf([{ type: 'text', text: 'a' }, image(PNG), { type: 'text', text: 'b' }])).toBe('a\nb');
    expect(image(PNG).mediaType).toBe('image/png');
    expect(file(PDF, 'application/pdf').data).toBe(b64(PDF));
    expect(image(`data:image/png;base64,${b64(PNG)}`)).toEqual({ type: 'image', mediaType: 'image/png', data: b64(PNG) });
  });
});
