import type { Target } from '../../config/config.js';
import { targetEndpoint } from '../../config/endpoint.js';

/** Every target's endpoint by id (config/endpoint.ts), through `redact`: what the detail view shows and `c` copies. */
export function endpointsOf(targets: readonly Target[], redact: (s: string) => string): Record<string, string> {
  return Object.fromEntries(targets.map((t) => [t.id, redact(targetEndpoint(t))]));
}
