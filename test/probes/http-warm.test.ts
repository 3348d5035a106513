import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttpAgents, warmHttp } from '../../src/probes/http-client.js';

describe('warming the HTTP client before the first round', () => {
  it('makes a few exchanges with a loopback server of its own, each on a connection it closes', async () => {
    // Given the agents the probes will use, with every connection they open recorded
    const agents = createHttpAgents();
    const opened: string[] = [];
    let freed = 0;
    const create = agents.http.createConnection.bind(agents.http);
    agents.http.createConnection = (options, cb) => {
      opened.push(`${options.host}:${options.port}`);
      return create(options, cb) as Socket;
    };
    agents.http.on('free', () => freed++);

    // When the client is warmed
    await warmHttp(agents);

    // Then three exchanges went to 127.0.0.1, each on a new connection that was closed, none pooled
    expect(opened).toHaveLength(3);
    expect(opened.every((o) => /^127\.0\.0\.1:\d+$/.test(o))).toBe(true);
    expect(freed).toBe(0);
    expect(Object.keys(agents.http.freeSockets)).toEqual([]);
    agents.close();
  });

  it('never throws, even when its exchanges cannot connect', async () => {
    const agents = createHttpAgents();
    agents.http.createConnection = () => {
      throw Object.assign(new Error('no sockets today'), { code: 'EMFILE' });
    };
    await expect(warmHttp(agents)).resolves.toBeUndefined();
    agents.close();
  });
});
