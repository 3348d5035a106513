// The one place that parses arguments, wires things together, and exits (loaded by src/cli.ts).
// Heavy modules (Ink, React, vendor SDKs) are imported lazily so `pitwall check` starts fast.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { closestWord } from '../text/spelling.js';
import { EXIT } from '../shared/exit.js';
import { findConfig, load } from './config-file.js';
import { openConsole } from './console.js';
import { handleSignals } from './signals.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let exitCode = 0;

/** `--only a,b`: the comma-separated target ids. */
const idList = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

const program = new Command()
  .name('pitwall')
  .description("Live telemetry for a Shopify store's integrations and the team's MCP servers, for launch days.")
  .version(pkg.version, '-v, --version')
  .showSuggestionAfterError(true)
  .enablePositionalOptions()
  .exitOverride()
  // Commander's own errors read like ours, one line: "pitwall: unknown option '--jsn' (did you mean --json?)".
  .configureOutput({
    writeErr: (s) => process.stderr.write(s.startsWith('error: ') ? `pitwall: ${s.slice('error: '.length).replace(/\n\(Did you mean (.*)\)\n$/, ' (did you mean $1)\n')}` : s),
  });

program
  .command('check')
  .description('check every target once and exit 0 up · 1 degraded · 2 down · 3 config error')
  .option('-c, --config <file>', 'config file (default: the nearest pitwall.yaml, here or above, or in ~/.config/pitwall)')
  .option('--json', 'print one JSON document instead of a table')
  .option('--only <ids>', 'comma-separated target ids', idList)
  .option('--watch', 'with --json: keep checking; one JSON line per result and event (NDJSON) until Ctrl-C')
  .action(async (opts: { config?: string; json?: boolean; only?: string[]; watch?: boolean }) => {
    const config = await load(opts.config);
    if (opts.watch) {
      const { UsageError } = await import('../shared/exit.js');
      if (!opts.json) throw new UsageError('--watch needs --json (for a screen, run "pitwall watch")');
      const { runWatchJson } = await import('../commands/serve.js');
      const stop = handleSignals({ graceful: true });
      exitCode = await runWatchJson(config, {
        ...(opts.only ? { only: opts.only } : {}),
        write: (t) => void process.stdout.write(t),
        signal: stop.signal,
        onRunner: stop.onRunner,
      });
      return;
    }
    const { runCheck } = await import('../commands/check.js');
    // A check is short: a signal ends it at once (MCP children first).
    const stop = handleSignals({ graceful: false });
    exitCode = await runCheck(config, {
      json: opts.json ?? false,
      ...(opts.only ? { only: opts.only } : {}),
      write: (t) => process.stdout.write(t),
      warn: (t) => void process.stderr.write(t),
      onRunner: stop.onRunner,
    });
  });

const metricsOption = (cmd: Command) => cmd.option('--metrics <host:port>', 'serve Prometheus metrics on GET /metrics (a bare port binds 127.0.0.1)');
const consoleOptions = (cmd: Command) =>
  metricsOption(cmd.option('-c, --config <file>', 'config file (default: the nearest pitwall.yaml, here or above, or in ~/.config/pitwall; none: the built-in demo)').option('--state-dir <dir>', 'where the journal and outbox live'));

consoleOptions(program.command('watch').description('open the live console (the default command)')).action(
  async (opts: { config?: string; stateDir?: string; metrics?: string }) => void (exitCode = await openConsole(opts)),
);

metricsOption(
  program
    .command('demo')
    .description('open the console over built-in loopback services (no accounts, no tokens)')
    .option('--script', 'play a scripted two-minute launch-day story'),
).action(async (opts: { script?: boolean; metrics?: string }) => void (exitCode = await openConsole({ demo: true, ...opts })));

const feedbackOptions = (cmd: Command) =>
  cmd
    .option('-c, --config <file>', 'config file (default: the nearest pitwall.yaml, here or above, or in ~/.config/pitwall)')
    .option('--create-feedback', 'create the feedback file (and its folder) if it is missing')
    .option('--state-dir <dir>', 'where the journal and outbox live');

