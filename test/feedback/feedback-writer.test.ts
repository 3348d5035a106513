import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFeedbackWriter, FeedbackError, type FeedbackWriterOptions } from '../../src/feedback/feedback-writer.js';
import { createRedactor } from '../../src/text/redact.js';

const HOOKS = new URL('../fixtures/ts-hooks.mjs', import.meta.url).pathname;
const CHILD = new URL('../fixtures/writer-child.mjs', import.meta.url).pathname;

let root: string;
let file: string;
let manager: string;
let outboxDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pitwall-writer-'));
  mkdirSync(join(root, 'feedback'));
  file = join(root, 'feedback', 'integrations.md');
  manager = join(root, 'feedback', 'manager.md');
  outboxDir = join(root, 'state', 'outbox');
  writeFileSync(manager, '# Manager\n\nDo not touch.\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const redactor = createRedactor(['sk_live_canary_secret']);
const writer = (extra: Partial<FeedbackWriterOptions> = {}) => createFeedbackWriter({ path: file, redactor, outboxDir, ...extra });
const refusal = (fn: () => unknown): FeedbackError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof FeedbackError) return err;
    throw err;
  }
  throw new Error('expected a FeedbackError');
};
/** Replaces the file by a directory: open() then fails with EISDIR, a real kernel error even as root. */
function breakFile(): void {
  renameSync(file, `${file}.aside`);
  mkdirSync(file);
}
function fixFile(): void {
  rmSync(file, { recursive: true });
  renameSync(`${file}.aside`, file);
}

/** Runs the child script; resolves with its stdout lines once it exits. */
function runChild(mode: string, args: object): { child: ChildProcess; lines: string[]; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', HOOKS, CHILD, mode, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let err = '';
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(err);
      resolve(code);
    }),
  );
  return { child, lines, done };
}

/** Waits for a child's progress (polling its output, not sleeping for a fixed time). */
function until(cond: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });
}

