/**
 * One live connection to one MCP server, made on first use and remade when
 * it breaks: a stdio server process is started once and reused, restarted
 * with backoff if it dies; an HTTP server that restarted (its session gone)
 * is reconnected on the next call. A call in flight when the connection
 * breaks fails (the model sees a tool error): it is not repeated, because
 * the server may have acted on it.
 */
import { trackChild, untrackChild } from './children.js';
import { McpConnectError } from './errors.js';
import { loadClientSdk, type Client, type ClientSdk } from './sdk.js';

export interface StdioTarget {
  command: string;
  args?: readonly string[];
  /** The server's environment: only these plus a few safe defaults (PATH, HOME…) — your secrets are not passed on. */
  env?: Record<string, string>;
  cwd?: string;
}

export interface HttpTarget {
  url: string | URL;
  /** Sent with every request (e.g. an Authorization header). */
  headers?: Record<string, string>;
}

/** How this client introduces itself (informational). */
const CLIENT_INFO = { name: 'agent-patterns', version: '0' };
const MAX_BACKOFF_MS = 5_000;
const STDERR_TAIL_CHARS = 2_000;
/** JSON-RPC code the SDK uses when the connection closed under a request. */
const CONNECTION_CLOSED = -32000;

export class McpConnection {
  private pending: Promise<Client> | undefined;
  private current: Client | undefined;
  /** Consecutive breaks without a successful call since: the backoff's exponent. */
  private breaks = 0;
  private brokeAt = 0;
  private stderrTail = '';
  private closed = false;
  private connections = 0;
  /** The stdio server's process id while it runs. */
  pid: number | undefined;
  /** Called when the server says its tool list changed, and on every reconnection. */
  onToolsChanged: (() => void) | undefined;

  constructor(
    readonly server: string,
    private readonly target: StdioTarget | HttpTarget,
  ) {}

  client(): Promise<Client> {
    if (this.closed) return Promise.reject(new McpConnectError(this.server, 'the connection was closed'));
    return (this.pending ??= this.connect().catch((err: unknown) => {
      this.pending = undefined;
      this.broke();
      throw err;
    }));
  }

  /** Runs `fn` on a connected client; a broken connection is dropped, so the next call reconnects. */
  async use<T>(fn: (client: Client) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const client = await this.client();
    try {
      const out = await fn(client);
      this.breaks = 0;
      return out;
    } catch (err) {
      if (!signal?.aborted && isConnectionFailure(err)) await this.drop(client);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.current;
    this.current = undefined;
    this.pending = undefined;
    await client?.close().catch(() => undefined);
  }

  private broke(): void {
    this.breaks++;
    this.brokeAt = Date.now();
  }

  private async drop(client: Client): Promise<void> {
    if (this.current !== client) return;
    this.current = undefined;
    this.pending = undefined;
    this.broke();
    await client.close().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    const wait = this.breaks === 0 ? 0 : this.brokeAt + Math.min(100 * 2 ** (this.breaks - 1), MAX_BACKOFF_MS) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sdk = await loadClientSdk();
    const client = 'command' in this.target ? await this.connectStdio(sdk, this.target) : await this.connectHttp(sdk, this.target);
    if (this.closed) {
      await client.close().catch(() => undefined);
      throw new McpConnectError(this.server, 'the connection was closed');
    }
    this.current = client;
    client.onclose = () => {
      if (this.pid !== undefined) untrackChild(this.pid);
      this.pid = undefined;
      // The server went away under us (not our close()): the next call starts or reaches it again.
      if (this.current === client) {
        this.current = undefined;
        this.pending = undefined;
        this.broke();
      }
    };
    // A new process or session may serve other tools than the last one did.
    if (this.connections++ > 0) this.onToolsChanged?.();
    return client;
  }

  private newClient(sdk: ClientSdk): Client {
    const client = new sdk.Client(CLIENT_INFO, { capabilities: {} });
    client.setNotificationHandler(sdk.types.ToolListChangedNotificationSchema, () => {
      this.onToolsChanged?.();
    });
    return client;
  }

  private async connectStdio(sdk: ClientSdk, target: StdioTarget): Promise<Client> {
    const transport = new sdk.StdioClientTransport({
      command: target.command,
      args: [...(target.args ?? [])],
      ...(target.env ? { env: target.env } : {}),
      ...(target.cwd ? { cwd: target.cwd } : {}),
      // Kept (the last lines) for the error when the server fails to start; drained so it never blocks.
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    const client = this.newClient(sdk);
    try {
      await client.connect(transport);
    } catch (err) {
      await client.close().catch(() => undefined);
      const tail = this.stderrTail.trim();
      throw new McpConnectError(this.server, `could not start ${target.command}: ${(err as Error).message}${tail ? `; its stderr: ${tail}` : ''}`, err);
    }
    this.pid = transport.pid ?? undefined;
    if (this.pid !== undefined) trackChild(this.pid);
    return client;
  }

  private async connectHttp(sdk: ClientSdk, target: HttpTarget): Promise<Client> {
    const url = new URL(target.url);
    const requestInit = target.headers ? { headers: target.headers } : undefined;
    const client = this.newClient(sdk);
    try {
      await client.connect(new sdk.StreamableHTTPClientTransport(url, requestInit ? { requestInit } : undefined));
      return client;
    } catch (first) {
      await client.close().catch(() => undefined);
      // An older server speaks only HTTP+SSE (protocol 2024-11-05).
      const legacy = this.newClient(sdk);
      try {
        await legacy.connect(new sdk.SSEClientTransport(url, requestInit ? { requestInit } : undefined));
        return legacy;
      } catch {
        await legacy.close().catch(() => undefined);
        throw new McpConnectError(this.server, `could not connect to ${url.origin}${url.pathname}: ${(first as Error).message}`, first);
      }
    }
  }
}

/** True when the connection itself failed (closed, refused, session gone), not the server's answer to a request. */
function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  const isJsonRpcError = (err as { name?: string })?.name === 'McpError' && typeof code === 'number';
  return !isJsonRpcError || code === CONNECTION_CLOSED;
}
