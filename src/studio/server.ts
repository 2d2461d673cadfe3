/**
 * `startStudio()`: the studio's HTTP server on 127.0.0.1 — the page, its
 * built script, the JSON API and the live feed. Read the page's security in
 * security.ts; what it shows in api.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store/types.js';
import { ApiError, StudioApi, type Catalog } from './api.js';
import { LiveFeed } from './live.js';
import { LiveRuns, type Launcher } from './live-runs.js';
import { INDEX_HTML, STYLE_CSS } from './page.js';
import { SECURITY_HEADERS, allowedHosts, hasToken, refusal, sendJson } from './security.js';

export interface StudioOptions {
  store: Store;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The write token; a random one by default. */
  token?: string;
  /** Names workflows' patterns and shapes (the CLI passes the Vend examples'). */
  catalog?: Catalog;
  /** Continues a run after a decision in the page, as `agent-patterns resume` would. */
  resume?: (runId: string) => Promise<unknown>;
  /** Starts a run from the page (its events, tokens included, stream to the page live). */
  launch?: Launcher;
  /** What the page offers to start: name, pattern and default input of each workflow. */
  workflows?: () => { name: string; pattern: string; defaultInput: string }[] | Promise<{ name: string; pattern: string; defaultInput: string }[]>;
  /** How often the live feed looks at the store (ms). Default 400. */
  pollMs?: number;
  /** Where resume failures are told (default stderr). */
  log?: (line: string) => void;
}

export interface Studio {
  url: string;
  port: number;
  token: string;
  /** The address to open: the page, with the token in the fragment (never sent to the server). */
  openUrl: string;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

/** The built browser script: next to this file once compiled, or in dist/ when running from source. */
function webDir(): string | undefined {
  for (const rel of ['./web/', '../../dist/src/studio/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}app.js`)) return dir;
  }
  return undefined;
}

export async function startStudio(options: StudioOptions): Promise<Studio> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const api = new StudioApi(options.store, options.catalog);
  const live = new LiveFeed(options.store, options.pollMs ?? 400);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const web = webDir();
  const started = options.launch ? new LiveRuns(options.launch, log) : undefined;
  let hosts = new Set<string>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof ApiError) sendJson(res, err.status, { error: err.message });
      else {
        log(`studio: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error (see the studio\'s terminal)' });
        else res.end();
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const why = refusal(req, hosts);
    if (why) return sendJson(res, 403, { error: why });
    const url = new URL(req.url ?? '/', 'http://studio');
    const path = url.pathname;
    if (req.method === 'GET') {
      if (path === '/' || path === '/index.html') return sendText(res, INDEX_HTML, 'text/html');
      if (path === '/assets/style.css') return sendText(res, STYLE_CSS, 'text/css');
      if (path === '/favicon.ico') {
        res.writeHead(204, SECURITY_HEADERS);
        return void res.end();
      }
      const asset = /^\/assets\/([\w-]+\.js)$/.exec(path)?.[1];
      if (asset) {
        if (!web || !existsSync(`${web}${asset}`)) return sendJson(res, 404, { error: web ? 'no such asset' : 'the studio page is not built (npm run build)' });
        return sendText(res, readFileSync(`${web}${asset}`, 'utf8'), 'text/javascript');
      }
      if (path === '/api/runs') {
        const n = (k: string) => (url.searchParams.has(k) ? Number(url.searchParams.get(k)) : undefined);
        const query = { status: url.searchParams.get('status') || undefined, pattern: url.searchParams.get('pattern') || undefined, q: url.searchParams.get('q') || undefined, offset: n('offset'), limit: n('limit') };
        return sendJson(res, 200, await api.listRuns(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined))));
      }
      if (path === '/api/workflows') return sendJson(res, 200, { workflows: options.workflows ? await options.workflows() : [], canStart: started !== undefined });
      const followed = /^\/api\/runs\/([^/]+)\/live$/.exec(path)?.[1];
      if (followed) {
        if (!started) return sendJson(res, 404, { error: 'this studio starts no runs' });
        return started.follow(decodeURIComponent(followed), res);
      }
      const runId = /^\/api\/runs\/([^/]+)$/.exec(path)?.[1];
      if (runId) return sendJson(res, 200, await api.getRun(decodeURIComponent(runId)));
      if (path === '/api/approvals') return sendJson(res, 200, await api.listApprovals(url.searchParams.get('status') ?? undefined));
      if (path === '/api/live') return live.attach(res);
      return sendJson(res, 404, { error: 'not found' });
    }
    if (req.method === 'POST' && path === '/api/runs') {
      if (!hasToken(req, token)) return sendJson(res, 401, { error: 'starting a run needs the studio token in the x-studio-token header' });
      if (!started) return sendJson(res, 404, { error: 'this studio starts no runs' });
      const body = (await readJson(req)) as { workflow?: unknown; input?: unknown };
      if (typeof body.workflow !== 'string' || !body.workflow) throw new ApiError(400, 'workflow (a name) is required');
      if (body.input !== undefined && typeof body.input !== 'string') throw new ApiError(400, 'input must be text');
      const known = options.workflows ? (await options.workflows()).some((w) => w.name === body.workflow) : true;
      if (!known) throw new ApiError(404, `no workflow ${body.workflow}`);
      return sendJson(res, 202, { runId: started.start(body.workflow, body.input || undefined) });
    }
    if (req.method === 'POST') {
      const approvalId = /^\/api\/approvals\/([^/]+)\/decision$/.exec(path)?.[1];
      if (!approvalId) return sendJson(res, 404, { error: 'not found' });
      if (!hasToken(req, token)) return sendJson(res, 401, { error: 'a decision needs the studio token in the x-studio-token header' });
      const decided = await api.decide(decodeURIComponent(approvalId), await readJson(req));
      if (options.resume) {
        // The run continues in the background; the page follows it through the live feed.
        options.resume(decided.runId).catch((err: unknown) => log(`studio: resuming ${decided.runId} failed: ${err instanceof Error ? err.message : String(err)}`));
      }
      return sendJson(res, 200, { approval: decided, resuming: options.resume !== undefined });
    }
    res.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, POST' });
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    token,
    openUrl: `${url}/#/runs?token=${encodeURIComponent(token)}`,
    close: () => {
      live.close();
      started?.close();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sendText(res: ServerResponse, body: string, type: string): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': `${type}; charset=utf-8` });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new ApiError(415, 'send JSON (content-type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ApiError(413, 'body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'the body is not valid JSON');
  }
}
