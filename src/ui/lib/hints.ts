import type { ErrorKind } from '../../probes/types.js';

/** One line of "what to try" per error kind. README's troubleshooting section says the same (a test checks). */
export const HINTS: Record<ErrorKind, string> = {
  timeout: 'No answer in time: check the vendor status page, then raise timeoutMs only if it is just slow.',
  connection: 'Could not connect: check the URL/endpoint, DNS, VPN/proxy, and that the service is running.',
  auth: 'Credentials rejected: the token is wrong, expired, or lacks a scope. Rotate it and check the ${VAR}.',
  rate_limited: 'Throttled by the vendor: pitwall backs off; if it persists, find what else spends the quota.',
  http: 'The server answered with an error status: check the vendor status page and the body excerpt.',
  bad_response: 'An answer that is not what the API promises (HTML page, cut JSON, GraphQL errors): a proxy or a breaking change.',
  protocol: 'The MCP server misbehaved (rejected our protocol version, failed to start, JSON-RPC error, exited, garbage on stdout): the message is its own words; the detail shows its stderr tail when it wrote one.',
};

/** A vendor's status page reporting an incident is not ours to fix. */
export const VENDOR_INCIDENT_HINT =
  "The vendor reports an incident: follow its status page, tell the team which tiles it blinds, and escalate if it blocks the launch.";

/** The "what to try" line for a target's error. */
export function hintFor(targetKind: string, kind: ErrorKind): string {
  return targetKind === 'statuspage' && kind === 'http' ? VENDOR_INCIDENT_HINT : HINTS[kind];
}
