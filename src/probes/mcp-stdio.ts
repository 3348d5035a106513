import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { groupAlive, ProcessTree } from '../shared/proc.js';
import { reportSpawned } from '../shared/spawned.js';

export { groupAlive, processRunning, ProcessTree } from '../shared/proc.js';

/** How the child ended. `byUs` when we had already signalled its group. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  byUs: boolean;
}

export interface ProcessTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Milliseconds between SIGTERM and SIGKILL. */
  killGraceMs: number;
}

const STDERR_LINES = 20;
/** "ZodError: …", "TypeError [ERR_X]: …", "Error: …", "Traceback …", "panic: …": a line that says why, not where. */
const ERROR_HEADLINE = /^(?:[A-Z]\w*(?:Error|Exception)\b.*?:|Error:|error:|panic:|fatal:|FATAL\b|Traceback\b)/;
const MAX_LINE = 500;
const MAX_STDOUT_BUFFER = 10 * 1024 * 1024;
/** After the child exits, how long stderr may take to drain before the session is reported closed. */
const STDERR_DRAIN_MS = 200;
const POLL_MS = 20;
/** When /proc is walked for the server's descendants after spawn (milliseconds), besides on requests. */
const BOOT_WALKS_MS = [100, 1_000, 5_000];
/** How often a request may walk /proc for new descendants of the server. */
const TREE_SNAPSHOT_MS = 1_000;
/** On a graceful stop, how long a server may take to exit by itself once its stdin closes. */
const STDIN_GRACE_MS = 500;

/**
 * The SDK's Transport over a child process that leads its own process group.
 *
 * The SDK's StdioClientTransport signals only its direct child, so helpers a server starts (npx → node,
 * uvx → python, docker CLIs) outlive it. Here the server is spawned `detached` (its own group) and every
 * stop signals the whole group. A non-JSON line on stdout, which the SDK only reports and skips, ends the
 * session: the server is not speaking the protocol.
 *
 * `spawn()` may come before the SDK is loaded (this module loads none of it): the server boots while we load
 * the client, and its stdout waits, unread, until `start()`.
 *
 * What is guaranteed (Linux): every stop pitwall runs (end of `check`, `serve` stopping, a second signal, process
 * exit) ends the group and every process seen descended from the server (ProcessTree: /proc parent links walked a
 * moment after spawn, on requests at most once a second, and at teardown), also one that left with `setsid` and was
 * re-parented; SIGTERM, then SIGKILL after the grace period, so a server ignoring EOF and SIGTERM ends too. Not
 * guaranteed: a helper started and escaped between two walks of a server that then died. When pitwall itself is
 * SIGKILLed nothing runs (Node cannot set PR_SET_PDEATHSIG on a child; the server sees only EOF on stdin): every
 * process seen is reported to shared/spawned.ts, which the spawn record (journal/spawn-record.ts) keeps on disk so
 * the next pitwall run ends what is left.
 */
