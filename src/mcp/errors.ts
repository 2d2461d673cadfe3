/** Typed errors of the MCP client and server. */
import { AgentPatternsError } from '../core/errors.js';

/** An optional peer the MCP layer needs (the official SDK, or ajv) is not installed. */
export class McpUnavailable extends AgentPatternsError {
  constructor(packageName: string, cause: unknown) {
    super('MCP_UNAVAILABLE', `MCP support needs ${packageName}: npm install ${packageName}`, { cause });
  }
}

/** An MCP tool answered with `isError: true`: the model sees the message as a tool error. */
export class McpToolError extends AgentPatternsError {
  constructor(server: string, tool: string, message: string) {
    super('MCP_TOOL_ERROR', `${server}/${tool}: ${message}`);
  }
}

/** An MCP server could not be started or reached. */
export class McpConnectError extends AgentPatternsError {
  readonly server: string;
  constructor(server: string, message: string, cause?: unknown) {
    super('MCP_CONNECT_FAILED', `MCP server "${server}": ${message}`, { cause });
    this.server = server;
  }
}
