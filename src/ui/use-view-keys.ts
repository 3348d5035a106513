import type { Key } from 'ink';
import { commandFor } from './keys.js';
import type { ConsoleUiState, UiAction } from './use-console-state.js';
import { selectedIndex, type NavAction } from './use-nav-state.js';

/** How far each pane can scroll, as last drawn (the views report it: only they know their wrapped lines). */
export interface ScrollLimits {
  log: number;
  detail: number;
}

/** What the find, filter and scroll keys need: the shown ids, page sizes, the scroll limits, and the clipboard copy. */
export interface NavKeysContext {
  ui: ConsoleUiState;
  ids: readonly string[];
  dispatch: (a: UiAction) => void;
  /** Lines a page moves in the list, the event log and the detail view. */
  pages: { list: number; log: number; detail: number };
  limits: ScrollLimits;
  /** Copies the selected target's error and evidence (OSC 52); the keys hook flashes what it says. */
  copy: () => string;
}

/**
 * Find, filter, scroll: the filter prompt, selection moves, pane focus, scrolling and copy. Returns true when the
 * key was one of these (the console's other keys are not looked at then). While the filter is typed, every key
 * is text: "/http-15" never writes a report.
 */
export function handleNavKey(input: string, key: Key, c: NavKeysContext): boolean {
  const { ui } = c;
  const nav = (action: NavAction) => c.dispatch({ type: 'nav', action });
  if (ui.modal) return false;
  if (ui.nav.filterEditing) {
    if (key.escape) nav({ type: 'filter-clear' });
    else if (key.return) nav({ type: 'filter-done' });
    else if (key.backspace || key.delete || input === '\u007f' || input === '\b') nav({ type: 'filter-erase' });
    else if (key.ctrl && input === 'u') {
      nav({ type: 'filter-clear' });
      nav({ type: 'filter-edit' });
    }
    else if (key.upArrow || key.downArrow) return move(c, key.upArrow ? -1 : 1);
    else if (input && !key.ctrl && !key.meta && !key.tab) nav({ type: 'filter-type', text: input });
    return true;
  }
  const cmd = commandFor({ input, upArrow: key.upArrow, downArrow: key.downArrow, return: key.return, escape: key.escape, ctrl: key.ctrl, pageUp: key.pageUp, pageDown: key.pageDown, home: key.home, end: key.end, tab: key.tab });
  const pane = ui.view === 'detail' ? 'detail' : ui.view === 'list' && ui.nav.focus === 'log' ? 'log' : ui.view === 'list' ? 'list' : null;
  if (pane === null) return false;
  const scroll = (p: 'log' | 'detail', by: number | 'top' | 'end') => {
    const now = p === 'log' ? ui.nav.logScroll : ui.nav.detailScroll;
    const max = c.limits[p];
    const to = by === 'top' ? 0 : by === 'end' ? max : Math.min(max, Math.max(0, Math.min(now, max) + by));
    nav({ type: 'scroll', pane: p, to });
    return true;
  };
  switch (cmd) {
    case 'filter':
      if (ui.view !== 'list') return false;
      nav({ type: 'filter-edit' });
      return true;
    case 'notUp':
    case 'failingFirst':
      if (ui.view !== 'list') return false;
      nav({ type: 'toggle', key: cmd });
      return true;
    case 'focus':
      if (ui.view !== 'list') return false;
      nav({ type: 'focus', focus: ui.nav.focus === 'list' ? 'log' : 'list' });
      return true;
    case 'back':
      // Esc: the log hands focus back, then the filter clears; then the console's own Esc (close, back).
      if (pane === 'log') return nav({ type: 'focus', focus: 'list' }), true;
      if (pane === 'list' && ui.nav.filter) return nav({ type: 'filter-clear' }), true;
      return false;
    case 'copy': {
      const text = c.copy();
      c.dispatch({ type: 'flash', flash: { text, level: 'info' } });
      return true;
    }
    case 'up':
    case 'down':
    case 'pageUp':
    case 'pageDown': {
      const dir = cmd === 'up' || cmd === 'pageUp' ? -1 : 1;
      const paged = cmd === 'pageUp' || cmd === 'pageDown';
      // The log reads newest first: down goes back in time (further from the newest line).
      if (pane === 'log') return scroll('log', dir * (paged ? c.pages.log : 1));
      if (pane === 'detail') return scroll('detail', dir * (paged ? c.pages.detail : 1));
      return move(c, dir * (paged ? c.pages.list : 1));
    }
    case 'top':
    case 'bottom':
      if (pane === 'list') return move(c, cmd === 'top' ? -Infinity : Infinity);
      return scroll(pane, cmd === 'top' ? 'top' : 'end');
    default:
      return false;
  }
}

/** Moves the selection by `delta` rows (clamped to the shown ones), remembering the target by id. */
function move(c: NavKeysContext, delta: number): true {
  if (!c.ids.length) return true;
  const from = selectedIndex(c.ui.nav, c.ui.selected, c.ids);
  const to = Math.min(c.ids.length - 1, Math.max(0, from + delta));
  c.dispatch({ type: 'move', delta: to - c.ui.selected, count: c.ids.length });
  c.dispatch({ type: 'nav', action: { type: 'select', id: c.ids[to]! } });
  return true;
}
