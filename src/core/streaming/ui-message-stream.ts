/**
 * A RunStream in the Vercel AI SDK's UI message stream protocol (v1), so an
 * existing `useChat` front end shows a run unchanged: each model call's text
 * and reasoning are parts of their own (parallel agents stream side by side,
 * each with its own part id, inside one protocol step while any is in flight), tool calls and results are dynamic tool parts,
 * and steps, decisions, approvals and partial objects travel as `data-*`
 * parts. The protocol's chunks are restated here: no dependency on `ai`.
 */
import type { RunEvent } from './events.js';
import type { RunStream } from './stream.js';

export type UIMessageChunk =
  | { type: 'start'; messageId?: string }
  | { type: 'start-step' }
  | { type: 'finish-step' }
  | { type: 'text-start' | 'text-end' | 'reasoning-start' | 'reasoning-end'; id: string }
  | { type: 'text-delta' | 'reasoning-delta'; id: string; delta: string }
  | { type: 'tool-input-available'; toolCallId: string; toolName: string; input: unknown; dynamic: true }
  | { type: 'tool-output-available'; toolCallId: string; output: unknown; dynamic: true }
  | { type: 'tool-output-error'; toolCallId: string; errorText: string; dynamic: true }
  | { type: `data-${string}`; id?: string; data: unknown; transient?: boolean }
  | { type: 'error'; errorText: string }
  | { type: 'finish'; finishReason?: 'stop' | 'error' | 'other' };

/** Turns run events into UI message chunks, keeping track of which parts are open. */
export class UIMessageTranslator {
  private readonly open = new Map<string, Set<'text' | 'reasoning'>>();
  /** Model calls in flight: a protocol step spans them all, since finishing a step forgets its open parts. */
  private calls = 0;

  translate(e: RunEvent): UIMessageChunk[] {
    switch (e.type) {
      case 'run-start':
        return [{ type: 'start', messageId: e.runId }];
      case 'model-start':
        return this.calls++ === 0 ? [{ type: 'start-step' }] : [];
      case 'text-delta':
        return [...this.openPart(e.spanId, 'text'), { type: 'text-delta', id: e.spanId, delta: e.delta }];
      case 'reasoning-delta':
        return [...this.openPart(e.spanId, 'reasoning'), { type: 'reasoning-delta', id: `${e.spanId}:reasoning`, delta: e.delta }];
      case 'usage':
        return [...this.closeParts(e.spanId), ...(--this.calls === 0 ? [{ type: 'finish-step' as const }] : [])];
      case 'tool-call':
        return [{ type: 'tool-input-available', toolCallId: e.toolCallId, toolName: e.tool, input: e.args, dynamic: true }];
      case 'tool-result':
        return [e.ok
          ? { type: 'tool-output-available', toolCallId: e.toolCallId, output: e.result, dynamic: true }
          : { type: 'tool-output-error', toolCallId: e.toolCallId, errorText: String(e.result), dynamic: true }];
      case 'object-delta':
        // One data part per model call, replaced as the object grows.
        return [{ type: 'data-object', id: e.spanId, data: { path: e.path, object: e.object } }];
      case 'step-start':
      case 'step-end':
        return [{ type: 'data-step', data: { ...e }, transient: true }];
      case 'decision':
        return [{ type: 'data-decision', data: { path: e.path, name: e.name, details: e.details } }];
      case 'approval-requested':
        return [{ type: 'data-approval', data: { path: e.path, tool: e.tool, details: e.details } }];
      case 'error':
        return [{ type: 'error', errorText: `${e.error.name}: ${e.error.message}` }];
      case 'run-end':
        return [...[...this.open.keys()].flatMap((id) => this.closeParts(id)), { type: 'finish', finishReason: e.status === 'completed' ? 'stop' : e.status === 'failed' ? 'error' : 'other' }];
      default:
        return [];
    }
  }

  private openPart(spanId: string, kind: 'text' | 'reasoning'): UIMessageChunk[] {
    const parts = this.open.get(spanId) ?? new Set();
    if (parts.has(kind)) return [];
    parts.add(kind);
    this.open.set(spanId, parts);
    return [{ type: `${kind}-start`, id: kind === 'text' ? spanId : `${spanId}:reasoning` }];
  }

  private closeParts(spanId: string): UIMessageChunk[] {
    const parts = this.open.get(spanId);
    if (!parts) return [];
    this.open.delete(spanId);
    return [...parts].map((kind) => ({ type: `${kind}-end` as const, id: kind === 'text' ? spanId : `${spanId}:reasoning` }));
  }
}

/** The run as a stream of UI message chunks (objects), pulled: a slow reader slows the run. */
export function toUIMessageStream(stream: RunStream<unknown>): ReadableStream<UIMessageChunk> {
  const events = stream[Symbol.asyncIterator]();
  const translator = new UIMessageTranslator();
  return new ReadableStream<UIMessageChunk>({
    async pull(controller) {
      for (;;) {
        const next = await events.next();
        if (next.done) return controller.close();
        const chunks = translator.translate(next.value);
        if (chunks.length === 0) continue;
        for (const c of chunks) controller.enqueue(c);
        return;
      }
    },
    cancel(reason) {
      stream.cancel(reason ?? 'the client went away');
      void events.return?.();
    },
  });
}

/** A `Response` in the protocol's HTTP form (what `useChat`'s default transport reads): SSE `data:` frames, then `[DONE]`. */
export function toUIMessageStreamResponse(stream: RunStream<unknown>, init: ResponseInit = {}): Response {
  const encoder = new TextEncoder();
  const body = toUIMessageStream(stream).pipeThrough(
    new TransformStream<UIMessageChunk, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
      },
      flush(controller) {
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      },
    }),
  );
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-vercel-ai-ui-message-stream': 'v1', 'x-accel-buffering': 'no' })) headers.set(k, v);
  return new Response(body, { ...init, headers });
}
