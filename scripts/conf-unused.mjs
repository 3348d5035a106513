// conf (the console's prefs store, src/commands/watch.tsx) imports ajv with its formats and semver at load, for its
// `schema` and `migrations` options; pitwall passes neither, so they never run, but loaded they cost 1.3 MiB of heap
// and 4 MiB resident (conf bundled alone, with and without them, `new Conf(...).set(...)`, after gc: 2.7 → 1.4 MiB of
// heap; 56 → 52 MiB). In the bundle, conf gets stand-ins that say so if they are ever reached; test/conf-unused.test.ts
// bundles conf with this plugin and checks that the store pitwall makes still reads and writes, and that a schema throws.
const CONF_UNUSED = ['ajv/dist/2020.js', 'ajv-formats', 'semver'];
/** The rolldown plugin: conf's imports of CONF_UNUSED become modules whose every use throws, saying why. */
export const confUnused = {
  name: 'pitwall-conf-unused',
  resolveId: (source, importer) => (/[\\/]node_modules[\\/]conf[\\/]/.test(importer ?? '') && CONF_UNUSED.includes(source) ? `\0conf-unused:${source}` : null),
  load(id) {
    if (!id.startsWith('\0conf-unused:')) return null;
    const what = id.slice('\0conf-unused:'.length);
    const refuse = `() => { throw new Error(${JSON.stringify(`pitwall's bundle leaves ${what} out of conf: give conf no schema and no migrations (scripts/conf-unused.mjs)`)}); }`;
    if (what === 'ajv/dist/2020.js') return `export const Ajv2020 = function () { (${refuse})(); };`;
    if (what === 'ajv-formats') return `export default { default: ${refuse} };`;
    return `const refuse = ${refuse};\nexport default new Proxy({}, { get: (_, key) => (key === 'then' ? undefined : refuse) });`;
  },
};
