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

  it('passes nothing else of ours: a ${VAR} value under a harmless name does not reach the server', () => {
    // Given pitwall's environment holding a value a config substituted, under a name that does not look secret
    const env = childEnvironment(
      {
        PATH: '/usr/bin',
        HOME: '/home/oncall',
        LANG: 'en_US.UTF-8',
        LC_ALL: 'C.UTF-8',
        TERM: 'xterm-256color',
        CHATWOOT_CREDENTIAL: 'cw_live_0a1b2c3d4e',
        SHOPIFY_ADMIN: 'shpat_0a1b2c3d4e',
        DATABASE_URL: 'postgres://u:pw@db/x',
        npm_config__auth: 'dXNlcjpwdw==',
        EMPTY: '',
      },
      { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_own' },
    );
    // Then the server gets the base and exactly what its target's env names
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/oncall',
      LANG: 'en_US.UTF-8',
      LC_ALL: 'C.UTF-8',
      TERM: 'xterm-256color',
      GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_own',
    });
  });
});
