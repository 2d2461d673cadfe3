/** Provider-neutral conversation items. Providers translate these to their wire format. */

export interface ToolCall {
  /** Provider-assigned id that ties the result back to the call. */
  id: string;
  name: string;
  /** Raw JSON text as the model produced it; parsed and validated by the agent, never trusted. */
  arguments: string;
}

export interface TextPart {
  type: 'text';
  text: string;
}

/**
 * An image or a document (PDF, text…), by URL or inline as base64. Inline
 * bytes are kept as base64 so messages stay plain JSON (the durable journal
 * hashes and stores them); `image()` and `file()` accept bytes.
 */
export interface MediaPart {
  type: 'image' | 'file';
  /** IANA media type, e.g. image/png, application/pdf. */
  mediaType: string;
  /** Base64 data (exactly one of data and url). */
  data?: string;
  url?: string;
  filename?: string;
}

export type ContentPart = TextPart | MediaPart;

/** A message's content: plain text, or a list of parts. */
export type Content = string | ContentPart[];

export type Message =
  | { role: 'system'; content: string }
  | { role: 'user'; content: Content }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; toolName: string; content: Content; isError?: boolean };

export const system = (content: string): Message => ({ role: 'system', content });
export const user = (content: Content): Message => ({ role: 'user', content });

/** The text of some content (parts other than text are left out). */
export function textOf(content: Content): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const p of content) if (p.type === 'text') text += text ? `\n${p.text}` : p.text;
  return text;
}

/** Characters of content for size estimates, an image or file counted as ~1000 tokens' worth. */
export function contentChars(content: Content): number {
  if (typeof content === 'string') return content.length;
  let chars = 0;
  for (const p of content) chars += p.type === 'text' ? p.text.length : 4000;
  return chars;
}

/** An image part from bytes, base64 text, a data: URL or an http(s) URL. */
export function image(source: Uint8Array | string | URL, mediaType?: string): MediaPart {
  return media('image', source, mediaType);
}

/** A document part (PDF and others) from bytes, base64 text, a data: URL or an http(s) URL. */
export function file(source: Uint8Array | string | URL, mediaType: string, filename?: string): MediaPart {
  const part = media('file', source, mediaType);
  return filename === undefined ? part : { ...part, filename };
}

function media(type: 'image' | 'file', source: Uint8Array | string | URL, mediaType: string | undefined): MediaPart {
  if (source instanceof Uint8Array) return { type, mediaType: mediaType ?? sniffMediaType(source), data: Buffer.from(source).toString('base64') };
  const text = String(source);
  const dataUrl = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(text);
  if (dataUrl) {
    const data = dataUrl[2] ? dataUrl[3]! : Buffer.from(decodeURIComponent(dataUrl[3]!)).toString('base64');
    return { type, mediaType: mediaType ?? dataUrl[1] ?? 'application/octet-stream', data };
  }
  if (/^https?:\/\//i.test(text)) return { type, mediaType: mediaType ?? guessMediaType(text), url: text };
  return { type, mediaType: mediaType ?? 'application/octet-stream', data: text };
}

/** The media type of bytes by their first bytes (the formats providers accept). */
export function sniffMediaType(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 12)).toString('latin1');
  if (head.startsWith('\x89PNG')) return 'image/png';
  if (head.startsWith('\xff\xd8\xff')) return 'image/jpeg';
  if (head.startsWith('GIF8')) return 'image/gif';
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'image/webp';
  if (head.startsWith('%PDF')) return 'application/pdf';
  return 'application/octet-stream';
}

const EXTENSIONS: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf',
  txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', json: 'application/json',
};

/** The media type for a file name or URL by its extension (application/octet-stream when unknown). */
export function guessMediaType(name: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(name)?.[1]?.toLowerCase();
  return (ext && EXTENSIONS[ext]) || 'application/octet-stream';
}

/** `data:` URL for an inline part (providers that take images as URLs only). */
export function dataUrlOf(part: MediaPart): string {
  return part.url ?? `data:${part.mediaType};base64,${part.data ?? ''}`;
}
