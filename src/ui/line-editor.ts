/**
 * The note prompt's line editing, done by Node's own readline (its emacs bindings: ←/→, Home/End, Ctrl-A/E/B/F,
 * Ctrl-W/U/K, Backspace/Delete, by code point), fed key by key and read back through `rl.line` and `rl.cursor`
 * (https://nodejs.org/api/readline.html#rlwritedata-key: `rl.write(null, { ctrl: true, name: 'u' })`).
 *
 * Why not an Ink input component: ink-text-input 6 and @inkjs/ui 2 TextInput (both checked, Ink >= 5, Node >= 18)
 * move only by ←/→ and take Ctrl-A as the letter "a"; neither has Home/End or Ctrl-W/U, and neither lets the owner
 * insert pasted text at the cursor. readline is the well-kept line editor every Node REPL uses.
 */
import { createInterface, type Interface } from 'node:readline';
import { PassThrough, Writable } from 'node:stream';

/** A key as Ink reports it, narrowed to what editing needs. */
export interface EditKey {
  leftArrow?: boolean;
  rightArrow?: boolean;
  home?: boolean;
  end?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

export interface LineEditor {
  /** The text so far. */
  readonly line: string;
  /** Where the cursor is, as an index into `line`. */
  readonly cursor: number;
  /**
   * One key press: a motion or an edit is applied and true returned; typed text is inserted. False: not an edit
   * key (Enter, Esc, Tab, arrows up/down, other Ctrl keys), left for the caller.
   */
  press(input: string, key: EditKey): boolean;
  /** Inserts text at the cursor (typed or pasted): control characters dropped, newlines and tabs as spaces. */
  insert(text: string): void;
  close(): void;
}

/** Ctrl-letters readline edits with; the rest (Ctrl-C quits, Ctrl-D would close it) are not passed on. */
const CTRL_EDITS = new Set(['a', 'e', 'b', 'f', 'w', 'u', 'k', 'h']);

/** Strips what must never reach the note as typed: control characters; newlines and tabs become spaces. */
export function cleanTyped(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** A line editor holding `initial`, cursor at its end, at most `max` characters. */
export function createLineEditor(initial = '', max = 500): LineEditor {
  const rl: Interface = createInterface({
    input: new PassThrough(),
    // readline redraws its line on the output; the screen is Ink's, so the drawing goes nowhere.
    output: new Writable({ write: (_chunk, _enc, done) => done() }),
    terminal: true,
    historySize: 0,
    prompt: '',
  });
  const insert = (text: string) => {
    const room = max - rl.line.length;
    const clean = [...cleanTyped(text)].slice(0, Math.max(0, room)).join('');
    if (clean) rl.write(clean);
  };
  insert(initial);
  return {
    get line() {
      return rl.line;
    },
    get cursor() {
      return rl.cursor;
    },
    press(input, key) {
      const name = key.leftArrow
        ? 'left'
        : key.rightArrow
          ? 'right'
          : key.home
            ? 'home'
            : key.end
              ? 'end'
              : key.backspace || key.delete
                ? // Most terminals send DEL (0x7f) for Backspace, which Ink reports as delete: erase before the cursor.
                  'backspace'
                : null;
      if (name) {
        rl.write(null, { name, ctrl: Boolean(key.ctrl), meta: Boolean(key.meta) });
        return true;
      }
      if (key.ctrl) {
        if (!CTRL_EDITS.has(input)) return false;
        rl.write(null, { name: input, ctrl: true });
        return true;
      }
      if (key.meta || !input) return false;
      insert(input);
      return true;
    },
    insert,
    close: () => rl.close(),
  };
}
