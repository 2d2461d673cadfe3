/**
 * The official MCP SDK is an optional peer: loaded on first use, with an
 * install hint when it is missing. Types come from the SDK at compile time only.
 */
import { McpUnavailable } from './errors.js';

const SDK = '@modelcontextprotocol/sdk';

export type ClientModule = typeof import('@modelcontextprotocol/sdk/client/index.js');
export type Client = import('@modelcontextprotocol/sdk/client/index.js').Client;
export type ServerModule = typeof import('@modelcontextprotocol/sdk/server/index.js');
export type Server = import('@modelcontextprotocol/sdk/server/index.js').Server;
export type TypesModule = typeof import('@modelcontextprotocol/sdk/types.js');
export type McpTool = import('@modelcontextprotocol/sdk/types.js').Tool;
export type ToolAnnotations = import('@modelcontextprotocol/sdk/types.js').ToolAnnotations;
export type CallToolResult = import('@modelcontextprotocol/sdk/types.js').CallToolResult;
export type Transport = import('@modelcontextprotocol/sdk/shared/transport.js').Transport;

/** Loads the SDK once; a failed load is tried again next time (the package may have been installed since). */
function loader<M>(load: () => Promise<M>): () => Promise<M> {
  let loaded: Promise<M> | undefined;
  return () =>
    (loaded ??= load().catch((err: unknown) => {
      loaded = undefined;
      throw new McpUnavailable(SDK, err);
    }));
}

export interface ClientSdk {
  Client: ClientModule['Client'];
  StdioClientTransport: typeof import('@modelcontextprotocol/sdk/client/stdio.js').StdioClientTransport;
  StreamableHTTPClientTransport: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js').StreamableHTTPClientTransport;
  SSEClientTransport: typeof import('@modelcontextprotocol/sdk/client/sse.js').SSEClientTransport;
  types: TypesModule;
}

export const loadClientSdk = loader<ClientSdk>(async () => {
  const [client, stdio, http, sse, types] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/client/sse.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  return {
    Client: client.Client,
    StdioClientTransport: stdio.StdioClientTransport,
    StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
    SSEClientTransport: sse.SSEClientTransport,
    types,
  };
});

export interface ServerSdk {
  Server: ServerModule['Server'];
  StdioServerTransport: typeof import('@modelcontextprotocol/sdk/server/stdio.js').StdioServerTransport;
  StreamableHTTPServerTransport: typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js').StreamableHTTPServerTransport;
  types: TypesModule;
}

export const loadServerSdk = loader<ServerSdk>(async () => {
  const [server, stdio, http, types] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/index.js'),
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  return { Server: server.Server, StdioServerTransport: stdio.StdioServerTransport, StreamableHTTPServerTransport: http.StreamableHTTPServerTransport, types };
});
