import type { Status } from '../shared/status.js';

/** Status symbols: every status reads without colour. */
export const STATUS_SYMBOL: Record<Status | 'unknown', string> = {
  up: '✔',
  degraded: '▲',
  down: '✖',
  unknown: '…',
};

/** "✖ down", "… unknown" */
export function statusLabel(status: Status | null): string {
  const s = status ?? 'unknown';
  return `${STATUS_SYMBOL[s]} ${s}`;
}

/** 0.4 → "0.4 ms", 12.3 → "12 ms", 1234 → "1.23 s", null → "—" */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 1000)} s`;
}

/** Seconds/minutes/hours, compact: 5000 → "5s", 125000 → "2m05s", 7_500_000 → "2h05m". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** "12s ago" from two instants. */
export function formatAgo(then: number, now: number): string {
  return `${formatDuration(now - then)} ago`;
}

/** Cuts a one-liner to `width` characters with an ellipsis. */
export function truncate(text: string, width: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (width <= 0) return '';
  return one.length > width ? `${one.slice(0, Math.max(0, width - 1))}…` : one;
}


/** Cuts a path from the left, keeping its end (the file name matters most): "…/feedback/integrations.md". */
export function truncateStart(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? `…${text.slice(text.length - width + 1)}` : text;
}

/**
 * Uptime as a row shows it: "100%" only with no failed check; otherwise rounded down to one decimal, so one failure
 * in a busy hour reads "99.9%", never a green-looking "100%".
 */
export function formatUptime(pct: number | null, failures: number): string {
  if (pct === null) return '—';
  if (failures === 0) return '100%';
  return `${(Math.floor(pct * 10) / 10).toFixed(1)}%`;
}

/** A detail's value for people: a flat object as "currentlyAvailable 1991 · maximumAvailable 2000", not JSON. */
export function detailText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v);
    if (entries.length && entries.every(([, x]) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) {
      return entries.map(([k, x]) => `${k} ${String(x)}`).join(' · ');
    }
  }
  return JSON.stringify(v) ?? '';
}
