import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TILES } from '../config/config.js';
import { UsageError } from './exit.js';

export interface InitOptions {
  /** The folder to write into (--dir); created if missing. */
  dir: string;
  write: (text: string) => void;
}

const CONFIG_NAMES = ['pitwall.yaml', 'pitwall.yml'] as const;
const FEEDBACK_FILE = 'feedback/integrations.md';

const tileList = Object.entries(TILES)
  .map(([id, name]) => `${id} (${name})`)
  .join(', ');

/**
 * The starter config. Secrets appear only as "${VAR}" (quoted: a bare ${VAR} inside a flow mapping
 * like `{ secret: ${X} }` is not valid YAML). Every variable here is listed in ENV_EXAMPLE.
 */
const STARTER_YAML = `# pitwall.yaml: what pitwall watches for the Hot Rod AN launch (written by "pitwall init").
#
# No secrets in this file. "\${NAME}" is replaced by the environment variable NAME, or by NAME in the
# .env file beside this one (copy .env.example to .env). Every value that comes from \${NAME} is treated
# as a secret: it is scrubbed from the screen, the JSON output, the journal and the feedback file.
#
# "pitwall doctor" checks this setup without calling any upstream; "pitwall check" checks once;
# "pitwall" opens the console.

# The store's name, shown in the header.
store: Hot Rod AN

# The team's integration log. "pitwall escalate" and the hourly report append to it; nothing is ever
# rewritten. manager.md is always refused; list any other file pitwall must never write in protectedFiles.
feedbackFile: ${FEEDBACK_FILE}
protectedFiles: []

# Timing for every target that does not set its own: check every intervalSeconds, give up after
# timeoutMs, call a check degraded above degradedMs, retry a timeout, connection error or 5xx retries times.
defaults:
  intervalSeconds: 30
  timeoutMs: 10000
  degradedMs: 2000
  retries: 1

# Each target has a unique id (lowercase letters, digits, dashes), a kind, and the dashboard tiles it
# feeds. The tiles: ${tileList}.
# A tile is as healthy as the worst target feeding it.
targets:
  # Shopify Admin GraphQL API: one query per check, with one sub-check per tile (orders → Sales Pulse,
  # products → SEO Pulse, inventory → Inventory Watch, fulfillment → Fulfillment Flow) and the throttle
  # bucket as headroom. The token is the app's Admin API access token (shpat_…).
  # apiVersion defaults to Shopify's newest quarterly release; pin it to the app's, e.g. apiVersion: "2026-10".
  - id: shopify-admin
    name: Shopify Admin API
    kind: shopify
    shop: hotrodan.myshopify.com
    accessToken: "\${SHOPIFY_ADMIN_TOKEN}"
    subChecks: [orders, products, inventory, fulfillment]
    tiles: [sales-pulse, seo-pulse, inventory-watch, fulfillment-flow]
    # Webhooks really subscribed: each topic must have a subscription at appUrl (degraded if missing or
    # pointed elsewhere); with the webhooks: block below, no orders/create delivery for silentMinutes
    # while Shopify counts new orders is degraded too. scopeCheck names a missing access scope early.
    webhookCheck:
      appUrl: https://hotdash.fly.dev/webhooks/shopify
      topics: [ORDERS_CREATE, ORDERS_UPDATED, INVENTORY_LEVELS_UPDATE, FULFILLMENTS_CREATE]
      silentMinutes: 15
    scopeCheck: true
    # An expiring offline token (60 minutes, with a refresh token)? Say when it ends, and let pitwall
    # refresh it with ITS OWN app's client id and secret. Shopify keeps one expiring token per app and
    # store, so never give pitwall the dashboard app's credentials: its refresh would revoke the app's token.
    # accessTokenExpiresAt: "2026-12-05T18:00:00Z"
    # tokenRefresh:
    #   clientId: "\${PITWALL_SHOPIFY_CLIENT_ID}"
    #   clientSecret: "\${PITWALL_SHOPIFY_CLIENT_SECRET}"
    #   refreshToken: "\${PITWALL_SHOPIFY_REFRESH_TOKEN}"
    #   refreshTokenExpiresAt: "2027-03-01T00:00:00Z"

  # Chatwoot application API: the token's profile, then the open-conversation counts of the account.
  - id: chatwoot
    name: Chatwoot
    kind: chatwoot
    baseUrl: "\${CHATWOOT_BASE_URL}"
    accountId: "\${CHATWOOT_ACCOUNT_ID}"
    apiToken: "\${CHATWOOT_API_TOKEN}"
    tiles: [cx-pulse]

  # Google Analytics 4 Data API: a one-row report for today, and the property's quota as headroom.
  # credentialsFile is a service-account JSON key with Viewer on the property; delete that line to use
  # Application Default Credentials instead (gcloud auth application-default login).
  - id: ga
    name: Google Analytics 4
    kind: ga
    propertyId: "\${GA_PROPERTY_ID}"
    credentialsFile: "\${GA_CREDENTIALS_FILE}"
    # The key's private_key_id is shown on the row and in "pitwall doctor". A key made under an expiry
    # policy: say when it ends, e.g.  keyExpiresAt: "2027-01-31T00:00:00Z"
    tiles: [sales-pulse, seo-pulse]

  # Sales Pulse in sync: Shopify's order count against GA4's purchases over the same window, through the
  # two targets above (their store, token, property and credentials). GA misses some purchases (consent,
  # ad blockers), so it is degraded only when the counts differ by more than BOTH tolerances, and down
  # when GA shows no purchase while Shopify shows orders. Windows: realtime-30m (GA's realtime report,
  # purchase events of the last 30 minutes) and closed-hour (one property-local hour delayHours back,
  # for GA's processing delay; gaMetric ecommercePurchases or transactions).
  - id: sales-sync
    name: Sales in sync (Shopify vs GA4)
    kind: sales-sync
    shopify: shopify-admin
    ga: ga
    windows: [realtime-30m, closed-hour]
    tolerance: { absolute: 2, relative: 0.2 }
    delayHours: 12
    intervalSeconds: 300
    tiles: [sales-pulse]

  # The dashboard app's own health endpoint (it serves every tile). Expects HTTP 200; to also require a
  # JSON field, add e.g.  expectJson: { path: status, equals: ok }
  # Not a \${VAR} on purpose: values from variables are scrubbed from output, and the URL helps on a bad day.
  - id: app-health
    name: Hot Dash app /health
    kind: http
    url: https://hotdash.fly.dev/health
    tiles: [cx-pulse, sales-pulse, seo-pulse, inventory-watch, fulfillment-flow]

  # The team's MCP servers. A check is ping + tools/list on a warm session; every coldStartMinutes the
  # server is started afresh to time a cold start. npx may download the package on a cold start, hence
  # the long timeoutMs and degradedMs. They feed no tile: they are the team's tools, not the dashboard's.
  - id: mcp-shopify
    name: Shopify Dev MCP
    kind: mcp
    transport: stdio
    command: npx
    args: ["-y", "@shopify/dev-mcp@latest"]
    intervalSeconds: 60
    timeoutMs: 60000
    degradedMs: 10000

  # Context7 (library docs). Works without a key at a lower rate limit; with one, add
  #   env: { CONTEXT7_API_KEY: "\${CONTEXT7_API_KEY}" }
  # Hosted instead of npx: transport: http, url: https://mcp.context7.com/mcp
  - id: mcp-context7
    name: Context7 MCP
    kind: mcp
    transport: stdio
    command: npx
    args: ["-y", "@upstash/context7-mcp"]
    intervalSeconds: 60
    timeoutMs: 60000
    degradedMs: 10000

  # GitHub's hosted MCP server (Streamable HTTP), with a personal access token.
  - id: mcp-github
    name: GitHub MCP
    kind: mcp
    transport: http
    url: https://api.githubcopilot.com/mcp/
    headers:
      Authorization: "Bearer \${GITHUB_TOKEN}"
    intervalSeconds: 60
    timeoutMs: 20000

  # Supabase MCP, read-only and scoped to the one project.
  - id: mcp-supabase
    name: Supabase MCP
    kind: mcp
    transport: stdio
    command: npx
    args: ["-y", "@supabase/mcp-server-supabase@latest", "--read-only", "--project-ref=\${SUPABASE_PROJECT_REF}"]
    env:
      SUPABASE_ACCESS_TOKEN: "\${SUPABASE_ACCESS_TOKEN}"
    intervalSeconds: 60
    timeoutMs: 60000
    degradedMs: 10000

  # flyctl's built-in MCP server ("fly mcp server" speaks stdio unless given --sse or --stream).
  # Delete the env block to use your "fly auth login" session instead of a token.
  - id: mcp-fly
    name: Fly.io MCP (flyctl)
    kind: mcp
    transport: stdio
    command: fly
    args: [mcp, server]
    env:
      FLY_API_TOKEN: "\${FLY_API_TOKEN}"
    intervalSeconds: 60
    timeoutMs: 30000
    degradedMs: 10000

  # Vendors' public status pages (Atlassian Statuspage: /api/v2/summary.json). "minor" is degraded,
  # "major" or "critical" is down. They say whose fault an outage is, so they feed no tile.
  - id: shopify-status
    name: Shopify status
    kind: statuspage
    url: https://www.shopifystatus.com
    intervalSeconds: 60
  - id: github-status
    name: GitHub status
    kind: statuspage
    url: https://www.githubstatus.com
    intervalSeconds: 60
  - id: supabase-status
    name: Supabase status
    kind: statuspage
    url: https://status.supabase.com
    intervalSeconds: 60
  - id: fly-status
    name: Fly.io status
    kind: statuspage
    url: https://status.flyio.net
    intervalSeconds: 60

# Is it us or them? While the canary fails (a DNS lookup and one well-known HTTPS endpoint), or
# burst targets on different hosts fail to connect at once with none answering, pitwall says its own
# network is probably down and shows those failures as "unknown: pitwall offline", not as vendor outages.
network:
  canary:
    dns: one.one.one.one
    url: https://www.gstatic.com/generate_204
    intervalSeconds: 60
  burst: 3

# Which status page each target depends on. Defaults: Shopify targets → the Shopify page, anything
# GitHub / Supabase / Fly (by id, name, URL or command) → that vendor's page. List a target to override
# (null: no vendor), e.g.
# vendorLinks:
#   app-health: fly-status
# Credentials before they expire: a Shopify token, the GitHub token (from GitHub's answers), a GA key
# is degraded when it has under warnHours left, or ends before launchEndsAt ("pitwall doctor" lists them).
credentials:
  warnHours: 24
  # launchEndsAt: "2026-12-07T23:59:00Z"

# Optional: receive and verify Shopify / Chatwoot webhooks while watching (see the README).
# webhooks:
#   listen: 127.0.0.1:8787
#   shopify:
#     secret: "\${SHOPIFY_WEBHOOK_SECRET}"
#   chatwoot:
#     secret: "\${CHATWOOT_WEBHOOK_SECRET}"
`;

