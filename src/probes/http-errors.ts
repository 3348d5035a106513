import { messageOf } from './classify.js';
import type { ProbeError } from './types.js';

// How a failed exchange is named: the error-kind vocabulary from whatever a transport threw (Node's http/https
// here; the MCP SDK's HTTP transport goes through the global fetch, Node's built-in undici, and uses it too).

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  // undici's codes (Node's built-in one, behind the global fetch the MCP SDK uses).
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/;

/** Maps a thrown transport error to the vocabulary. Exported for probes that use other clients. */
export function transportError(err: unknown, req: { signal: AbortSignal; timeoutMs?: number }): ProbeError {
  if (req.signal.aborted) {
    return { kind: 'timeout', message: req.timeoutMs ? `no answer within ${req.timeoutMs} ms` : 'aborted before an answer' };
  }
  const code = errorCode(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'timeout', message: `the server stopped answering (${code})`, code };
  }
  // Node's (and undici's) llhttp parser: something answered, but not in HTTP (a wrong port, a TLS or SSH server).
  if (code?.startsWith('HPE_')) {
    const reason = (err as { reason?: unknown }).reason;
    return { kind: 'protocol', message: `not a valid HTTP answer (${code}): ${typeof reason === 'string' ? reason : messageOf(err)}`, code };
  }
  if (code && (CONNECTION_CODES.has(code) || TLS_CODE.test(code))) {
    return { kind: 'connection', message: `${describeCode(code)}: ${detailOf(err)}`, code };
  }
  return { kind: 'connection', message: detailOf(err), ...(code ? { code } : {}) };
}

/** The message, or for Node's AggregateError (every address of a host refused: no message of its own) its parts'. */
function detailOf(err: unknown): string {
  if (err instanceof AggregateError && !err.message) return [...new Set(err.errors.map(messageOf))].join('; ') || messageOf(err);
  return messageOf(err);
}

export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeCode(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS lookup failed';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timed out';
    default:
      return TLS_CODE.test(code) || code.includes('CERT') ? 'TLS failed' : code;
  }
}
