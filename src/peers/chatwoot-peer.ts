import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { startPeer, sendJson, type Peer, sendTruncatedJson } from './serve.js';

/** How the fake Chatwoot behaves; switch at run time with `setMode`. */
export const CHATWOOT_PEER_MODES = ['healthy', 'slow', 'http401', 'http429', 'html502', 'truncated', 'hang'] as const;
export type ChatwootPeerMode = (typeof CHATWOOT_PEER_MODES)[number];

/** The two endpoints the probe calls; a mode can be limited to one of them. */
export type ChatwootRoute = 'profile' | 'conversations';

export interface ChatwootPeerOptions {
  /** The api_access_token the peer accepts (and, like Chatwoot, echoes back in the profile). */
  apiToken?: string;
  accountId?: number;
  mode?: ChatwootPeerMode;
  /** Limit the mode to one route; the other answers healthily. */
  only?: ChatwootRoute;
  /** Delay of the `slow` mode, ms. */
  slowMs?: number;
  user?: { id: number; name: string; email: string; role: 'administrator' | 'agent' };
  /** Counts the conversations meta answers (for status=open) to an administrator: every inbox. */
  counts?: { mine: number; unassigned: number; assigned: number };
  /** What an agent's token sees: only the conversations of the agent's inboxes (default: a part of `counts`). */
  agentCounts?: { mine: number; unassigned: number; assigned: number };
  port?: number;
}

export interface ChatwootPeerRequest {
  method: string;
  path: string;
  search: string;
  headers: IncomingHttpHeaders;
  route: ChatwootRoute | null;
}

export interface ChatwootPeer extends Peer {
  readonly mode: ChatwootPeerMode;
  setMode(mode: ChatwootPeerMode, tune?: Pick<ChatwootPeerOptions, 'only' | 'slowMs'>): void;
  requests: ChatwootPeerRequest[];
  apiToken: string;
  accountId: number;
}

/**
 * The token as Chatwoot reads it: `request.headers[:api_access_token] || request.headers[:HTTP_API_ACCESS_TOKEN]`
 * (app/controllers/concerns/access_token_auth_helper.rb). Rack files every request header as HTTP_ + its name
 * upper-cased with `-` turned to `_`, so `api_access_token` and `Api-Access-Token` both arrive as
 * HTTP_API_ACCESS_TOKEN; nothing else (no Authorization: Bearer, no query parameter) does.
 */
export function chatwootToken(headers: IncomingHttpHeaders): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toUpperCase().replace(/-/g, '_') === 'API_ACCESS_TOKEN') return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * A loopback Chatwoot application API: GET /api/v1/profile and
 * GET /api/v1/accounts/:id/conversations/meta, access-token auth as Chatwoot reads it, and failure modes.
 */
export async function startChatwootPeer(opts: ChatwootPeerOptions = {}): Promise<ChatwootPeer> {
  const apiToken = opts.apiToken ?? 'cw_pitwall_test_token_9f3k2';
  const accountId = opts.accountId ?? 1;
  const user = opts.user ?? { id: 7, name: 'Dana Pit', email: 'dana@hotrodan.example', role: 'administrator' };
  const counts = opts.counts ?? { mine: 3, unassigned: 5, assigned: 9 };
  const agentCounts = opts.agentCounts ?? { mine: counts.mine, unassigned: Math.ceil(counts.unassigned / 2), assigned: Math.ceil(counts.assigned / 3) };
  let mode: ChatwootPeerMode = opts.mode ?? 'healthy';
  let tune = { only: opts.only as ChatwootRoute | undefined, slowMs: opts.slowMs ?? 1500 };
  const requests: ChatwootPeerRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const peer = await startPeer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const meta = /^\/api\/v1\/accounts\/(\d+)\/conversations\/meta$/.exec(url.pathname);
    const route: ChatwootRoute | null = url.pathname === '/api/v1/profile' ? 'profile' : meta ? 'conversations' : null;
    requests.push({ method: req.method ?? 'GET', path: url.pathname, search: url.search, headers: req.headers, route });

    if (!route || req.method !== 'GET') return sendJson(res, 404, { error: 'Resource could not be found' });
    const active: ChatwootPeerMode = !tune.only || tune.only === route ? mode : 'healthy';
    if (active === 'hang') return;
    if (active === 'html502') return sendHtml502(res);
    if (active === 'slow') await delay(tune.slowMs);
    // Rack::Attack answers before the app with its default throttled_responder: plain text and no Retry-After
    // (Chatwoot's config/initializers/rack_attack.rb sets neither a responder nor throttled_response_retry_after_header).
    if (active === 'http429') {
      res.writeHead(429, { 'content-type': 'text/plain' });
      res.end('Retry later\n');
      return;
    }
    if (active === 'http401' || chatwootToken(req.headers) !== apiToken) return sendJson(res, 401, { error: 'Invalid Access Token' });

    let body: unknown;
    if (route === 'profile') {
      body = profile(apiToken, accountId, user);
    } else {
      if (Number(meta![1]) !== accountId) return sendJson(res, 401, { error: 'You are not authorized to access this account' });
      // ConversationFinder counts @current_user.assigned_inboxes: every inbox for an administrator, an agent's own otherwise (app/models/user.rb).
      const c = user.role === 'administrator' ? counts : agentCounts;
      body = {
        meta: {
          mine_count: c.mine,
          unassigned_count: c.unassigned,
          assigned_count: c.assigned,
          all_count: c.unassigned + c.assigned,
        },
      };
    }
    if (active === 'truncated') {
      sendTruncatedJson(res, body);
      return;
    }
    sendJson(res, 200, body);
  }, opts.port);

  return {
    ...peer,
    get mode() {
      return mode;
    },
    setMode(next, t = {}) {
      mode = next;
      tune = { ...tune, only: undefined, ...t };
    },
    requests,
    apiToken,
    accountId,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await peer.close();
    },
  };
}

/** Chatwoot's user model as GET /api/v1/profile renders it: the access token comes first. */
function profile(token: string, accountId: number, user: NonNullable<ChatwootPeerOptions['user']>) {
  return {
    access_token: token,
    account_id: accountId,
    available_name: user.name,
    avatar_url: '',
    confirmed: true,
    display_name: null,
    message_signature: null,
    email: user.email,
    id: user.id,
    inviter_id: null,
    name: user.name,
    provider: 'email',
    pubsub_token: 'pubsub_4Lq9xWc2',
    role: user.role,
    ui_settings: {},
    uid: user.email,
    type: null,
    accounts: [
      {
        id: accountId,
        name: 'Hot Rod AN',
        status: 'active',
        active_at: '2025-11-28T08:00:00.000Z',
        role: user.role,
        permissions: [user.role],
        availability: 'online',
        availability_status: 'online',
        auto_offline: true,
      },
    ],
  };
}

function sendHtml502(res: ServerResponse): void {
  res.writeHead(502, { 'content-type': 'text/html' });
  res.end(
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
      '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  );
}
