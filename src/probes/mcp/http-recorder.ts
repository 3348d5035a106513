import type { FetchLike } from '@modelcontextprotocol/client';

/** The last non-2xx answer an SDK transport saw: status, headers (Retry-After, WWW-Authenticate) and body start. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const BODY_KEPT = 2_000;

/** Wraps fetch for the SDK's HTTP transports and remembers the last failing answer, for the honest headline. */
export class HttpRecorder {
  last: HttpAnswer | null = null;
  /** GitHub's `GitHub-Authentication-Token-Expiration` header, as last seen on any answer (the token's end). */
  tokenExpiration: string | null = null;
  /** The last request method POSTed (server/discover, initialize…): the step a failed connect was on. */
  lastMethod: string | null = null;
  readonly fetch: FetchLike = async (url, init) => {
    if (typeof init?.body === 'string') this.lastMethod = methodOf(init.body) ?? this.lastMethod;
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (err) {
      // A transport failure now must not be read as the HTTP status of some earlier answer.
      this.last = null;
      throw err;
    }
    this.tokenExpiration = res.headers.get('github-authentication-token-expiration')?.slice(0, 64) ?? this.tokenExpiration;
    // A 405 to the optional GET stream only says the server offers no server-initiated stream: not a failure.
    const optionalStream = (init?.method ?? 'GET') === 'GET' && res.status === 405;
    // A success clears it: the 400 a 2025-era server gives the era probe must not read as a later failure's status.
    if (res.ok) this.last = null;
    else if (!optionalStream) {
      // Read a copy: the SDK reads the original for its own error.
      const body = await res
        .clone()
        .text()
        .then((t) => t.slice(0, BODY_KEPT))
        .catch(() => '');
      this.last = { status: res.status, headers: Object.fromEntries(res.headers), body };
    }
    return res;
  };
}

function methodOf(body: string): string | undefined {
  try {
    const m = (JSON.parse(body) as { method?: unknown; id?: unknown }) ?? {};
    return typeof m.method === 'string' && m.id !== undefined ? m.method : undefined;
  } catch {
    return undefined;
  }
}