/** Every variable STARTER_YAML uses, each with a comment saying where to get it. */
const ENV_EXAMPLE = `# pitwall: the variables pitwall.yaml uses. Copy this file to .env (beside pitwall.yaml) and fill it in.
# Keep .env out of git. Values set in the environment win over .env.

# Shopify Admin API access token (shpat_…) of the store's custom app.
# Scopes: read_orders, read_products, read_inventory, read_merchant_managed_fulfillment_orders,
# read_fulfillments (FULFILLMENTS_CREATE webhooks).
SHOPIFY_ADMIN_TOKEN=

# Chatwoot: the install's base URL (Chatwoot Cloud is https://app.chatwoot.com), the account id (the
# number after /app/accounts/ in the dashboard URL), and an access token (Profile settings → Access token).
CHATWOOT_BASE_URL=
CHATWOOT_ACCOUNT_ID=
CHATWOOT_API_TOKEN=

# Google Analytics 4: the numeric property id (Admin → Property details), and the path of a service-account
# JSON key with Viewer access on that property.
GA_PROPERTY_ID=
GA_CREDENTIALS_FILE=

# GitHub personal access token for the hosted GitHub MCP server (read access to the team's repositories).
GITHUB_TOKEN=

# Supabase: the project ref (Project settings → General → Project ID) and a personal access token
# (Account → Access tokens) for the Supabase MCP server.
SUPABASE_PROJECT_REF=
SUPABASE_ACCESS_TOKEN=

# Fly.io token for "fly mcp server": fly tokens create readonly (or fly auth token).
FLY_API_TOKEN=

# Only with the optional webhooks block in pitwall.yaml:
# SHOPIFY_WEBHOOK_SECRET=
# CHATWOOT_WEBHOOK_SECRET=
# Only if you give Context7 a key:
# CONTEXT7_API_KEY=
`;

