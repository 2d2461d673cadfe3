/**
 * The studio listens on loopback only, and that is not enough on its own: a
 * web page the user visits could make the browser send requests to it. So
 * every request must name the studio itself as Host (a DNS-rebinding page
 * names its own), a browser's Origin must be the studio's, writes must carry
 * the token in a header (a cross-site form cannot set one), and every
 * response forbids scripts from anywhere but the studio.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const TOKEN_HEADER = 'x-studio-token';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
});

/** The names this server answers to: 127.0.0.1, localhost and [::1], on its own port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/** Why a request is refused before any route sees it (403), or undefined when it may go on. */
export function refusal(req: IncomingMessage, hosts: ReadonlySet<string>): string | undefined {
  const host = req.headers.host?.toLowerCase();
  if (!host || !hosts.has(host)) return `unknown Host ${JSON.stringify(host ?? '')}: the studio answers only to its own address`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return 'malformed Origin';
    }
    if (!hosts.has(originHost)) return `cross-origin request from ${origin}`;
  } else if (origin === 'null') {
    return 'opaque Origin';
  }
  return undefined;
}

/** True when the request carries the studio's token in its header (compared in constant time). */
export function hasToken(req: IncomingMessage, token: string): boolean {
  const given = req.headers[TOKEN_HEADER];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
