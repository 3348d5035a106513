import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';
import { describe, expect, it } from 'vitest';
import { loadSdk, schemaValidator } from '../../src/probes/mcp/sdk.js';

// Every MCP client pitwall makes is given the SDK's cf-worker JSON Schema validator, not the default Ajv one
// (src/probes/mcp/sdk.ts says why); tools/list against real servers with output schemas is in mcp-eras.test.ts.
describe("the MCP clients' JSON Schema validator", () => {
  it('is the SDK cf-worker one, once the SDK is loaded', async () => {
    await loadSdk();
    expect(schemaValidator()).toBeInstanceOf(CfWorkerJsonSchemaValidator);
    expect(schemaValidator()).toBe(schemaValidator());
  });

  it('still refuses what a tool output schema refuses', async () => {
    await loadSdk();
    const check = schemaValidator().getValidator({ type: 'object', properties: { count: { type: 'integer', minimum: 0 } }, required: ['count'] });
    expect(check({ count: 3 })).toMatchObject({ valid: true });
    expect(check({ count: -1 })).toMatchObject({ valid: false });
    expect(check({})).toMatchObject({ valid: false });
  });
});