/** `pitwall init`: writes a starter pitwall.yaml and .env.example; never overwrites a config. Returns the exit code. */
export async function runInit(opts: InitOptions): Promise<number> {
  const dir = resolve(opts.dir);
  for (const name of CONFIG_NAMES) {
    const existing = join(dir, name);
    if (existsSync(existing)) {
      throw new UsageError(`${existing} already exists; pitwall init never overwrites a config (move it aside, or use --dir for another folder)`);
    }
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create ${dir}: ${(err as Error).message}`);
  }
  const configPath = join(dir, 'pitwall.yaml');
  const envPath = join(dir, '.env.example');
  const feedbackPath = join(dir, ...FEEDBACK_FILE.split('/'));
  const lines: string[] = [];

  // 'wx' fails if the file appeared since the check above: a config is never overwritten.
  writeNew(configPath, STARTER_YAML);
  lines.push(`Wrote ${configPath}: Shopify Admin, Chatwoot, GA4, Shopify-vs-GA sales sync, the app's /health, 5 MCP servers, 4 vendor status pages`);
  if (existsSync(envPath)) {
    lines.push(`Kept the existing ${envPath}; compare it with the variables pitwall.yaml uses ("pitwall doctor" lists any missing)`);
  } else {
    writeNew(envPath, ENV_EXAMPLE);
    lines.push(`Wrote ${envPath}: every variable pitwall.yaml uses, with where to get it`);
  }
  if (!existsSync(feedbackPath)) {
    mkdirSync(join(dir, 'feedback'), { recursive: true });
    writeNew(feedbackPath, '# Integrations log\n');
    lines.push(`Created ${feedbackPath}: the team's integration log (pitwall only ever appends to it)`);
  }
  lines.push(
    '',
    'Next:',
    '  1. cp .env.example .env, then fill it in (keep .env out of git)',
    '  2. pitwall doctor   checks the setup without calling any upstream',
    '  3. pitwall          opens the console',
  );
  opts.write(`${lines.join('\n')}\n`);
  return 0;
}

function writeNew(path: string, text: string): void {
  try {
    writeFileSync(path, text, { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${path} already exists; pitwall init never overwrites it`);
    throw new UsageError(`cannot write ${path}: ${(err as Error).message}`);
  }
}
