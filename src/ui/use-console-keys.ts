import { useInput, usePaste, type Key } from 'ink';
import { useEffect, useLayoutEffect, useRef, type Dispatch } from 'react';
import { openBlockerFor, shownStatus } from '../state/derive.js';
import { DUPLICATE_WINDOW_MS } from '../feedback/feedback-actions.js';
import type { State } from '../state/store.js';
import type { ActionResult, ConsoleActions } from './actions.js';
import { ackActive, type AckExpiry } from '../state/acks.js';
import { commandFor } from './keys.js';
import { useAckStore } from './use-acks.js';
import { createLineEditor, type LineEditor } from './line-editor.js';
import { problemOf } from './lib/row-stats.js';
import { isNoteModal, PROMPT_MAX, reduceUi, type ConsoleUiState, type UiAction } from './use-console-state.js';
import { formatDuration } from '../text/format.js';
import { selectedIndex } from './use-nav-state.js';
import { handleNavKey, type NavKeysContext } from './use-view-keys.js';


/** Keys → UI state changes and console actions, dispatched from the one key table. */
export function useConsoleKeys(opts: {
  ui: ConsoleUiState;
  dispatch: Dispatch<UiAction>;
  actions: ConsoleActions;
  getState: () => State;
  ids: readonly string[];
  /** Lines the report preview shows at once (a page for PgUp/PgDn). */
  pageLines?: number;
  /** Find, filter, scroll (issue 19: cview): page sizes, scroll limits, clipboard copy. */
  nav?: Omit<NavKeysContext, 'ui' | 'ids' | 'dispatch'>;
}) {
  const { actions, getState, ids } = opts;
  const acks = useAckStore();
  // The UI state as of the last key handled, not as of the last frame: keys that arrive in one chunk ("je" typed
  // faster than a frame, a paste) each see what the keys before them did. Without it, "j" then "e" opened the
  // prompt for the target the selection had just left.
  const latest = useRef(opts.ui);
  useLayoutEffect(() => {
    latest.current = opts.ui;
  });
  const dispatch = (a: UiAction) => {
    latest.current = reduceUi(latest.current, a);
    opts.dispatch(a);
  };
  const report = (p: Promise<ActionResult>) =>
    void p.then(
      (r) => dispatch({ type: 'flash', flash: { text: r.message, level: r.ok ? 'info' : 'error' } }),
      (err: unknown) => dispatch({ type: 'flash', flash: { text: String(err), level: 'error' } }),
    );
  // The note prompt's line editor, while the prompt is open.
  const editor = useRef<LineEditor | null>(null);
  useEffect(() => () => editor.current?.close(), []);
  const closeEditor = () => {
    editor.current?.close();
    editor.current = null;
  };
  const showNote = (ed: LineEditor) => dispatch({ type: 'note', text: ed.line, cursor: ed.cursor });
  // The prompt opens empty: the note says what is blocked. The last error is shown above it and goes into the
  // entry anyway (its status and evidence), so prefilling it only made the note repeat it.
  const prompt = (targetId: string, typed = '') => {
    closeEditor();
    const ed = (editor.current = createLineEditor(typed, PROMPT_MAX));
    dispatch({ type: 'flash', flash: null });
    dispatch({ type: 'prompt', targetId, text: ed.line, cursor: ed.cursor, problem: problemOf(getState().targets[targetId]?.latest ?? null) });
  };
  const submitNote = (targetId: string, note: string) => {
    const text = note.replace(/\s+/g, ' ').trim();
    // Refused, not cancelled: the prompt stays open for the note (Esc cancels).
    if (!text) return dispatch({ type: 'flash', flash: { text: 'a BLOCKER needs a note: what is blocked, who is hurt (Esc cancels)', level: 'warn' } });
    closeEditor();
    dispatch({ type: 'close-modal' });
    report(actions.escalate(targetId, text));
  };

  // a: acknowledge the selected target (a note, Tab for how long), or end its ack when it has one.
  const ackPrompt = (targetId: string) => {
    const t = getState().targets[targetId];
    const status = t ? shownStatus(t) : null;
    // A timed ack that has run out is gone from the screen: `a` then acknowledges again rather than ending it.
    const current = acks.getSnapshot()[targetId];
    if (current && ackActive(current, Date.now())) {
      const r = actions.unacknowledge(targetId);
      return dispatch({ type: 'flash', flash: { text: r.message, level: r.ok ? 'info' : 'warn' } });
    }
    if (status === 'up' || status === null) {
      return dispatch({ type: 'flash', flash: { text: `${targetId} is ${status ?? 'not checked yet'}: nothing to acknowledge`, level: 'warn' } });
    }
    closeEditor();
    const ed = (editor.current = createLineEditor('', PROMPT_MAX));
    dispatch({ type: 'flash', flash: null });
    dispatch({ type: 'ack-prompt', targetId, text: ed.line, cursor: ed.cursor, problem: problemOf(t?.latest ?? null) });
  };
  // x: what fixed it, then the RESOLVED entry (an empty note is allowed: the entry says "no resolution note").
  const resolvePrompt = (targetId: string, blockerId: string) => {
    closeEditor();
    const ed = (editor.current = createLineEditor('', PROMPT_MAX));
    dispatch({ type: 'flash', flash: null });
    dispatch({ type: 'resolve-prompt', targetId, blockerId, text: ed.line, cursor: ed.cursor, problem: problemOf(getState().targets[targetId]?.latest ?? null) });
  };
  const submitResolve = (blockerId: string, note: string) => {
    closeEditor();
    dispatch({ type: 'close-modal' });
    report(actions.resolve(blockerId, note.replace(/\s+/g, ' ').trim()));
  };
  const submitAck = (targetId: string, note: string, expiry: AckExpiry) => {
    closeEditor();
    dispatch({ type: 'close-modal' });
    report(actions.acknowledge(targetId, note.replace(/\s+/g, ' ').trim(), expiry));
  };

  // h shows the report first; only Enter on the preview writes it. Building it reads the journal once; the engine
  // keeps polling meanwhile.
  const previewReport = () => {
    dispatch({ type: 'flash', flash: { text: 'building the hourly report…', level: 'info' } });
    void actions.previewReport().then(
      (draft) => {
        dispatch({ type: 'flash', flash: null });
        dispatch({ type: 'preview', draft });
      },
      (err: unknown) => dispatch({ type: 'flash', flash: { text: `the report could not be built: ${String(err)}`, level: 'error' } }),
    );
  };

  const handle = (input: string, key: Key): void => {
    const ui = latest.current;
    const selectedId = ids[selectedIndex(ui.nav, ui.selected, ids)];
    const m = ui.modal;
    // Ctrl-C quits from anywhere, as the key table says: a prompt, the filter or the preview never swallow it.
    // (An unsent note is dropped, as Esc would; the feedback file is flushed on the way out.)
    if (key.ctrl && input === 'c') {
      closeEditor();
      return actions.quit();
    }
    if (isNoteModal(m)) {
      const ed = editor.current ?? (editor.current = createLineEditor(m.text, PROMPT_MAX));
      if (m.type === 'ack' && key.tab) return dispatch({ type: 'ack-expiry' });
      if (key.tab) return;
      if (key.escape) {
        closeEditor();
        return dispatch({ type: 'close-modal' });
      }
      // Typed text and Enter can arrive in one chunk (fast typing): the line ends at the first newline.
      const newline = input.search(/[\r\n]/);
      if (key.return || (input.length > 1 && newline >= 0)) {
        if (!key.return) ed.insert(input.slice(0, newline));
        showNote(ed);
        if (m.type === 'ack') return submitAck(m.targetId, ed.line, m.expiry);
        if (m.type === 'resolve') return submitResolve(m.blockerId, ed.line);
        return submitNote(m.targetId, ed.line);
      }
      if (ed.press(input, key)) showNote(ed);
      return;
    }
    if (m?.type === 'report') {
      const page = Math.max(1, (opts.pageLines ?? 20) - 1);
      const lines = opts.pageLines ?? 20;
      if (key.escape || input === 'q') {
        dispatch({ type: 'close-modal' });
        return dispatch({ type: 'flash', flash: { text: 'report not written', level: 'info' } });
      }
      if (key.return) {
        dispatch({ type: 'close-modal' });
        dispatch({ type: 'flash', flash: { text: 'writing the hourly report…', level: 'info' } });
        return report(actions.appendReport(m.draft));
      }
      const delta = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : key.pageUp ? -page : key.pageDown || input === ' ' ? page : key.home || input === 'g' ? -Infinity : key.end || input === 'G' ? Infinity : 0;
      if (delta) dispatch({ type: 'scroll', delta, lines });
      return;
    }
    if (m?.type === 'confirm') {
      dispatch({ type: 'close-modal' });
      if (input !== 'y' && input !== 'Y') return;
      if (m.onYes.type === 'escalate-again') return prompt(m.onYes.targetId);
      if (m.onYes.type === 'resolve') return resolvePrompt(m.onYes.targetId, m.onYes.blockerId);
      if (m.onYes.type === 'report') return previewReport();
      return report(actions.createFeedbackFile());
    }
    // Find, filter, scroll (issue 19: cview): the filter prompt, moves, focus, scrolling, copy.
    if (opts.nav && handleNavKey(input, key, { ...opts.nav, ui, ids, dispatch })) return;
    const cmd = commandFor({ input, upArrow: key.upArrow, downArrow: key.downArrow, return: key.return, escape: key.escape, ctrl: key.ctrl });
    switch (cmd) {
      case 'up':
        return dispatch({ type: 'move', delta: -1, count: ids.length });
      case 'down':
        return dispatch({ type: 'move', delta: 1, count: ids.length });
      // Find, filter, scroll (issue 19: cview): use-view-keys.ts handles these when `nav` is given.
      case 'pageUp':
      case 'pageDown':
      case 'top':
      case 'bottom':
      case 'filter':
      case 'notUp':
      case 'failingFirst':
      case 'focus':
      case 'copy':
        return;
      case 'details':
        return dispatch({ type: 'view', view: ui.view === 'detail' ? 'list' : 'detail' });
      case 'back':
        return dispatch({ type: 'back' });
      case 'help':
        return dispatch({ type: 'view', view: ui.view === 'help' ? 'list' : 'help' });
      case 'rerun':
        if (!selectedId) return dispatch({ type: 'flash', flash: { text: 'no target selected (the filter matches none)', level: 'warn' } });
        actions.rerun(selectedId);
        return dispatch({ type: 'flash', flash: { text: `rerunning ${selectedId}…`, level: 'info' } });
      case 'rerunAll':
        actions.rerun();
        return dispatch({ type: 'flash', flash: { text: 'rerunning all targets…', level: 'info' } });
      case 'escalate': {
        if (!selectedId) return;
        const open = openBlockerFor(getState(), selectedId);
        if (open && Date.now() - open.openedAt < DUPLICATE_WINDOW_MS) {
          return dispatch({
            type: 'confirm',
            question: `${selectedId} was escalated ${formatDuration(Date.now() - open.openedAt)} ago (${open.id}). Write another BLOCKER?`,
            onYes: { type: 'escalate-again', targetId: selectedId, prefill: '' },
          });
        }
        return prompt(selectedId);
      }
      case 'resolve': {
        if (!selectedId) return dispatch({ type: 'flash', flash: { text: 'no target selected (the filter matches none)', level: 'warn' } });
        const open = openBlockerFor(getState(), selectedId);
        if (!open) return dispatch({ type: 'flash', flash: { text: `${selectedId} has no open blocker`, level: 'warn' } });
        // Resolving while the target still fails is more likely a slip than a decision: ask.
        const status = shownStatus(getState().targets[open.targetId] ?? { latest: null, noAnswerSince: null });
        if (status !== 'up') {
          return dispatch({
            type: 'confirm',
            question: `${open.targetId} is ${status ?? 'not checked yet'}. Resolve ${open.id} anyway?`,
            onYes: { type: 'resolve', targetId: open.targetId, blockerId: open.id },
          });
        }
        return resolvePrompt(open.targetId, open.id);
      }
      case 'report':
        // Nothing is written until Enter on the preview; the preview says when the last report was written.
        return previewReport();
      case 'ack':
        if (selectedId) ackPrompt(selectedId);
        return;
      case 'pause':
        return actions.setPaused(!getState().paused);
      case 'mute':
        // Not saved: the next start rings again (see watch.tsx).
        return dispatch({ type: 'mute', muted: !ui.muted });
      case 'fault': {
        if (!actions.injectFault || !selectedId) return;
        const f = actions.injectFault(selectedId);
        return dispatch({ type: 'flash', flash: { text: f ? `demo: ${selectedId} → ${f}` : `demo: ${selectedId} has no faults to inject`, level: 'warn' } });
      }
      case 'quit':
        return actions.quit();
      case null:
        return;
    }
  };

  // Read afresh: handle() may have just opened one.
  const openModal = () => latest.current.modal;
  useInput((input, key) => {
    // Keys typed faster than a frame arrive together ("jjj", "je"): outside the prompt, take them one by one, each
    // after the ones before it (a newline is Enter: details). Once one of them opens a question, the rest of the
    // chunk never answers it: a confirmation needs a key of its own, and what follows an "e" is typed into the note
    // for the user to read and send with Enter. So keys that came with the one that opened the prompt never send it.
    if (!latest.current.modal && input.length > 1 && !key.ctrl && !key.meta && !input.startsWith('\u001b')) {
      const chars = [...input];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        handle(ch, { ...key, return: ch === '\r' || ch === '\n', escape: false, upArrow: false, downArrow: false });
        const m = openModal();
        if (!m) continue;
        const rest = chars.slice(i + 1).join('');
        if ((m.type === 'escalate' || m.type === 'ack') && rest && editor.current) {
          editor.current.insert(rest);
          showNote(editor.current);
        }
        return;
      }
      return;
    }
    handle(input, key);
  });

  // Bracketed paste (the terminal marks what is pasted): text for the note, never keys. Without it, a pasted line
  // holding "q" quits and one holding "e" opens a prompt.
  usePaste((text) => {
    const open = latest.current.modal?.type;
    if ((open === 'escalate' || open === 'ack' || open === 'resolve') && editor.current) {
      editor.current.insert(text);
      return showNote(editor.current);
    }
    // Find, filter, scroll (issue 19: cview): pasted into the filter while it is typed.
    if (latest.current.nav.filterEditing) return dispatch({ type: 'nav', action: { type: 'filter-type', text } });
    dispatch({ type: 'flash', flash: { text: 'paste ignored: keys are typed; paste into a note (e)', level: 'warn' } });
  });
}
