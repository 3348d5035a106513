/**
 * pitwall's MCP surface: six tools and three resources over one McpBackend, on the official SDK v2 server, which
 * serves both protocol eras from one definition. One McpServer per 2025-era session (stdio has one; Streamable HTTP
 * one per client) and per 2026-07-28 request. Every answer leaves through the redactor; no tool takes a path, and
 * every input schema is strict, so nothing can point a write elsewhere.
 */
import { McpServer, ProtocolError, ResourceTemplate, type CallToolResult, type ServerNotifier, type Transport } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { HISTORY_DEFAULT_MINUTES, HISTORY_MAX_MINUTES, ToolRefusal, type McpBackend } from './backend.js';
import {
  blockersSchema,
  blockersText,
  blockerView,
  escalationSchema,
  historySchema,
  historyText,
  reportSchema,
  rerunSchema,
  statusSchema,
  statusText,
  targetLine,
} from './views.js';
import type { Redactor } from '../../text/redact.js';
import { DUPLICATE_WINDOW_MS } from '../../feedback/feedback-actions.js';

export const STATUS_URI = 'pitwall://status';
export const REPORT_URI = 'pitwall://report/latest';
export const BLOCKER_URI_TEMPLATE = 'pitwall://blocker/{id}';
const blockerUri = (id: string) => `pitwall://blocker/${encodeURIComponent(id)}`;
/** JSON-RPC code the MCP spec gives "resource not found". */
const RESOURCE_NOT_FOUND = -32002;

const INSTRUCTIONS = `pitwall watches a Shopify store's integrations, vendor status pages and the team's MCP servers.
Ask get_status first (overall, then per target: status, latency, last error, dashboard tiles hit, open blocker).
get_history shows a target's checks and status changes; rerun checks a target now and waits for the answer.
escalate_blocker appends a BLOCKER entry to the team's feedback file (the same entry a person writes from the
console): use it when something is broken and blocks work, with a note saying what is wrong and who is blocked.
A target escalated in the last ${DUPLICATE_WINDOW_MS / 60_000} minutes is refused unless again: true; read list_blockers first.
write_hourly_report appends the hourly health report. No tool writes anywhere but the feedback file.`;

export interface PitwallMcpServerOptions {
  backend: McpBackend;
  redactor: Redactor;
  version: string;
  /** The 2026-07-28 era's change feed (subscriptions/listen): given, changes are published there, not per session. */
  notify?: ServerNotifier;
}

