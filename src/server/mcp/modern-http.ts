/**
 * `pitwall mcp` over Streamable HTTP, the 2026-07-28 leg: stateless, one McpServer per request (SDK v2
 * createMcpHandler, `legacy: 'reject'`; the 2025 leg keeps its sessions in commands/mcp-server.ts), resource changes
 * published on subscriptions/listen streams, every JSON answer through the redactor.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { Redactor } from '../../text/redact.js';
import type { McpBackend } from './backend.js';
import { createPitwallMcpServer, publishChanges, scrub } from './tools.js';

export interface ModernHttpDeps {
  backend: McpBackend;
  redactor: Redactor;
  version: string;
  say: (line: string) => void;
}

export interface ModernHttp {
  /** Serves one 2026-07-28 request whose JSON body was already read. */
  handle: (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;
  close: () => Promise<void>;
}

/** The 2026-07-28 leg of the HTTP endpoint. */
export function createModernHttp(deps: ModernHttpDeps): ModernHttp {
  const modernHandler = createMcpHandler(
    () => createPitwallMcpServer({ backend: deps.backend, redactor: deps.redactor, version: deps.version, notify: modernHandler.notify }).server,
    // JSON answers (no mid-call streams: pitwall's tools send no progress), so every one passes the redactor below.
    { legacy: 'reject', responseMode: 'json', onerror: (err) => deps.say(`http: ${err.message}`) },
  );
  const stopPublishing = publishChanges(deps.backend, modernHandler.notify);
  const closeModern = async () => {
    stopPublishing();
    await modernHandler.close();
  };
  // The per-request transports are the SDK's own, so redaction happens on the answer: what the SDK writes itself
  // (a validation error quoting the arguments) passes the redactor like the tools' answers. Listen streams (SSE)
  // carry only resource URIs.
  const redacted = {
    fetch: async (request: Request, options?: Parameters<typeof modernHandler.fetch>[1]) => {
      const res = await modernHandler.fetch(request, options);
      if (!(res.headers.get('content-type') ?? '').includes('application/json')) return res;
      const text = await res.text();
      let body = text;
      try {
        body = JSON.stringify(scrub(JSON.parse(text), deps.redactor));
      } catch {
        body = deps.redactor.text(text);
      }
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      return new Response(body, { status: res.status, statusText: res.statusText, headers });
    },
  };
  const handle = toNodeHandler(redacted, { onerror: (err) => deps.say(`http: ${err.message}`) });

  return { handle: (req, res, body) => handle(req, res, body), close: closeModern };
}

/** The SDK's bound on a POST body (its handler's default, 4 MiB). */
const MAX_BODY = 4 * 1024 * 1024;

/** Reads a POST body as JSON once, so both eras' handlers get it parsed (the Node stream can be read only once). */
export async function readJsonBody(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return { ok: false, status: 413, message: 'Payload too large' };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, status: 400, message: 'Parse error: the body is not JSON' };
  }
}

/** A body-less web Request with the Node request's method and headers: what isLegacyRequest classifies with the parsed body. */
export function headersOnly(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string') headers.set(k, v);
    else if (Array.isArray(v)) for (const x of v) headers.append(k, x);
  }
  return new Request(new URL(req.url ?? '/', 'http://pitwall'), { method: req.method ?? 'POST', headers });
}

