import { Agent, type Dispatcher } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { warmHttp } from '../../src/probes/http-client.js';

const agent = new Agent();
afterAll(() => agent.close());

describe('warming the HTTP client before the first round', () => {
  it('makes a few exchanges with a loopback server of its own, each on a connection it closes', async () => {
    const seen: { origin: string; reset: boolean | undefined }[] = [];
    const counting = agent.compose((dispatch) => (opts: Dispatcher.DispatchOptions, handler) => {
      seen.push({ origin: String(opts.origin), reset: opts.reset });
      return dispatch(opts, handler);
    });
    await warmHttp(counting);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => /^http:\/\/127\.0\.0\.1:\d+$/.test(s.origin) && s.reset === true)).toBe(true);
  });

  it('never throws, even through a closed dispatcher', async () => {
    const closed = new Agent();
    await closed.close();
    await expect(warmHttp(closed)).resolves.toBeUndefined();
  });
});
