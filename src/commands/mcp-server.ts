import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { isLegacyRequest } from '@modelcontextprotocol/server';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { Config } from '../config/config.js';
import type { Redactor } from '../text/redact.js';
import { createLiveEngine, type LiveEngine } from '../journal/live-engine.js';
import { resolveStateDir } from '../journal/journal.js';
import { startSpawnRecord, type SpawnRecord } from '../journal/spawn-record.js';
import { createMcpBackend, type McpBackend } from '../server/mcp/backend.js';
import { createModernHttp, headersOnly, readJsonBody } from '../server/mcp/modern-http.js';
import { createPitwallMcpServer, redactingTransport } from '../server/mcp/tools.js';
import { listenHttp, parseListen, type Listening } from '../server/webhooks/http-server.js';
import { openFeedbackContext } from './escalate.js';
import { UsageError } from './exit.js';

export interface McpServerOptions {
  /** stdio (the default for `pitwall mcp`), or Streamable HTTP on `HOST:PORT` / `PORT` (127.0.0.1). */
  transport: 'stdio' | { http: string };
  /** Aborting stops the server (the CLI aborts on SIGINT/SIGTERM); over stdio, stdin closing stops it too. */
  signal: AbortSignal;
  stateDir?: string;
  /** Create the feedback file (and folder) if it is missing. */
  createFeedback?: boolean;
  /** The MCP stream over stdio. Defaults: process.stdin / process.stdout. Nothing else is ever written to it. */
  stdin?: Readable;
  stdout?: Writable;
  /** Where log lines go (never stdout). Default: stderr. */
  log?: (line: string) => void;
  /** Told the MCP endpoint URL once the HTTP server listens (port 0 picks a free port). */
  onListening?: (url: string) => void;
  /** Lets the caller kill MCP child processes synchronously at process exit. */
  onRunner?: (runner: { killAllSync(): void }) => void;
}

/** The hostnames a loopback server answers to: anything else in Host or Origin is DNS rebinding or a web page. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** Sessions kept at once; past this the least recently used is closed (clients that vanished without a DELETE). */
const MAX_SESSIONS = 32;
const MCP_PATH = '/mcp';

