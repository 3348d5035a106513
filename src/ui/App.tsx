import { Box, Text, useStdout, useWindowSize } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import { shownStatus } from '../state/derive.js';
import type { Prefs } from './actions.js';
import { ClockProvider, type Clock } from './clock-context.js';
import { DetailView } from './DetailView.js';
import { EventLog } from './EventLog.js';
import { FilterBar, filterBarShown } from './FilterBar.js';
import { visibleIds } from './lib/filter.js';
import { foldEvents } from './lib/fold-events.js';
import { copyText } from './lib/detail-text.js';
import { osc52 } from './lib/osc52.js';
import { selectedIndex } from './use-nav-state.js';
import type { ScrollLimits } from './use-view-keys.js';
import { Footer, footerHeight } from './Footer.js';
import { Header, headerExtraLines } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { PREVIEW_CHROME, ReportPreview } from './ReportPreview.js';
import { columnsFor } from './lib/columns.js';
import { useActions, useAppState, useStoreInstance } from './store-context.js';
import { displayOrder, listHeight as linesForList, TargetList } from './TargetList.js';
import { TilesStrip } from './TilesStrip.js';
import { WebhooksPanel } from './WebhooksPanel.js';
import { useBell } from './use-bell.js';
import { useConsoleKeys } from './use-console-keys.js';
import { initialUiState, reduceUi } from './use-console-state.js';

/** The smallest terminal the layout is drawn for. */
export const MIN_SIZE = { columns: 80, rows: 24 } as const;

/** How long a footer message stays. */
const FLASH_MS = 8_000;

export interface AppProps {
  prefs?: Partial<Prefs>;
  /** The feedback file is missing: ask once whether to create it. */
  feedbackMissing?: boolean;
  /** When the next automatic hourly report is due, or null when none is scheduled. */
  nextReportAt?: () => number | null;
  /** Fixed size for tests; else the terminal's. */
  size?: { columns: number; rows: number };
  /** The screen's clock, for tests; else one ticking on the wall-clock second. */
  clock?: Clock;
  /** Each target's endpoint, redacted (lib/endpoint.ts endpointsOf): shown in details, copied with `c`. */
  endpoints?: Readonly<Record<string, string>>;
  /** Where the clipboard's OSC 52 sequence goes; else the terminal (stdout). */
  clipboard?: (sequence: string) => void;
  /** The zone times are shown in (config `timezone`); the machine's when unset. */
  timeZone?: string;
}

