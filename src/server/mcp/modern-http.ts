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
    { legacy: 'reject', onerror: (err) => deps.say(`http: ${err.message}`) },
  );
  const stopPublishing = publishChanges(deps.backend, modernHandler.notify);
  const closeModern = async () => {
    stopPublishing();
    await modernHandler.close();
  };
  // The per-request transports are the SDK's own, so redaction happens on the answer: what the SDK writes itself
  // (a validation error quoting the arguments) passes the redactor like the tools' answers, in a JSON body or in an
  // event stream's `data:` lines alike.
  const redacted = {
    fetch: async (request: Request, options?: Parameters<typeof modernHandler.fetch>[1]) => {
      const res = await modernHandler.fetch(request, options);
      const type = res.headers.get('content-type') ?? '';
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      const init = { status: res.status, statusText: res.statusText, headers };
      if (type.includes('text/event-stream') && res.body) {
        const lines = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines());
        const out = lines.pipeThrough(new TransformStream<string, string>({ transform: (line, c) => c.enqueue(`${redactLine(line, deps.redactor)}\n`) }));
        return new Response(out.pipeThrough(new TextEncoderStream()), init);
      }
      if (!type.includes('application/json')) return res;
      return new Response(redactJson(await res.text(), deps.redactor), init);
    },
  };
  const handle = toNodeHandler(redacted, { onerror: (err) => deps.say(`http: ${err.message}`) });

  return { handle: (req, res, body) => handle(req, res, body), close: closeModern };
}

function redactJson(text: string, redactor: Redactor): string {
  try {
    return JSON.stringify(scrub(JSON.parse(text), redactor));
  } catch {
    return redactor.text(text);
  }
}

/** One SSE line: a `data:` line's JSON through the redactor, the rest (event, id, retry, blank) as is. */
function redactLine(line: string, redactor: Redactor): string {
  return line.startsWith('data:') ? `data: ${redactJson(line.slice(5).trimStart(), redactor)}` : line;
}

/** Splits a text stream into lines (without their newline), the last partial one kept until the end. */
function splitLines(): TransformStream<string, string> {
  let rest = '';
  return new TransformStream({
    transform(chunk, c) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) c.enqueue(p);
    },
    flush(c) {
      if (rest) c.enqueue(rest);
    },
  });
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

