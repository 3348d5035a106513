/**
 * The feedback writer's outbox: entries that could not be written yet, as JSON lines in a file of their own
 * (one per writer, replaced whole and fsynced on every change), and the outboxes other writers left behind.
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempPathFor } from '../shared/fs.js';
import { errnoOf, pidAlive } from '../shared/process.js';
import { makeDirs } from '../journal/state-dir.js';

/** The file calls saving an outbox makes (tests hand in ones that fail as a full disk does). */
export type OutboxFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'rmSync' | 'mkdirSync'>;

/** One entry waiting to be written. */
export interface OutboxItem {
  at: number;
  entry: string;
  /** Came from disk (another run): it may already be on the file if that run died between the two writes. */
  claimed?: boolean;
}

/** A writer's outbox file: `<dir>/<key>.<pid>.<random>.jsonl`; `key` names the feedback file it belongs to. */
export class Outbox {
  readonly dir: string;
  readonly key: string;
  readonly path: string;
  private readonly ownName: string;
  private readonly fs: OutboxFs;

  constructor(dir: string, key: string, fs: OutboxFs = nodeFs) {
    this.fs = fs;
    this.dir = dir;
    this.key = key;
    this.ownName = `${key}.${process.pid}.${randomBytes(4).toString('hex')}`;
    this.path = join(dir, `${this.ownName}.jsonl`);
  }

  /**
   * Writes the queue whole (or removes the file when it is empty). Returns only once the file and its folder are
   * fsynced: only then is an entry kept. Throws otherwise (a full disk, an unwritable folder), leaving no temp file.
   */
  save(queue: readonly OutboxItem[]): void {
    if (queue.length === 0) {
      try {
        unlinkSync(this.path);
      } catch {
        // Already gone.
      }
      return;
    }
    const { fs } = this;
    makeDirs(this.dir, (p) => fs.mkdirSync(p));
    const data = Buffer.from(queue.map(({ at, entry }) => `${JSON.stringify({ at, entry })}\n`).join(''));
    const tmp = tempPathFor(this.path);
    const fd = fs.openSync(tmp, 'w', 0o600);
    let renamed = false;
    try {
      try {
        // A nearly full disk takes part of a write and refuses the rest: loop, and let the refusal throw.
        for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.path);
      renamed = true;
      syncFolder(fs, this.dir);
    } catch (err) {
      if (!renamed) fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Takes over outboxes of the same feedback file left by writers that closed with entries pending, or whose
   * process is gone; returns their entries, oldest first, and the claim files to remove once they are saved.
   */
  claimOrphans(): { items: OutboxItem[]; files: string[] } {
    const { dir, key } = this;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return { items: [], files: [] };
    }
    const mine = `${this.ownName}.jsonl`;
    const items: OutboxItem[] = [];
    const files: string[] = [];
    for (const name of names.sort()) {
      // A temp file left by a process killed while saving its outbox: the outbox itself is intact.
      const tmp = /^([0-9a-f]{16})\..*\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
      if (tmp) {
        if (tmp[1] === key && !pidAlive(Number(tmp[2]))) {
          try {
            unlinkSync(join(dir, name));
          } catch {
            // Someone else cleaned it up.
          }
        }
        continue;
      }
      const m = /^([0-9a-f]{16})\.(orphan|\d+)\.([0-9a-f]+)\.(jsonl|claim)$/.exec(name);
      if (!m || m[1] !== key || name === mine) continue;
      if (m[2] !== 'orphan' && pidAlive(Number(m[2]))) continue;
      const claimPath = join(dir, `${key}.${process.pid}.${randomBytes(4).toString('hex')}.claim`);
      try {
        renameSync(join(dir, name), claimPath); // atomic: only one process wins a given file
      } catch {
        continue;
      }
      items.push(...readOutbox(claimPath));
      files.push(claimPath);
    }
    // Older entries first; sort is stable, so each file keeps its own order.
    items.sort((a, b) => a.at - b.at);
    return { items, files };
  }

  /** Leaves the queue for whichever pitwall runs next (it claims orphans on start). */
  leave(queue: readonly OutboxItem[]): void {
    this.save(queue);
    renameSync(this.path, join(this.dir, `${this.key}.orphan.${randomBytes(4).toString('hex')}.jsonl`));
  }
}

function readOutbox(file: string): OutboxItem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const items: OutboxItem[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as Partial<OutboxItem>;
      if (typeof v.entry === 'string') items.push({ at: typeof v.at === 'number' ? v.at : 0, entry: v.entry, claimed: true });
    } catch {
      // A torn line cannot be an entry we promised: it was never fsynced as part of a whole file.
    }
  }
  return items;
}

/** fsyncs a folder so the rename in it is on disk. A file system that cannot sync folders (EINVAL) has nothing to do. */
function syncFolder(fs: OutboxFs, dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    const code = errnoOf(err);
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EBADF') throw err;
  } finally {
    fs.closeSync(fd);
  }
}
