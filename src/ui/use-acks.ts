import { createContext, createElement, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { createAckStore, type Ack, type AckStore, type Acks } from '../state/acks.js';

const AckContext = createContext<AckStore>(createAckStore());

/** Hands the console's ack store to the rows, the tiles, the bell and the keys. */
export function AckProvider({ acks, children }: { acks: AckStore; children?: ReactNode }) {
  return createElement(AckContext.Provider, { value: acks }, children);
}

/** The ack store itself (the keys read it when a key is pressed, not on every frame). */
export function useAckStore(): AckStore {
  return useContext(AckContext);
}

/** Every ack, re-rendering on change. */
export function useAcks(): Acks {
  const acks = useAckStore();
  return useSyncExternalStore(acks.subscribe, acks.getSnapshot);
}

/** One target's ack, or undefined. */
export function useAck(targetId: string): Ack | undefined {
  const acks = useAckStore();
  return useSyncExternalStore(acks.subscribe, () => acks.getSnapshot()[targetId]);
}
