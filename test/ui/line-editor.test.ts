import { afterEach, describe, expect, it } from 'vitest';
import { cleanTyped, createLineEditor, type LineEditor } from '../../src/ui/line-editor.js';

let ed: LineEditor;
afterEach(() => ed.close());

const type = (s: string) => ed.press(s, {});
const at = () => `${ed.line.slice(0, ed.cursor)}|${ed.line.slice(ed.cursor)}`;

describe('note line editor (Node readline underneath)', () => {
  it('types, moves by ←/→, Home/End, and inserts where the cursor is', () => {
    ed = createLineEditor();
    type('checkout down');
    expect(at()).toBe('checkout down|');
    ed.press('', { home: true });
    expect(at()).toBe('|checkout down');
    ed.press('', { rightArrow: true });
    ed.press('', { leftArrow: true });
    type('EU ');
    expect(at()).toBe('EU |checkout down');
    ed.press('', { end: true });
    expect(at()).toBe('EU checkout down|');
  });

  it('Ctrl-A/E go to start and end, Ctrl-W deletes a word back, Ctrl-U the line back to the cursor', () => {
    ed = createLineEditor('orders stuck since dawn');
    ed.press('a', { ctrl: true });
    expect(ed.cursor).toBe(0);
    ed.press('e', { ctrl: true });
    expect(ed.cursor).toBe(23);
    ed.press('w', { ctrl: true });
    expect(at()).toBe('orders stuck since |');
    ed.press('', { leftArrow: true });
    ed.press('u', { ctrl: true });
    expect(at()).toBe('| ');
  });

  it('Backspace (DEL, which Ink calls delete) erases before the cursor, by code point', () => {
    ed = createLineEditor('ok 👍');
    ed.press('', { delete: true });
    expect(at()).toBe('ok |');
    ed.press('', { backspace: true });
    expect(at()).toBe('ok|');
  });

  it('leaves Enter, Esc, Tab, Ctrl-C and Ctrl-D to the caller, and never inserts a Ctrl letter', () => {
    ed = createLineEditor('x');
    expect(ed.press('c', { ctrl: true })).toBe(false);
    expect(ed.press('d', { ctrl: true })).toBe(false);
    expect(ed.press('', {})).toBe(false);
    expect(ed.line).toBe('x');
  });

  it('pasted or typed text: newlines and tabs become spaces, control characters and escape sequences go, length is capped', () => {
    ed = createLineEditor('', 20);
    ed.insert('line one\r\nline\ttwo\u001b[31m!\u0007');
    expect(ed.line).toBe('line one line two[31');
    expect(cleanTyped('a\u0000b\u009bc')).toBe('abc');
  });
});