interface FeedbackFlags {
  config?: string;
  createFeedback?: boolean;
  stateDir?: string;
}
const commandOptions = (opts: FeedbackFlags) => ({
  ...(opts.createFeedback ? { createFeedback: true } : {}),
  ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
  write: (t: string) => void process.stdout.write(t),
  warn: (t: string) => void process.stderr.write(t),
});

feedbackOptions(
  program
    .command('escalate')
    .description('append a BLOCKER entry for a target to the feedback file (always writes)')
    .argument('<target>', 'target id')
    .argument('<note>', 'what is wrong and who is blocked')
    .option('--by <who>', 'who escalates (default: user@host)'),
).action(async (target: string, note: string, opts: FeedbackFlags & { by?: string }) => {
  const config = await load(opts.config);
  const { runEscalate } = await import('../commands/escalate.js');
  exitCode = await runEscalate(config, { ...commandOptions(opts), targetId: target, note, ...(opts.by ? { by: opts.by } : {}) });
});

feedbackOptions(
  program
    .command('resolve')
    .description('append a RESOLVED entry closing an open blocker (outage length, how long it was open, your note)')
    .argument('<blocker-id>', 'the blocker id, e.g. B-mgp3x2k0-7qzt (or a target id with one open blocker)')
    .argument('<note>', 'one line: what fixed it')
    .option('--by <who>', 'who resolves (default: user@host)'),
).action(async (id: string, note: string, opts: FeedbackFlags & { by?: string }) => {
  const config = await load(opts.config);
  const { runResolve } = await import('../commands/resolve.js');
  exitCode = await runResolve(config, { ...commandOptions(opts), blockerId: id, note, ...(opts.by ? { by: opts.by } : {}) });
});

feedbackOptions(program.command('report').description('append the hourly health report to the feedback file')).action(
  async (opts: FeedbackFlags) => {
    const config = await load(opts.config);
    const { runReport } = await import('../commands/report.js');
    exitCode = await runReport(config, commandOptions(opts));
  },
);

feedbackOptions(
  program
    .command('mcp')
    .description('serve status, history, reruns and escalation to AI agents over MCP (stdio, or Streamable HTTP with --http)')
    .option('--http <host:port>', 'serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio (PORT alone binds 127.0.0.1)'),
).action(async (opts: FeedbackFlags & { http?: string }) => {
  // Over stdio, stdout carries MCP messages only: a dependency that logs goes to stderr instead.
  if (!opts.http) console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  const config = await load(opts.config);
  const { runMcpServer } = await import('../commands/mcp-server.js');
  const stop = handleSignals({ graceful: true });
  exitCode = await runMcpServer(config, {
    transport: opts.http ? { http: opts.http } : 'stdio',
    signal: stop.signal,
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.createFeedback ? { createFeedback: true } : {}),
    onRunner: stop.onRunner,
  });
});

program
  .command('serve')
  .description('run the checks without a screen (server, container): Prometheus /metrics and/or JSON lines, until SIGINT/SIGTERM')
  .option('-c, --config <file>', 'config file (default: the nearest pitwall.yaml, here or above, or in ~/.config/pitwall)')
  .option('--metrics <host:port>', 'serve Prometheus metrics on GET /metrics (a bare port binds 127.0.0.1)')
  .option('--ndjson', 'one JSON line per probe result and per event on stdout')
  .option('--only <ids>', 'comma-separated target ids', idList)
  .action(async (opts: { config?: string; metrics?: string; ndjson?: boolean; only?: string[] }) => {
    const config = await load(opts.config);
    const { runServe } = await import('../commands/serve.js');
    const stop = handleSignals({ graceful: true });
    exitCode = await runServe(config, {
      ...(opts.metrics !== undefined ? { metrics: opts.metrics } : {}),
      ndjson: opts.ndjson ?? false,
      ...(opts.only ? { only: opts.only } : {}),
      write: (t) => void process.stdout.write(t),
      signal: stop.signal,
      onRunner: stop.onRunner,
    });
  });

program
  .command('init')
  .description('write a starter pitwall.yaml, .env.example and feedback/integrations.md (never overwrites a config)')
  .option('--dir <dir>', 'folder to write into (default: here)')
  .action(async (opts: { dir?: string }) => {
    const { runInit } = await import('../commands/init.js');
    exitCode = await runInit({ dir: opts.dir ?? process.cwd(), write: (t) => void process.stdout.write(t) });
  });

