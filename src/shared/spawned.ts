/**
 * The processes this pitwall process has started and not yet seen end (MCP stdio servers and what they started), by
 * pid and start time. Process-wide on purpose: it mirrors one fact about the OS process (what it would leave
 * behind if it were SIGKILLed now), which the spawn record (journal/spawn-record.ts) keeps on disk for the next run.
 * Whoever spawns reports here; at most one listener (the record) hears every change.
 */
import type { ProcId } from './proc.js';

const live = new Map<object, readonly ProcId[]>();
let listener: ((all: ProcId[]) => void) | null = null;

/** Every process now reported, once each. */
export function spawnedNow(): ProcId[] {
  const seen = new Map<number, ProcId>();
  for (const ids of live.values()) for (const id of ids) seen.set(id.pid, id);
  return [...seen.values()];
}

/** `owner` (a transport) now has these processes; an empty list forgets it. */
export function reportSpawned(owner: object, ids: readonly ProcId[]): void {
  if (ids.length === 0 && !live.has(owner)) return;
  if (ids.length === 0) live.delete(owner);
  else live.set(owner, ids);
  listener?.(spawnedNow());
}

/** Installs the one listener; it is told the whole list on every change. */
export function onSpawnedChange(l: (all: ProcId[]) => void): void {
  listener = l;
}

/** Removes `l`, if it is still the listener. */
export function offSpawnedChange(l: (all: ProcId[]) => void): void {
  if (listener === l) listener = null;
}
