// A full disk, deterministically: the feedback file's writes and the outbox's writes fail the way ENOSPC makes them
// fail (a short write, then the error; an fsync error), through the injection points append.ts and outbox.ts take.
import * as nodeFs from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendLocked, type AppendHandle } from '../../src/feedback/append.js';
import { createFeedbackWriter, type FeedbackWriterOptions } from '../../src/feedback/feedback-writer.js';
import { Outbox, type OutboxFs } from '../../src/feedback/outbox.js';
import { createRedactor } from '../../src/text/redact.js';

let root: string;
let file: string;
let outboxDir: string;
const BEFORE = '# Integrations log\n\n## BLOCKER one\n\n> first\n';
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitwall-fulldisk-'));
  mkdirSync(join(root, 'feedback'));
  file = join(root, 'feedback', 'integrations.md');
  outboxDir = join(root, 'state', 'outbox');
  writeFileSync(file, BEFORE);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const enospc = (syscall: string) => Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
const eio = (syscall: string) => Object.assign(new Error(`EIO: i/o error, ${syscall}`), { code: 'EIO', errno: -5, syscall });

/**
 * Opens the real file, but its writes take at most `room` bytes in all (really written, as a nearly full disk
 * does) and then throw ENOSPC; `failSync` makes the first fsync throw EIO after the data went in whole.
 */
function fullDisk(opts: { room: number; failSync?: boolean }) {
  return async (path: string, flags: number, mode: number): Promise<AppendHandle> => {
    const fh = await open(path, flags, mode);
    let room = opts.room;
    let syncFails = opts.failSync ?? false;
    return {
      stat: () => fh.stat(),
      read: (b, o, l, p) => fh.read(b, o, l, p),
      async write(buffer, offset, length) {
        if (room <= 0) throw enospc('write');
        const n = Math.min(room, length);
        room -= n;
        return fh.write(buffer, offset, n);
      },
      async sync() {
        if (syncFails) {
          syncFails = false;
          throw eio('fsync');
        }
        return fh.sync();
      },
      truncate: (l) => fh.truncate(l),
      close: () => fh.close(),
    };
  };
}

const appendOpts = { protectedFiles: [], lockTimeoutMs: 1000, staleMs: 5000 };
const entry = '## BLOCKER two\n\n> the note of the second blocker, long enough to be cut in the middle\n';

describe('append on a full disk: all or nothing', () => {
  it('a short write then ENOSPC leaves the file exactly as it was', async () => {
    await expect(appendLocked(file, entry, false, { ...appendOpts, openFile: fullDisk({ room: 20 }) })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readFileSync(file, 'utf8')).toBe(BEFORE);
  });

  it('an fsync that fails after a whole write leaves the file exactly as it was', async () => {
    await expect(appendLocked(file, entry, false, { ...appendOpts, openFile: fullDisk({ room: 1e6, failSync: true }) })).rejects.toMatchObject({ code: 'EIO' });
    expect(readFileSync(file, 'utf8')).toBe(BEFORE);
  });

  it('the writer keeps the entry in the outbox, and the replay writes exactly one heading', async () => {
    // Given a disk with room for 30 bytes of the entry
    let room = 30;
    const openFile: FeedbackWriterOptions['io'] = {
      openFile: async (p, f, m) => fullDisk({ room })(p, f, m),
    };
    const w = createFeedbackWriter({ path: file, redactor: createRedactor(), outboxDir, io: openFile, retry: { baseMs: 1e9 } });
    // When the append fails part-way
    const r = await w.append(entry);
    expect(r).toMatchObject({ status: 'queued', kept: true });
    expect(readFileSync(file, 'utf8')).toBe(BEFORE);
    const outbox = readdirSync(outboxDir);
    expect(outbox.filter((n) => n.endsWith('.jsonl'))).toHaveLength(1);
    expect(outbox.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // Then once there is room, the replay writes it once
    room = 1e6;
    await w.flush();
    expect(w.pending()).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`${BEFORE}\n${entry}`);
    expect(text.match(/^## BLOCKER two/gm)).toHaveLength(1);
    await w.close();
  });
});

/** The outbox's file calls, with writes that take `room` bytes then throw ENOSPC, or an fsync that throws. */
function outboxFs(opts: { room?: number; failFsync?: 'file' | 'folder' }): OutboxFs {
  let room = opts.room ?? Infinity;
  const dirFds = new Set<number>();
  return {
    ...nodeFs,
    openSync: ((p: string, flags: string, mode?: number) => {
      const fd = nodeFs.openSync(p, flags, mode);
      if (flags === 'r') dirFds.add(fd);
      return fd;
    }) as OutboxFs['openSync'],
    writeSync: ((fd: number, buf: Buffer, off: number, len: number) => {
      if (room <= 0) throw enospc('write');
      const n = Math.min(room, len);
      room -= n;
      return nodeFs.writeSync(fd, buf, off, n);
    }) as OutboxFs['writeSync'],
    fsyncSync: (fd: number) => {
      if (opts.failFsync === 'folder' && dirFds.has(fd)) throw eio('fsync');
      if (opts.failFsync === 'file' && !dirFds.has(fd)) throw enospc('fsync');
      nodeFs.fsyncSync(fd);
    },
  };
}

describe('the outbox on a full disk: "kept" only once fsynced', () => {
  const item = { at: 1, entry };
  for (const [name, fs] of [
    ['a short write then ENOSPC', () => outboxFs({ room: 10 })],
    ['a file fsync that fails', () => outboxFs({ failFsync: 'file' })],
    ['a folder fsync that fails', () => outboxFs({ failFsync: 'folder' })],
  ] as const) {
    it(`save throws on ${name}, and leaves no temp file`, () => {
      const box = new Outbox(outboxDir, '0123456789abcdef', fs());
      expect(() => box.save([item])).toThrow(/ENOSPC|EIO/);
      expect(readdirSync(outboxDir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('an append whose outbox cannot be saved says it was not kept, and hands back the (redacted) entry', async () => {
    const w = createFeedbackWriter({
      path: file,
      redactor: createRedactor(['sk_live_canary_secret']),
      outboxDir,
      io: { openFile: fullDisk({ room: 5 }), outboxFs: outboxFs({ room: 7 }) },
      retry: { baseMs: 1e9 },
    });
    const r = await w.append(`${entry}token sk_live_canary_secret\n`);
    expect(r.status).toBe('queued');
    if (r.status !== 'queued') return;
    expect(r.kept).toBe(false);
    expect(r.entry).toBe(`${entry}token [redacted]\n`);
    expect(readFileSync(file, 'utf8')).toBe(BEFORE);
    expect(readdirSync(outboxDir)).toEqual([]);
    // Closing hands the entry back once more: the console prints it on quit, the last place it exists
    expect(await w.close()).toEqual({ unsaved: [`${entry}token [redacted]\n`] });
  });
});