program
  .command('doctor')
  .description('check the setup without calling any upstream (exit 0 ok · 3 something to fix)')
  .option('-c, --config <file>', 'config file (default: the nearest pitwall.yaml, here or above, or in ~/.config/pitwall)')
  .option('--state-dir <dir>', 'where the journal and outbox live')
  .action(async (opts: { config?: string; stateDir?: string }) => {
    const { runDoctor } = await import('../commands/doctor.js');
    exitCode = await runDoctor({
      configPath: findConfig(opts.config), // not load(): doctor reports config problems itself
      env: process.env,
      ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
      write: (t) => void process.stdout.write(t),
      stdout: process.stdout,
    });
  });

const webhooks = program.command('webhooks').description('webhook tools: load and signature-enforcement tests');
webhooks
  .command('test')
  .description('send signed deliveries to an app endpoint, then forgeries it must reject (exit 0 pass · 2 fail · 3 usage)')
  .requiredOption('--to <url>', 'endpoint URL to POST to')
  .requiredOption('--kind <kind>', 'shopify or chatwoot')
  .requiredOption('--secret <secret>', 'signing secret, or env:VARNAME (keeps it out of shell history)')
  .option('--count <n>', 'deliveries (default 100)')
  .option('--concurrency <n>', 'in flight at once (default 10)')
  .option('--topic <topic>', 'shopify: orders/create | inventory_levels/update; chatwoot: message_created | conversation_status_changed')
  .option('--record', 'append the result to the feedback file')
  .option('-c, --config <file>', 'config file (for --record; default: the nearest pitwall.yaml)')
  .option('--create-feedback', 'with --record: create the feedback file if it is missing')
  .action(
    async (o: { to: string; kind: string; secret: string; count?: string; concurrency?: string; topic?: string; record?: boolean; config?: string; createFeedback?: boolean }) => {
      const { runWebhooksTest } = await import('../commands/webhooks-test.js');
      let appendEntry: ((md: string) => Promise<void>) | undefined;
      let done = async () => {};
      if (o.record) {
        const config = await load(o.config);
        const { openFeedbackContext } = await import('../commands/escalate.js');
        const { writer, journal } = openFeedbackContext(config, { ...commandOptions(o) });
        appendEntry = async (md) => {
          const r = await writer.append(md);
          if (r.status === 'queued' && r.kept) process.stderr.write(`pitwall: the result is kept in the outbox (${r.error.message}); the next pitwall run writes it\n`);
          else if (r.status === 'queued') process.stderr.write(`pitwall: the result is NOT saved anywhere (${r.error.message}; the outbox could not keep it either); here it is to paste:\n${r.entry}`);
        };
        done = async () => {
          journal.close();
          await writer.close();
        };
      }
      try {
        exitCode = await runWebhooksTest({
          to: o.to,
          kind: o.kind,
          secret: o.secret,
          ...(o.count !== undefined ? { count: o.count } : {}),
          ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
          ...(o.topic !== undefined ? { topic: o.topic } : {}),
          record: o.record ?? false,
          ...(appendEntry ? { appendEntry } : {}),
          write: (t) => void process.stdout.write(t),
          stderr: process.stderr,
        });
      } finally {
        await done();
      }
    },
  );

consoleOptions(program);
// Set after the subcommands (which copy it when created): a word that is no command reaches the action below, which
// names it, instead of commander's "too many arguments".
program.allowExcessArguments(true);
program.action(async (opts: { config?: string; stateDir?: string; metrics?: string }) => {
  const word = program.args[0];
  if (word !== undefined) {
    const near = closestWord(word, program.commands.map((c) => c.name()));
    throw new CommanderError(3, 'pitwall.unknownCommand', `pitwall: unknown command "${word}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  exitCode = await openConsole(opts);
});


async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      if (err.code === 'pitwall.unknownCommand') process.stderr.write(`${err.message}; see "pitwall --help"\n`);
      return 3;
    }
    const name = (err as Error)?.name;
    if (name === 'ConfigError' || name === 'UsageError') {
      process.stderr.write(`pitwall: ${(err as Error).message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`pitwall: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.software;
  }
}

process.exitCode = await main();
