/** The feedback file's record of an acknowledgement: one line, appended through the FeedbackWriter like every entry. */
import type { Ack } from '../state/acks.js';
import { ackEndsAt } from '../state/acks.js';
import { isoUtc } from './escalation.js';

/** The longest note an ack line carries. */
const NOTE_MAX = 200;

/**
 * "- ACK `shopify-admin` (down: timeout: no answer within 10000 ms) by dana at 2026-12-04T03:12:00Z, until up: "on it"".
 * The note and the problem are upstream or typed text: newlines and backticks are taken out so it stays one line
 * and no code span breaks (the writer redacts secrets).
 */
export function ackLine(ack: Ack, problem: string): string {
  const flat = (s: string, max: number) => {
    const t = s.replace(/[\r\n\t`]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/</g, '\\<');
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
  };
  const end = ackEndsAt(ack);
  const until = end === null ? 'until up' : `until ${isoUtc(end)} (${ack.expiry})`;
  const note = flat(ack.note, NOTE_MAX).replace(/"/g, "'");
  const what = problem ? `${ack.status}: ${flat(problem, 160)}` : ack.status;
  return `- ACK \`${ack.targetId}\` (${what}) by ${flat(ack.by, 40)} at ${isoUtc(ack.at)}, ${until}${note ? `: "${note}"` : ''}`;
}
