import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  isInitializeRequest,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { sendJson, startPeer, type Peer } from './serve.js';

/** Our stdio MCP fixtures (plain ESM, run with `node <path>` from anywhere). Same layout from src/ and dist/. */
export const MCP_FIXTURES = {
  /** Two tools (echo, add); answers everything. */
  healthy: fixture('healthy.mjs'),
  /** Never answers, not even initialize. MCP_IGNORE_SIGTERM=1: survives SIGTERM too. */
  hangOnInitialize: fixture('hang-on-initialize.mjs'),
  /** Three lines on stderr, exit code 3. */
  exitImmediately: fixture('exit-immediately.mjs'),
  /** Logs a plain-text line to stdout. */
  garbageStdout: fixture('garbage-stdout.mjs'),
  /** Good initialize and ping; JSON-RPC error -32603 on tools/list. */
  toolsListError: fixture('tools-list-error.mjs'),
  /** Healthy but delays answers by MCP_SLOW_MS (default 300), optionally only to MCP_SLOW_METHODS. */
  slow: fixture('slow.mjs'),
  /** Healthy; starts a helper process and writes its pid to MCP_GRANDCHILD_PID_FILE. */
  grandchild: fixture('grandchild.mjs'),
  /** The official SDK v2 server (`stdio|http modern|dual`): the 2026-07-28 era, with or without the 2025 one. */
  v2Server: fixture('v2-server.mjs'),
  /** Dies at start with a ZodError and a stack long enough to scroll it out of the stderr tail. */
  crashZod: fixture('crash-zod.mjs'),
} as const;
export type McpFixture = keyof typeof MCP_FIXTURES;

function fixture(file: string): string {
  return fileURLToPath(new URL(`../../fixtures/mcp/${file}`, import.meta.url));
}

/** The command and args that start a fixture with the running Node. */
export function mcpFixtureCommand(name: McpFixture, ...args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [MCP_FIXTURES[name], ...args] };
}

/** How an HTTP MCP peer behaves; switch at run time with `setMode`. */
/** `slow` delays tools/list answers by `slowMs`; `http429` answers every request 429 with Retry-After. */
export type McpPeerMode = 'ok' | 'unauthorized' | 'forbidden' | 'hang' | 'tools-error' | 'slow' | 'http429';

/** A loopback MCP server over HTTP. */
export interface McpHttpPeer extends Peer {
  /** The URL a client connects to: …/mcp (Streamable HTTP) or …/sse (legacy). */
  endpoint: string;
  setMode(mode: McpPeerMode): void;
  /** Every request seen, as "METHOD /path". */
  requests: string[];
  /** MCP sessions the server currently holds. */
  openSessions(): number;
  /** Forgets every session, as a restarted server would: the next request on an old session gets 404. */
  forgetSessions(): Promise<void>;
}

export interface McpHttpPeerOptions {
  /** When set, requests need `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  name?: string;
  /** Delay of tools/list answers in the `slow` mode, ms. Default 1500. */
  slowMs?: number;
  /** Sent as `GitHub-Authentication-Token-Expiration` on every authorized answer, as GitHub's servers do. */
  tokenExpiration?: string;
}

