import { createContext, useContext } from 'react';

/** What the console knows about how it was opened: which config, or why it is the demo. Fixed for its lifetime. */
export interface ConsoleInfo {
  /** The config file in use (absolute), or null for the demo and for configs built in memory. */
  configPath: string | null;
  /** Set for the built-in demo: where pitwall looked for a config and found none ("no pitwall.yaml in …"). */
  searched: string | null;
}

const ConsoleInfoContext = createContext<ConsoleInfo>({ configPath: null, searched: null });

/** Hands the console's ConsoleInfo to the header. */
export const ConsoleInfoProvider = ConsoleInfoContext.Provider;

/** The console's ConsoleInfo (tests without a provider get no config path and no search). */
export function useConsoleInfo(): ConsoleInfo {
  return useContext(ConsoleInfoContext);
}
