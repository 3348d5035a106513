import { truncate } from './format.js';

/** How long upstream text may run inside an entry's line (a status message, a sub-check's error). */
export const UPSTREAM_INLINE_MAX = 300;

/**
 * Upstream text made safe inside a line of a Markdown entry: one line (a newline cannot start a `## RESOLVED`
 * heading, a list or a fence), no HTML comment or tag that would hide what follows, bounded in length. Every line of
 * the feedback file that quotes an upstream (a BLOCKER, a report, an ACK) goes through it.
 */
export function inline(text: string, max = UPSTREAM_INLINE_MAX): string {
  return truncate(text.replace(/\r?\n|\r/g, ' ⏎ '), max).replace(/</g, '\\<');
}
