/** File helpers more than one room needs: whole-file replacement that survives a crash. */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A temp file's name next to `path`, unique to this process: `<path>.<pid>.<hex>.tmp`. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
}

/** fsyncs a folder, so a rename in it survives a power loss. Some file systems refuse; the rename is atomic anyway. */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every file system syncs directories.
  }
}

/**
 * Replaces `path` whole, or not at all: `fill(fd)` writes a temp file (mode 0600), which is fsynced and
 * renamed over `path`; then `afterRename()` (if any) runs and the folder is fsynced. A failure before the
 * rename removes the temp file (a full disk must not stay full).
 */
export function replaceFileAtomic(path: string, fill: (fd: number) => void, afterRename?: () => void): void {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    fill(fd);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  afterRename?.();
  syncDir(dirname(path));
}

/** Writes a file whole, or not at all: temp file, fsync, rename, fsync the folder. */
export function writeFileAtomic(path: string, data: string): void {
  replaceFileAtomic(path, (fd) => {
    writeSync(fd, data);
  });
}