/** The console root: header, tiles, grouped targets (or details / help), event log, footer. */
export function App({ prefs, feedbackMissing, nextReportAt, size, clock, endpoints, clipboard, timeZone }: AppProps) {
  const actions = useActions();
  const store = useStoreInstance();
  const order = useAppState((s) => s.order);
  const targets = useAppState((s) => s.targets);
  const events = useAppState((s) => s.events);
  const feedbackFile = useAppState((s) => s.feedbackFile);
  const all = useMemo(() => displayOrder(order, (id) => targets[id]!.group), [order, targets]);
  const startIndex = prefs?.selectedTarget ? Math.max(0, all.indexOf(prefs.selectedTarget)) : 0;
  const [ui, dispatch] = useReducer(reduceUi, undefined, () =>
    initialUiState({ selected: startIndex, selectedId: prefs?.selectedTarget ?? undefined, muted: prefs?.muted ?? false, view: prefs?.view ?? 'list' }),
  );
  // The rows shown: narrowed by the filter and the not-up toggle, failing first when asked.
  const { filter, notUp, failingFirst } = ui.nav;
  const ids = useMemo(() => visibleIds(all, targets, { filter, notUp, failingFirst }), [all, targets, filter, notUp, failingFirst]);
  const selected = selectedIndex(ui.nav, ui.selected, ids);
  const logLines = useMemo(() => foldEvents(events), [events]);
  // How far the log and the details scroll, as they last drew (the detail view reports its wrapped length).
  const [detailLimit, setDetailLimit] = useState(0);
  const terminal = useWindowSize();
  const columns = size?.columns ?? terminal.columns ?? 80;
  const rows = size?.rows ?? terminal.rows ?? 24;
  const getState = useCallback(() => store.getSnapshot(), [store]);
  const { stdout } = useStdout();

  useBell(events, ui.muted);

  useEffect(() => {
    if (feedbackMissing) dispatch({ type: 'confirm', question: `The feedback file ${feedbackFile} does not exist. Create it?`, onYes: { type: 'create-feedback' } });
  }, [feedbackMissing, feedbackFile]);

  // A message says what just happened; after a few seconds it would say something that is no longer true.
  useEffect(() => {
    if (!ui.flash) return;
    const t = setTimeout(() => dispatch({ type: 'flash', flash: null }), FLASH_MS);
    return () => clearTimeout(t);
  }, [ui.flash]);

  const selectedId = ids[selected];
  useEffect(() => {
    if (selectedId) actions.savePrefs({ selectedTarget: selectedId, view: ui.view === 'detail' ? 'detail' : 'list' });
  }, [actions, selectedId, ui.view]);

  const width = Math.max(40, columns - 1);
  // The same object while the width holds: rows are memoised on it.
  const cols = useMemo(() => columnsFor(width), [width]);
  const tilesHurt = useMemo(() => Object.values(targets).some((t) => t.latest && shownStatus(t) !== 'up' && t.tiles.length > 0), [targets]);
  const hasWebhooks = useAppState((s) => s.webhooks !== null);
  const demo = useAppState((s) => s.demo);
  const headerLines = 2 + headerExtraLines(demo) + 1 + (tilesHurt ? 1 : 0) + (hasWebhooks ? 1 : 0);
  const footerLines = footerHeight(ui, width);
  // Lines left for the list and the log: the rest of the screen less the header, the footer, two margins and a
  // spare line (a frame as tall as the terminal scrolls it by one).
  const body = Math.max(4, rows - headerLines - footerLines - 3);
  const barLines = filterBarShown(ui.nav) ? 1 : 0;
  const listLines = linesForList(ids, targets, !failingFirst);
  const listHeight = Math.min(listLines, Math.max(3, body - 4 - barLines));
  const logHeight = Math.max(2, body - listHeight - barLines);
  const pages = { list: Math.max(1, listHeight - 4), log: Math.max(1, logHeight - 2), detail: Math.max(1, body - 3) };
  const limits: ScrollLimits = { log: Math.max(0, logLines.length - (logHeight - 1)), detail: detailLimit };
  // `c`: the selected target's error and evidence to the clipboard, as an escape the terminal carries out.
  const copy = () => {
    const t = selectedId ? getState().targets[selectedId] : undefined;
    if (!t) return 'nothing to copy';
    const { sequence, cut } = osc52(copyText(t, endpoints?.[t.id]));
    (clipboard ?? ((seq: string) => void stdout.write(seq)))(sequence);
    return `copied ${t.id}'s ${t.latest?.error ? 'error and evidence' : 'status'} to the clipboard (OSC 52${cut ? ', cut to 64 KiB' : ''})`;
  };
  useConsoleKeys({ ui, dispatch, actions, getState, ids, pageLines: Math.max(1, body - PREVIEW_CHROME), nav: { pages, limits, copy } });

  // Below 80×24 the layout breaks (rows wrap, the footer falls off): one honest line instead. Keys still work.
  if (columns < MIN_SIZE.columns || rows < MIN_SIZE.rows) {
    return <Text wrap="truncate-end">{`terminal too small: ${columns}×${rows}; pitwall needs ${MIN_SIZE.columns}×${MIN_SIZE.rows} (q quits)`}</Text>;
  }
  return (
    // The one clock for everything below that shows time; the console itself never re-renders for it.
    <ClockProvider clock={clock} timeZone={timeZone}>
        <Box flexDirection="column" width={width}>
        <Header width={width} muted={ui.muted} nextReportAt={nextReportAt} />
        {ui.view === 'help' && rows < 34 ? null : <TilesStrip width={width} />}
        <Box marginTop={1} flexDirection="column">
          {ui.modal?.type === 'report' ? (
            <ReportPreview draft={ui.modal.draft} scroll={ui.modal.scroll} width={width} height={body} />
          ) : ui.view === 'help' ? (
            <HelpOverlay width={width} compact={rows < 34} />
          ) : ui.view === 'detail' && selectedId ? (
            <DetailView id={selectedId} width={width} height={body} endpoint={endpoints?.[selectedId]} scroll={ui.nav.detailScroll} onLimit={setDetailLimit} />
          ) : (
            <>
              {barLines ? <FilterBar nav={ui.nav} shown={ids.length} total={all.length} /> : null}
              <TargetList ids={ids} selected={selected} cols={cols} width={width} height={listHeight} grouped={!failingFirst} />
              <WebhooksPanel width={width} />
              <Box marginTop={1}>
                <EventLog lines={logLines} height={logHeight} width={width} focused={ui.nav.focus === 'log'} scroll={ui.nav.logScroll} />
              </Box>
            </>
          )}
        </Box>
        {all.length === 0 ? <Text>No targets configured.</Text> : ids.length === 0 ? <Text>No target matches: Esc clears the filter, u shows all.</Text> : null}
        <Footer ui={ui} width={width} />
      </Box>
    </ClockProvider>
  );
}
