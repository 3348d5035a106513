import { Box, Text, useWindowSize } from 'ink';
import { useCallback, useEffect, useMemo, useReducer } from 'react';
import { shownStatus } from '../state/derive.js';
import type { Prefs } from './actions.js';
import { ClockProvider, type Clock } from './clock-context.js';
import { DetailView } from './DetailView.js';
import { EventLog } from './EventLog.js';
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
}

/** The console root: header, tiles, grouped targets (or details / help), event log, footer. */
export function App({ prefs, feedbackMissing, nextReportAt, size, clock }: AppProps) {
  const actions = useActions();
  const store = useStoreInstance();
  const order = useAppState((s) => s.order);
  const targets = useAppState((s) => s.targets);
  const events = useAppState((s) => s.events);
  const feedbackFile = useAppState((s) => s.feedbackFile);
  const ids = useMemo(() => displayOrder(order, (id) => targets[id]!.group), [order, targets]);
  const startIndex = prefs?.selectedTarget ? Math.max(0, ids.indexOf(prefs.selectedTarget)) : 0;
  const [ui, dispatch] = useReducer(reduceUi, undefined, () => initialUiState({ selected: startIndex, muted: prefs?.muted ?? false, view: prefs?.view ?? 'list' }));
  const terminal = useWindowSize();
  const columns = size?.columns ?? terminal.columns ?? 80;
  const rows = size?.rows ?? terminal.rows ?? 24;
  const getState = useCallback(() => store.getSnapshot(), [store]);

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

  const selectedId = ids[ui.selected];
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
  const footerLines = footerHeight(ui);
  // Lines left for the list and the log: the rest of the screen less the header, the footer, two margins and a
  // spare line (a frame as tall as the terminal scrolls it by one).
  const body = Math.max(4, rows - headerLines - footerLines - 3);
  useConsoleKeys({ ui, dispatch, actions, getState, ids, pageLines: Math.max(1, body - PREVIEW_CHROME) });
  const listLines = linesForList(ids, targets);
  const listHeight = Math.min(listLines, Math.max(3, body - 4));
  const logHeight = Math.max(2, body - listHeight);

  return (
    // The one clock for everything below that shows time; the console itself never re-renders for it.
    <ClockProvider clock={clock}>
        <Box flexDirection="column" width={width}>
        <Header width={width} muted={ui.muted} nextReportAt={nextReportAt} />
        {ui.view === 'help' && rows < 34 ? null : <TilesStrip width={width} />}
        <Box marginTop={1} flexDirection="column">
          {ui.modal?.type === 'report' ? (
            <ReportPreview draft={ui.modal.draft} scroll={ui.modal.scroll} width={width} height={body} />
          ) : ui.view === 'help' ? (
            <HelpOverlay width={width} compact={rows < 34} />
          ) : ui.view === 'detail' && selectedId ? (
            <DetailView id={selectedId} width={width} height={body} />
          ) : (
            <>
              <TargetList ids={ids} selected={ui.selected} cols={cols} width={width} height={listHeight} />
              <WebhooksPanel width={width} />
              <Box marginTop={1}>
                <EventLog events={events} height={logHeight} width={width} />
              </Box>
            </>
          )}
        </Box>
        {ids.length === 0 ? <Text>No targets configured.</Text> : null}
        <Footer ui={ui} width={width} />
      </Box>
    </ClockProvider>
  );
}
