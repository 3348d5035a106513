// Yoga (Ink's layout engine) is Emscripten output with its WASM inlined as a data: URI. Its loader (getBinaryPromise,
// minified as `ya`) fetches that URI with the global fetch whenever one exists, and in Node the first touch of fetch
// loads Node's built-in undici with http2, crypto and web streams: ~8 MiB of resident memory in a console that may
// have no other use for them (issue #18; `process.moduleLoadList` before and after Ink's import shows it). Newer
// Emscripten releases decode a data: URI directly (their getBinaryPromise checks isDataURI before fetch); this does
// the same to yoga-layout 3.2's file. scripts/bundle.mjs applies it to the bundle, bench/ink-floor.mjs through a
// module hook. It throws if the code no longer reads as expected, so a Yoga upgrade cannot drop the fix silently.
const LOADER = 'function ya(){return w||"function"!=typeof fetch?';

/** Whether `id` is Yoga's Emscripten loader, the file the fix applies to. */
export const isYogaLoader = (id) => /[\\/]node_modules[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/.test(id);

/** Yoga's loader with its data: URI decoded without fetch. */
export function decodeYogaWithoutFetch(code) {
  if (code.split(LOADER).length !== 2) throw new Error(`yoga-layout's wasm loader changed (no single "${LOADER}"); see scripts/yoga-data-uri.mjs`);
  return code.replace(LOADER, 'function ya(){return w||ua(H)||"function"!=typeof fetch?');
}
