/**
 * Journal compaction: the file rewritten without what is older than the retention, atomically (temp file +
 * rename, shared/fs.ts), under a lock so two processes never compact at once. Open blockers, each target's
 * latest evidence and the era each MCP target was in at the cutoff are kept whatever their age.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { replaceFileAtomic } from '../shared/fs.js';
import { lineWriter, parseLine, readChunks, recordAt } from './journal-lines.js';
import { NOT_SIMPLE, scanLine } from './line-scanner.js';
import { erasBefore, readTail, type JournalReader } from './reader.js';

const NEWLINE = 0x0a;

/** The journal's first line. */
export const headerLine = (configPath: string | null): string => JSON.stringify({ journal: 1, config: configPath });

/**
 * Rewrites the journal at `path` keeping records at or after `cutoff`. Returns false if another process holds
 * the lock; else the time of the oldest record kept (null if none). The reader's memory of the file is spent.
 */
export function compactJournal(path: string, configPath: string | null, cutoff: number, reader: JournalReader): { oldestAt: number | null } | false {
  let release: (() => void) | undefined;
  try {
    release = lockfile.lockSync(path, { lockfilePath: `${path}.lock`, realpath: false, stale: 10_000, onCompromised: () => undefined });
  } catch {
    return false;
  }
  try {
    const scanner = reader.scanner;
    // Updated on every line kept: in a typed array, not a double boxed anew each time.
    const oldest = new Float64Array([Infinity]);
    let copyFrom = 0;
    // The old file stays open: records another process appends to it while we work are copied over after the rename.
    const oldFd = openSync(path, 'r');
    try {
      replaceFileAtomic(
        path,
        (wfd) => {
          const st = fstatSync(oldFd);
          const s = reader.readAll(oldFd, st);
          const out = lineWriter(wfd);
          out.line(headerLine(configPath));
          // Old but still needed, first: blockers that are open, and each target's latest evidence.
          for (const line of s.open.values()) out.line(line);
          for (const { at, line } of s.evidence.values()) if (!(at >= cutoff)) out.line(line);
          for (const { line } of erasBefore(s.eras, cutoff).values()) out.line(line);
          // Named scan…: the journal's hot loops are what V8's --turbo-filter lets TurboFan optimize (src/cli.ts).
          const scanToKeep = (b: Buffer) => {
            for (let start = 0; start < b.length; ) {
              const k = scanLine(scanner, b, start, Infinity, true, null);
              const e = k === NOT_SIMPLE ? b.indexOf(NEWLINE, start) : scanner.end;
              let at: number | null = scanner.at;
              if (k === NOT_SIMPLE) {
                const r = start < e ? parseLine(b.toString('utf8', start, e)) : null;
                at = !r || r.kind === 'header' || r.kind === 'opened' ? null : recordAt(r);
              }
              if (at !== null && at >= cutoff) {
                out.bytes(b, start, e + 1);
                if (at < oldest[0]!) oldest[0] = at;
              }
              start = e + 1;
            }
          };
          readChunks(oldFd, 0, s.end, scanToKeep);
          copyFrom = s.end;
          const tail = readTail(oldFd, s.end, st.size);
          if (tail && parseLine(tail)) {
            out.line(tail);
            copyFrom = st.size;
          }
          out.flush();
        },
        () => {
          // Complete lines only: one being written is finished there, or torn for good.
          const end = fstatSync(oldFd).size;
          if (end <= copyFrom) return;
          const afd = openSync(path, 'a');
          try {
            const out = lineWriter(afd);
            readChunks(oldFd, copyFrom, end, (b) => out.bytes(b, 0, b.length));
            out.flush();
          } finally {
            closeSync(afd);
          }
        },
      );
    } finally {
      closeSync(oldFd);
    }
    reader.forget();
    return { oldestAt: oldest[0] === Infinity ? null : oldest[0]! };
  } finally {
    release();
  }
}
