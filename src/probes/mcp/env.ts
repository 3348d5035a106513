import type { McpTarget } from '../../config/config.js';
import { isSecretName } from '../../text/redact.js';

/**
 * The environment a stdio MCP server starts with: ours (proxies, NODE_EXTRA_CA_CERTS, npm settings — without them
 * `npx` can hang behind a corporate proxy or CA), less anything named like a secret, plus the target's own `env`.
 * The SDK's default (HOME, PATH, SHELL, TERM, USER only) made `npx` servers time out where a shell starts them fine.
 */
export function childEnvironment(parent: NodeJS.ProcessEnv, own: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) if (v !== undefined && !isSecretName(k)) out[k] = v;
  return { ...out, ...own };
}

/** What makes a session reusable: a changed command, env, URL or header means a fresh one. */
export function fingerprint(t: McpTarget): string {
  return t.transport === 'stdio' ? JSON.stringify(['stdio', t.command, t.args, t.env, t.cwd ?? null]) : JSON.stringify(['http', t.url, t.headers]);
}