/** Splits the file back into entries: heading → the rest, checking each entry is whole. */
function parseEntries(text: string): string[] {
  const blocks = text.split(/\n\n(?=## ENTRY )/);
  const tags: string[] = [];
  for (const block of blocks) {
    if (!block.startsWith('## ENTRY ')) continue;
    const tag = /^## ENTRY (\S+)/.exec(block)![1]!;
    const lines = block.trimEnd().split('\n');
    expect(lines).toEqual([`## ENTRY ${tag}`, '', `first line of ${tag}`, `second line of ${tag} ${'x'.repeat(200)}`, `last line of ${tag}`]);
    tags.push(tag);
  }
  return tags;
}

describe('feedback writer: appending', () => {
  it('appends whole entries separated by a blank line, fixing a missing final newline first', async () => {
    writeFileSync(file, '# Integrations log\n\nkept as it was');
    const w = writer();
    expect(await w.append('## A\n\nfirst\n\n\n')).toEqual({ status: 'written', path: file });
    expect(await w.append('\n## B\nsecond')).toEqual({ status: 'written', path: file });
    await w.close();
    expect(readFileSync(file, 'utf8')).toBe('# Integrations log\n\nkept as it was\n\n## A\n\nfirst\n\n## B\nsecond\n');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('never rewrites what is there: a file edited by hand between entries keeps its text', async () => {
    writeFileSync(file, 'line one\n');
    const w = writer();
    await w.append('## A');
    writeFileSync(file, `${readFileSync(file, 'utf8')}a note typed by a person\n\n`);
    await w.append('## B');
    await w.close();
    expect(readFileSync(file, 'utf8')).toBe('line one\n\n## A\na note typed by a person\n\n## B\n');
  });
});

describe('feedback writer: refusals', () => {
  it("refuses the manager's file however it is spelled", () => {
    writeFileSync(file, '');
    const spellings = [
      manager,
      join(root, 'feedback', '..', 'feedback', 'manager.md'),
      relative(process.cwd(), manager), // ../../tmp/…/feedback/manager.md
      join(root, 'feedback', 'MANAGER.md'),
    ];
    for (const p of spellings) {
      const err = refusal(() => writer({ path: p }));
      expect(err.reason).toBe('protected');
      expect(err.message).toContain("manager.md is the manager's file");
    }
    expect(relative(process.cwd(), manager)).toMatch(/^\.\.\//);
  });

  it('refuses a symlink to it, a hard link to it, and a dangling link to where it would be', () => {
    symlinkSync('manager.md', join(root, 'feedback', 'notes.md'));
    expect(refusal(() => writer({ path: join(root, 'feedback', 'notes.md') })).message).toContain(`it resolves to ${manager}`);
    linkSync(manager, join(root, 'feedback', 'copy.md'));
    expect(refusal(() => writer({ path: join(root, 'feedback', 'copy.md') })).message).toContain("manager's file");
    mkdirSync(join(root, 'other'));
    symlinkSync('../later/manager.md', join(root, 'other', 'log.md'));
    expect(refusal(() => writer({ path: join(root, 'other', 'log.md'), create: true })).reason).toBe('protected');
    expect(existsSync(join(root, 'later'))).toBe(false);
    expect(readFileSync(manager, 'utf8')).toBe('# Manager\n\nDo not touch.\n');
  });

  it("refuses a feedback file hard-linked to a manager.md in another folder (nlink > 1), at open and at write time", async () => {
    // Given integrations.md and another folder's manager.md as two names of one file
    mkdirSync(join(root, 'team'));
    const theirs = join(root, 'team', 'manager.md');
    writeFileSync(file, '# Integrations log\n');
    linkSync(file, theirs);
    // Then the writer refuses to open it, saying why
    const err = refusal(() => writer());
    expect(err.reason).toBe('protected');
    expect(err.message).toBe(
      `refusing to write to ${file}: it is hard-linked (2 names for one file), so it could be the manager's file or another file under a second name; give the feedback file a single name (cp it, then mv the copy over it)`,
    );
    // And a link made after the writer opened is refused at the append: the entry waits, nothing is written
    rmSync(theirs);
    const w = writer({ retry: { baseMs: 1e9 } });
    linkSync(file, theirs);
    const r = await w.append('## ENTRY linked\n\nbody\n');
    expect(r).toMatchObject({ status: 'queued', error: { reason: 'protected' } });
    expect(readFileSync(theirs, 'utf8')).toBe('# Integrations log\n');
    await w.close();
  });

  it('refuses at write time a symlink re-pointed at manager.md after the writer opened', async () => {
    // Given a writer opened on a symlink to the real feedback file
    const real = join(root, 'feedback', 'real.md');
    writeFileSync(real, '');
    symlinkSync('real.md', file);
    const w = writer({ retry: { baseMs: 60_000 } });
    // When the link is re-pointed at the manager's file, then an entry is appended
    rmSync(file);
    symlinkSync('manager.md', file);
    const r = await w.append('## after the swap');
    // Then it is refused (kept in the outbox), and neither file changes
    expect(r).toMatchObject({ status: 'queued', pending: 1, error: { reason: 'protected' } });
    expect(readFileSync(manager, 'utf8')).toBe('# Manager\n\nDo not touch.\n');
    expect(readFileSync(real, 'utf8')).toBe('');
    await w.close();
  });

  it('refuses a symlink re-pointed at manager.md while the append waits for the lock', async () => {
    // Given an append that passed the path check and waits for another writer's lock
    const real = join(root, 'feedback', 'real.md');
    writeFileSync(real, '');
    symlinkSync('real.md', file);
    const release = await lockfile.lock(real, { lockfilePath: `${real}.lock`, realpath: false });
    const w = writer({ retry: { baseMs: 60_000 } });
    const pending = w.append('## raced');
    await new Promise((resolve) => setImmediate(resolve));
    // When the link is re-pointed at the manager's file before the lock is released
    rmSync(file);
    symlinkSync('manager.md', file);
    await release();
    // Then the entry lands nowhere: not in manager.md, not in the file the link used to lead to
    expect(await pending).toMatchObject({ status: 'queued', pending: 1, error: { reason: 'protected' } });
    expect(readFileSync(manager, 'utf8')).toBe('# Manager\n\nDo not touch.\n');
    expect(readFileSync(real, 'utf8')).toBe('');
    await w.close();
  });

  it('refuses a file listed in protectedFiles, spelled another way', () => {
    writeFileSync(file, '');
    const err = refusal(() => writer({ protectedFiles: [join(root, 'feedback', '.', '..', 'feedback', 'integrations.md')] }));
    expect(err.reason).toBe('protected');
    expect(err.message).toContain('it is listed in protectedFiles');
  });

  it('does not create a missing file or folder unless asked, and names the path', () => {
    const missing = join(root, 'nope', 'integrations.md');
    const err = refusal(() => writer({ path: missing }));
    expect(err.reason).toBe('missing');
    expect(err.message).toBe(`feedback file does not exist: ${missing} (pass --create-feedback to create it)`);
    expect(existsSync(join(root, 'nope'))).toBe(false);
  });

  it('with waitForFile, keeps entries for a missing file in the outbox, creates nothing, and writes them once it exists', async () => {
    // Given the user said N to creating the file
    const missing = join(root, 'later', 'integrations.md');
    const w = writer({ path: missing, waitForFile: true, retry: { baseMs: 60_000 } });
    const r = await w.append('## BLOCKER shopify-admin');
    expect(r).toMatchObject({ status: 'queued', pending: 1, error: { reason: 'missing' } });
    expect(existsSync(join(root, 'later'))).toBe(false);
    // When someone creates it
    mkdirSync(join(root, 'later'));
    writeFileSync(missing, '# Integrations\n');
    await w.flush();
    // Then the entry lands, nothing lost
    expect(w.pending()).toBe(0);
    expect(readFileSync(missing, 'utf8')).toBe('# Integrations\n\n## BLOCKER shopify-admin\n');
    await w.close();
  });

  it('hands what waits for a missing file to the writer that creates it (the console\'s "create it?" answered later)', async () => {
    const missing = join(root, 'later', 'integrations.md');
    const waiting = writer({ path: missing, waitForFile: true, retry: { baseMs: 60_000 } });
    await waiting.append('## one');
    await waiting.append('## two');
    await waiting.close();
    const created = writer({ path: missing, create: true });
    await created.flush();
    expect(created.pending()).toBe(0);
    expect(readFileSync(missing, 'utf8')).toBe('## one\n\n## two\n');
    await created.close();
  });

  it('creates file and folder with create: true', async () => {
    const fresh = join(root, 'new', 'deep', 'integrations.md');
    const w = writer({ path: fresh, create: true });
    await w.append('## first');
    await w.close();
    expect(readFileSync(fresh, 'utf8')).toBe('## first\n');
  });

  it('creates only when asked: a file moved away later is not recreated, the entry waits in the outbox', async () => {
    const fresh = join(root, 'made', 'integrations.md');
    const w = writer({ path: fresh, create: true, retry: { baseMs: 60_000 } });
    await w.append('## first');
    rmSync(fresh);
    const r = await w.append('## second');
    expect(r.status).toBe('queued');
    expect(existsSync(fresh)).toBe(false);
    expect(w.pending()).toBe(1);
    await w.close();
  });
});

describe('feedback writer: failures go to the outbox', () => {
  it('keeps entries in order on disk while the file cannot be written, and drains them when it can', async () => {
    writeFileSync(file, '');
    const sizes: number[] = [];
    let drained!: () => void;
    const empty = new Promise<void>((r) => (drained = r));
    const w = writer({
      retry: { baseMs: 20, maxMs: 40 },
      onOutboxChange: (n) => {
        sizes.push(n);
        if (n === 0) drained();
      },
    });
    await w.append('## A');

    // Given the file turned into a directory (EISDIR on open)
    breakFile();
    const b = await w.append('## B sk_live_canary_secret');
    expect(b.status).toBe('queued');
    if (b.status !== 'queued') return;
    expect(b.error.reason).toBe('io');
    expect(b.error.code).toBe('EISDIR');
    expect(b.pending).toBe(1);
    expect(await w.append('## C')).toMatchObject({ status: 'queued', pending: 2 });
    // The outbox is a JSON-lines file, in order, already redacted
    const lines = readFileSync(b.outboxPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { entry: string });
    expect(lines.map((l) => l.entry)).toEqual(['## B [redacted]\n', '## C\n']);
    expect(w.pending()).toBe(2);

    // When the file is back, the retry timer drains the outbox without being asked
    fixFile();
    await empty;
    expect(readFileSync(file, 'utf8')).toBe('## A\n\n## B [redacted]\n\n## C\n');
    expect(sizes).toEqual([1, 2, 1, 0]);
    expect(existsSync(b.outboxPath)).toBe(false);
    expect(await w.append('## D')).toEqual({ status: 'written', path: file });
    await w.close();
  });

  it('gives up on a lock held too long by another writer, then writes when it is released', async () => {
    writeFileSync(file, '');
    const release = await lockfile.lock(file, { lockfilePath: `${file}.lock`, realpath: false });
    const w = writer({ lockTimeoutMs: 150, retry: { baseMs: 60_000 } });
    const r = await w.append('## waited');
    expect(r).toMatchObject({ status: 'queued', pending: 1, error: { code: 'ELOCKED' } });
    expect(readFileSync(file, 'utf8')).toBe('');
    await release();
    // The next append writes the older entry first, without waiting for the retry timer
    expect(await w.append('## next')).toEqual({ status: 'written', path: file });
    expect(w.pending()).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('## waited\n\n## next\n');
    await w.close();
  });

  it('leaves pending entries for the next run, which writes them first', async () => {
    writeFileSync(file, '## before\n');
    const first = writer({ retry: { baseMs: 60_000 } });
    breakFile();
    await first.append('## one');
    await first.append('## two');
    await first.close();
    expect(readdirSync(outboxDir)).toHaveLength(1);
    expect(readdirSync(outboxDir)[0]).toMatch(/\.orphan\./);
    fixFile();

    // A new writer claims the orphaned outbox on start and flushes it before its own entry
    const next = writer();
    expect(await next.append('## three')).toEqual({ status: 'written', path: file });
    await next.close();
    expect(readFileSync(file, 'utf8')).toBe('## before\n\n## one\n\n## two\n\n## three\n');
    expect(readdirSync(outboxDir)).toEqual([]);
  });
});

describe('feedback writer: separate processes', () => {
  it('loses and interleaves nothing with four processes appending 60 entries each', async () => {
    writeFileSync(file, '# Integrations log\n');
    const kids = ['p1', 'p2', 'p3', 'p4'].map((name) => runChild('feedback', { path: file, outboxDir, name, count: 60 }));
    expect(await Promise.all(kids.map((k) => k.done))).toEqual([0, 0, 0, 0]);
    const tags = parseEntries(readFileSync(file, 'utf8'));
    expect(tags).toHaveLength(240);
    expect(new Set(tags).size).toBe(240);
    // Each process's entries appear in the order it appended them
    for (const name of ['p1', 'p2', 'p3', 'p4']) {
      const mine = tags.filter((t) => t.startsWith(`${name}-`));
      expect(mine).toEqual(Array.from({ length: 60 }, (_, i) => `${name}-${String(i + 1).padStart(4, '0')}`));
    }
    expect(readFileSync(file, 'utf8').startsWith('# Integrations log\n\n## ENTRY ')).toBe(true);
  });

  it('keeps every acknowledged entry whole when a writer is killed -9 mid-loop', async () => {
    writeFileSync(file, '');
    const kid = runChild('feedback', { path: file, outboxDir, name: 'k', count: 0 });
    await until(() => kid.lines.length >= 25);
    kid.child.kill('SIGKILL');
    await kid.done;
    const acked = kid.lines.filter((l) => l.startsWith('ok ')).length;

    // Every acknowledged entry is there, whole; at most one more (written, not yet acknowledged)
    const tags = parseEntries(readFileSync(file, 'utf8'));
    expect(tags.length).toBeGreaterThanOrEqual(acked);
    expect(tags.length).toBeLessThanOrEqual(acked + 1);
    expect(tags).toEqual(Array.from({ length: tags.length }, (_, i) => `k-${String(i + 1).padStart(4, '0')}`));

    // And the file takes new entries cleanly (a lock left by the dead process goes stale after 2 s)
    const w = writer({ staleMs: 2_000 });
    expect((await w.append('## after the crash')).status).toBe('written');
    await w.close();
    expect(readFileSync(file, 'utf8')).toMatch(/last line of k-\d{4}\n\n## after the crash\n$/);
  });

  it('claims the outbox of a process killed -9 with entries pending', async () => {
    // Given a child that cannot get the lock (we hold it), so every entry goes to its outbox
    writeFileSync(file, '');
    // Refreshed every second (stale/2), so the child (staleMs 2 s) never takes it for stale however slowly it starts.
    const release = await lockfile.lock(file, { lockfilePath: `${file}.lock`, realpath: false, stale: 2_000 });
    const kid = runChild('feedback', { path: file, outboxDir, name: 'q', count: 0, lockTimeoutMs: 50 });
    await until(() => kid.lines.length >= 3);
    kid.child.kill('SIGKILL');
    await kid.done;
    const queued = kid.lines.filter((l) => l.startsWith('queued ')).length;
    expect(queued).toBeGreaterThanOrEqual(3);
    expect(readdirSync(outboxDir).some((f) => f.includes(`.${kid.child.pid}.`))).toBe(true);
    await release();

    // When the next writer starts, it claims the dead process's outbox and writes it, in order
    const w = writer();
    await w.flush();
    await w.close();
    const tags = parseEntries(readFileSync(file, 'utf8'));
    expect(tags.length).toBeGreaterThanOrEqual(queued);
    expect(tags).toEqual(Array.from({ length: tags.length }, (_, i) => `q-${String(i + 1).padStart(4, '0')}`));
    expect(readdirSync(outboxDir)).toEqual([]);
  });
});