/** Every string in a JSON-RPC message through the redactor's text rules (keys and structure untouched). */
export function scrub(v: unknown, redactor: Redactor, depth = 0): unknown {
  if (typeof v === 'string') return redactor.text(v);
  if (depth > 40 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => scrub(x, redactor, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = scrub(x, redactor, depth + 1);
  return out;
}

/**
 * Makes the transport redact every message it sends. Tools redact their answers already; this also
 * covers what the SDK writes itself, such as a validation error quoting the arguments it was given.
 */
export function redactingTransport<T extends Transport>(transport: T, redactor: Redactor): T {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(scrub(message, redactor) as typeof message, options);
  return transport;
}

export interface PitwallMcpSession {
  server: McpServer;
  /** Connects over `transport`, every outgoing message redacted. */
  connect(transport: Transport): Promise<void>;
  /** Stops this session's notifications (also done when it closes). */
  dispose(): void;
}

/** Builds one session's McpServer. */
export function createPitwallMcpServer({ backend, redactor, version, notify }: PitwallMcpServerOptions): PitwallMcpSession {
  const ids = backend.config.targets.map((t) => t.id) as [string, ...string[]];
  const knownIds = ids.join(', ');
  const target = z
    .enum(ids, { error: (issue) => `unknown target ${JSON.stringify(issue.input)} (known: ${knownIds})` })
    .describe(`A target id: ${knownIds}`);

  const server = new McpServer(
    { name: 'pitwall', title: 'pitwall', version },
    { capabilities: { tools: {}, resources: { subscribe: true, listChanged: true } }, instructions: INSTRUCTIONS },
  );

  const answer = (structured: object, text: string): CallToolResult => ({
    content: [{ type: 'text', text: redactor.text(text) }],
    structuredContent: redactor.value(structured) as Record<string, unknown>,
  });
  const refuse = (message: string): CallToolResult => ({ content: [{ type: 'text', text: redactor.text(message) }], isError: true });
  /** Errors are answers too, and pass the redactor like everything else (the SDK would echo a raw message). */
  const guarded =
    <A>(fn: (args: A, signal: AbortSignal) => Promise<CallToolResult> | CallToolResult) =>
    async (args: A, ctx: { mcpReq: { signal: AbortSignal } }): Promise<CallToolResult> => {
      try {
        return await fn(args, ctx.mcpReq.signal);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return refuse(err instanceof ToolRefusal ? message : `pitwall could not do that: ${message}`);
      }
    };

  server.registerTool(
    'get_status',
    {
      title: 'What is broken',
      description: 'Overall and per-target status: latency, last error, dashboard tiles hit, open blocker. Optionally one target.',
      inputSchema: z.strictObject({ target: target.optional() }),
      outputSchema: statusSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(({ target: id }) => {
      const v = backend.status(id);
      return answer(v, statusText(v));
    }),
  );

  server.registerTool(
    'get_history',
    {
      title: 'A target over time',
      description: `A target's checks and status changes over the last \`minutes\` (default ${HISTORY_DEFAULT_MINUTES}, at most ${HISTORY_MAX_MINUTES}, 72 h), with uptime and latency percentiles; the newest \`maxSamples\` samples.`,
      inputSchema: z.strictObject({
        target,
        minutes: z.number().int().min(1).max(HISTORY_MAX_MINUTES).default(HISTORY_DEFAULT_MINUTES),
        maxSamples: z.number().int().min(1).max(2000).default(200),
      }),
      outputSchema: historySchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(({ target: id, minutes, maxSamples }) => {
      const v = backend.history(id, minutes, maxSamples);
      return answer(v, historyText(v));
    }),
  );

  server.registerTool(
    'rerun',
    {
      title: 'Check a target now',
      description: "Checks a target now and returns the result, waiting for it (at most the target's timeout for each attempt).",
      inputSchema: z.strictObject({ target }),
      outputSchema: rerunSchema,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    guarded(async ({ target: id }, signal) => {
      const v = await backend.rerun(id, signal);
      const head = v.finished ? `Checked ${id} now${v.attempts > 1 ? ` (${v.attempts} attempts)` : ''}:` : `${id} did not answer within its time budget; still checking. Status before:`;
      return answer(v, `${head}\n${targetLine(v.target)}`);
    }),
  );

  server.registerTool(
    'escalate_blocker',
    {
      title: 'Escalate a blocker',
      description:
        "Appends a BLOCKER entry for a target to the team's feedback file: the note, the target's status and error, failure streak, recent latencies, tiles hit and evidence. Returns the blocker id and the file. " +
        `Refused when the target was escalated in the last ${DUPLICATE_WINDOW_MS / 60_000} minutes, unless again is true.`,
      inputSchema: z.strictObject({
        target,
        note: z.string().trim().min(1, { error: 'note must say what is wrong and who is blocked' }).max(4000).describe('What is wrong and who is blocked'),
        again: z.boolean().default(false).describe('Write another BLOCKER even though one was written minutes ago'),
      }),
      outputSchema: escalationSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded(async ({ target: id, note, again }) => {
      const v = await backend.escalate(id, note, again);
      const where = whereAppended(v);
      return answer(v, `BLOCKER ${v.blockerId} for ${id} ${where}.`);
    }),
  );

  server.registerTool(
    'write_hourly_report',
    {
      title: 'Write the hourly report',
      description:
        "Appends the hourly health report to the team's feedback file: `current` (default) is this hour so far, `last` the last full hour. Returns the hour and where it went.",
      inputSchema: z.strictObject({ which: z.enum(['current', 'last']).default('current') }),
      outputSchema: reportSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded(async ({ which }) => {
      const v = await backend.writeReport(which);
      const span = `${v.hourStart.slice(11, 16)}–${v.hourEnd.slice(11, 16)} UTC${v.partial ? ', partial hour' : ''}`;
      const where = whereAppended(v);
      return answer(v, `Hourly report (${span}, overall ${v.overall}) ${where}.`);
    }),
  );

  server.registerTool(
    'list_blockers',
    {
      title: 'Open blockers',
      description: 'Blockers that are open (escalated and not resolved), from every pitwall on this config, oldest first; optionally for one target.',
      inputSchema: z.strictObject({ target: target.optional() }),
      outputSchema: blockersSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(({ target: id }) => {
      const v = backend.listBlockers(id);
      return answer(v, blockersText(v));
    }),
  );

  const json = (uri: string, value: unknown) => ({
    contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(redactor.value(value), null, 2) }],
  });

  server.registerResource(
    'status',
    STATUS_URI,
    { title: 'Status', description: 'Overall and per-target status (get_status as JSON). Subscribe to hear when a status changes.', mimeType: 'application/json' },
    (uri) => json(uri.href, backend.status()),
  );
  server.registerResource(
    'latest-report',
    REPORT_URI,
    { title: 'Latest hourly report', description: 'The report this server wrote last, else one built now for the current hour (not written).', mimeType: 'text/markdown' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: redactor.text(backend.latestReport()) }] }),
  );
  server.registerResource(
    'blocker',
    new ResourceTemplate(BLOCKER_URI_TEMPLATE, {
      list: () => ({
        resources: backend.blockers().map((b) => ({ uri: blockerUri(b.id), name: `${b.id} (${b.targetId})`, mimeType: 'application/json' })),
      }),
    }),
    { title: 'Open blocker', description: 'One open blocker; the list changes as blockers open and resolve.', mimeType: 'application/json' },
    (uri, { id }) => {
      const b = backend.blockers().find((x) => x.id === String(id));
      if (!b) throw new ProtocolError(RESOURCE_NOT_FOUND, `no open blocker ${String(id)}`);
      return json(uri.href, { ...blockerView(b), target: backend.status(b.targetId).targets[0] });
    },
  );

  const dispose = notify ? () => undefined : legacySubscriptions(server, backend);
  server.server.onclose = dispose;
  return { server, dispose, connect: (transport) => server.connect(redactingTransport(transport, redactor)) };
}

/**
 * The 2025 era's resources/subscribe: McpServer leaves subscriptions to us, so remember what this session asked to
 * hear about and tell it. (The 2026-07-28 era has no sessions: its subscriptions/listen streams are fed by
 * publishChanges.) Returns what stops the notifications.
 */
function legacySubscriptions(server: McpServer, backend: McpBackend): () => void {
  const subscribed = new Set<string>();
  server.server.setRequestHandler('resources/subscribe', (req) => {
    subscribed.add(req.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (req) => {
    subscribed.delete(req.params.uri);
    return {};
  });
  const updated = (uri: string) => {
    if (subscribed.has(uri)) server.server.sendResourceUpdated({ uri }).catch(() => undefined);
  };
  const unsubscribe = backend.subscribe((change) => {
    if (!server.isConnected()) return;
    if (change === 'status') updated(STATUS_URI);
    else if (change === 'report') updated(REPORT_URI);
    else server.sendResourceListChanged();
  });
  return () => void unsubscribe();
}

/** Publishes the backend's changes to the 2026-07-28 era's subscription streams. Returns what stops it. */
export function publishChanges(backend: McpBackend, notify: ServerNotifier): () => void {
  const unsubscribe = backend.subscribe((change) => {
    if (change === 'status') notify.resourceUpdated(STATUS_URI);
    else if (change === 'report') notify.resourceUpdated(REPORT_URI);
    else notify.resourcesChanged();
  });
  return () => void unsubscribe();
}

/** Where an append went, in the tool's text: never "in the outbox" unless it was kept there (fsynced). */
export function whereAppended(v: { written: boolean; path: string; outbox: { reason: string; kept: boolean; entry?: string } | null }): string {
  if (v.written) return `written to ${v.path}`;
  if (v.outbox?.kept) return `NOT written yet (${v.outbox.reason}); it is in the outbox and will be written`;
  return `NOT written and NOT kept (${v.outbox?.reason}); save this entry somewhere else:\n\n${v.outbox?.entry ?? ''}`;
}
