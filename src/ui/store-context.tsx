import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { State, Store, TargetState } from '../state/store.js';
import type { ConsoleActions } from './actions.js';

const StoreContext = createContext<Store | null>(null);
const ActionsContext = createContext<ConsoleActions | null>(null);

/** Hands the store and the actions to the tree; tests hand in their own. */
export function StoreProvider({ store, actions, children }: { store: Store; actions: ConsoleActions; children: ReactNode }) {
  return (
    <StoreContext.Provider value={store}>
      <ActionsContext.Provider value={actions}>{children}</ActionsContext.Provider>
    </StoreContext.Provider>
  );
}

/** The store itself, for reading the latest snapshot inside event handlers. */
export function useStoreInstance(): Store {
  return useStore();
}

function useStore(): Store {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside <StoreProvider>');
  return store;
}

/** A narrow read of the store; re-renders only when the selected value changes (by reference). */
export function useAppState<T>(select: (s: State) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => select(store.getSnapshot()));
}

/** One target's state. */
export function useTarget(id: string | undefined): TargetState | undefined {
  return useAppState((s) => (id === undefined ? undefined : s.targets[id]));
}

export function useActions(): ConsoleActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error('useActions outside <StoreProvider>');
  return actions;
}
