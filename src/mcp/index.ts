/**
 * agent-patterns/mcp — Model Context Protocol, both ways, on the official SDK
 * (an optional peer: npm install @modelcontextprotocol/sdk). `mcpServer(...)`
 * turns any MCP server's tools into our Tools, safe by default (a destructive
 * tool never runs without a guard or an approval); `serveMcp(...)` serves our
 * Steps and Agents as MCP tools.
 */
export { mcpServer, type McpServerOptions, type McpServerCommon, type McpServerHandle, type McpServerTool, type McpToolInfo, type McpArgs } from './client.js';
export type { StdioTarget, HttpTarget } from './connection.js';
export { serveMcp, type ServeMcpOptions, type McpServing, type McpToolEntry, type Servable, type McpHttpListen } from './server.js';
export { resolvePolicy, effectOf, type McpToolPolicy, type McpEffect, type ResolvedPolicy } from './policy.js';
export { McpToolResult, untrustedDescription, type McpImage, type McpResource } from './content.js';
export { jsonSchemaTool, validatorFor, type JsonSchemaToolConfig } from './json-schema.js';
export { McpUnavailable, McpToolError, McpConnectError } from './errors.js';
