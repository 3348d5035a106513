import { useInput, usePaste, type Key } from 'ink';
import { useLayoutEffect, useRef, type Dispatch } from 'react';
import { openBlockerFor, shownStatus } from '../state/derive.js';
import { DUPLICATE_WINDOW_MS } from '../feedback/feedback-actions.js';
import type { State } from '../state/store.js';
import type { ActionResult, ConsoleActions } from './actions.js';
import { commandFor } from './keys.js';
import { problemOf } from './lib/row-stats.js';
import { reduceUi, type ConsoleUiState, type UiAction } from './use-console-state.js';
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
  /** Find, filter, scroll (issue 19: cview): page sizes, scroll limits, clipboard copy. */
  nav?: Omit<NavKeysContext, 'ui' | 'ids' | 'dispatch'>;
}) {
  const { actions, getState, ids } = opts;
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
  const prompt = (targetId: string) => {
    const t = getState().targets[targetId];
    // A space after the last error, so what is typed next is a word of its own ("…expected 200 checkout down").
    const problem = problemOf(t?.latest ?? null);
    dispatch({ type: 'prompt', targetId, text: problem ? `${problem} ` : 'blocked: ' });
  };

  const writeReport = () => {
    dispatch({ type: 'flash', flash: { text: 'writing the hourly report…', level: 'info' } });
    report(actions.writeReport());
  };

  const handle = (input: string, key: Key): void => {
    const ui = latest.current;
    const selectedId = ids[selectedIndex(ui.nav, ui.selected, ids)];
    const m = ui.modal;
    if (m?.type === 'escalate') {
      if (key.escape) return dispatch({ type: 'close-modal' });
      // Typed text and Enter can arrive in one chunk (fast typing, paste): the line ends at the first newline.
      const newline = input.search(/[\r\n]/);
      if (key.return || (input.length > 1 && newline >= 0)) {
        dispatch({ type: 'close-modal' });
        const typed = key.return ? '' : input.slice(0, newline);
        const note = (m.text + typed).replace(/\s+/g, ' ').trim();
        if (!note) return dispatch({ type: 'flash', flash: { text: 'escalation cancelled: empty note', level: 'warn' } });
        return report(actions.escalate(m.targetId, note));
      }
      if (key.backspace || key.delete) return dispatch({ type: 'erase' });
      if (key.ctrl && input === 'u') return dispatch({ type: 'prompt', targetId: m.targetId, text: '' });
      if (input && !key.ctrl && !key.meta) dispatch({ type: 'type', text: input.replace(/[\r\n\t]+/g, ' ') });
      return;
    }
    if (m?.type === 'confirm') {
      dispatch({ type: 'close-modal' });
      if (input !== 'y' && input !== 'Y') return;
      if (m.onYes.type === 'escalate-again') return prompt(m.onYes.targetId);
      if (m.onYes.type === 'resolve') return report(actions.resolve(m.onYes.blockerId));
      if (m.onYes.type === 'report') return writeReport();
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
        if (selectedId) actions.rerun(selectedId);
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
        const open = selectedId ? openBlockerFor(getState(), selectedId) : undefined;
        if (!open) return dispatch({ type: 'flash', flash: { text: `${selectedId} has no open blocker`, level: 'warn' } });
        // Resolving while the target still fails is more likely a slip than a decision: ask.
        const status = shownStatus(getState().targets[open.targetId] ?? { latest: null, noAnswerSince: null });
        if (status !== 'up') {
          return dispatch({
            type: 'confirm',
            question: `${open.targetId} is ${status ?? 'not checked yet'}. Resolve ${open.id} anyway?`,
            onYes: { type: 'resolve', blockerId: open.id },
          });
        }
        return report(actions.resolve(open.id));
      }
      case 'report': {
        // A second report minutes after the first is more likely a double key press than a wish: ask.
        const last = getState().events.findLast((e) => e.type === 'report');
        if (last && Date.now() - last.at < DUPLICATE_WINDOW_MS) {
          return dispatch({ type: 'confirm', question: `A report was written ${formatDuration(Date.now() - last.at)} ago. Write another?`, onYes: { type: 'report' } });
        }
        return writeReport();
      }
      case 'pause':
        return actions.setPaused(!getState().paused);
      case 'mute':
        actions.savePrefs({ muted: !ui.muted });
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
        const rest = chars.slice(i + 1).join('').replace(/[\r\n\t]+/g, ' ');
        if (m.type === 'escalate' && rest) dispatch({ type: 'type', text: rest });
        return;
      }
      return;
    }
    handle(input, key);
  });

  // Bracketed paste (the terminal marks what is pasted): text for the note, never keys. Without it, a pasted line
  // holding "q" quits and one holding "e" opens a prompt.
  usePaste((text) => {
    if (latest.current.modal?.type === 'escalate') return dispatch({ type: 'type', text: text.replace(/[\r\n\t]+/g, ' ') });
    // Find, filter, scroll (issue 19: cview): pasted into the filter while it is typed.
    if (latest.current.nav.filterEditing) return dispatch({ type: 'nav', action: { type: 'filter-type', text } });
    dispatch({ type: 'flash', flash: { text: 'paste ignored: keys are typed; paste into a note (e)', level: 'warn' } });
  });
}
