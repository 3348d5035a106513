/**
 * The MCP probe: one client per upstream kind, split by responsibility under ./mcp/ — the prober (checks,
 * backoff, events), the session (transports, era negotiation, the staged check), the SDK's loading, the errors.
 */
export { createMcpProber, respawnBackoffMs, type McpProber, type McpProberOptions } from './mcp/prober.js';
export { childEnvironment } from './mcp/env.js';
export type { McpTransportKind } from './mcp/errors.js';