function version(): string {
  try {
    // Two levels up from src/commands and from dist/commands alike.
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** `HOST:PORT`, `[v6]:PORT`, `:PORT` or `PORT` (on 127.0.0.1); one sentence on anything else. */
export function parseMcpListen(value: string): { host: string; port: number } {
  const s = value.trim();
  const bare = /^:?(\d{1,5})$/.exec(s);
  try {
    return parseListen(bare ? `127.0.0.1:${bare[1]}` : s);
  } catch {
    throw new UsageError(`--http: expected HOST:PORT or PORT (e.g. 127.0.0.1:8765), got "${value}"`);
  }
}

function hostnameOf(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return null;
  }
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * `pitwall mcp`: runs the engine headless (as the console does: journal, redaction, the one feedback
 * writer) and serves pitwall's tools and resources over MCP until `signal` aborts or, over stdio, the
 * client closes stdin. Resolves with 0. Throws UsageError (exit 3) for a bad --http value, a port in
 * use, or a protected/missing feedback file.
 */
export async function runMcpServer(config: Config, opts: McpServerOptions): Promise<number> {
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const listen = opts.transport === 'stdio' ? null : parseMcpListen(opts.transport.http);
  if (opts.signal.aborted) return 0;

  const { redactor, journal, writer } = openFeedbackContext(config, {
    write: (t) => log(t.trimEnd()),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.createFeedback ? { createFeedback: true } : {}),
  });
  const say = (line: string) => log(redactor.text(`pitwall mcp: ${line}`));
  const closers = new Set<() => Promise<void>>();
  let live: LiveEngine | null = null;
  let backend: McpBackend | null = null;
  let http: Listening | null = null;
  let record: SpawnRecord | null = null;
  try {
    // What this run spawns is recorded; what a killed run left is ended (said on stderr).
    record = startSpawnRecord({ stateDir: resolveStateDir({ flag: opts.stateDir, config }), command: 'mcp', say });
    // Synchronous store notifications: blockers reach the journal before the next tool reads it.
    live = createLiveEngine({ config, journal, redactor, batchMs: 0 });
    opts.onRunner?.(live.runner);
    backend = createMcpBackend({ config, store: live.store, engine: live.engine, journal, writer });
    const deps = { backend, redactor, version: version() };

    let stdinClosed: Promise<void> | null = null;
    if (listen === null) {
      const stdin = opts.stdin ?? process.stdin;
      const transport = new StdioServerTransport(stdin, opts.stdout ?? process.stdout);
      stdinClosed = new Promise((resolve) => {
        stdin.once('end', resolve).once('close', resolve);
      });
      // Both eras on one pipe: the opening message picks 2026-07-28 (server/discover, per-request _meta) or the
      // 2025 initialize handshake, and the connection stays on it (SDK v2 serveStdio).
      const sessions = new Set<ReturnType<typeof createPitwallMcpServer>>();
      const handle = serveStdio(
        () => {
          const session = createPitwallMcpServer(deps);
          sessions.add(session);
          return session.server;
        },
        { transport: redactingTransport(transport, redactor), onerror: (err) => say(`stdio: ${err.message}`) },
      );
      closers.add(async () => {
        for (const s of sessions) s.dispose();
        await handle.close();
      });
    } else {
      http = await serveHttp(listen, { ...deps, closers, say });
      opts.onListening?.(`${http.url}${MCP_PATH}`);
    }
    const where = http ? `Streamable HTTP at ${http.url}${MCP_PATH}` : 'stdio';
    const ids = config.targets.map((t) => t.id);
    say(`watching ${ids.length} target${ids.length === 1 ? '' : 's'} (${ids.join(', ')}); feedback file ${writer.path}; serving MCP over ${where}`);
    live.engine.start();

    await new Promise<void>((resolve) => {
      if (opts.signal.aborted) return resolve();
      opts.signal.addEventListener('abort', () => resolve(), { once: true });
      void stdinClosed?.then(() => {
        say('the client closed stdin');
        resolve();
      });
    });
    say('stopping');
  } finally {
    await Promise.allSettled([...closers].map((close) => close()));
    await http?.close();
    backend?.close();
    await live?.stop();
    await record?.leftovers;
    record?.close();
    await writer.flush().catch(() => undefined);
    await writer.close();
    journal.close();
  }
  return 0;
}

interface HttpDeps {
  backend: McpBackend;
  redactor: Redactor;
  version: string;
  closers: Set<() => Promise<void>>;
  say: (line: string) => void;
}

/** Streamable HTTP at /mcp: one MCP session (and McpServer) per client, Host/Origin checked on loopback. */
async function serveHttp(listen: { host: string; port: number }, deps: HttpDeps): Promise<Listening> {
  const loopbackOnly = LOOPBACK.has(listen.host) || listen.host.startsWith('127.');
  if (!loopbackOnly) deps.say(`WARNING: listening on ${listen.host}: anyone who can reach it can read status and write BLOCKER entries (there is no authentication)`);

  interface Session {
    transport: NodeStreamableHTTPServerTransport;
    close: () => Promise<void>;
    lastSeen: number;
  }
  const sessions = new Map<string, Session>();

  const evictIdle = () => {
    while (sessions.size > MAX_SESSIONS) {
      const [id, oldest] = [...sessions.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0]!;
      sessions.delete(id);
      void oldest.close();
    }
  };

  // The 2026-07-28 era: stateless, one McpServer per request. 2025-era traffic (no per-request _meta claim) keeps
  // the sessionful wiring below (SDK v2's documented composition: isLegacyRequest in front of a strict handler).
  const modernEra = createModernHttp(deps);
  deps.closers.add(modernEra.close);
  const modern = modernEra.handle;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (loopbackOnly) {
      const host = hostnameOf(req.headers.host ?? '');
      const origin = req.headers.origin;
      const originHost = origin ? hostnameOf(origin.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')) : null;
      if (!host || !LOOPBACK.has(host) || (origin !== undefined && (!originHost || !LOOPBACK.has(originHost)))) {
        return rpcError(res, 403, -32000, 'Forbidden: pitwall mcp answers loopback Host and Origin only');
      }
    }
    if (new URL(req.url ?? '/', 'http://pitwall').pathname !== MCP_PATH) return rpcError(res, 404, -32000, `Not found: the MCP endpoint is ${MCP_PATH}`);
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJsonBody(req);
      if (!read.ok) return rpcError(res, read.status, read.status === 413 ? -32000 : -32700, read.message);
      body = read.value;
      if (!(await isLegacyRequest(headersOnly(req), body))) return modern(req, res, body);
    }
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') {
      const s = sessions.get(sid);
      if (!s) return rpcError(res, 404, -32001, 'Session not found');
      s.lastSeen = Date.now();
      return s.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST') return rpcError(res, 400, -32000, 'Bad Request: no valid session ID provided');

    // A new client: the transport itself answers 400 unless this is an initialize request.
    const session = createPitwallMcpServer({ backend: deps.backend, redactor: deps.redactor, version: deps.version });
    const { server } = session;
    const close = async () => {
      deps.closers.delete(close);
      await server.close().catch(() => undefined);
    };
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, close, lastSeen: Date.now() });
        evictIdle();
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
        void close();
      },
    });
    transport.onerror = (err) => deps.say(`http: ${err.message}`);
    deps.closers.add(close);
    await session.connect(transport);
    await transport.handleRequest(req, res, body);
    if (transport.sessionId === undefined) await close();
  };

  try {
    return await listenHttp(
      (req, res) =>
        void handle(req, res).catch((err: unknown) => {
          deps.say(`http: ${err instanceof Error ? err.message : String(err)}`);
          if (!res.headersSent) rpcError(res, 500, -32603, 'Internal error');
          else res.end();
        }),
      listen.host,
      listen.port,
    );
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : (err as Error).message;
    throw new UsageError(`--http: cannot listen on ${listen.host}:${listen.port}: ${why}`);
  }
}