const TOOLS = [
  {
    name: 'echo',
    description: 'Echoes the message back.',
    inputSchema: { type: 'object' as const, properties: { message: { type: 'string' } }, required: ['message'] },
  },
  {
    name: 'add',
    description: 'Adds two numbers.',
    inputSchema: { type: 'object' as const, properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  },
];

/** A low-level SDK Server with two tools; tools/list fails in 'tools-error' mode and answers late in 'slow' mode. */
function createPeerServer(name: string, mode: () => McpPeerMode, wait: (ms: number) => Promise<void> = async () => {}, slowMs = 0): Server {
  const server = new Server({ name, version: '2.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    if (mode() === 'tools-error') throw new McpError(ErrorCode.InternalError, 'tool registry unavailable');
    if (mode() === 'slow') await wait(slowMs);
    return { tools: TOOLS };
  });
  server.setRequestHandler(CallToolRequestSchema, (req) => {
    const args = req.params.arguments ?? {};
    const text = req.params.name === 'add' ? String(Number(args.a) + Number(args.b)) : String(args.message ?? '');
    return { content: [{ type: 'text', text }] };
  });
  return server;
}

/** Answers the mode's failure (or nothing, for 'hang'); true when the request is dealt with. */
function gate(req: IncomingMessage, res: ServerResponse, mode: McpPeerMode, token: string | undefined): boolean {
  if (mode === 'hang') return true;
  const authorized = !token || req.headers.authorization === `Bearer ${token}`;
  if (mode === 'unauthorized' || !authorized) {
    sendJson(res, 401, { error: 'invalid_token', error_description: 'missing or invalid bearer token' }, {
      'www-authenticate': 'Bearer error="invalid_token"',
    });
    return true;
  }
  if (mode === 'forbidden') {
    sendJson(res, 403, { error: 'insufficient_scope' });
    return true;
  }
  if (mode === 'http429') {
    sendJson(res, 429, { error: 'rate_limited', error_description: 'secondary rate limit' }, { 'retry-after': '30' });
    return true;
  }
  return false;
}

function parseBody(body: string): { ok: true; json: unknown } | { ok: false } {
  if (body === '') return { ok: true, json: undefined };
  try {
    return { ok: true, json: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

const rpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

/** A stateful Streamable HTTP MCP server (the SDK's StreamableHTTPServerTransport) at /mcp on 127.0.0.1. */
export async function startStreamableHttpPeer(opts: McpHttpPeerOptions = {}): Promise<McpHttpPeer> {
  const name = opts.name ?? 'pitwall-peer-streamable';
  let mode: McpPeerMode = 'ok';
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const peer = await startPeer(async (req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://peer').pathname;
    requests.push(`${req.method} ${path}`);
    if (gate(req, res, mode, opts.token)) return;
    if (opts.tokenExpiration) res.setHeader('github-authentication-token-expiration', opts.tokenExpiration);
    if (path !== '/mcp') return sendJson(res, 404, { error: 'not found' });
    const parsed = parseBody(body);
    if (!parsed.ok) return sendJson(res, 400, rpcError(ErrorCode.ParseError, 'Parse error'));
    const sid = req.headers['mcp-session-id'];
    let transport = typeof sid === 'string' ? sessions.get(sid) : undefined;
    if (typeof sid === 'string' && !transport) return sendJson(res, 404, rpcError(-32001, 'Session not found'));
    if (!transport) {
      if (req.method !== 'POST' || !isInitializeRequest(parsed.json)) {
        return sendJson(res, 400, rpcError(-32000, 'Bad Request: no valid session ID provided'));
      }
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, created),
        onsessionclosed: (id) => void sessions.delete(id),
      });
      transport = created;
      await createPeerServer(name, () => mode, wait, opts.slowMs ?? 1500).connect(created);
    }
    await transport.handleRequest(req, res, parsed.json);
  });

  const forgetSessions = async () => {
    const open = [...sessions.values()];
    sessions.clear();
    await Promise.allSettled(open.map((t) => t.close()));
  };
  return {
    ...peer,
    endpoint: `${peer.url}/mcp`,
    setMode: (m) => void (mode = m),
    requests,
    openSessions: () => sessions.size,
    forgetSessions,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await forgetSessions();
      await peer.close();
    },
  };
}

/**
 * A legacy HTTP+SSE MCP server (protocol 2024-11-05, the SDK's SSEServerTransport): GET /sse opens the event
 * stream and names the POST endpoint; POST /sse answers 405, as such servers do for Streamable HTTP clients.
 */
export async function startSseOnlyPeer(opts: McpHttpPeerOptions = {}): Promise<McpHttpPeer> {
  const name = opts.name ?? 'pitwall-peer-sse';
  let mode: McpPeerMode = 'ok';
  const sessions = new Map<string, SSEServerTransport>();
  const requests: string[] = [];

  const peer = await startPeer(async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    requests.push(`${req.method} ${url.pathname}`);
    if (gate(req, res, mode, opts.token)) return;
    if (url.pathname === '/sse' && req.method === 'GET') {
      const transport = new SSEServerTransport('/messages', res);
      sessions.set(transport.sessionId, transport);
      res.on('close', () => sessions.delete(transport.sessionId));
      await createPeerServer(name, () => mode).connect(transport);
      return;
    }
    if (url.pathname === '/sse') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
    if (url.pathname === '/messages' && req.method === 'POST') {
      const transport = sessions.get(url.searchParams.get('sessionId') ?? '');
      if (!transport) return sendJson(res, 404, { error: 'unknown session' });
      const parsed = parseBody(body);
      if (!parsed.ok) return sendJson(res, 400, rpcError(ErrorCode.ParseError, 'Parse error'));
      await transport.handlePostMessage(req, res, parsed.json);
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  });

  const forgetSessions = async () => {
    const open = [...sessions.values()];
    sessions.clear();
    await Promise.allSettled(open.map((t) => t.close()));
  };
  return {
    ...peer,
    endpoint: `${peer.url}/sse`,
    setMode: (m) => void (mode = m),
    requests,
    openSessions: () => sessions.size,
    forgetSessions,
    close: async () => {
      await forgetSessions();
      await peer.close();
    },
  };
}
