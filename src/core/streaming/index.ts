/** agent-patterns/stream — a run as events, and the places streams go: SSE and the AI SDK's UI message stream. */
export { stream, streamRun, withHooks, type RunStream, type StreamOptions, type StreamHooks } from './stream.js';
export type { RunEvent, RunEventType, RunEventBody, RunEventBase, EventError } from './events.js';
export { toSSE, toSSEStream, sseFrame } from './sse.js';
export { toUIMessageStream, toUIMessageStreamResponse, UIMessageTranslator, type UIMessageChunk } from './ui-message-stream.js';
export { parsePartialJson } from './partial-json.js';
