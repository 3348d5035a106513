/**
 * The config room's front door: the schema and types (schema.ts), loading (load.ts) and errors (errors.ts).
 */
export * from './schema.js';
export { ConfigError, formatPath } from './errors.js';
export { configFromObject, configVariables, loadConfig, parseConfig, type ConfigVariable } from './load.js';