export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  /** The first stdout line that was not JSON-RPC (excerpt), once there was one. */
  garbage: string | null = null;
  /** Set when the child has exited. */
  exit: ChildExit | null = null;
  /** The spawn failure (ENOENT, EACCES…), when the command could not start. */
  spawnError: NodeJS.ErrnoException | null = null;
  /**
   * The last stderr line that reads like an error's own message ("ZodError: …", "Error: …"), kept apart from the
   * tail: a crash's stack frames scroll it out of the last 20 lines, and a frame is no headline.
   */
  errorHeadline: string | null = null;
  /** The last request method sent (server/discover, initialize…): the step a failed connect was on. */
  lastMethod: string | null = null;

  private child: ChildProcess | null = null;
  private spawned: Promise<void> | null = null;
  private started = false;
  private codec: { parse: (line: string) => JSONRPCMessage; serialize: (message: JSONRPCMessage) => string } | null = null;
  private stdout: Buffer = Buffer.alloc(0);
  private readonly stderrLines: string[] = [];
  private stderrPartial = '';
  private readonly decoder = new StringDecoder('utf8');
  private signalled = false;
  /** Every process seen descended from the server (see snapshotTree). */
  private readonly tree = new ProcessTree();
  private treeAt = -Infinity;
  private readonly bootWalks: ReturnType<typeof setTimeout>[] = [];
  private closedFired = false;
  private stopping: Promise<void> | null = null;
  private readonly exited: Promise<void>;
  private markExited!: () => void;
  private readonly closed: Promise<void>;
  private markClosed!: () => void;

  constructor(private readonly opts: ProcessTransportOptions) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  /** The child's pid (= its process group id), once spawned. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /**
   * What the SDK's negotiation reads (with `pid`) to know this is a stdio transport: then a silent probe means a
   * legacy server rather than an outage. The stream itself is ours (the tail), so there is none to hand out.
   */
  get stderr(): null {
    return null;
  }

  /** The last ~20 lines the child wrote to stderr. */
  stderrTail(): string {
    const lines = this.stderrPartial ? [...this.stderrLines, this.stderrPartial] : this.stderrLines;
    return lines.slice(-STDERR_LINES).join('\n');
  }

  /** What the SDK's Client calls: spawns the child unless `spawn()` already did, then reads its stdout. */
  async start(): Promise<void> {
    if (this.started) throw new Error('ProcessTransport already started');
    this.started = true;
    await this.spawn();
    // The SDK is loaded by now (its Client calls this); its own framing and JSON-RPC validation, unchanged.
    const { deserializeMessage, serializeMessage } = await import('@modelcontextprotocol/client');
    this.codec = { parse: deserializeMessage, serialize: serializeMessage };
    this.readLines();
    if (this.closedFired || this.exit !== null) {
      // Gone before the client attached: its close would go unheard, so fail the connect instead.
      await this.closed;
      throw new Error(this.garbage !== null ? 'server wrote non-JSON-RPC to stdout' : 'server exited before initialize');
    }
  }

  /**
   * Starts the child now, before the client: the server's boot overlaps whatever the caller still has to load.
   * Idempotent; rejects with the spawn failure (ENOENT, EACCES…).
   */
  spawn(): Promise<void> {
    this.spawned ??= this.spawnChild();
    return this.spawned;
  }

  private spawnChild(): Promise<void> {
    const spawned = new Promise<void>((resolve, reject) => {
      const child = spawn(this.opts.command, this.opts.args, {
        env: this.opts.env,
        cwd: this.opts.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        shell: false,
        windowsHide: true,
      });
      this.child = child;
      child.once('spawn', () => {
        // Recorded at once (the spawn record outlives a SIGKILLed pitwall), then walked again a moment later.
        this.snapshotTree(true);
        // Walked again as the server boots: a wrapper (npx, uvx, a shell) starts its real server, and a server its
        // helpers, in the first moments; a request walks it at most once a second after that.
        for (const ms of BOOT_WALKS_MS) this.bootWalks.push(setTimeout(() => this.snapshotTree(true), ms).unref());
        resolve();
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          this.spawnError = err;
          this.markExited();
          this.fireClose();
          reject(err);
        } else {
          this.onerror?.(err);
        }
      });
      child.once('exit', (code, signal) => {
        this.exit = { code, signal, byUs: this.signalled };
        this.markExited();
        // Let the last stderr lines (the reason it died) arrive before reporting the close.
        const drained = new Promise<void>((r) => {
          if (!child.stderr || child.stderr.readableEnded) r();
          else child.stderr.once('end', r);
        });
        void within(drained, STDERR_DRAIN_MS).then(() => this.fireClose());
      });
      // Writes to a dead child fail with EPIPE; the exit (or the timeout) reports the real story.
      child.stdin?.on('error', () => {});
      child.stdout?.on('data', (chunk: Buffer) => this.onStdout(chunk));
      child.stdout?.on('error', () => {});
      child.stderr?.on('data', (chunk: Buffer) => this.onStderr(this.decoder.write(chunk)));
      child.stderr?.on('error', () => {});
    });
    // A failed early spawn is read by start() or describeFailure, not left as an unhandled rejection.
    spawned.catch(() => {});
    return spawned;
  }

  send(message: JSONRPCMessage): Promise<void> {
    this.snapshotTree();
    const stdin = this.child?.stdin;
    if (this.closedFired || !stdin || !stdin.writable || !this.codec) return Promise.resolve();
    if ('method' in message && 'id' in message) this.lastMethod = message.method;
    const line = this.codec.serialize(message);
    return new Promise<void>((resolve) => {
      stdin.write(line, () => resolve());
    });
  }

  /** What the SDK's Client calls (also after a failed initialize): stop the group now. */
  close(): Promise<void> {
    return this.stop(false);
  }

  /**
   * Ends the child's whole process group. Graceful: close stdin and give it the grace period first (the
   * MCP stdio shutdown sequence); otherwise SIGTERM at once. SIGKILL follows when anything is still running
   * after the grace period. Idempotent: every caller gets the first stop's promise.
   */
  stop(graceful: boolean): Promise<void> {
    this.stopping ??= this.runStop(graceful);
    return this.stopping;
  }

  /** Last resort for process exit: SIGKILL the group and every process of the tree, synchronously. */
  killSync(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    this.signalled = true;
    this.snapshotTree(true);
    signalGroup(pid, 'SIGKILL');
    this.tree.signal('SIGKILL');
  }

  /**
   * Remembers every process now descended from the server (Linux: /proc), so one that left the group with
   * `setsid` is still ours to end, even once the server that started it is gone and it was re-parented to init.
   * At most once a second unless `now`: a request is a moment the server may have started helpers.
   */
  private snapshotTree(now = false): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    const t = performance.now();
    if (!now && t - this.treeAt < TREE_SNAPSHOT_MS) return;
    this.treeAt = t;
    // An exited server's pid may already be someone else's: then only what we saw descend from it is walked.
    // The group too: a member whose parent died is no longer found by parent links.
    if (this.tree.add(this.exit === null ? pid : null, { groups: true })) reportSpawned(this, this.tree.entries());
  }

  private async runStop(graceful: boolean): Promise<void> {
    for (const t of this.bootWalks) clearTimeout(t);
    const child = this.child;
    const pgid = child?.pid;
    if (!child || pgid === undefined) {
      this.fireClose();
      return;
    }
    const grace = this.opts.killGraceMs;
    if (graceful && this.exit === null) {
      child.stdin?.end();
      await within(this.exited, Math.min(grace, STDIN_GRACE_MS));
    }
    this.snapshotTree(true);
    this.signalled = true;
    signalGroup(pgid, 'SIGTERM');
    this.tree.signal('SIGTERM');
    const alive = () => this.exit === null || groupAlive(pgid) || this.tree.alive();
    const deadline = performance.now() + grace;
    while (performance.now() < deadline && alive()) await delay(POLL_MS);
    if (alive()) {
      signalGroup(pgid, 'SIGKILL');
      this.tree.signal('SIGKILL');
      await within(this.exited, grace);
      // SIGKILL is delivered asynchronously: a helper outside the group may outlive the server by a moment.
      const killDeadline = performance.now() + grace;
      while (performance.now() < killDeadline && this.tree.alive()) await delay(POLL_MS);
    }
    // A grandchild that kept our pipes open would otherwise hold them (and the event loop) forever.
    child.stdin?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
    // Ended (or left running after every signal and grace period, which the record cannot help with either).
    reportSpawned(this, []);
    this.fireClose();
  }

  private onStdout(chunk: Buffer): void {
    if (this.garbage !== null) return;
    this.stdout = this.stdout.length ? Buffer.concat([this.stdout, chunk]) : chunk;
    this.readLines();
  }

  /** Hands every complete stdout line to the client, once there is one (see start). */
  private readLines(): void {
    const codec = this.codec;
    if (!codec || this.garbage !== null) {
      if (this.stdout.length > MAX_STDOUT_BUFFER) this.fail(`(more than ${MAX_STDOUT_BUFFER} bytes before initialize)`);
      return;
    }
    let nl: number;
    while ((nl = this.stdout.indexOf(0x0a)) !== -1) {
      const line = this.stdout.toString('utf8', 0, nl).replace(/\r$/, '');
      this.stdout = this.stdout.subarray(nl + 1);
      if (line.trim() === '') continue;
      let message: JSONRPCMessage;
      try {
        message = codec.parse(line);
      } catch {
        this.fail(line);
        return;
      }
      this.onmessage?.(message);
    }
    if (this.stdout.length > MAX_STDOUT_BUFFER) this.fail(`(more than ${MAX_STDOUT_BUFFER} bytes without a newline)`);
  }

  /** Not JSON-RPC on stdout: report the session closed now (so the pending request fails) and stop the group. */
  private fail(line: string): void {
    this.garbage = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
    this.stdout = Buffer.alloc(0);
    this.onerror?.(new Error(`server wrote non-JSON-RPC to stdout: ${this.garbage}`));
    this.fireClose();
    void this.stop(false);
  }

  private onStderr(text: string): void {
    const parts = (this.stderrPartial + text).split('\n');
    this.stderrPartial = clip(parts.pop() ?? '');
    for (const p of parts) {
      const line = clip(p.replace(/\r$/, ''));
      this.stderrLines.push(line);
      if (ERROR_HEADLINE.test(line.trim())) this.errorHeadline = line.trim();
    }
    if (this.stderrLines.length > STDERR_LINES) this.stderrLines.splice(0, this.stderrLines.length - STDERR_LINES);
  }

  private fireClose(): void {
    if (this.closedFired) return;
    this.closedFired = true;
    this.markClosed();
    this.onclose?.();
  }
}

function clip(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for `p`, at most `ms`. The timer is cleared as soon as `p` settles: a bare race with a sleep keeps
 * the event loop (and a one-shot `pitwall check`) alive for the whole grace period after the child is gone.
 */
export function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([p.then(noop, noop), timeout]).finally(() => clearTimeout(timer));
}

function noop(): void {}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

