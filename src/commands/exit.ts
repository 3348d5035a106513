// Exit codes and the usage error live in src/shared/exit.ts (the CLI reads them too); kept here for the commands.
export { EXIT, exitCodeFor, UsageError } from '../shared/exit.js';
