/**
 * Node built-ins whose ESM import costs memory the CommonJS one does not, and one comparison that avoids ICU.
 *
 * `import { createServer } from 'node:http'` (static or dynamic) makes Node build the module's ESM facade, which reads
 * every export of `http`, and some of those are lazy getters that load Node's built-in undici, http2 and crypto:
 * ~13 MiB of resident memory in a bare process (`process.moduleLoadList` before and after shows it; issue #18).
 * `require('node:http')` reads nothing it is not asked for (+3.7 MiB). Type-only imports are erased and stay as they
 * are; eslint.config.js refuses a value import of these modules outside the peers.
 */
import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

/** `node:http`, loaded through require on first use. */
export const nodeHttp = (): typeof import('node:http') => requireBuiltin('node:http') as typeof import('node:http');

/** `node:https`, loaded through require on first use. */
export const nodeHttps = (): typeof import('node:https') => requireBuiltin('node:https') as typeof import('node:https');

/**
 * Orders strings by UTF-16 code units, for ids, topics and ISO-8601 timestamps (ASCII, where that order is the
 * right one). `localeCompare` would load ICU's collator for them: 2.8 MiB resident, for an order no reader sees as
 * different. eslint.config.js refuses `localeCompare` in src/.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
