/**
 * Every shortcut, in one table: the input hook dispatches from it, the footer and the `?` overlay render it,
 * and a test checks the README's key list against it.
 */
export type CommandId =
  | 'up'
  | 'down'
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
}

/** Which command a key press means, or null. */
export function commandFor(press: KeyPress): CommandId | null {
  const name = press.upArrow
    ? 'upArrow'
    : press.downArrow
      ? 'downArrow'
      : press.return
        ? 'return'
        : press.escape
          ? 'escape'
          : press.ctrl
            ? `ctrl+${press.input}`
            : press.input;
  return KEYS.find((k) => k.keys.includes(name))?.id ?? null;
}
