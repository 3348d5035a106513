/** The console's own UI state, as a pure reducer you can test without Ink. */
import { initialNav, reduceNav, type NavAction, type NavState } from './use-nav-state.js';

export type View = 'list' | 'detail' | 'help';

export type Modal =
  | { type: 'escalate'; targetId: string; text: string }
  | { type: 'confirm'; question: string; onYes: ConfirmAction };

/** What a confirmation leads to; the keys hook carries it out. */
export type ConfirmAction =
  | { type: 'escalate-again'; targetId: string; prefill: string }
  | { type: 'create-feedback' }
  | { type: 'resolve'; blockerId: string }
  | { type: 'report' };

export interface Flash {
  text: string;
  level: 'info' | 'warn' | 'error';
}

export interface ConsoleUiState {
  view: View;
  /** Index into the store's target order. */
  selected: number;
  modal: Modal | null;
  muted: boolean;
  flash: Flash | null;
  // Find, filter, scroll (issue 19: cview): use-nav-state.ts
  nav: NavState;
}

export type UiAction =
  | { type: 'move'; delta: number; count: number }
  | { type: 'view'; view: View }
  | { type: 'back' }
  | { type: 'prompt'; targetId: string; text: string }
  | { type: 'type'; text: string }
  | { type: 'erase' }
  | { type: 'confirm'; question: string; onYes: ConfirmAction }
  | { type: 'close-modal' }
  | { type: 'mute'; muted: boolean }
  | { type: 'flash'; flash: Flash | null }
  // Find, filter, scroll (issue 19: cview)
  | { type: 'nav'; action: NavAction };

export function initialUiState(opts: Partial<Pick<ConsoleUiState, 'view' | 'selected' | 'muted'>> & { selectedId?: string } = {}): ConsoleUiState {
  return {
    view: opts.view === 'detail' ? 'detail' : 'list',
    selected: opts.selected ?? 0,
    modal: null,
    muted: opts.muted ?? false,
    flash: null,
    nav: { ...initialNav, selectedId: opts.selectedId ?? null },
  };
}

const PROMPT_MAX = 500;

export function reduceUi(s: ConsoleUiState, a: UiAction): ConsoleUiState {
  switch (a.type) {
    case 'move': {
      if (a.count === 0) return s;
      const selected = Math.min(a.count - 1, Math.max(0, s.selected + a.delta));
      return selected === s.selected ? s : { ...s, selected };
    }
    case 'view':
      return { ...s, view: a.view };
    case 'back':
      if (s.modal) return { ...s, modal: null };
      if (s.view !== 'list') return { ...s, view: 'list' };
      return s.flash ? { ...s, flash: null } : s;
    case 'prompt':
      return { ...s, modal: { type: 'escalate', targetId: a.targetId, text: a.text.slice(0, PROMPT_MAX) } };
    case 'type':
      return s.modal?.type === 'escalate' ? { ...s, modal: { ...s.modal, text: (s.modal.text + a.text).slice(0, PROMPT_MAX) } } : s;
    case 'erase':
      return s.modal?.type === 'escalate' ? { ...s, modal: { ...s.modal, text: [...s.modal.text].slice(0, -1).join('') } } : s;
    case 'confirm':
      return { ...s, modal: { type: 'confirm', question: a.question, onYes: a.onYes } };
    case 'close-modal':
      return s.modal ? { ...s, modal: null } : s;
    case 'mute':
      return { ...s, muted: a.muted };
    case 'flash':
      return { ...s, flash: a.flash };
    // Find, filter, scroll (issue 19: cview)
    case 'nav': {
      const nav = reduceNav(s.nav, a.action);
      return nav === s.nav ? s : { ...s, nav };
    }
  }
}
