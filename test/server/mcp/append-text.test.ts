import { describe, expect, it } from 'vitest';
import { whereAppended } from '../../../src/server/mcp/tools.js';

describe("an MCP tool's text says where an entry went, and never 'kept' unless it was", () => {
  it('written, kept in the outbox, or saved nowhere with the entry handed back', () => {
    expect(whereAppended({ written: true, path: '/srv/feedback/integrations.md', outbox: null })).toBe('written to /srv/feedback/integrations.md');
    expect(whereAppended({ written: false, path: '/f.md', outbox: { reason: 'ENOSPC (kept in /s/outbox/x.jsonl)', kept: true } })).toBe(
      'NOT written yet (ENOSPC (kept in /s/outbox/x.jsonl)); it is in the outbox and will be written',
    );
    const lost = whereAppended({ written: false, path: '/f.md', outbox: { reason: 'ENOSPC (NOT kept: …)', kept: false, entry: '## BLOCKER app — 2026-10-13T14:00:00Z (b-1)\n\n> note' } });
    expect(lost).not.toContain('in the outbox and will be written');
    expect(lost).toBe('NOT written and NOT kept (ENOSPC (NOT kept: …)); save this entry somewhere else:\n\n## BLOCKER app — 2026-10-13T14:00:00Z (b-1)\n\n> note');
  });
});
