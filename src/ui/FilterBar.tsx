import { Text } from 'ink';
import { paint } from './lib/paint.js';
import type { NavState } from './use-nav-state.js';
import { theme } from './theme.js';

/** True when the list is narrowed or re-ordered: the bar says so then (and while the filter is typed). */
export function filterBarShown(nav: NavState): boolean {
  return nav.filterEditing || nav.filter !== '' || nav.notUp || nav.failingFirst;
}

/**
 * One line over the list saying how it is narrowed: "/http-15▏ 3 of 40 · only not up · failing first · Esc clears".
 * While the filter is typed the keys are text, and the bar says that too.
 */
export function FilterBar({ nav, shown, total }: { nav: NavState; shown: number; total: number }) {
  const parts = [`${shown} of ${total}`, nav.notUp && 'only not up (u)', nav.failingFirst && 'failing first (s)'].filter(Boolean).join(' · ');
  const hint = nav.filterEditing ? 'typing a filter: Enter keeps it, Esc clears' : nav.filter ? 'Esc clears' : '';
  return (
    <Text wrap="truncate-end">
      {paint('/', { color: theme.accent, bold: true })}
      {nav.filter}
      {nav.filterEditing ? paint('▌', { color: theme.accent }) : ''} {paint(parts, { color: shown === 0 ? theme.warn : theme.muted })}
      {hint ? paint(` · ${hint}`, { color: theme.muted }) : ''}
    </Text>
  );
}
