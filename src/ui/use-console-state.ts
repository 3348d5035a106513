/** The console's own UI state, as a pure reducer you can test without Ink. */
import { ACK_EXPIRIES, type AckExpiry } from '../state/acks.js';
import { initialNav, reduceNav, type NavAction, type NavState } from './use-nav-state.js';

export type View = 'list' | 'detail' | 'help';

export type Modal =
  /** The note prompt: `text` and `cursor` mirror its line editor; `problem` is the last error, shown above it. */
  | { type: 'escalate'; targetId: string; text: string; cursor: number; problem: string }
  | { type: 'confirm'; question: string; onYes: ConfirmAction }
  /** The hourly report on screen before it is appended: Enter writes exactly this, Esc cancels. */
  | { type: 'report'; draft: ReportDraft; scroll: number }
  /** Acknowledging a target: a short note (same line editor) and how long it holds (Tab cycles). */
  | { type: 'ack'; targetId: string; text: string; cursor: number; problem: string; expiry: AckExpiry }
  /** Resolving a blocker: what fixed it (same line editor; may be left empty). */
  | { type: 'resolve'; targetId: string; blockerId: string; text: string; cursor: number; problem: string };

/** The modals typed into with the line editor. */
export type NoteModal = Extract<Modal, { type: 'escalate' | 'ack' | 'resolve' }>;
export function isNoteModal(m: Modal | null): m is NoteModal {
  return m?.type === 'escalate' || m?.type === 'ack' || m?.type === 'resolve';
}

/** What a confirmation leads to; the keys hook carries it out. */
export type ConfirmAction =
  | { type: 'escalate-again'; targetId: string; prefill: string }
  | { type: 'create-feedback' }
  | { type: 'resolve'; targetId: string; blockerId: string }
  | { type: 'report' };

/** An hourly report built but not written: exactly the text Enter appends. */
export interface ReportDraft {
  markdown: string;
  /** What it covers ("this hour so far"), and what to know before writing it. */
  title: string;
}

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
  | { type: 'prompt'; targetId: string; text: string; cursor: number; problem: string }
  | { type: 'note'; text: string; cursor: number }
  | { type: 'preview'; draft: ReportDraft }
  | { type: 'scroll'; delta: number; lines: number }
  | { type: 'ack-prompt'; targetId: string; text: string; cursor: number; problem: string }
  | { type: 'ack-expiry' }
  | { type: 'resolve-prompt'; targetId: string; blockerId: string; text: string; cursor: number; problem: string }
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

/** The longest note the prompt takes. */
export const PROMPT_MAX = 500;

export function reduceUi(s: ConsoleUiState, a: UiAction): ConsoleUiState {
  switch (a.type) {
    case 'move': {
      if (a.count === 0) return s;
      const selected = Math.min(a.count - 1, Math.max(0, s.selected + a.delta));
      return selected === s.selected ? s : { ...s, selected };
    }
    case 'view':
      // Details opened anew start at their top, whatever was scrolled the last time.
      return { ...s, view: a.view, nav: a.view === 'detail' && s.view !== 'detail' && s.nav.detailScroll ? { ...s.nav, detailScroll: 0 } : s.nav };
    case 'back':
      if (s.modal) return { ...s, modal: null };
      if (s.view !== 'list') return { ...s, view: 'list' };
      return s.flash ? { ...s, flash: null } : s;
    case 'prompt':
      return { ...s, modal: { type: 'escalate', targetId: a.targetId, text: a.text, cursor: a.cursor, problem: a.problem } };
    case 'note':
      return isNoteModal(s.modal) ? { ...s, modal: { ...s.modal, text: a.text, cursor: a.cursor } } : s;
    case 'preview':
      return { ...s, modal: { type: 'report', draft: a.draft, scroll: 0 } };
    case 'scroll': {
      if (s.modal?.type !== 'report') return s;
      // `lines` is what fits on screen: the last page stops at the report's end, not past it.
      const last = Math.max(0, s.modal.draft.markdown.split('\n').length - a.lines);
      const scroll = Math.min(last, Math.max(0, s.modal.scroll + a.delta));
      return scroll === s.modal.scroll ? s : { ...s, modal: { ...s.modal, scroll } };
    }
    case 'ack-prompt':
      return { ...s, modal: { type: 'ack', targetId: a.targetId, text: a.text, cursor: a.cursor, problem: a.problem, expiry: 'until-up' } };
    case 'resolve-prompt':
      return { ...s, modal: { type: 'resolve', targetId: a.targetId, blockerId: a.blockerId, text: a.text, cursor: a.cursor, problem: a.problem } };
    case 'ack-expiry': {
      if (s.modal?.type !== 'ack') return s;
      const expiry = ACK_EXPIRIES[(ACK_EXPIRIES.indexOf(s.modal.expiry) + 1) % ACK_EXPIRIES.length]!;
      return { ...s, modal: { ...s.modal, expiry } };
    }
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
