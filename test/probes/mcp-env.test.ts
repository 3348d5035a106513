import { describe, expect, it } from 'vitest';
import { childEnvironment } from '../../src/probes/mcp.js';

describe('the environment a stdio MCP server gets', () => {
  it("keeps ours (proxies, CA certificates) but not secrets, and adds the target's own", () => {
    const env = childEnvironment(
      {
        PATH: '/usr/bin',
        HTTPS_PROXY: 'http://proxy:3128',
        NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt',
        SHOPIFY_ADMIN_TOKEN: 'shpat_x',
        AWS_SECRET_ACCESS_KEY: 'aws',
        DB_PASSWORD: 'pw',
      },
      { SUPABASE_ACCESS_TOKEN: 'sbp_own' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HTTPS_PROXY: 'http://proxy:3128',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt',
      SUPABASE_ACCESS_TOKEN: 'sbp_own',
    });
  });
});
