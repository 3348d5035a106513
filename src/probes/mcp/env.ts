import type { McpTarget } from '../../config/config.js';

/**
 * The base every stdio MCP server gets from pitwall's environment, and nothing else of it:
 * - where programs and the user's files are (PATH, HOME, USER, LOGNAME, SHELL, TMPDIR) and how to print (TERM,
 *   LANG, LC_*, TZ): the SDK's own default (@modelcontextprotocol/sdk client/stdio DEFAULT_INHERITED_ENV_VARS) plus
 *   locale, time zone and temp dir, which a server's output and `npx` depend on;
 * - how to reach the network from behind a corporate proxy or CA (HTTP(S)_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS,
 *   SSL_CERT_FILE/DIR) and which npm registry and cache to use: without them `npx` servers hang where a shell
 *   starts them fine;
 * - on Windows, the variables the SDK names (APPDATA, SYSTEMROOT…) without which processes do not start.
 * Everything else (a `${VAR}` pitwall substituted into another target, a cloud key, the developer's own tokens) stays
 * with pitwall; a server gets exactly what its target's `env` names on top of the base.
 */
const BASE = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TERM', 'LANG', 'LANGUAGE', 'TZ',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
  'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'npm_config_registry', 'NPM_CONFIG_REGISTRY', 'npm_config_cache', 'NPM_CONFIG_CACHE', 'npm_config_userconfig', 'NPM_CONFIG_USERCONFIG',
  'APPDATA', 'HOMEDRIVE', 'HOMEPATH', 'LOCALAPPDATA', 'PROCESSOR_ARCHITECTURE', 'SYSTEMDRIVE', 'SYSTEMROOT', 'TEMP', 'USERNAME', 'USERPROFILE', 'PROGRAMFILES',
]);

/** The environment a stdio MCP server starts with: the base above from `parent`, plus the target's own `env`. */
export function childEnvironment(parent: NodeJS.ProcessEnv, own: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) {
    // A function-valued export (bash `BASH_FUNC_x%%`) or an empty value is never part of the base.
    if (v !== undefined && v !== '' && (BASE.has(k) || k.startsWith('LC_'))) out[k] = v;
  }
  return { ...out, ...own };
}

/** What makes a session reusable: a changed command, env, URL or header means a fresh one. */
export function fingerprint(t: McpTarget): string {
  return t.transport === 'stdio' ? JSON.stringify(['stdio', t.command, t.args, t.env, t.cwd ?? null]) : JSON.stringify(['http', t.url, t.headers]);
}
