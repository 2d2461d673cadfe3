/**
 * The page's side of the studio API. The write token arrives in the address
 * fragment (`#/runs?token=…`, never sent to the server), is kept for the tab
 * and sent in a header on writes.
 */
const TOKEN_KEY = 'agent-patterns-studio-token';

export function captureToken(): void {
  const [route, query = ''] = location.hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  const token = params.get('token');
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `#${route ?? '/runs'}${rest ? `?${rest}` : ''}`);
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new HttpError(res.status, body.error ?? `HTTP ${res.status}`);
  return body;
}

export async function get<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const t = token();
  if (t) headers['x-studio-token'] = t;
  return parse<T>(await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) }));
}

// The shapes the API answers with (the server's types, restated for the browser build).
export interface Usage { modelTurns: number; toolCalls: number; inputTokens: number; outputTokens: number; costUsd: number }
export interface RunSummary { runId: string; workflow: string; pattern?: string; status: string; startedAt: number; durationMs: number; usage: Usage; input: string; error?: string }
export interface RunsPage { runs: RunSummary[]; total: number; offset: number; limit: number; patterns: string[] }
export interface Span { traceId: string; spanId: string; parentId?: string; kind: string; name: string; startTime: number; durationMs: number; status: 'ok' | 'error'; attributes: Record<string, unknown>; error?: { name: string; code?: string; message: string } }
export interface StepShape { kind: string; name: string; role?: string; children?: StepShape[] }
export interface AuditEntry { at: number; actor: string; action: string; detail?: unknown; approvalId?: string }
export interface Approval { approvalId: string; runId: string; tool: string; args: unknown; reviewer: string; evidence?: unknown; recommendation?: string; status: string; deadline?: number; decidedBy?: string; comment?: string; createdAt: number; history: AuditEntry[]; workflow?: string }
export interface RunDetail {
  run: { runId: string; workflow: string; status: string; input: unknown; output?: unknown; error?: { message: string }; createdAt: number; updatedAt: number };
  summary: RunSummary; trace: Span[]; shape?: StepShape; approvals: Approval[];
  budget: { limits: Record<string, number>; used: Record<string, number> };
}
