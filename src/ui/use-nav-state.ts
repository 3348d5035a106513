/**
 * Find, filter, scroll: which target is selected (by id, so a re-sort never moves the selection to another target),
 * the filter, the two toggles, which pane has focus, and how far the event log and the detail view are scrolled.
 * A pure reducer, tested without Ink; the console's UI state holds it as `nav`.
 */
export type Pane = 'list' | 'log';

export interface NavState {
  /** The selected target's id; null until a key moves the selection (the index in the UI state stands). */
  selectedId: string | null;
  /** What `/` typed: rows whose id, name, kind, status or tiles contain every word of it. */
  filter: string;
  /** True while the filter is being typed: keys are text then, never commands. */
  filterEditing: boolean;
  /** Only targets that are not up. */
  notUp: boolean;
  /** Failing targets first (down, degraded, not checked yet, up), config order within. */
  failingFirst: boolean;
  focus: Pane;
  /** Lines scrolled back from the newest event. */
  logScroll: number;
  /** Lines scrolled down in the detail view. */
  detailScroll: number;
}

export type NavAction =
  | { type: 'select'; id: string | null }
  | { type: 'filter-edit' }
  | { type: 'filter-type'; text: string }
  | { type: 'filter-erase' }
  | { type: 'filter-done' }
  | { type: 'filter-clear' }
  | { type: 'toggle'; key: 'notUp' | 'failingFirst' }
  | { type: 'focus'; focus: Pane }
  | { type: 'scroll'; pane: 'log' | 'detail'; to: number };

/** The filter never grows past this: it is typed, not pasted documents. */
const FILTER_MAX = 80;

export const initialNav: NavState = {
  selectedId: null,
  filter: '',
  filterEditing: false,
  notUp: false,
  failingFirst: false,
  focus: 'list',
  logScroll: 0,
  detailScroll: 0,
};

export function reduceNav(s: NavState, a: NavAction): NavState {
  switch (a.type) {
    case 'select':
      return a.id === s.selectedId ? s : { ...s, selectedId: a.id, detailScroll: 0 };
    case 'filter-edit':
      return { ...s, filterEditing: true, focus: 'list' };
    case 'filter-type':
      // One line: a newline or tab in typed or pasted text is a space.
      return { ...s, filter: (s.filter + a.text.replace(/[\u0000-\u001f\u007f]+/g, ' ')).slice(0, FILTER_MAX) };
    case 'filter-erase':
      return { ...s, filter: [...s.filter].slice(0, -1).join('') };
    case 'filter-done':
      return { ...s, filterEditing: false, filter: s.filter.trim() };
    case 'filter-clear':
      return { ...s, filterEditing: false, filter: '' };
    case 'toggle':
      return { ...s, [a.key]: !s[a.key] };
    case 'focus':
      return { ...s, focus: a.focus };
    case 'scroll': {
      const to = Math.max(0, a.to);
      return a.pane === 'log' ? { ...s, logScroll: to } : { ...s, detailScroll: to };
    }
  }
}

/** The selected row's index in `ids`: the selected id's place while it is shown, else `fallback` kept in range. */
export function selectedIndex(nav: NavState, fallback: number, ids: readonly string[]): number {
  const at = nav.selectedId === null ? -1 : ids.indexOf(nav.selectedId);
  if (at >= 0) return at;
  return Math.min(Math.max(0, ids.length - 1), Math.max(0, fallback));
}
