/**
 * Every shortcut, in one table: the input hook dispatches from it, the footer and the `?` overlay render it,
 * and a test checks the README's key list against it.
 */
export type CommandId =
  | 'up'
  | 'down'
  // Find, filter, scroll (issue 19: cview)
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'filter'
  | 'notUp'
  | 'failingFirst'
  | 'focus'
  | 'copy'
  | 'details'
  | 'back'
  | 'rerun'
  | 'rerunAll'
  | 'escalate'
  | 'resolve'
  | 'report'
  | 'ack'
  | 'pause'
  | 'mute'
  | 'fault'
  | 'help'
  | 'quit';

export interface KeyBinding {
  id: CommandId;
  /** Key names as useInput reports them: a character, or 'upArrow', 'return', 'escape', 'ctrl+c'. */
  keys: readonly string[];
  /** How the key is written for people. */
  label: string;
  description: string;
  group: 'Move' | 'Act' | 'Console';
  /** Shown in the one-line footer. */
  footer?: string;
}

export const KEYS: readonly KeyBinding[] = [
  { id: 'up', keys: ['upArrow', 'k'], label: '↑/k', description: 'select the previous target', group: 'Move' },
  { id: 'down', keys: ['downArrow', 'j'], label: '↓/j', description: 'select the next target', group: 'Move', footer: '↑↓ select' },
  // Find, filter, scroll (issue 19: cview)
  { id: 'pageUp', keys: ['pageUp'], label: 'PgUp', description: 'a page up (targets, log or details)', group: 'Move' },
  { id: 'pageDown', keys: ['pageDown'], label: 'PgDn', description: 'a page down (targets, log or details)', group: 'Move' },
  { id: 'top', keys: ['g', 'home'], label: 'g/Home', description: 'first target (or top of the log or details)', group: 'Move' },
  { id: 'bottom', keys: ['G', 'end'], label: 'G/End', description: 'last target (or end of the log or details)', group: 'Move' },
  { id: 'filter', keys: ['/'], label: '/', description: 'filter by id, name, kind, status, tile (Esc clears)', group: 'Move', footer: '/ filter' },
  { id: 'notUp', keys: ['u'], label: 'u', description: 'show only targets that are not up / all', group: 'Move' },
  { id: 'failingFirst', keys: ['s'], label: 's', description: 'sort failing targets first / config order', group: 'Move' },
  { id: 'focus', keys: ['tab'], label: 'Tab', description: 'focus the targets or the event log (then ↑↓ scroll it)', group: 'Move' },
  { id: 'copy', keys: ['c'], label: 'c', description: "copy the selected target's error and evidence (OSC 52)", group: 'Act' },
  { id: 'details', keys: ['return'], label: 'Enter', description: 'open details of the selected target', group: 'Move', footer: '⏎ details' },
  { id: 'back', keys: ['escape'], label: 'Esc', description: 'back / close', group: 'Move' },
  { id: 'rerun', keys: ['r'], label: 'r', description: 'rerun the selected target now', group: 'Act', footer: 'r rerun' },
  { id: 'rerunAll', keys: ['R'], label: 'R', description: 'rerun all targets now', group: 'Act', footer: 'R all' },
  { id: 'escalate', keys: ['e'], label: 'e', description: 'escalate the selected target: type a note, Enter writes it', group: 'Act', footer: 'e escalate' },
  { id: 'resolve', keys: ['x'], label: 'x', description: "resolve the selected target's open blocker", group: 'Act', footer: 'x resolve' },
  { id: 'report', keys: ['h'], label: 'h', description: 'preview the hourly report (Enter appends it, Esc cancels)', group: 'Act', footer: 'h report' },
  { id: 'ack', keys: ['a'], label: 'a', description: "ack the selected target: silence its bell (again: un-ack)", group: 'Act', footer: 'a ack' },
  { id: 'pause', keys: ['p'], label: 'p', description: 'pause / resume polling', group: 'Console', footer: 'p pause' },
  { id: 'mute', keys: ['m'], label: 'm', description: 'mute / unmute the bell', group: 'Console', footer: 'm mute' },
  { id: 'fault', keys: ['f'], label: 'f', description: "demo only: cycle the target's fault (slow, throttled, down)", group: 'Console' },
  { id: 'help', keys: ['?'], label: '?', description: 'help: all keys', group: 'Console', footer: '? help' },
  { id: 'quit', keys: ['q', 'ctrl+c'], label: 'q / Ctrl-C', description: 'quit (probes stopped, writes flushed)', group: 'Console', footer: 'q quit' },
];

/** The input hook's view of a key press. */
export interface KeyPress {
  input: string;
  upArrow?: boolean;
  downArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  // Find, filter, scroll (issue 19: cview)
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  tab?: boolean;
}

/** Which command a key press means, or null. */
export function commandFor(press: KeyPress): CommandId | null {
  // Find, filter, scroll (issue 19: cview): the paging keys, named as useInput reports them.
  const paging = press.pageUp ? 'pageUp' : press.pageDown ? 'pageDown' : press.home ? 'home' : press.end ? 'end' : press.tab && !press.ctrl ? 'tab' : null;
  const name = paging ?? (press.upArrow
    ? 'upArrow'
    : press.downArrow
      ? 'downArrow'
      : press.return
        ? 'return'
        : press.escape
          ? 'escape'
          : press.ctrl
            ? `ctrl+${press.input}`
            : press.input);
  return KEYS.find((k) => k.keys.includes(name))?.id ?? null;
}
