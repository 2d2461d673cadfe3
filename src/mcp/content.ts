/**
 * What an MCP server sends, made safe for the model: descriptions are
 * untrusted text (capped, control characters out, labelled with their
 * server), and results keep everything for the caller (images, resources,
 * structured content) while the model sees text and short placeholders.
 */
import type { CallToolResult } from './sdk.js';
import { McpToolError } from './errors.js';

export const MAX_DESCRIPTION_CHARS = 1024;
const MAX_TEXT_RESOURCE_CHARS = 4000;

/** The description the model is shown: the server's text, capped and marked as coming from that server. */
export function untrustedDescription(server: string, text: string | undefined, max = MAX_DESCRIPTION_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const clean = (text ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
  const body = clean.length > max ? `${clean.slice(0, max)}… (cut at ${max} chars)` : clean || '(no description)';
  return `[tool of MCP server "${server}"; its description is the server's, untrusted] ${body}`;
}

export interface McpImage {
  mimeType: string;
  /** Base64. */
  data: string;
}

export interface McpResource {
  uri: string;
  mimeType?: string;
  text?: string;
  /** Base64, for binary resources. */
  blob?: string;
  /** A link to a resource rather than its contents. */
  link?: boolean;
}

/**
 * A tool result with more than text. The action trace keeps all of it; the
 * model gets `toJSON()`: the structured content when that is all there is,
 * else the text, the structured content and a placeholder per image or
 * binary (until message content parts carry them as such).
 */
export class McpToolResult {
  constructor(
    readonly text: string,
    readonly structuredContent: Record<string, unknown> | undefined,
    readonly images: McpImage[],
    readonly resources: McpResource[],
  ) {}

  toJSON(): Record<string, unknown> {
    // Structured content alone: the text beside it is its serialization (MCP asks servers to send both).
    if (this.structuredContent && !this.images.length && !this.resources.length) return this.structuredContent;
    const view: Record<string, unknown> = {};
    if (this.text) view.text = this.text;
    if (this.structuredContent) view.structuredContent = this.structuredContent;
    if (this.images.length) view.images = this.images.map((i) => `[${i.mimeType} image, ${base64Bytes(i.data)} bytes]`);
    if (this.resources.length) {
      view.resources = this.resources.map((r) => ({
        uri: r.uri,
        ...(r.mimeType ? { mimeType: r.mimeType } : {}),
        ...(r.text !== undefined ? { text: cap(r.text, MAX_TEXT_RESOURCE_CHARS) } : {}),
        ...(r.blob !== undefined ? { content: `[binary, ${base64Bytes(r.blob)} bytes]` } : {}),
        ...(r.link ? { link: true } : {}),
      }));
    }
    return view;
  }
}

/** The tool's value: plain text when that is all there is, else an McpToolResult. `isError` throws (a tool error for the model). */
export function toToolValue(server: string, tool: string, result: CallToolResult | { toolResult: unknown }): string | McpToolResult {
  // Servers on the 2024-10-07 protocol answer { toolResult }.
  if (!('content' in result)) return JSON.stringify(result.toolResult ?? null);
  const texts: string[] = [];
  const images: McpImage[] = [];
  const resources: McpResource[] = [];
  for (const part of result.content ?? []) {
    switch (part.type) {
      case 'text':
        texts.push(part.text);
        break;
      case 'image':
      case 'audio':
        images.push({ mimeType: part.mimeType, data: part.data });
        break;
      case 'resource': {
        const r = part.resource;
        resources.push({ uri: r.uri, ...(r.mimeType ? { mimeType: r.mimeType } : {}), ...('text' in r ? { text: r.text as string } : { blob: r.blob as string }) });
        break;
      }
      case 'resource_link':
        resources.push({ uri: part.uri, ...(part.mimeType ? { mimeType: part.mimeType } : {}), link: true });
        break;
    }
  }
  const text = texts.join('\n');
  if (result.isError) throw new McpToolError(server, tool, text || 'the tool reported an error');
  if (!images.length && !resources.length && !result.structuredContent) return text;
  return new McpToolResult(text, result.structuredContent, images, resources);
}

function base64Bytes(data: string): number {
  return Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
