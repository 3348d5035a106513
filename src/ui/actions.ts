import type { AckExpiry } from '../state/acks.js';
import type { ReportDraft } from './use-console-state.js';

/** The outcome of a write the user asked for, as the console reports it. */
export interface ActionResult {
  ok: boolean;
  message: string;
}

/** Preferences that survive a restart. */
export interface Prefs {
  /** Read from older prefs files but never restored or saved: a mute must not silently survive a restart. */
  muted: boolean;
  selectedTarget: string | null;
  view: 'list' | 'detail';
}

/** What the console can ask of the engine and the feedback writer. Implemented by the wiring, never by components. */
export interface ConsoleActions {
  rerun(targetId?: string): void;
  setPaused(paused: boolean): void;
  escalate(targetId: string, note: string): Promise<ActionResult>;
  /** Writes the RESOLVED entry, with what fixed it when given. */
  resolve(blockerId: string, note?: string): Promise<ActionResult>;
  writeReport(): Promise<ActionResult>;
  /** Builds the hourly report as it would be appended now (redacted), without writing anything. */
  previewReport(): Promise<ReportDraft>;
  /** Appends exactly the previewed report. */
  appendReport(draft: ReportDraft): Promise<ActionResult>;
  /** Acknowledges the target's current incident: its bell is silenced for `expiry`; one line in the feedback file. */
  acknowledge(targetId: string, note: string, expiry: AckExpiry): Promise<ActionResult>;
  /** Ends the target's ack now (its bell rings again on the next transition to down). */
  unacknowledge(targetId: string): ActionResult;
  /** Creates the missing feedback file after the user said yes. */
  createFeedbackFile(): Promise<ActionResult>;
  savePrefs(prefs: Partial<Prefs>): void;
  /** Demo only: moves the target to its next fault (healthy → slow → rate-limited → down) and returns it. */
  injectFault?: ((targetId: string) => string | null) | undefined;
  /** Stops everything and exits; the one way out. */
  quit(): void;
}
